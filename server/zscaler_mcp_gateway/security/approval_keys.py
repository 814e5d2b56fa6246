"""The HMAC keys that sign human approvals, shared by every replica through a Secret.

A directory (a mounted Secret) holds `current` and, during a rotation, `previous`: approvals are
signed with `current` and verified with either, so a rotation is: move `current` to `previous`, write a
new `current`, and drop `previous` once an approval window has passed. The files are re-read when
they change (kubelet swaps a projected Secret atomically), so a rotation needs no restart. Without a
directory the process makes a random key of its own: approvals then verify on this process only.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from ..config import ConfigError

log = logging.getLogger(__name__)

CURRENT, PREVIOUS = "current", "previous"
MIN_KEY_BYTES = 32
ENV_KEYS_DIR = "ZSCALER_MCP_APPROVAL_KEYS_DIR"
KEYS_FLAG = "--approval-keys-dir"

Identity = tuple[tuple[int, int, int, int] | None, ...]


def _identity(paths: tuple[Path, ...]) -> Identity:
    stats: list[tuple[int, int, int, int] | None] = []
    for path in paths:
        try:
            st = os.stat(path)  # follows kubelet's ..data symlink swap
        except OSError:
            stats.append(None)
            continue
        stats.append((st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size))
    return tuple(stats)


def _read_key(path: Path, required: bool) -> bytes | None:
    try:
        key = path.read_bytes().strip()
    except FileNotFoundError:
        if required:
            raise ConfigError([f"{KEYS_FLAG}: {path} is missing (the approval signing key)"]) from None
        return None
    except OSError as exc:
        raise ConfigError([f"{KEYS_FLAG}: cannot read {path}: {exc.strerror}"]) from None
    if len(key) < MIN_KEY_BYTES:  # never echo the content: only its size
        raise ConfigError(
            [f"{KEYS_FLAG}: {path} holds {len(key)} bytes; an approval key needs at least {MIN_KEY_BYTES}"]
        )
    return key


class ApprovalKeys:
    """`signing` signs; `verifying` is (current, previous?)."""

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = Path(directory) if directory else None
        if self.directory is None:
            log.warning(
                "approvals are signed with a key of this process only: give %s (a Secret shared by every replica) "
                "so that any replica accepts an approval another one asked for",
                KEYS_FLAG,
            )
            self._keys: tuple[bytes, ...] = (secrets.token_bytes(32),)
            self._paths: tuple[Path, ...] = ()
        else:
            self._paths = (self.directory / CURRENT, self.directory / PREVIOUS)
            self._keys = self._load()  # raises ConfigError: refuse to start without a usable key
        self._seen = _identity(self._paths)

    def _load(self) -> tuple[bytes, ...]:
        current, previous = _read_key(self._paths[0], True), _read_key(self._paths[1], False)
        assert current is not None
        return (current,) if previous is None else (current, previous)

    def _refresh(self) -> None:
        if not self._paths:
            return
        identity = _identity(self._paths)
        if identity == self._seen:
            return
        self._seen = identity
        try:
            self._keys = self._load()
        except ConfigError as exc:  # a half-written rotation: keep the keys that worked
            log.error("approval keys not reloaded, keeping the previous ones: %s", "; ".join(exc.errors))
            return
        log.info("approval keys reloaded from %s (%d key(s))", self.directory, len(self._keys))

    @property
    def signing(self) -> bytes:
        self._refresh()
        return self._keys[0]

    @property
    def verifying(self) -> tuple[bytes, ...]:
        self._refresh()
        return self._keys
