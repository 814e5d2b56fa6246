"""The OneAPI token endpoint refuses, fails or babbles: each call gets a clear tool error, /readyz the
reason, and service comes back by itself when the endpoint answers again. Credential files that cannot
be values are named, never shown, never a 500."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client

from tests.support.servers import TEST_CREDENTIALS, run_gateway
from tests.support.toolcalls import tool_gateway
from zscaler_mcp_gateway.app import Gateway
from zscaler_mcp_gateway.dispatch import Caller
from zscaler_mcp_gateway.simulator import RunningSimulator, start_simulator

TOOL = "zpa_list_segment_groups"
REFUSED = "Zscaler OneAPI token request failed: invalid_client (401)"


def _script(sim: RunningSimulator, **answer: Any) -> None:
    httpx.post(sim.url + "/_sim/token-answers", json=answer).raise_for_status()


def _readyz(url: str) -> tuple[int, dict[str, Any]]:
    response = httpx.get(url + "/readyz")
    return response.status_code, response.json()


def _wait_ready(url: str, ready: bool) -> dict[str, Any]:
    """/readyz until it says `ready` (each probe may start a token retry in the background)."""
    body: dict[str, Any] = {}
    for _ in range(100):
        status, body = _readyz(url)
        if (status == 200) == ready:
            return body
        time.sleep(0.1)
    raise AssertionError(f"/readyz never became ready={ready}: {body}")


async def test_a_refused_token_is_a_tool_error_and_a_readiness_reason_until_the_endpoint_recovers(
    fresh_simulator: RunningSimulator,
) -> None:
    _script(fresh_simulator, status=401, body='{"error": "invalid_client"}', times=1000)
    with run_gateway(fresh_simulator.url) as gw:
        async with Client(gw.mcp_url, mode="legacy") as client:
            result = await client.call_tool(TOOL, {})
            assert result.is_error and result.content[0].text == REFUSED  # type: ignore[union-attr]
            body = _wait_ready(gw.url, ready=False)
            assert body["credentials"] == {"ok": False, "error": REFUSED}
            httpx.delete(fresh_simulator.url + "/_sim/faults").raise_for_status()  # the endpoint answers again
            assert _wait_ready(gw.url, ready=True)["credentials"] == {"ok": True}  # no call needed to recover
            result = await client.call_tool(TOOL, {})
            assert not result.is_error


async def test_an_outage_with_an_html_page_is_named_by_its_status(fresh_simulator: RunningSimulator) -> None:
    _script(fresh_simulator, status=503, body="<html>upstream down</html>", contentType="text/html", times=1000)
    with run_gateway(fresh_simulator.url) as gw:
        async with Client(gw.mcp_url, mode="legacy") as client:
            result = await client.call_tool(TOOL, {})
    text = result.content[0].text  # type: ignore[union-attr]
    assert result.is_error and text == "Zscaler OneAPI token request failed: service unavailable (503)"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("ZSCALER_CLIENT_SECRET", b"caf\xe9-secret-\xff", "is not UTF-8 text"),
        ("ZSCALER_CLIENT_ID", None, "is a directory, not a file"),
    ],
)
async def test_an_unreadable_credential_file_is_named_never_shown(
    simulator: RunningSimulator, tmp_path: Path, name: str, content: bytes | None, reason: str
) -> None:
    creds = tmp_path / "creds"
    creds.mkdir()
    for key, value in TEST_CREDENTIALS.items():
        (creds / key).write_text(value)
    (creds / name).unlink()
    if content is None:
        (creds / name).mkdir()
    else:
        (creds / name).write_bytes(content)
    with run_gateway(simulator.url, credentials_dir=str(creds)) as gw:
        status, body = _readyz(gw.url)
        assert status == 503 and body["credentials"]["ok"] is False
        assert body["credentials"]["error"] == f"credential file {name} {reason}"
        async with Client(gw.mcp_url, mode="legacy") as client:
            result = await client.call_tool(TOOL, {})
            text = result.content[0].text  # type: ignore[union-attr]
            assert result.is_error and f"credential file {name} {reason}" in text and "secret" not in text
            if content is None:
                (creds / name).rmdir()
            (creds / name).write_text(TEST_CREDENTIALS[name])  # fixed in place: no restart
            assert not (await client.call_tool(TOOL, {})).is_error
        assert _readyz(gw.url)[0] == 200


def test_the_token_post_has_a_timeout(fresh_simulator: RunningSimulator, tmp_path: Path) -> None:
    import zscaler.oneapi_oauth_client as sdk_oauth

    from zscaler_mcp_gateway.upstream.errors import TokenRequestError
    from zscaler_mcp_gateway.upstream.sdk import TOKEN_TIMEOUT_SECONDS, TokenTransport

    tool_gateway(fresh_simulator.url, ["zpa"], tmp_path).upstream.connection()
    assert isinstance(sdk_oauth.requests, TokenTransport)  # the SDK posts for tokens through it
    assert sdk_oauth.requests.timeout_seconds == TOKEN_TIMEOUT_SECONDS

    _script(fresh_simulator, status=200, delaySeconds=3)
    started = time.monotonic()
    with pytest.raises(TokenRequestError, match="unreachable, ReadTimeout"):
        TokenTransport(timeout_seconds=0.3).post(fresh_simulator.url + "/oauth2/v1/token", data={"x": "y"})
    assert time.monotonic() - started < 2.5  # it gave up; it did not wait for the answer


# --- generated answers ----------------------------------------------------------------------------

STATUSES = st.one_of(
    st.sampled_from([200, 201, 204, 400, 401, 403, 404, 429, 500, 502, 503, 504]), st.integers(200, 599)
)
BODIES = st.one_of(
    st.text(max_size=60),
    st.builds(lambda error: f'{{"error": "{error}"}}', st.sampled_from(["invalid_client", "server_error", "x" * 9])),
    st.sampled_from(['{"access_token": ""}', '{"access_token": 5}', "[]", "null", '{"expires_in": "soon"}', "{"]),
    st.sampled_from(
        ['{"access_token": "not-a-jwt", "expires_in": "soon"}', '{"access_token": "t", "expires_in": true}']
    ),
)


@pytest.fixture(scope="module")
def babbling(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningSimulator, Gateway, httpx.Client]]:
    sim = start_simulator()
    with httpx.Client(base_url=sim.url, timeout=10) as control:  # one client: httpx.post() builds TLS state each time
        yield sim, tool_gateway(sim.url, ["zpa"], tmp_path_factory.mktemp("babbling")), control
    sim.stop()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(status=STATUSES, body=BODIES)
def test_any_token_answer_is_a_tool_result_never_an_internal_error(
    babbling: tuple[RunningSimulator, Gateway, httpx.Client], status: int, body: str
) -> None:
    _, gateway, control = babbling
    control.delete("/_sim/faults").raise_for_status()
    control.post("/_sim/token-answers", json={"status": status, "body": body}).raise_for_status()
    # The SDK keeps a token it was given: make it ask the endpoint again for this example.
    gateway.upstream.connection().client._request_executor._oauth.clear_access_token()
    result = asyncio.run(gateway.dispatcher.call(TOOL, {}, Caller(principal="token-test")))  # raising = -32603
    if result.is_error:
        assert result.text().startswith(("Zscaler OneAPI token request failed: ", "ZPA API error")), result.text()
        assert body not in result.text() or len(body) < 4  # the answer is named by code or status, not repeated
