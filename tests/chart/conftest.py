"""Fixtures for the chart tests (helpers live in chartkit.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from chartkit import GATEWAY_CHART


def _copy_chart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chart = tmp_path_factory.mktemp("chart") / GATEWAY_CHART.name
    shutil.copytree(GATEWAY_CHART, chart, ignore=shutil.ignore_patterns("dashboard.json"))
    return chart


@pytest.fixture(scope="session")
def chart_with_dashboard(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the gateway chart with a known files/dashboard.json (the real one is telemetry's)."""
    chart = _copy_chart(tmp_path_factory)
    (chart / "files").mkdir(exist_ok=True)
    (chart / "files" / "dashboard.json").write_text('{"title": "Zscaler MCP Gateway", "panels": []}\n')
    return chart


@pytest.fixture(scope="session")
def chart_without_dashboard(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _copy_chart(tmp_path_factory)
