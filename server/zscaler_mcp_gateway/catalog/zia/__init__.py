"""ZIA catalog entries (SDK: client.zia.*), one module per area. Ids are integers unless noted."""

from __future__ import annotations

from ..model import Tool
from . import directory, objects, rules, settings, traffic, url_categories

TOOLS: list[Tool] = [
    tool for module in (rules, objects, url_categories, traffic, directory, settings) for tool in module.TOOLS
]
