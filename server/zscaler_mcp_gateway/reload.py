"""Live reload of the policy file: kubelet-style directory swaps, in-place edits, and SIGHUP.

kubelet updates a projected ConfigMap by writing a new timestamped directory and atomically
renaming the `..data` symlink; the file path we read never changes, only what it resolves to.
Polling the resolved path's identity (device, inode, mtime, size) every `interval` catches that
swap and plain edits alike, at the cost of one stat per tick. A change is loaded once its identity
held for one more tick, so an editor's in-place rewrite (truncate, then write) is read whole, not
half-written. Loading runs on a worker thread (a 1 MiB file must not freeze health checks or
calls), and any failure of it, whatever raised it, is a rejected reload: the watcher never dies.
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
    except (OSError, ValueError):
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
        self._identity = file_identity(self.path)  # of the file last loaded (or rejected)
        self._changed: FileIdentity | None = None  # a change seen at the last tick, loaded once it holds
        self._wake = asyncio.Event()
        self._listeners: list[ReloadListener] = []

    def reload(self) -> bool:
        """Load the file now; on success publish a generation, on any failure keep the last good one."""
        self._identity = file_identity(self.path)
        self._changed = None
        try:
            config = load_policy_file(self.path, self.catalog)
            generation = self.store.apply_config(config, str(self.path))
            warnings = policy_warnings(config, self.catalog)
        except ConfigError as exc:
            return self._reject(exc.errors)
        except Exception as exc:  # a bug or an exhausted resource: rejected like a bad file, the watcher goes on
            log.exception("config reload failed")
            return self._reject([f"{self.path}: cannot load config ({type(exc).__name__})"])
        for warning in warnings:
            log.warning("config: %s", warning)
        log.info(
            "config generation %d loaded from %s: %d tools served", generation.number, self.path, len(generation.tools)
        )
        self._notify("success")
        return True

    def subscribe(self, listener: ReloadListener) -> None:
        """`listener(result)` runs after every reload attempt, with "success" or "failure" (as the store's)."""
        self._listeners.append(listener)

    def _reject(self, errors: list[str]) -> bool:
        self.store.record_failure(errors)
        log.error("config reload rejected, keeping generation %d: %s", self.store.current.number, "; ".join(errors))
        self._notify("failure")
        return False

    def _notify(self, result: str) -> None:
        for listener in self._listeners:
            try:
                listener(result)
            except Exception:
                log.exception("config reload listener failed")

    def due(self) -> bool:
        """Whether the file changed and its new identity held since the last tick."""
        identity = file_identity(self.path)
        if identity == self._identity:
            self._changed = None
            return False
        if identity == self._changed:
            return True
        self._changed = identity  # still moving, or just moved: look again next tick
        return False

    def request_reload(self) -> None:
        """Thread- and signal-safe trigger (SIGHUP)."""
        self._wake.set()

    def install_sighup(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            loop.add_signal_handler(signal.SIGHUP, self.request_reload)
        except (NotImplementedError, RuntimeError, ValueError):
            log.debug("SIGHUP reload unavailable on this platform or thread")

    async def tick(self, forced: bool = False) -> bool | None:
        """One poll: reload (off the event loop) when forced or due; None when nothing was loaded."""
        if not (forced or self.due()):
            return None
        return await asyncio.to_thread(self.reload)

    async def run(self) -> None:
        """Poll until cancelled; a settled change of the file's identity, or SIGHUP, triggers a reload."""
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
            except TimeoutError:
                pass
            # Read the flag, not the wait's outcome: a SIGHUP landing as the wait times out must not be lost.
            forced = self._wake.is_set()
            self._wake.clear()
            try:
                await self.tick(forced)
            except Exception:  # never reached by a bad file (reload() answers those); a bug must not end the watcher
                log.exception("config watcher tick failed")
