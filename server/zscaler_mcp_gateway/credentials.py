"""OneAPI credentials from a mounted Secret directory (files named like the env vars), env as fallback.

Kubernetes rotates a mounted Secret by swapping files under the directory; `CredentialSource`
re-reads them when their stat signature changes, so rotation needs no restart. Values never leave
this module except into the SDK client config; `Credentials.__repr__` shows no secret.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .credential_files import (
    CLIENT_ID,
    CLIENT_SECRET,
    CLOUD,
    CUSTOMER_ID,
    DEFAULT_CREDENTIALS_DIR,
    KEYS,
    PRIVATE_KEY,
    VANITY_DOMAIN,
    ZCELL_CUSTOMER_ID,
)
from .redaction import remember_secrets


class CredentialsError(Exception):
    """Credentials are missing or incomplete; the message names what, never a value."""


@dataclass(frozen=True)
class Credentials:
    values: Mapping[str, str] = field(repr=False)
    source: str

    @functools.cached_property  # checked on every tool call; the values never change
    def fingerprint(self) -> str:
        """Stable digest that changes when any value does (to rebuild the SDK client), reveals none."""
        digest = hashlib.sha256()
        for key in KEYS:
            digest.update(f"{key}={self.values.get(key, '')}\0".encode())
        return digest.hexdigest()[:16]

    def missing(self) -> list[str]:
        absent = [k for k in (CLIENT_ID, VANITY_DOMAIN) if not self.values.get(k)]
        if not (self.values.get(CLIENT_SECRET) or self.values.get(PRIVATE_KEY)):
            absent.append(f"{CLIENT_SECRET} or {PRIVATE_KEY}")
        return absent

    def sdk_config(self) -> dict[str, str]:
        config = {"clientId": self.values[CLIENT_ID], "vanityDomain": self.values[VANITY_DOMAIN]}
        if self.values.get(CLIENT_SECRET):
            config["clientSecret"] = self.values[CLIENT_SECRET]
        else:
            config["privateKey"] = self.values[PRIVATE_KEY]
        if self.values.get(CUSTOMER_ID):
            config["customerId"] = self.values[CUSTOMER_ID]
        if self.values.get(CLOUD):
            config["cloud"] = self.values[CLOUD]
        if self.values.get(ZCELL_CUSTOMER_ID):
            config["zcellCustomerId"] = self.values[ZCELL_CUSTOMER_ID]
        return config


def _read_value(path: Path) -> str:
    """One credential file's value; a file that cannot be a value is named, its content never shown."""
    try:
        return path.read_bytes().decode("utf-8").strip()
    except UnicodeDecodeError:
        raise CredentialsError(f"credential file {path.name} is not UTF-8 text") from None
    except IsADirectoryError:
        raise CredentialsError(f"credential file {path.name} is a directory, not a file") from None
    except OSError as exc:
        raise CredentialsError(
            f"credential file {path.name} cannot be read: {exc.strerror or type(exc).__name__}"
        ) from None


class CredentialSource:
    """Reads credentials from `directory` when it exists, else from the environment."""

    def __init__(
        self,
        directory: str | os.PathLike[str] | None = DEFAULT_CREDENTIALS_DIR,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.directory = Path(directory) if directory else None
        # Plain strings for the per-call stat check (pathlib would build a Path per file per call).
        self._dir = str(self.directory) if self.directory is not None else ""
        self._paths = tuple((key, os.path.join(self._dir, key)) for key in KEYS) if self.directory is not None else ()
        self._environ = environ if environ is not None else os.environ
        self._signature: tuple[tuple[str, int, int], ...] | None = None
        self._cached: Credentials | None = None
        self._remembered = ""  # the fingerprint whose secrets redaction.py already knows

    def _stat_signature(self) -> tuple[tuple[str, int, int], ...]:
        assert self.directory is not None
        signature = []
        for key, path in self._paths:
            try:
                st = os.stat(path)  # follows kubelet's ..data symlinks
            except FileNotFoundError:
                continue
            signature.append((key, st.st_mtime_ns, st.st_ino))
        return tuple(signature)

    def load(self) -> Credentials:
        """Current credentials (re-read only when the files changed). Raises CredentialsError if incomplete
        or a file cannot be read (a later call reads it again)."""
        if self.directory is not None and os.path.isdir(self._dir):
            signature = self._stat_signature()
            if signature != self._signature or self._cached is None:
                values = {k: _read_value(self.directory / k) for k, _, _ in signature}
                self._cached = Credentials({k: v for k, v in values.items() if v}, f"directory {self.directory}")
                self._signature = signature
            credentials = self._cached
        else:
            credentials = Credentials({k: self._environ[k] for k in KEYS if self._environ.get(k)}, "environment")
        if credentials.fingerprint != self._remembered:
            remember_secrets(credentials.values.get(CLIENT_SECRET), credentials.values.get(PRIVATE_KEY))
            self._remembered = credentials.fingerprint
        missing = credentials.missing()
        if missing:
            raise CredentialsError(f"missing credential(s) {', '.join(missing)} in {credentials.source}")
        return credentials
