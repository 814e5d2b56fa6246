"""An upper bound of the cost the Kubernetes API server estimates for each CEL rule of a CRD.

Nothing here can run the API server's estimator (k8s.io/apiserver/pkg/cel, on cel-go's checker), so this is
a simple model of it that errs high. The API server refuses a CRD whose rule is estimated above 10M (per
rule) or 100M (whole CRD); our test holds each rule to 1M. The model, per node of a rule:

- a literal costs 0; an identifier (`self`, a loop variable) 1; a field selection `a.b` and `has(a.b)` 1
  more than `a`; `size(x)` and `!x` 1 more than `x`; `&&`, `||` the sum of both sides (no credit for short
  circuits); `c ? a : b` the condition plus the dearer branch; a list literal 10 plus its elements;
- comparing two strings costs 1 + ceil(0.1 * longest) (cel-go's traversal factor 0.1 per byte), any other
  comparison 1; `e in list` costs the list's size times comparing `e` with one element;
- `s.matches(re)` costs ceil(1 + 0.1 * len(s)) * ceil(0.25 * len(re)) (the Kubernetes library's regex cost);
- `list.all(v, body)` and `list.exists(v, body)` cost the list plus maxItems * (body + 3) (the loop
  condition and the accumulator step of the comprehension each iteration);
- sizes come from the schema: a string's `maxLength` (an `enum`'s longest value), a list's `maxItems`. What
  has no bound is sized as the API server does, from the 3 MiB request limit: a string of 3 MiB, a list of as
  many of its smallest serialized items (3 bytes: `"",`) as fit;
- a rule under a list or map is evaluated once per element: its cost is multiplied by the `maxItems` or
  `maxProperties` of every list and map above it. The metadata of the root is `name`/`generateName` strings
  of at most 253 characters, the only fields a rule may read.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import celpy
from lark import Token, Tree

MAX_REQUEST_BYTES = 3 * 1024 * 1024
UNBOUNDED_STRING = MAX_REQUEST_BYTES
MIN_ITEM_BYTES = 3
STRING_TRAVERSAL = 0.1
REGEX_FACTOR = 0.25
LIST_CREATE = 10
COMPREHENSION_STEP = 3
ROOT_METADATA = {
    "type": "object",
    "properties": {"name": {"type": "string", "maxLength": 253}, "generateName": {"type": "string", "maxLength": 253}},
}

Schema = Mapping[str, Any]


@dataclass(frozen=True)
class RuleCost:
    path: str
    rule: str
    cost: int  # one evaluation
    cardinality: int  # evaluations per object

    @property
    def bound(self) -> int:
        return self.cost * self.cardinality


def _string_length(schema: Schema) -> int:
    if "enum" in schema:
        return max(len(str(value)) for value in schema["enum"])
    return int(schema.get("maxLength", UNBOUNDED_STRING))


def _items(schema: Schema) -> int:
    return int(schema.get("maxItems", MAX_REQUEST_BYTES // MIN_ITEM_BYTES))


class _Estimator:
    def __init__(self, self_schema: Schema, root: bool) -> None:
        if root:
            self_schema = {
                **self_schema,
                "properties": {**self_schema.get("properties", {}), "metadata": ROOT_METADATA},
            }
        self.scope: dict[str, Schema] = {"self": self_schema}

    def cost(self, node: Tree | Token) -> tuple[int, Schema]:
        """(cost, schema of the value) of a node of celpy's parse tree."""
        assert isinstance(node, Tree), node
        handler = getattr(self, f"_{node.data}", None)
        if handler is not None:
            return handler(node)  # type: ignore[no-any-return]
        if len(node.children) == 1:  # the grammar's precedence levels wrap a single operand
            return self.cost(node.children[0])
        raise NotImplementedError(f"the cost model has no rule for {node.data!r} with {len(node.children)} operands")

    def _expr(self, node: Tree) -> tuple[int, Schema]:
        if len(node.children) == 1:
            return self.cost(node.children[0])
        condition, then, otherwise = (self.cost(child) for child in node.children)
        return condition[0] + max(then[0], otherwise[0]), then[1]

    def _logical(self, node: Tree) -> tuple[int, Schema]:
        if len(node.children) == 1:
            return self.cost(node.children[0])
        return sum(self.cost(child)[0] for child in node.children), {"type": "boolean"}

    _conditionalor = _conditionaland = _logical

    def _relation(self, node: Tree) -> tuple[int, Schema]:
        if len(node.children) == 1:
            return self.cost(node.children[0])
        operator, right = node.children
        assert isinstance(operator, Tree)
        left_cost, left = self.cost(operator.children[0])
        right_cost, right_schema = self.cost(right)
        if operator.data == "relation_in":
            step = self._compare(left, right_schema.get("items", {}))
            return left_cost + right_cost + _items(right_schema) * step, {"type": "boolean"}
        return left_cost + right_cost + self._compare(left, right_schema), {"type": "boolean"}

    @staticmethod
    def _compare(left: Schema, right: Schema) -> int:
        if left.get("type") == "string" and right.get("type") == "string":
            return 1 + math.ceil(STRING_TRAVERSAL * max(_string_length(left), _string_length(right)))
        return 1

    def _unary(self, node: Tree) -> tuple[int, Schema]:
        if len(node.children) == 1:
            return self.cost(node.children[0])
        operand = self.cost(node.children[1])
        return operand[0] + 1, operand[1]

    def _member_dot(self, node: Tree) -> tuple[int, Schema]:
        target, name = node.children
        cost, schema = self.cost(target)
        return cost + 1, schema.get("properties", {}).get(str(name), {})

    def _member_dot_arg(self, node: Tree) -> tuple[int, Schema]:
        target, method, *arguments = node.children
        cost, schema = self.cost(target)
        args = arguments[0].children if arguments else []
        if str(method) == "matches":
            (pattern,) = args
            pattern_cost, pattern_schema = self.cost(pattern)
            regex = math.ceil(REGEX_FACTOR * _string_length(pattern_schema))
            return cost + pattern_cost + math.ceil(1 + STRING_TRAVERSAL * _string_length(schema)) * regex, {
                "type": "boolean"
            }
        if str(method) in ("all", "exists"):
            variable, body = args
            name = self._identifier(variable)
            self.scope[name] = schema.get("items", {})
            body_cost, _ = self.cost(body)
            del self.scope[name]
            return cost + _items(schema) * (body_cost + COMPREHENSION_STEP), {"type": "boolean"}
        raise NotImplementedError(f"the cost model has no rule for the method {method}")

    @staticmethod
    def _identifier(node: Tree | Token) -> str:
        while isinstance(node, Tree):
            node = node.children[0]
        return str(node)

    def _primary(self, node: Tree) -> tuple[int, Schema]:
        (child,) = node.children
        if isinstance(child, Tree) and child.data == "ident":
            return 1, self.scope[str(child.children[0])]
        if isinstance(child, Tree) and child.data == "literal":
            token = child.children[0]
            if isinstance(token, Token) and token.type.endswith("STRING_LIT"):  # quoted: 'text' or "text"
                return 0, {"type": "string", "maxLength": len(str(token)) - 2}
            return 0, {"type": "integer"}
        return self.cost(child)

    def _ident_arg(self, node: Tree) -> tuple[int, Schema]:
        function, arguments = node.children
        (argument,) = arguments.children
        cost, _ = self.cost(argument)
        if str(function) in ("size", "has"):
            # has(a.b) tests the field that selecting it would read: the selection's cost, no more.
            return cost + (1 if str(function) == "size" else 0), {
                "type": "integer" if str(function) == "size" else "boolean"
            }
        raise NotImplementedError(f"the cost model has no rule for the function {function}")

    def _paren_expr(self, node: Tree) -> tuple[int, Schema]:
        return self.cost(node.children[0])

    def _list_lit(self, node: Tree) -> tuple[int, Schema]:
        elements = [self.cost(child) for child in node.children[0].children] if node.children else []
        longest = max((_string_length(schema) for _, schema in elements), default=0)
        items = {"type": "string", "maxLength": longest} if elements else {}
        return LIST_CREATE + sum(cost for cost, _ in elements), {
            "type": "array",
            "items": items,
            "maxItems": len(elements),
        }


_PARSER = celpy.Environment()


def rule_cost(rule: str, self_schema: Schema, root: bool = False) -> int:
    return _Estimator(self_schema, root).cost(_PARSER.compile(rule))[0]


def rule_costs(schema: Schema, path: str = "", cardinality: int = 1) -> Iterator[RuleCost]:
    """Every x-kubernetes-validations rule under `schema` (an openAPIV3Schema), with its estimated cost."""
    for rule in schema.get("x-kubernetes-validations", ()):
        yield RuleCost(path or "<root>", rule["rule"], rule_cost(rule["rule"], schema, root=not path), cardinality)
    for name, child in schema.get("properties", {}).items():
        yield from rule_costs(child, f"{path}.{name}", cardinality)
    if isinstance(schema.get("items"), Mapping):
        yield from rule_costs(schema["items"], f"{path}[]", cardinality * _items(schema))
    if isinstance(schema.get("additionalProperties"), Mapping):
        entries = int(schema.get("maxProperties", MAX_REQUEST_BYTES // MIN_ITEM_BYTES))
        yield from rule_costs(schema["additionalProperties"], f"{path}{{}}", cardinality * entries)
