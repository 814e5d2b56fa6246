"""The toolset catalog: every tool and toolset as data, assembled once per process."""

from __future__ import annotations

from functools import cache

from . import meta, zcc, zcell, zdx, zeasm, zia, zid, zins, zms, zpa, ztw
from .contract import with_contract
from .model import Action, Catalog, Param, SdkCall, Tool, Toolset
from .toolsets import TOOLSETS

SERVICE_TOOL_MODULES = (meta, zia, zpa, ztw, zid, zeasm, zins, zms, zcell, zdx, zcc)

__all__ = ["Action", "Catalog", "Param", "SdkCall", "Tool", "Toolset", "load_catalog"]


@cache
def load_catalog() -> Catalog:
    tools = [with_contract(tool) for module in SERVICE_TOOL_MODULES for tool in module.TOOLS]
    return Catalog.build(list(TOOLSETS), tools)
