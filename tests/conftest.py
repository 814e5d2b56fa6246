"""Shared fixtures: the embedded simulator, kubelet-style config dirs, and the real gateway."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.kubelet import ProjectedConfigMap
from tests.support.secret_scan import secret_scan  # noqa: F401  (autouse: the whole run is scanned for secrets)
from tests.support.servers import RunningGateway, run_gateway
from zscaler_mcp_gateway.simulator import RunningSimulator, start_simulator

# tests.support.toolcalls asserts on the test modules' behalf: rewrite its asserts like theirs.
pytest.register_assert_rewrite("tests.support.toolcalls")


@pytest.fixture(scope="session")
def simulator() -> Iterator[RunningSimulator]:
    sim = start_simulator()
    yield sim
    sim.stop()


@pytest.fixture
def fresh_simulator() -> Iterator[RunningSimulator]:
    """A simulator of the test's own, for tests that change state or inject faults."""
    sim = start_simulator()
    yield sim
    sim.stop()


@pytest.fixture
def configmap(tmp_path: Path) -> Callable[[str], ProjectedConfigMap]:
    made = itertools.count()

    def make(text: str) -> ProjectedConfigMap:
        # Each its own directory: a second ConfigMap in one test must not rewrite (and reload) the first.
        n = next(made)
        return ProjectedConfigMap(tmp_path / ("config" if n == 0 else f"config-{n}"), {"config.yaml": text})

    return make


@pytest.fixture
def gateway_with(
    simulator: RunningSimulator, configmap: Callable[[str], ProjectedConfigMap]
) -> Iterator[Callable[..., RunningGateway]]:
    """`gateway_with(config_yaml)` starts the real server on that policy (projected like kubelet does)."""
    with contextlib.ExitStack() as stack:

        def start(config_text: str, **kwargs: object) -> RunningGateway:
            cm = configmap(config_text)
            running = stack.enter_context(run_gateway(simulator.url, str(cm.config_path), **kwargs))
            running.configmap = cm  # type: ignore[attr-defined]
            return running

        yield start
