"""The simulated tenants' records: YAML package data (`data/<service>.yaml`), read once per process.

Data only: what each record holds. Behaviour (defaults on create, checks, envelopes, paging) stays in
the service modules, which read their records from here.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml


@functools.cache
def seeds(service: str) -> dict[str, Any]:
    """The records of `service`, by collection name. Shared: callers copy before changing a record."""
    text = resources.files(__package__).joinpath("data", f"{service}.yaml").read_text(encoding="utf-8")
    loaded = yaml.safe_load(text)
    if not isinstance(loaded, dict):
        raise ValueError(f"simulator data for {service} is not a mapping of collections")
    return loaded
