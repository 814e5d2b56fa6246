"""API keys from a mounted Secret directory: each file's name is a principal, its content that principal's key.

`ApiKeyVerifier` is an `mcp` `TokenVerifier`. Keys are held only as SHA-256 digests and every
presented key is compared against all of them with `hmac.compare_digest` (no early exit, equal
lengths), so timing reveals neither a key nor which principal matched. The directory is re-scanned
when its files change (checked at most once per `recheck_seconds`): kubelet's atomic `..data` swap
rotates keys without a restart. Dot-files (kubelet's `..data`, `..<timestamp>`) are skipped, and so
is any entry that cannot be a key (unreadable, not UTF-8, too large, a directory), with a warning
naming the file: one bad entry never keeps the rest of a rotation from applying.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import threading
import time
from pathlib import Path

from mcp.server.auth.provider import AccessToken

from ..config import ConfigError
from ..redaction import remember_secrets

log = logging.getLogger(__name__)

MIN_KEY_LENGTH = 16
MAX_KEY_BYTES = 4096  # a key is a line of text; a larger file is not one
PRINCIPAL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$")
TOKEN_PLACEHOLDER = "[api-key]"  # AccessToken.token: the key itself never leaves this module

Signature = tuple[tuple[str, int, int, int], ...]


def key_digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


class ApiKeyVerifier:
    def __init__(self, directory: str | os.PathLike[str], recheck_seconds: float = 1.0) -> None:
        self.directory = Path(directory)
        if not self.directory.is_dir():
            raise ConfigError([f"auth: API keys directory {self.directory} does not exist"])
        self.recheck_seconds = recheck_seconds
        self._lock = threading.Lock()
        self._checked_at = float("-inf")
        self._signature: Signature | None = None
        # principal -> (its key's digest, the AccessToken a match answers: built once, nothing mutates it)
        self._digests: dict[str, tuple[bytes, AccessToken]] = {}
        self.refresh()
        if not self._digests:
            log.warning("no usable API key in %s: every MCP request will be refused", self.directory)

    @property
    def principals(self) -> tuple[str, ...]:
        return tuple(self._digests)

    def _scan(self) -> Signature:
        rows = []
        with os.scandir(self.directory) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                try:
                    if not entry.is_file():
                        continue
                    st = entry.stat()  # follows kubelet's symlinks into ..data
                except OSError:  # gone mid-scan (a swap) or unreadable: the next scan sees the settled state
                    continue
                rows.append((entry.name, st.st_ino, st.st_mtime_ns, st.st_size))
        return tuple(sorted(rows))

    def refresh(self) -> None:
        """Re-read the keys if the directory changed; on any error keep the keys already loaded."""
        now = time.monotonic()
        if now - self._checked_at < self.recheck_seconds:
            return
        with self._lock:
            self._checked_at = now
            try:
                signature = self._scan()
                if signature == self._signature:
                    return
                self._digests = {
                    name: (digest, AccessToken(token=TOKEN_PLACEHOLDER, client_id=name, subject=name, scopes=[]))
                    for name, digest in self._load(signature).items()
                }
            except OSError as exc:
                log.error(
                    "cannot read API keys from %s (%s); keeping %d loaded",
                    self.directory,
                    type(exc).__name__,
                    len(self._digests),
                )
                return
            self._signature = signature
            log.info("API keys loaded for %d principal(s): %s", len(self._digests), ", ".join(sorted(self._digests)))

    def _load(self, signature: Signature) -> dict[str, bytes]:
        digests: dict[str, bytes] = {}
        owners: dict[bytes, str] = {}
        for name, *_ in signature:
            if not PRINCIPAL_NAME.match(name):
                log.warning("API key file %r skipped: a principal name is letters, digits and ._@-", name)
                continue
            key = self._read_key(name)
            if key is None:
                continue
            if len(key) < MIN_KEY_LENGTH:
                log.warning("API key of principal %s skipped: shorter than %d characters", name, MIN_KEY_LENGTH)
                continue
            remember_secrets(key)
            digest = key_digest(key)
            if digest in owners:
                log.warning("principals %s and %s share one API key: both skipped", owners[digest], name)
                digests.pop(owners[digest], None)
                continue
            owners[digest] = name
            digests[name] = digest
        return digests

    def _read_key(self, name: str) -> str | None:
        """The key in file `name`, or None (with a warning naming the file, never its content) if it holds none."""
        try:
            with open(self.directory / name, "rb") as handle:
                data = handle.read(MAX_KEY_BYTES + 1)
        except OSError as exc:
            log.warning("API key file %r skipped: cannot be read (%s)", name, exc.strerror or type(exc).__name__)
            return None
        if len(data) > MAX_KEY_BYTES:
            log.warning("API key file %r skipped: larger than %d bytes", name, MAX_KEY_BYTES)
            return None
        try:
            return data.decode("utf-8").strip()
        except UnicodeDecodeError:
            log.warning("API key file %r skipped: not UTF-8 text", name)
            return None

    async def verify_token(self, token: str) -> AccessToken | None:
        self.refresh()
        presented = key_digest(token)
        match: AccessToken | None = None
        for digest, access in self._digests.values():
            if hmac.compare_digest(presented, digest):
                match = access
        return match
