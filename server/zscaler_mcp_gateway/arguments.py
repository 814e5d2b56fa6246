"""Tool argument validation against the catalog's parameter declarations (pure, no jsonschema dep).

Each problem is one message naming the argument, so a model can correct its call. A value that the
SDK puts into a URL path must also be what that id can be (catalog/segments.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .catalog.model import Param, Tool
from .catalog.segments import segment_of, segment_problem

_PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def _type_ok(value: Any, json_type: str) -> bool:
    if json_type in ("integer", "number") and isinstance(value, bool):
        return False  # bool is an int subclass in Python, never in JSON
    if json_type == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _PY_TYPES[json_type])


def _json_name(value: Any) -> str:
    for name, kinds in (
        ("null", (type(None),)),
        ("boolean", (bool,)),
        ("integer", (int,)),
        ("number", (float,)),
        ("string", (str,)),
        ("array", (list,)),
        ("object", (dict,)),
    ):
        if isinstance(value, kinds):
            return name
    return type(value).__name__


def _check(param: Param, value: Any) -> str | None:
    if not _type_ok(value, param.type):
        return f"argument {param.name!r}: expected {param.type}, got {_json_name(value)}"
    if param.type == "array" and param.items:
        for index, item in enumerate(value):
            if not _type_ok(item, param.items):
                return f"argument {param.name!r}[{index}]: expected {param.items}, got {_json_name(item)}"
    if param.enum is not None and value not in param.enum:
        return f"argument {param.name!r}: {value!r} is not one of {', '.join(map(str, param.enum))}"
    if param.minimum is not None and value < param.minimum:
        return f"argument {param.name!r}: {value} is below the minimum {param.minimum:g}"
    if param.maximum is not None and value > param.maximum:
        return f"argument {param.name!r}: {value} is above the maximum {param.maximum:g}"
    return None


def validate_arguments(tool: Tool, arguments: Mapping[str, Any] | None) -> tuple[dict[str, Any], list[str]]:
    """Returns (clean arguments, errors). Integer-valued floats become ints; None means absent."""
    given = dict(arguments or {})
    known = {p.name: p for p in tool.params}
    errors = [
        f"unknown argument {name!r} (accepted: {', '.join(known) or 'none'})" for name in given if name not in known
    ]
    clean: dict[str, Any] = {}
    for name, param in known.items():
        value = given.get(name)
        if value is None:
            if param.required:
                errors.append(f"missing required argument {name!r}")
            continue
        problem = _check(param, value)
        kind = segment_of(tool, param)
        if problem is None and kind is not None:
            problem = segment_problem(name, kind, value)
        if problem:
            errors.append(problem)
        else:
            clean[name] = int(value) if param.type == "integer" else value
    return clean, errors
