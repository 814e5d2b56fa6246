"""The ZIA catalog: complete against the official server, bound to real SDK methods, and in step
with the simulator's settings documents (no I/O: the SDK client is built but never called)."""

from __future__ import annotations

import inspect

import pytest

from tests.support.official import official_tools
from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.catalog.model import SdkCall, Tool
from zscaler_mcp_gateway.catalog.toolsets import ZIA_RULE_ORDER
from zscaler_mcp_gateway.simulator.zia import settings as sim_settings
from zscaler_mcp_gateway.upstream.sdk import resolve

CATALOG = load_catalog()
ZIA = {name: tool for name, tool in CATALOG.tools.items() if tool.service == "zia"}
STRING_IDS = {"category_id", "app_id"}  # URL categories (NEWS_AND_MEDIA, CUSTOM_01) and network apps (HTTP)


def test_every_official_zia_tool_is_served_under_its_name_toolset_and_action() -> None:
    official = {t["name"]: (t["toolset"], t["action"]) for t in official_tools() if t["service"] == "zia"}
    assert {name: (t.toolset, t.action.value) for name, t in ZIA.items()} == official
    assert len(official) == 166


def test_names_outside_the_prefix_rule_still_match_zia_patterns() -> None:
    odd = sorted(n for n in ZIA if not n.startswith("zia_"))
    assert odd == [
        "get_zia_dlp_dictionaries",
        "get_zia_dlp_engines",
        "get_zia_user_departments",
        "get_zia_user_groups",
        "get_zia_users",
    ]
    assert all(ZIA[n].aliases == (f"zia_{n}",) for n in odd)  # so disabledTools: ["zia_*"] catches them too


def test_ids_are_integers_except_category_and_network_app_ids() -> None:
    for tool in ZIA.values():
        for p in tool.params:
            if p.name.endswith("_id") and p.location == "path":
                assert p.type == ("string" if p.name in STRING_IDS else "integer"), f"{tool.name}.{p.name}"


def test_rule_toolsets_share_one_rule_order_snippet() -> None:
    with_rules = {
        ts.id for ts in CATALOG.toolsets.values() if ts.service == "zia" and ZIA_RULE_ORDER in ts.instructions
    }
    rule_tables = {
        t.toolset
        for t in ZIA.values()
        if t.name.startswith("zia_create_") and t.name.endswith("_rule") and "ips_signature" not in t.name
    }
    assert rule_tables <= with_rules
    assert all(
        s is ZIA_RULE_ORDER for ts in CATALOG.toolsets.values() for s in ts.instructions if "evaluated by `order`" in s
    )


def _calls(tool: Tool) -> list[SdkCall]:
    assert tool.call is not None
    return [tool.call, *(call for _, call in tool.call.variants)]


@pytest.fixture(scope="module")
def sdk() -> object:
    from zscaler import ZscalerClient  # type: ignore[import-untyped]

    return ZscalerClient(
        {
            "clientId": "id",
            "clientSecret": "secret",
            "vanityDomain": "acme",
            "customerId": "1",
            "logging": {"enabled": False},
        }
    )


@pytest.mark.parametrize("name", sorted(ZIA))
def test_each_call_names_a_real_sdk_method_that_takes_its_arguments(sdk: object, name: str) -> None:
    tool = ZIA[name]
    for call in _calls(tool):
        signature = inspect.signature(resolve(sdk, call.method))
        if call.flow is not None:  # a flow passes its own arguments to each of its calls
            continue
        accepted = set(signature.parameters)
        open_kwargs = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
        params = [p for p in tool.params if call.receives(p)]
        positional = [p for p in params if p.location == "path"]
        assert len(positional) <= len(
            [p for p in signature.parameters.values() if p.kind is p.POSITIONAL_OR_KEYWORD]
        ), call.method
        keywords = [
            p.target for p in params if p.location == "body" or (p.location == "query" and call.query_arg is None)
        ]
        if call.body_model:
            keywords = [call.body_arg or ""]
        assert open_kwargs or set(keywords) <= accepted, f"{call.method} does not take {set(keywords) - accepted}"
        if call.query_arg and any(p.location == "query" for p in params):
            assert call.query_arg in accepted, call.method


SETTINGS_DOCUMENTS = {
    "zia_update_advanced_settings": sim_settings.ADVANCED,
    "zia_update_atp_settings": sim_settings.ATP,
    "zia_update_malware_settings": sim_settings.MALWARE,
    "zia_update_mobile_advanced_settings": sim_settings.MOBILE,
}


@pytest.mark.parametrize("name", sorted(SETTINGS_DOCUMENTS))
def test_settings_fields_are_the_api_fields_with_their_types(name: str) -> None:
    document = SETTINGS_DOCUMENTS[name]
    python_type = {"boolean": bool, "integer": int, "array": list, "string": str}
    fields = {p.target: p for p in ZIA[name].params if p.location == "body"}  # not `settings`/`advanced` (dicts)
    assert set(fields) <= set(document), name  # fields of the object only (updates keep the others)
    for api_name, p in fields.items():
        assert isinstance(document[api_name], python_type[p.type]), f"{name}.{p.name}"
