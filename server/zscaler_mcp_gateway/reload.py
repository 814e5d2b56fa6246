"""Live reload of the policy file: kubelet-style directory swaps, in-place edits, and SIGHUP.

kubelet updates a projected ConfigMap by writing a new timestamped directory and atomically
renaming the `..data` symlink; the file path we read never changes, only what it resolves to.
Polling the resolved path's identity (device, inode, mtime, size) every `interval` catches that
swap and plain edits alike, at the cost of one stat per tick.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .catalog.model import Catalog
from .config import ConfigError, load_policy_file, policy_warnings
from .generation import GenerationStore

log = logging.getLogger(__name__)

ReloadListener = Callable[[str], Any]
FileIdentity = tuple[str, int, int, int, int] | None


def file_identity(path: Path) -> FileIdentity:
    try:
        real = os.path.realpath(path)
        st = os.stat(real)
    except OSError:
        return None
    return (real, st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


class ConfigReloader:
    def __init__(
        self, path: str | os.PathLike[str], store: GenerationStore, catalog: Catalog, interval: float = 0.1
    ) -> None:
        self.path = Path(path)
        self.store = store
        self.catalog = catalog
        self.interval = interval
        self._identity = file_identity(self.path)
        self._wake = asyncio.Event()
        self._listeners: list[ReloadListener] = []

    def reload(self) -> bool:
        """Load the file now; on success publish a generation, on failure keep the last good one."""
        self._identity = file_identity(self.path)
        try:
            config = load_policy_file(self.path, self.catalog)
        except ConfigError as exc:
            self.store.record_failure(exc.errors)
            log.error(
                "config reload rejected, keeping generation %d: %s", self.store.current.number, "; ".join(exc.errors)
            )
            self._notify("failure")
            return False
        generation = self.store.apply_config(config, str(self.path))
        for warning in policy_warnings(config, self.catalog):
            log.warning("config: %s", warning)
        log.info(
            "config generation %d loaded from %s: %d tools served", generation.number, self.path, len(generation.tools)
        )
        self._notify("success")
        return True

    def subscribe(self, listener: ReloadListener) -> None:
        """`listener(result)` runs after every reload attempt, with "success" or "failure" (as the store's)."""
        self._listeners.append(listener)

    def _notify(self, result: str) -> None:
        for listener in self._listeners:
            listener(result)

    def request_reload(self) -> None:
        """Thread- and signal-safe trigger (SIGHUP)."""
        self._wake.set()

    def install_sighup(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            loop.add_signal_handler(signal.SIGHUP, self.request_reload)
        except (NotImplementedError, RuntimeError, ValueError):
            log.debug("SIGHUP reload unavailable on this platform or thread")

    async def run(self) -> None:
        """Poll until cancelled; a changed file identity or SIGHUP triggers a reload."""
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
                forced = True
            except TimeoutError:
                forced = False
            self._wake.clear()
            if forced or file_identity(self.path) != self._identity:
                self.reload()
