"""The `serve` flags of the security layer, and the `SecurityOptions` they make."""

from __future__ import annotations

import argparse
import os

from .approval_keys import ENV_KEYS_DIR, KEYS_FLAG
from .approvals import DEFAULT_WINDOW_SECONDS
from .confirm import ALLOW_FLAG
from .hosts import ENV_ALLOWED_HOSTS
from .options import AUTH_MODES, DEFAULT_JWT_ALGORITHMS, JwtOptions, SecurityOptions


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


def add_security_arguments(serve: argparse.ArgumentParser) -> None:
    """Everything but --api-keys-dir, which the contract's command line already names."""
    group = serve.add_argument_group("security", "see docs/security.md")
    group.add_argument(
        "--auth",
        choices=AUTH_MODES,
        help="authentication of the HTTP endpoint; default: api-key with --api-keys-dir, jwt with --jwt-*, "
        "none on loopback; beyond loopback the server refuses to start without one unless --auth none",
    )
    group.add_argument("--jwt-issuer", help="JWT mode: the required iss (the authorization server's issuer URL)")
    group.add_argument("--jwt-audience", help="JWT mode: the required aud (usually the public URL of /mcp)")
    group.add_argument("--jwks-url", help="JWT mode: the issuer's JWKS (https; http only on loopback)")
    group.add_argument(
        "--jwt-algorithms",
        default=",".join(DEFAULT_JWT_ALGORITHMS),
        help="JWT mode: allowed signing algorithms (asymmetric)",
    )
    group.add_argument(
        "--resource-url", help="JWT mode: public URL of /mcp for RFC 9728 metadata (default: the audience)"
    )
    group.add_argument("--principals-file", help="YAML of per-principal tool patterns (re-read on change)")
    group.add_argument(
        "--allowed-hosts",
        default=os.environ.get(ENV_ALLOWED_HOSTS, ""),
        help=f"comma-separated Host values the MCP endpoint accepts (host, host:port, host:*); env {ENV_ALLOWED_HOSTS}",
    )
    group.add_argument(
        ALLOW_FLAG,
        action="store_true",
        help="deprecated: let delete tools run without a human's confirmation (policy key write.confirm instead)",
    )
    group.add_argument(
        KEYS_FLAG,
        default=os.environ.get(ENV_KEYS_DIR) or None,
        help="directory (a Secret) with the approval signing key `current` and, while rotating, `previous`; "
        f"every replica must share it; env {ENV_KEYS_DIR}; default: a key of this process only",
    )
    group.add_argument(
        "--approval-window",
        type=float,
        default=DEFAULT_WINDOW_SECONDS,
        help="seconds a person has to confirm a call, and an approval's lifetime (default %(default)g)",
    )


def security_options(args: argparse.Namespace) -> SecurityOptions:
    jwt = None
    if args.jwt_issuer or args.jwt_audience or args.jwks_url:
        jwt = JwtOptions(
            issuer=args.jwt_issuer or "",
            audience=args.jwt_audience or "",
            jwks_url=args.jwks_url or "",
            algorithms=_split(args.jwt_algorithms),
            resource_url=args.resource_url,
        )
    return SecurityOptions(
        auth=args.auth,
        api_keys_dir=args.api_keys_dir,
        jwt=jwt,
        principals_file=args.principals_file,
        allowed_hosts=_split(args.allowed_hosts),
        allow_unconfirmed_deletes=args.allow_unconfirmed_deletes,
        approval_keys_dir=args.approval_keys_dir,
        approval_window_seconds=args.approval_window,
    )
