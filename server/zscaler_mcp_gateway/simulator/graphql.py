"""A small GraphQL endpoint for the simulator: parse the query, resolve root fields, project.

The SDK's Z-Insights and ZMS methods post `{query, variables, operationName}` and read `data`.
The endpoint parses the document with graphql-core, checks the operation's required variables,
calls the resolver of each root field with its arguments, and projects the returned plain data
onto the selection set: unselected fields are dropped, missing ones are null, a nested value may
itself be a callable taking that field's arguments, list fields honour a `limit` argument, and
inline fragments (`... on Type`) apply to records whose `__typename` matches. Errors come back the
GraphQL way: HTTP 200 with an `errors` array (and HTTP 400 for an unparseable request).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graphql import GraphQLError, parse
from graphql.language import (
    FieldNode,
    InlineFragmentNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql.utilities import value_from_ast_untyped
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

Resolver = Callable[[dict[str, Any]], Any]


class FieldError(Exception):
    """A resolver's refusal, reported in `errors` with the field's path."""


def graphql_route(path: str, roots: Mapping[str, Resolver]) -> Route:
    """POST `path`: a GraphQL endpoint whose Query type has exactly the fields of `roots`."""

    async def endpoint(request: Request) -> Response:
        try:
            payload = await request.json()
            document = parse(str(payload["query"]))
        except (ValueError, KeyError, TypeError, GraphQLError) as exc:
            return JSONResponse({"errors": [{"message": f"Invalid GraphQL request: {exc}"}]}, 400)
        variables = payload.get("variables") or {}
        operation = _operation(document.definitions, payload.get("operationName"))
        if operation is None:
            return JSONResponse({"errors": [{"message": "No query operation to run."}]})
        missing = _missing_variables(operation, variables)
        if missing:
            return JSONResponse({"errors": [{"message": m} for m in missing]})
        return JSONResponse(execute(operation.selection_set, roots, variables))

    return Route(path, endpoint, methods=["POST"])


def execute(
    selection_set: SelectionSetNode, roots: Mapping[str, Resolver], variables: Mapping[str, Any]
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for node in selection_set.selections:
        if not isinstance(node, FieldNode):
            continue
        key = node.alias.value if node.alias else node.name.value
        resolver = roots.get(node.name.value)
        if resolver is None:
            errors.append({"message": f"Cannot query field '{node.name.value}' on type 'Query'.", "path": [key]})
            data[key] = None
            continue
        try:
            data[key] = _project(resolver(_arguments(node, variables)), node.selection_set, variables)
        except FieldError as exc:
            errors.append({"message": str(exc), "path": [key], "extensions": {"classification": "ValidationError"}})
            data[key] = None
    return {"data": data, **({"errors": errors} if errors else {})}


def _operation(definitions: Any, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode) and d.operation.value == "query"]
    for operation in operations:
        if name is None or (operation.name and operation.name.value == name):
            return operation
    return None


def _missing_variables(operation: OperationDefinitionNode, variables: Mapping[str, Any]) -> list[str]:
    return [
        f"Variable '${d.variable.name.value}' of required type was not provided."
        for d in operation.variable_definitions or ()
        if isinstance(d.type, NonNullTypeNode)
        and d.default_value is None
        and variables.get(d.variable.name.value) is None
    ]


def _arguments(node: FieldNode, variables: Mapping[str, Any]) -> dict[str, Any]:
    values = {arg.name.value: value_from_ast_untyped(arg.value, dict(variables)) for arg in node.arguments or ()}
    return {k: v for k, v in values.items() if v is not None}


def _project(value: Any, selection_set: SelectionSetNode | None, variables: Mapping[str, Any]) -> Any:
    if selection_set is None or value is None:
        return value
    if isinstance(value, list):
        return [_project(item, selection_set, variables) for item in value]
    if not isinstance(value, Mapping):
        return value
    out: dict[str, Any] = {}
    for node in selection_set.selections:
        if isinstance(node, InlineFragmentNode):
            condition = node.type_condition.name.value if node.type_condition else None
            if condition is None or value.get("__typename") in (None, condition):
                out.update(_project(value, node.selection_set, variables))
            continue
        if not isinstance(node, FieldNode):
            continue
        name = node.name.value
        key = node.alias.value if node.alias else name
        child = value.get(name)
        args = _arguments(node, variables)
        if callable(child):
            child = child(args)
        if isinstance(child, list) and isinstance(args.get("limit"), int):
            child = child[: args["limit"]]
        out[key] = _project(child, node.selection_set, variables)
    return out
