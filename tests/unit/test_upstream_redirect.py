"""The SDK has no base-URL option; the redirect relies on these internals. Fail loudly if they move."""

from __future__ import annotations

import inspect

from zscaler.oneapi_oauth_client import OAuth
from zscaler.request_executor import RequestExecutor

from tests.support.servers import TEST_CREDENTIALS
from zscaler_mcp_gateway.credentials import CredentialSource
from zscaler_mcp_gateway.simulator import RunningSimulator
from zscaler_mcp_gateway.upstream.client import SdkClient
from zscaler_mcp_gateway.upstream.sdk import BoundedRequestExecutor


def test_sdk_internals_the_redirect_relies_on_still_exist() -> None:
    assert "BASE_URL" in vars(RequestExecutor)
    assert callable(getattr(RequestExecutor, "_resolve_api_base_url", None))
    assert list(inspect.signature(OAuth._get_auth_url).parameters) == ["self", "vanity_domain", "cloud"]
    assert "self._oauth" in inspect.getsource(RequestExecutor.__init__)


def test_sdk_internals_the_pager_relies_on_still_exist() -> None:
    """Paging reads each page's status from `fire_request` (the SDK's pager ignores it), rewrites
    ZIdentity's `_next_link` onto the first request's `_url`, and keeps `_body`'s record lists."""
    from zscaler.oneapi_response import ZscalerAPIResponse

    pager = inspect.getsource(ZscalerAPIResponse._fetch_next_page)
    assert "self._request_executor.fire_request(" in pager
    assert "self._next_link" in pager and "self._url" in pager
    assert "self._url = req.get(" in inspect.getsource(ZscalerAPIResponse.__init__)
    assert "self._body = " in inspect.getsource(ZscalerAPIResponse._build_json_response)
    assert list(inspect.signature(RequestExecutor.fire_request).parameters) == ["self", "request"]
    assert "self.fire_request(" in inspect.getsource(RequestExecutor.execute)


def test_redirected_client_reaches_the_simulator_for_token_and_api(simulator: RunningSimulator) -> None:
    upstream = SdkClient(CredentialSource(None, TEST_CREDENTIALS), simulator.url)
    client = upstream.connection().client
    executor = client._request_executor
    assert isinstance(executor, BoundedRequestExecutor)
    assert executor._resolve_api_base_url() == simulator.url
    before = sum(n for k, n in simulator.state.requests.items() if k.startswith("GET /zia/api/v1/ruleLabels"))
    labels, _, error = client.zia.rule_labels.list_labels()
    assert error is None and labels
    after = sum(n for k, n in simulator.state.requests.items() if k.startswith("GET /zia/api/v1/ruleLabels"))
    assert after > before
    assert upstream.connection().client is client  # reused, not rebuilt per call
    upstream.close()
