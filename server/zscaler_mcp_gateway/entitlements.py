"""Entitlement filter: serve only the services the OneAPI token is entitled to.

After start-up, in the background (the port opens at once), the gateway asks the SDK client it
already owns for its OneAPI access token, reads the JWT payload without verifying it (the token was
just issued to our own credentials; only its `service-info[].prd` product codes matter), maps the
products to service ids and hands them to the generation store: served tools = policy ∩ entitled.
A new generation (and `list_changed`) is published only when that changes what is served.

Never fatal: any failure (no credentials, token endpoint down, undecodable token, no known product)
logs one line and leaves the tools as the policy selects them. `entitlementFilter: false` skips it;
toggling the key in a live reload applies or lifts the filter.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from .generation import Generation, GenerationStore
from .policy import PolicyView

log = logging.getLogger(__name__)

TOKEN_TIMEOUT_SECONDS = 30.0

# `service-info[].prd` product codes (upper-cased) -> service ids. The simulator issues the first of
# each family; the rest are the spellings OneAPI tenants have been seen to carry.
PRODUCT_SERVICES: Mapping[str, str] = {
    "ZIA": "zia",
    "ZPA": "zpa",
    "ZDX": "zdx",
    "ZCC": "zcc",
    "ZTW": "ztw",
    "ZIDENTITY": "zid",
    "ZID": "zid",
    "IDENTITY": "zid",
    "EASM": "zeasm",
    "ZEASM": "zeasm",
    "ZINSIGHTS": "zins",
    "ZINS": "zins",
    "INSIGHTS": "zins",
    "ZMS": "zms",
    "ZCELL": "zcell",
    "ZCELLULAR": "zcell",
    "CELLULAR": "zcell",
}


class EntitlementError(Exception):
    """Why the filter could not be applied (the message is safe to log)."""


def unverified_claims(token: str) -> dict[str, Any]:
    """The JWT payload, signature unchecked."""
    import jwt  # here, not at module level: PyJWT and cryptography would add to start-up time

    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise EntitlementError(f"the access token is not a decodable JWT ({type(exc).__name__})") from exc
    if not isinstance(claims, dict):
        raise EntitlementError("the access token payload is not a JSON object")
    return claims


def entitled_services(claims: Mapping[str, Any]) -> frozenset[str]:
    """Service ids of the token's `service-info[].prd` products; unknown products are ignored."""
    entries = claims.get("service-info") or claims.get("serviceInfo")
    if not isinstance(entries, list):
        raise EntitlementError("the access token carries no service-info claim")
    products = [str(e.get("prd", "")).strip().upper() for e in entries if isinstance(e, Mapping)]
    services = frozenset(PRODUCT_SERVICES[p] for p in products if p in PRODUCT_SERVICES)
    if not services:
        raise EntitlementError(
            f"the access token names no known product ({', '.join(sorted(set(products))) or 'none'})"
        )
    return services


def apply_entitlements(store: GenerationStore, services: frozenset[str] | None) -> Generation:
    """Set the store's entitlements, publishing a new generation only if what is served changes."""
    current = store.current
    view = PolicyView.build(current.config, store.catalog, services, current.runtime_toolsets)
    if set(view.served_tools()) != set(current.tools):
        return store.set_entitlements(services)
    store.entitled = services  # later generations honour it; this one already serves the same tools
    if store.current is not current:  # a reload slipped in between: make sure it is filtered too
        return store.set_entitlements(services)
    return current


class EntitlementFilter:
    """Applies the filter once after start-up and again whenever a reload toggles `entitlementFilter`."""

    def __init__(
        self, store: GenerationStore, token: Callable[[], str], timeout_seconds: float = TOKEN_TIMEOUT_SECONDS
    ) -> None:
        self.store = store
        self.token = token  # blocking: the SDK client's OneAPI access token
        self.timeout_seconds = timeout_seconds
        self.services: frozenset[str] | None = None
        self.last_error: str | None = None
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def start(cls, store: GenerationStore, token: Callable[[], str]) -> EntitlementFilter:
        """Run in the background of the current event loop (the caller never waits for the token)."""
        self = cls(store, token)
        self._loop = asyncio.get_running_loop()
        store.subscribe(self._on_generation)
        self._task = self._loop.create_task(self._run(), name="entitlement-filter")
        return self

    async def stop(self) -> None:
        task, self._task, self._loop = self._task, None, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            await self.refresh()
            await self._wake.wait()
            self._wake.clear()

    async def refresh(self) -> frozenset[str] | None:
        if not self.store.current.config.entitlement_filter:
            if self.store.entitled is not None:
                apply_entitlements(self.store, None)
            self.services = None
            log.info("entitlement filter off (entitlementFilter: false)")
            return None
        try:
            claims = unverified_claims(await asyncio.wait_for(_in_daemon_thread(self.token), self.timeout_seconds))
            services = entitled_services(claims)
        except Exception as exc:  # noqa: BLE001 - never fatal: the policy's selection keeps serving
            self.last_error = _reason(exc)
            log.warning("entitlement filter skipped: %s", self.last_error)
            return None
        generation = apply_entitlements(self.store, services)
        self.services, self.last_error = services, None
        hidden = sorted(set(self.store.catalog.services) - services)
        log.info(
            "entitlement filter applied: entitled %s, hidden %s; %d tools served (generation %d)",
            sorted(services),
            hidden,
            len(generation.tools),
            generation.number,
        )
        return services

    def _on_generation(self, old: Generation, new: Generation) -> None:
        """Runs in the swapping thread: wake the task when a reload toggles the switch."""
        loop = self._loop
        if old.config.entitlement_filter != new.config.entitlement_filter and loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake.set)


def _in_daemon_thread(fn: Callable[[], str]) -> asyncio.Future[str]:
    """Run `fn` on a daemon thread: the SDK's token request has no timeout, and a hung one must hold
    neither the event loop's shutdown (the default executor is joined) nor the process exit."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str] = loop.create_future()

    def work() -> None:
        token, error = "", None
        try:
            token = fn()
        except BaseException as exc:  # noqa: BLE001 - delivered to the awaiting task
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody is waiting
            loop.call_soon_threadsafe(_settle, future, token, error)

    threading.Thread(target=work, name="entitlement-token", daemon=True).start()
    return future


def _settle(future: asyncio.Future[str], token: str, error: BaseException | None) -> None:
    if future.done():  # timed out or cancelled meanwhile
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(token)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, EntitlementError):
        return str(exc)
    if isinstance(exc, TimeoutError):
        return "no access token within the timeout"
    return f"no access token ({type(exc).__name__}: {str(exc)[:160]})"
