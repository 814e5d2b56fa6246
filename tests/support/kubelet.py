"""Writes a config directory the way kubelet projects a ConfigMap: timestamped dir + atomic `..data` swap."""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

_counter = itertools.count()


class ProjectedConfigMap:
    """`<dir>/config.yaml -> ..data/config.yaml`, `..data -> ..<timestamp>`; `update()` swaps atomically."""

    def __init__(self, directory: Path, files: dict[str, str | bytes]) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._current: Path | None = None
        self.update(files)
        for name in files:
            link = directory / name
            if not link.exists():
                link.symlink_to(Path("..data") / name)

    @property
    def config_path(self) -> Path:
        return self.directory / "config.yaml"

    def update(self, files: dict[str, str | bytes]) -> None:
        stamp = self.directory / f"..2026_11_24_{next(_counter):06d}"
        stamp.mkdir()
        for name, content in files.items():
            (stamp / name).write_bytes(content.encode() if isinstance(content, str) else content)
        tmp = self.directory / "..data_tmp"
        tmp.symlink_to(stamp.name)
        os.replace(tmp, self.directory / "..data")  # the atomic rename kubelet does
        if self._current is not None:
            shutil.rmtree(self._current)
        self._current = stamp
