"""The CRD reference of docs/operator.md, generated from the CRD schema so the two never disagree. Pure."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from .crd import API_VERSION, CRD_NAME, KIND, SHORT_NAMES, custom_resource_definition
from .schema import QUANTITY_PATTERN

BEGIN = "<!-- BEGIN GENERATED: CRD reference (python -m zscaler_mcp_operator.generate) -->"
END = "<!-- END GENERATED: CRD reference -->"


def _type(schema: Mapping[str, Any]) -> str:
    if schema.get("x-kubernetes-int-or-string"):
        return "integer or string"
    kind = schema.get("type", "")
    if kind == "array":
        return f"array of {_type(schema['items'])}"
    if kind == "object" and "additionalProperties" in schema:
        return f"map of {_type(schema['additionalProperties'])}"
    return str(kind)


def _constraints(schema: Mapping[str, Any]) -> list[str]:
    rules = []
    if "enum" in schema:
        rules.append("one of " + ", ".join(f"`{v}`" for v in schema["enum"]))
    for key, label in (("minimum", "min"), ("minLength", "min length"), ("maxLength", "max length")):
        if key in schema:
            rules.append(f"{label} {schema[key]}")
    if schema.get("pattern") == QUANTITY_PATTERN:
        rules.append("a Kubernetes quantity, e.g. `100m`, `512Mi`, `2`")
    elif "pattern" in schema:
        rules.append(f"pattern `{schema['pattern']}`")
    if "default" in schema:
        rules.append(f"default `{json.dumps(schema['default'])}`")  # as YAML/JSON spell it: `false`, not `False`
    if schema.get("format") == "date-time":
        rules.append("RFC 3339 time")
    rules += [rule["message"] for rule in schema.get("x-kubernetes-validations", ())]
    return rules


def _rows(path: str, schema: Mapping[str, Any], required: bool) -> Iterator[tuple[str, str, bool, str, str]]:
    """One row per field, depth first; array elements that are objects show as `path[].field`."""
    items = schema.get("items", {}) if schema.get("type") == "array" else {}
    values = schema.get("additionalProperties", {})
    constraints = _constraints(schema) + _constraints(items) + _constraints(values)
    yield path, _type(schema), required, schema.get("description", ""), "; ".join(constraints)
    container, prefix = (items, f"{path}[]") if items.get("type") == "object" else (schema, path)
    for name, child in container.get("properties", {}).items():
        yield from _rows(f"{prefix}.{name}", child, name in container.get("required", ()))


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def crd_reference() -> str:
    """The generated region of docs/operator.md: fields, constraints and printer columns of the CRD."""
    crd = custom_resource_definition()
    version = crd["spec"]["versions"][0]
    schema = version["schema"]["openAPIV3Schema"]
    lines = [
        BEGIN,
        f"`apiVersion: {API_VERSION}`, `kind: {KIND}` (CRD `{CRD_NAME}`, short name "
        + ", ".join(f"`{s}`" for s in SHORT_NAMES)
        + f", {crd['spec']['scope'].lower()}, status subresource).",
        "",
        "| Field | Type | Required | Description | Constraints |",
        "| --- | --- | --- | --- | --- |",
    ]
    for part in ("spec", "status"):
        for path, kind, required, description, constraints in _rows(
            part, schema["properties"][part], part in schema["required"]
        ):
            lines.append(
                f"| `{path}` | {kind} | {'yes' if required else ''} | {_cell(description)} | {_cell(constraints)} |"
            )
    lines += ["", "Admission rules on the whole resource:", ""]
    lines += [f"- {rule['message']} (`{rule['rule']}`)" for rule in schema["x-kubernetes-validations"]]
    lines += ["", "`kubectl get zmcp` columns (`-o wide` adds those of priority 1):", ""]
    lines += ["| Column | Source | Priority |", "| --- | --- | --- |"]
    for column in version["additionalPrinterColumns"]:
        lines.append(f"| {column['name']} | `{_cell(column['jsonPath'])}` | {column.get('priority', 0)} |")
    lines.append(END)
    return "\n".join(lines) + "\n"


def splice(document: str, region: str) -> str:
    """`document` with its generated region replaced by `region` (markers included in both)."""
    start, end = document.find(BEGIN), document.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the document has no generated region: add the lines {BEGIN!r} and {END!r}")
    return document[:start] + region + document[end + len(END) :].removeprefix("\n")
