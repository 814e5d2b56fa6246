"""Run the official `zscaler-mcp` server with the SDK redirected to a local simulator.

Runs under `bench/.venv-official/bin/python` (the official package is installed there, never
vendored here). `ZS_FAKE_BASE_URL` names the simulator; the remaining arguments go to the official
CLI unchanged, e.g. `--transport streamable-http --host 127.0.0.1 --port 8931 --no-entitlement-filter`.
The redirect is the one in shared/reference/sdk_redirect_example.py: the SDK has no base-URL option.
"""

import os
import sys

FAKE = os.environ.get("ZS_FAKE_BASE_URL", "http://127.0.0.1:18080").rstrip("/")
if not FAKE.startswith(("http://127.", "http://localhost")):
    sys.exit(f"refusing a non-loopback simulator URL: {FAKE}")

import zscaler.oneapi_oauth_client as _oa  # noqa: E402
import zscaler.request_executor as _re  # noqa: E402

_re.RequestExecutor.BASE_URL = FAKE  # production cloud path
_re.RequestExecutor._resolve_api_base_url = lambda self: FAKE  # any cloud incl. gov
_oa.OAuth._get_auth_url = lambda self, vanity, cloud: f"{FAKE}/oauth2/v1/token"
try:  # the server's own token fetch (entitlement filter / zscaler auth mode)
    import zscaler_mcp.security.auth as _za

    _za._build_token_url = lambda vanity, cloud="production": f"{FAKE}/oauth2/v1/token"
except ImportError:
    pass

import zscaler_mcp.server  # noqa: E402

if __name__ == "__main__":
    sys.argv = ["zscaler-mcp", *sys.argv[1:]]
    sys.exit(zscaler_mcp.server.main())
