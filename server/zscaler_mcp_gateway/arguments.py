"""Tool argument validation against the catalog's parameter declarations (pure, no jsonschema dep).

Each problem is one message naming the argument, so a model can correct its call. A value that the
SDK puts into a URL path must also be what that id can be (catalog/segments.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from .catalog.model import DIGITS, Param, Tool
from .catalog.segments import segment_of, segment_problem

_PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}
_DIGITS = re.compile(DIGITS)


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


def _typed(param: Param, value: Any) -> tuple[Any, str | None]:
    """(value as the SDK gets it, problem): integer-valued floats and digit strings of integer ids become ints."""
    if not any(_type_ok(value, t) for t in param.types):
        return value, f"argument {param.name!r}: expected {' or '.join(param.types)}, got {_json_name(value)}"
    if param.type == "integer" and isinstance(value, str):
        if not _DIGITS.match(value):
            return value, f"argument {param.name!r}: expected an integer or a string of digits, got {value[:40]!r}"
        return int(value), None
    if param.type == "integer" and _type_ok(value, "integer"):
        return int(value), None
    if param.type in ("array", "object") and isinstance(value, str):  # the official also takes these as JSON text
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        if _type_ok(parsed, param.type):
            value = parsed
        elif param.convert is None:  # else the conversion makes the string what the API takes
            return (
                value,
                f"argument {param.name!r}: expected {param.type} or JSON text of one, got a string that is not",
            )
    if param.type == "array" and param.items == "integer" and isinstance(value, list):
        # id lists: the official types their items as strings
        value = [int(v) if isinstance(v, str) and _DIGITS.match(v) else v for v in value]
    return value, None


def _check(param: Param, value: Any) -> str | None:
    if param.type == "array" and isinstance(value, list):
        for index, item in enumerate(value):
            if not _type_ok(item, param.items or "string"):
                return f"argument {param.name!r}[{index}]: expected {param.items or 'string'}, got {_json_name(item)}"
    if param.enum is not None and value not in param.enum:
        return f"argument {param.name!r}: {value!r} is not one of {', '.join(map(str, param.enum))}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if param.minimum is not None and value < param.minimum:
            return f"argument {param.name!r}: {value} is below the minimum {param.minimum:g}"
        if param.maximum is not None and value > param.maximum:
            return f"argument {param.name!r}: {value} is above the maximum {param.maximum:g}"
    if param.syntax is not None:
        return SYNTAX[param.syntax](param.name, value)
    return None


def _jmespath_problem(name: str, expression: str) -> str | None:
    import jmespath
    from jmespath.exceptions import JMESPathError

    try:
        jmespath.compile(expression)
    except JMESPathError as exc:
        reason = str(exc).splitlines()[0][:200]
        return f"argument {name!r}: not a valid JMESPath expression ({reason})"
    return None


_DIRECTIONS, _PROTOCOLS = ("src", "dest"), ("tcp", "udp")


def _port_rows_problem(name: str, rows: list[Any]) -> str | None:
    """ZIA network service ports: each row [direction, protocol, start] or [..., end], ports 1-65535."""
    for index, row in enumerate(rows):
        where = f"argument {name!r}[{index}]"
        if not 3 <= len(row) <= 4 or not all(isinstance(v, str) for v in row):
            return f"{where}: expected [direction, protocol, start] or [direction, protocol, start, end] strings"
        direction, protocol, *ports = row
        if direction not in _DIRECTIONS or protocol.lower() not in _PROTOCOLS:
            return f"{where}: direction is src or dest and protocol tcp or udp, got {row[0][:10]!r}, {row[1][:10]!r}"
        if not all(p.isascii() and p.isdigit() and 1 <= int(p) <= 65535 for p in ports):
            return f"{where}: ports are numbers from 1 to 65535"
        if len(ports) == 2 and int(ports[0]) > int(ports[1]):
            return f"{where}: the start port is above the end port"
    return None


def _conditions_problem(name: str, conditions: list[Any]) -> str | None:
    """ZPA policy conditions: [{operator?, operands: [{objectType, ...}, ...]}, ...]."""
    for index, condition in enumerate(conditions):
        where = f"argument {name!r}[{index}]"
        if not isinstance(condition, dict):
            return f"{where}: expected an object {{operator, operands}}"
        if condition.get("operator", "OR") not in ("AND", "OR"):
            return f"{where}: operator is AND or OR"
        operands = condition.get("operands")
        if not isinstance(operands, list) or not operands:
            return f"{where}: operands is a non-empty list of {{objectType, lhs, rhs}} objects"
        if not all(isinstance(o, dict) and isinstance(o.get("objectType"), str) for o in operands):
            return f"{where}: each operand is an object with an objectType, e.g. APP"
    return None


SYNTAX: dict[str, Callable[[str, Any], str | None]] = {
    "jmespath": _jmespath_problem,
    "port_rows": _port_rows_problem,
    "zpa_conditions": _conditions_problem,
}


def validate_arguments(tool: Tool, arguments: Mapping[str, Any] | None) -> tuple[dict[str, Any], list[str]]:
    """Returns (clean arguments, errors). Integer-valued floats become ints; None means absent.

    A value given under an alias (`Param.alias_of`) is returned under the name it stands for.
    """
    given = dict(arguments or {})
    known = {p.name: p for p in tool.params}
    errors = [
        f"unknown argument {name!r} (accepted: {', '.join(known) or 'none'})" for name in given if name not in known
    ]
    clean: dict[str, Any] = {}
    for name, param in known.items():
        value = given.get(name)
        if value is None:
            continue
        value, problem = _typed(param, value)
        problem = problem or _check(param, value)
        kind = segment_of(tool, param)
        if problem is None and kind is not None:
            problem = segment_problem(name, kind, value)
        if problem:
            errors.append(problem)
        else:
            clean[name] = value
    for param in tool.params:
        if param.alias_of is not None and param.name in clean:
            value = clean.pop(param.name)
            clean.setdefault(param.alias_of, value)
    provided = {name for name in given if name in known and given[name] not in (None, "")}
    for _ in range(len(known)):  # what the given ones stand for, through aliases and stand-ins
        implied = {other for name in provided for other in (known[name].alias_of, known[name].satisfies) if other}
        if implied <= provided:
            break
        provided |= implied
    errors += [f"missing required argument {p.name!r}" for p in tool.params if p.required and p.name not in provided]
    return clean, errors
