"""What the fast lane assumes of the mcp SDK's protocol surfaces (an SDK upgrade that breaks it fails here)."""

from __future__ import annotations

from mcp_types.methods import CLIENT_REQUESTS, SERVER_RESULTS
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS


def test_every_handshake_version_shares_one_tools_call_surface() -> None:
    """The lane checks a session's call at its header's version; the SDK at the negotiated one: the same models."""
    assert len({CLIENT_REQUESTS[("tools/call", v)] for v in HANDSHAKE_PROTOCOL_VERSIONS}) == 1
    assert len({SERVER_RESULTS[("tools/call", v)] for v in HANDSHAKE_PROTOCOL_VERSIONS}) == 1
