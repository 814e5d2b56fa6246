"""ZPA request parts as the SDK's v2 methods want them, from the shapes agents write (the API's).

Policy conditions: the API's JSON shape -> the tuples the SDK's `*_v2` rule methods take.

The `*_v2` methods of `client.zpa.policies` build the v2 condition body themselves from tuples
(`("app", [ids])`, `("OR", ("saml", [(attr, value)]))`, `("chrome_enterprise", attr, value)`);
agents write conditions as the API shows them. Both API shapes are accepted: v2 operands carry
`values` or `entryValues`, v1 operands carry one `lhs`/`rhs` pair each (`lhs: "id"` for the
object types whose value is an id). Browser-access apps: `clientless_app_ids` objects -> the
`common_apps_dto` the v2 browser-access methods send. Pure: no I/O, no SDK import.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Object types whose v2 operand is a list of (lhs, rhs) entries; every other type holds plain values.
ENTRY_TYPES = frozenset(
    {"POSTURE", "TRUSTED_NETWORK", "COUNTRY_CODE", "PLATFORM", "RISK_FACTOR_TYPE", "SAML", "SCIM", "SCIM_GROUP"}
)


class ConditionError(ValueError):
    """A condition the API could not accept; the message names the block and operand."""


def sdk_tuples(conditions: Any) -> list[tuple[Any, ...]]:
    """The SDK's v2 tuples for `conditions` given in either API shape (v1 or v2)."""
    if not isinstance(conditions, list):
        raise ConditionError("conditions must be a list of condition blocks")
    out: list[tuple[Any, ...]] = []
    for b, block in enumerate(conditions):
        if not isinstance(block, Mapping) or not isinstance(block.get("operands", []), list):
            raise ConditionError(f"conditions[{b}] must be an object with an 'operands' list")
        operator = str(block.get("operator") or "OR").upper()
        if operator not in ("AND", "OR"):
            raise ConditionError(f"conditions[{b}].operator must be AND or OR")
        grouped: dict[str, list[Any]] = {}
        for o, operand in enumerate(block.get("operands") or []):
            where = f"conditions[{b}].operands[{o}]"
            if not isinstance(operand, Mapping) or not (operand.get("objectType") or operand.get("object_type")):
                raise ConditionError(f"{where} needs an objectType")
            kind = str(operand.get("objectType") or operand.get("object_type")).upper()
            grouped.setdefault(kind, []).extend(_operand_values(kind, operand, where))
        for kind, values in grouped.items():
            out.extend(_tuples(operator, kind, values))
    return out


def _operand_values(kind: str, operand: Mapping[str, Any], where: str) -> list[Any]:
    """The operand's values: plain values, or (lhs, rhs) pairs for entry types."""
    if "values" in operand or "entryValues" in operand or "entry_values" in operand:
        values = operand.get("values") or []
        entries = operand.get("entryValues") or operand.get("entry_values") or []
        if not isinstance(values, list) or not isinstance(entries, list):
            raise ConditionError(f"{where}: values and entryValues must be lists")
        pairs = []
        for entry in entries:
            if not isinstance(entry, Mapping) or "lhs" not in entry or "rhs" not in entry:
                raise ConditionError(f"{where}: each entryValues item needs lhs and rhs")
            pairs.append((entry["lhs"], entry["rhs"]))
        if kind in ENTRY_TYPES or kind == "CHROME_ENTERPRISE":
            return pairs
        return [*values, *(rhs for _, rhs in pairs)]
    if "lhs" in operand and "rhs" in operand:  # v1: one pair per operand
        if kind in ENTRY_TYPES or kind == "CHROME_ENTERPRISE":
            return [(operand["lhs"], operand["rhs"])]
        return [operand["rhs"]]
    raise ConditionError(f"{where} needs values, entryValues, or lhs and rhs")


def _tuples(operator: str, kind: str, values: list[Any]) -> list[tuple[Any, ...]]:
    name = kind.lower()
    if kind in ("APP", "APP_GROUP", "CHROME_POSTURE_PROFILE"):  # the SDK groups these itself, operator-less
        return [(name, values)]
    if kind == "CHROME_ENTERPRISE":  # one tuple per (attribute, value)
        return [(name, lhs, rhs) for lhs, rhs in values]
    return [(operator, (name, values))]


def ba_common_apps(apps: Any) -> dict[str, Any]:
    """`commonAppsDto` for browser-access apps given as `{name, domain, applicationPort, ...}` objects.

    The v2 browser-access API reads the apps from `commonAppsDto.appsConfig` (the v1 `clientlessApps`
    list is ignored there); keys may be camelCase or snake_case.
    """
    if not isinstance(apps, list) or not all(isinstance(app, Mapping) for app in apps):
        raise ValueError("clientless_app_ids must be a list of objects")
    configs = []
    for i, app in enumerate(apps):
        config = {_snake(key): value for key, value in app.items()}
        missing = [key for key in ("name", "domain") if not config.get(key)]
        if missing:
            raise ValueError(f"clientless_app_ids[{i}] needs {' and '.join(missing)}")
        config.setdefault("app_types", ["BROWSER_ACCESS"])
        config.setdefault("enabled", True)
        configs.append(config)
    return {"apps_config": configs}


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()
