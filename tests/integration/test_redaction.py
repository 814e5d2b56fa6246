"""Credentials echoed back by the token endpoint, an API or a proxy appear in no tool result, audit line or log.

The session-wide secret scan (tests/support/secret_scan.py) checks every record of the run as well;
these tests make the echo happen and look at what the gateway emitted for it.
"""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from mcp import Client

from tests.support.secret_scan import register_secret
from tests.support.servers import TEST_CREDENTIALS, run_gateway
from zscaler_mcp_gateway.credentials import CLIENT_SECRET
from zscaler_mcp_gateway.redaction import REDACTED
from zscaler_mcp_gateway.simulator import RunningSimulator
from zscaler_mcp_gateway.telemetry import AUDIT_LOGGER

TOOL = "zpa_list_segment_groups"
SECRET = TEST_CREDENTIALS[CLIENT_SECRET]


def _emitted(caplog: pytest.LogCaptureFixture) -> str:
    """Every captured record as a handler would write it, exception text included."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


async def test_a_token_endpoint_echoing_the_form_leaks_the_client_secret_nowhere(
    fresh_simulator: RunningSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    answer = {"status": 401, "body": '{"error": "invalid_client"}', "echoForm": True, "times": 1000}
    httpx.post(fresh_simulator.url + "/_sim/token-answers", json=answer).raise_for_status()
    with caplog.at_level(logging.INFO), run_gateway(fresh_simulator.url) as gw:
        async with Client(gw.mcp_url, mode="legacy") as client:
            result = await client.call_tool(TOOL, {})
        ready = httpx.get(gw.url + "/readyz").text
    text = result.content[0].text  # type: ignore[union-attr]
    assert result.is_error and text == "Zscaler OneAPI token request failed: unauthorized (401)"  # echo: not JSON
    audits = [r.getMessage() for r in caplog.records if r.name == AUDIT_LOGGER]
    assert audits and all(SECRET not in line for line in audits)
    assert SECRET not in ready and SECRET not in _emitted(caplog)


async def test_an_api_error_repeating_the_access_token_is_scrubbed_from_result_audit_and_log(
    fresh_simulator: RunningSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    fault = {"status": 400, "match": "/segmentGroup", "echoAuthorization": True, "times": 1}
    with caplog.at_level(logging.INFO), run_gateway(fresh_simulator.url) as gw:
        token = gw.gateway.upstream.access_token()
        register_secret(token)  # the session scan checks every later record for it too
        httpx.post(fresh_simulator.url + "/_sim/faults", json=fault).raise_for_status()
        async with Client(gw.mcp_url, mode="legacy") as client:
            result = await client.call_tool(TOOL, {})
    text = result.content[0].text  # type: ignore[union-attr]
    assert result.is_error and f"Authorization: Bearer {REDACTED}" in text, text  # the echo arrived, scrubbed
    audits = [json.loads(r.getMessage()) for r in caplog.records if r.name == AUDIT_LOGGER]
    assert audits[-1]["outcome"] == "error" and REDACTED in audits[-1]["error"]
    assert token not in text and token not in _emitted(caplog)
