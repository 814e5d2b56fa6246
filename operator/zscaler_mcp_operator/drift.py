"""Does a live object already hold what the operator wants? Pure.

The API server adds defaults (protocols, termination paths, clusterIP...) and canonicalises
quantities, so "equal" means: every field we set is there with the same value, extra fields are
the server's. The container `resources` are ours alone, so they compare exactly: a limit removed
from the spec must be removed from the Deployment too.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from kubernetes.utils.quantity import parse_quantity

from .schema import RESOURCE_KINDS


def _quantities(resources: Mapping[str, Any]) -> dict[str, dict[str, Decimal]]:
    return {
        kind: {name: parse_quantity(amount) for name, amount in resources[kind].items()}
        for kind in RESOURCE_KINDS
        if resources.get(kind)
    }


def _field_holds(actual: Any, desired: Any, key: str) -> bool:
    if key == "resources":
        return _quantities(actual or {}) == _quantities(desired)
    if actual is None and desired in ({}, []):
        return True  # the server drops empty fields
    return holds(actual, desired)


def holds(actual: Any, desired: Any) -> bool:
    """True when `actual` carries every field of `desired` with an equal value."""
    if isinstance(desired, Mapping):
        return isinstance(actual, Mapping) and all(_field_holds(actual.get(k), v, k) for k, v in desired.items())
    if isinstance(desired, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(desired)
            and all(holds(a, d) for a, d in zip(actual, desired, strict=True))
        )
    return bool(actual == desired)
