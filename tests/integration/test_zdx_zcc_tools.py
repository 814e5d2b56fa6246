"""Every ZDX and ZCC tool, called for real: dispatcher -> zscaler-sdk-python -> HTTP -> simulator.

Reads run against the session simulator. ZDX writes (deep traces, score analyses) start, read and
delete their own sessions, so the seeds stay as they were.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from tests.support.toolcalls import assert_answered, call, call_error, reader_fixture, tool_names
from zscaler_mcp_gateway.app import Gateway
from zscaler_mcp_gateway.catalog.toolsets import ZDX_TIME

SERVICES = ("zdx", "zcc")
DEVICE, APP, USER, ALERT, TRACE = 132559212, 1, 76676944, 7473160764821179371, 342941739
ON_DEVICE = {"device_id": DEVICE, "app_id": APP}
IN_TRACE = {"device_id": DEVICE, "trace_id": TRACE}
UDID = "d-29-9b-7c-c5-3f-d2-90-3c-d5-01"

READ_ARGS: dict[str, dict[str, Any]] = {
    "zdx_get_alert": {"alert_id": ALERT},
    "zdx_list_alert_affected_devices": {"alert_id": ALERT},
    "zdx_list_historical_alerts": {"since": 48},
    "zdx_get_application": {"app_id": APP},
    "zdx_get_application_score_trend": {"app_id": APP, "since": 24},
    "zdx_get_application_metric": {"app_id": APP, "metric_name": "pft"},
    "zdx_list_application_users": {"app_id": APP},
    "zdx_get_application_user": {"app_id": APP, "user_id": USER},
    "zdx_get_device": {"device_id": DEVICE},
    "zdx_get_software_details": {"software_key": "Google Chrome|Google LLC"},
    "zdx_get_web_probes": ON_DEVICE,
    "zdx_list_cloudpath_probes": ON_DEVICE,
    "zdx_list_device_deep_traces": {"device_id": DEVICE},
    "zdx_get_device_deep_trace": IN_TRACE,
    "zdx_list_deeptrace_top_processes": IN_TRACE,
    "zdx_get_deeptrace_webprobe_metrics": IN_TRACE,
    "zdx_get_deeptrace_cloudpath_metrics": IN_TRACE,
    "zdx_get_deeptrace_cloudpath": IN_TRACE,
    "zdx_get_deeptrace_health_metrics": IN_TRACE,
    "zdx_get_deeptrace_events": IN_TRACE,
    "zdx_get_analysis": {"analysis_id": 5001},
    "zcc_get_device_otp": {"udid": UDID},
}

# Filters and paging: what each call must return.
FILTERED: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("zdx_list_devices", {"page_size": 1}, {"count": 3, "pages": 3}),
    ("zdx_list_devices", {"emails": ["asmith@example.com"]}, {"count": 1}),
    ("zdx_list_software", {"page_size": 3}, {"count": 4, "pages": 2}),
    ("zdx_list_application_users", {"app_id": APP, "score_bucket": "okay"}, {"count": 1}),
    ("zdx_list_departments", {"search": "fin"}, {"count": 1}),
    ("zdx_get_application_metric", {"app_id": APP}, {"count": 3}),
    ("zcc_list_devices", {"page_size": 1}, {"count": 4, "pages": 4}),
    ("zcc_list_devices", {"os_type": "windows"}, {"count": 2}),
    ("zcc_list_devices", {"username": "jdoe@example.com"}, {"count": 2}),
    ("zcc_list_trusted_networks", {"page_size": 1}, {"count": 2, "pages": 2}),
    ("zcc_list_forwarding_profiles", {"search": "contractors"}, {"count": 1}),
]


gateway = reader_fixture(SERVICES, "zdx-zcc")


@pytest.mark.parametrize("name", tool_names(SERVICES, write=False))
async def test_every_read_tool_answers_from_the_simulator(gateway: Gateway, name: str) -> None:
    assert_answered(name, await call(gateway, name, READ_ARGS.get(name)))


@pytest.mark.parametrize(("name", "args", "expected"), FILTERED, ids=[f"{n}-{'-'.join(a)}" for n, a, _ in FILTERED])
async def test_filters_and_paging(gateway: Gateway, name: str, args: dict[str, Any], expected: dict[str, Any]) -> None:
    payload = await call(gateway, name, args)
    assert {k: payload[k] for k in expected} == expected


async def test_records_are_the_apis_own(gateway: Gateway) -> None:
    devices = await call(gateway, "zcc_list_devices", {"username": "asmith@example.com"})
    assert (
        devices["items"][0]["udid"].startswith("e-41") and devices["items"][0]["machineHostname"] == "MBP-ASMITH"
    )  # camelCase, not SDK models
    otp = await call(gateway, "zcc_get_device_otp", {"udid": UDID})
    assert set(otp) >= {"logoutOtp", "uninstallOtp", "zpaDisableOtp"}
    alerts = await call(gateway, "zdx_list_alerts")
    assert {a["alert_status"] for a in alerts["items"]} == {"ONGOING"} and alerts["count"] == 2
    trend = await call(gateway, "zdx_get_application_score_trend", {"app_id": APP, "since": 24})
    stamps = [p["timestamp"] for p in trend["datapoints"]]
    assert stamps == sorted(stamps) and stamps[-1] - stamps[0] >= 20 * 3600


async def test_unknown_ids_and_bad_arguments_are_api_errors(gateway: Gateway) -> None:
    assert "404" in await call_error(gateway, "zdx_get_device", {"device_id": 1})
    assert "404" in await call_error(
        gateway, "zdx_get_device_deep_trace", {"device_id": 132559213, "trace_id": TRACE}
    )  # another device's trace
    assert "404" in await call_error(gateway, "zcc_get_device_otp", {"udid": "nope"})
    assert "maximum" in await call_error(gateway, "zdx_list_devices", {"since": 1000})  # caught before any request
    assert "not one of" in await call_error(
        gateway, "zdx_start_deeptrace", {"device_id": DEVICE, "session_name": "x", "session_length_minutes": 7}
    )


async def test_deep_trace_lifecycle(gateway: Gateway) -> None:
    started = await call(
        gateway,
        "zdx_start_deeptrace",
        {
            "device_id": DEVICE,
            "session_name": "Teams choppy",
            "app_id": 3,
            "session_length_minutes": 5,
            "probe_device": True,
        },
    )
    trace = {"device_id": DEVICE, "trace_id": started["trace_id"]}
    assert started["status"] == "in_progress" and started["trace_details"]["username"] == "jdoe@example.com"
    listed = await call(gateway, "zdx_list_device_deep_traces", {"device_id": DEVICE})
    assert started["trace_id"] in {t["trace_id"] for t in listed["items"]}
    assert (await call(gateway, "zdx_get_deeptrace_events", trace))["count"] == 1
    await call(gateway, "zdx_delete_deeptrace", trace)
    assert "404" in await call_error(gateway, "zdx_get_device_deep_trace", trace)


async def test_score_analysis_lifecycle(gateway: Gateway) -> None:
    started = await call(
        gateway, "zdx_start_analysis", {"device_id": DEVICE, "app_id": APP, "t0": 1718000000, "t1": 1718003600}
    )
    analysis = {"analysis_id": started["analysis_id"]}
    result = await call(gateway, "zdx_get_analysis", analysis)
    assert result["status"] == "COMPLETED" and result["result"]["issues"]
    await call(gateway, "zdx_delete_analysis", analysis)
    assert "404" in await call_error(gateway, "zdx_get_analysis", analysis)
    assert "400" in await call_error(gateway, "zdx_start_analysis", {"device_id": 1, "app_id": APP})


def test_every_write_tool_is_exercised() -> None:
    writes = set(tool_names(SERVICES, write=True))
    source = Path(__file__).read_text()
    assert writes == {"zdx_start_deeptrace", "zdx_delete_deeptrace", "zdx_start_analysis", "zdx_delete_analysis"}
    assert all(f'"{name}"' in source for name in writes)


async def test_zdx_and_zcc_over_the_real_mcp_client(gateway_with: Any) -> None:
    gw = gateway_with("services: [zdx, zcc]\n")
    async with Client(gw.mcp_url, mode="legacy") as client:
        listed = await client.list_tools()
        result = await client.call_tool("zdx_list_devices", {"since": 24, "page_size": 2})
        instructions = client.instructions or ""
    names = {t.name for t in listed.tools}
    assert {
        "zdx_list_devices",
        "zcc_list_devices",
        "zcc_get_device_otp",
    } <= names and "zdx_start_deeptrace" not in names
    assert instructions.count(ZDX_TIME) == 1  # shared by the four ZDX toolsets, sent once
    assert not result.is_error and '"LAPTOP-BLEE"' in result.content[0].text  # type: ignore[union-attr]
