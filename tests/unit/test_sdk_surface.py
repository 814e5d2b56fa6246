"""The `mcp` SDK's private surface: every name the gateway relies on still there with the same parameters,
and no module but sdk_surface.py naming a private attribute of the SDK."""

from __future__ import annotations

import ast
import importlib.util
import inspect
import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import mcp
import mcp_types
import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from zscaler_mcp_gateway import sdk_surface
from zscaler_mcp_gateway.sdk_surface import PRIVATE_MODULES, PRIVATE_SURFACE, PrivateName

ROOT = Path(__file__).resolve().parents[2]
SURFACE_MODULE = Path(sdk_surface.__file__).resolve()
SDK_PACKAGES = ("mcp", "mcp_types")
# Private names that are not the mcp SDK's where they are used (the same spelling exists in the SDK).
NOT_MCP = {("server/zscaler_mcp_gateway/upstream/sdk.py", "_session"): "zscaler-sdk-python's requests session"}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _is_sdk(module: str) -> bool:
    return module.split(".")[0] in SDK_PACKAGES


@pytest.mark.parametrize("private", PRIVATE_SURFACE, ids=lambda p: f"{p.owner.__name__}.{p.name}")
def test_each_private_name_relied_on_is_still_there(private: PrivateName) -> None:
    where = f"mcp {version('mcp')}: {private.owner.__module__}.{private.owner.__qualname__}.{private.name}"
    if private.parameters is None:  # an attribute the SDK's class sets (in __init__, or once connected)
        source = inspect.getsource(private.owner)
        assigned = re.search(rf"self\.{re.escape(private.name)}\s*(:[^=\n]+)?=", source)  # annotated or not
        assert assigned is not None, f"{where} is no longer set ({private.use})"
        return
    member = getattr(private.owner, private.name, None)
    assert callable(member), f"{where} is gone ({private.use})"
    parameters = tuple(inspect.signature(member).parameters)
    assert parameters == private.parameters, f"{where} now takes {parameters}, not {private.parameters} ({private.use})"


@pytest.mark.parametrize("module", PRIVATE_MODULES)
def test_each_private_module_relied_on_is_still_there(module: str) -> None:
    assert importlib.util.find_spec(module) is not None, f"mcp {version('mcp')}: {module} is gone"


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def test_the_surface_lists_every_private_name_its_module_uses() -> None:
    tree = _tree(SURFACE_MODULE)
    used = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and _private(n.attr)}
    used |= {
        n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and _private(n.name)
    }
    assert used == {p.name for p in PRIVATE_SURFACE}
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert {m for m in imported if _is_sdk(m) and any(_private(part) for part in m.split("."))} == set(PRIVATE_MODULES)


def _sdk_private_names() -> set[str]:
    """Every private attribute, method and function name the SDK defines."""
    names: set[str] = set()
    for package in (mcp, mcp_types):
        for path in Path(package.__file__).parent.rglob("*.py"):
            for node in ast.walk(_tree(path)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and _private(node.name):
                    names.add(node.name)
                elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and _private(node.attr):
                    names.add(node.attr)
    return names


def _private_sdk_uses(path: Path, sdk_names: set[str]) -> list[str]:
    """Private-module imports, overrides in SDK subclasses and private attribute reads of SDK names."""
    tree = _tree(path)
    found: list[str] = []
    from_sdk: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and _is_sdk(node.module):
            if any(_private(part) for part in node.module.split(".")):
                found.append(f"line {node.lineno}: imports {node.module}")
            from_sdk |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _is_sdk(alias.name):
                    from_sdk.add((alias.asname or alias.name).split(".")[0])
                    if any(_private(part) for part in alias.name.split(".")):
                        found.append(f"line {node.lineno}: imports {alias.name}")
    sdk_classes = {
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        and any(ast.unparse(base).split(".")[0].split("[")[0] in from_sdk for base in node.bases)
    }
    for cls in sdk_classes:
        for node in ast.walk(cls):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in sdk_names:
                found.append(f"line {node.lineno}: overrides {cls.name}.{node.name}")
            elif isinstance(node, ast.Attribute) and node.attr in sdk_names:
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
    in_sdk_classes = {id(n) for cls in sdk_classes for n in ast.walk(cls)}
    own: set[str] = set()  # the module's own private names (methods, attributes, fields), whatever the SDK's
    for n in ast.walk(tree):
        if id(n) in in_sdk_classes:
            continue
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef):
            own.add(n.name)
        elif isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Store):
            own.add(n.attr)
        elif isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name):
            own.add(n.target.id)
    relative = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in sdk_names
            and node.attr not in own
            and id(node) not in in_sdk_classes
            and (relative, node.attr) not in NOT_MCP
        ):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_no_other_module_names_a_private_mcp_attribute() -> None:
    sdk_names = _sdk_private_names()
    offenders = {
        str(path.relative_to(ROOT)): uses
        for package in ("server", "operator")
        for path in sorted((ROOT / package).rglob("*.py"))
        if path.resolve() != SURFACE_MODULE and (uses := _private_sdk_uses(path, sdk_names))
    }
    assert offenders == {}, "go through zscaler_mcp_gateway/sdk_surface.py instead"


def test_the_scan_sees_each_kind_of_private_use(tmp_path: Path) -> None:
    """The scanner is not blind: each way of reaching into the SDK in a module is reported."""
    module = tmp_path / "probe.py"
    module.write_text(
        "from mcp.server._otel import OpenTelemetryMiddleware\n"
        "from mcp.server.streamable_http import StreamableHTTPServerTransport\n\n\n"
        "class Transport(StreamableHTTPServerTransport):\n"
        "    async def _handle_post_request(self, scope, request, receive, send):\n"
        "        return self._check_content_type(request)\n\n\n"
        "def connection(ctx):\n"
        "    return ctx.session._connection\n",
        encoding="utf-8",
    )
    assert _private_sdk_uses(module, _sdk_private_names()) == [
        "line 1: imports mcp.server._otel",
        "line 6: overrides Transport._handle_post_request",
        "line 7: self._check_content_type",
        "line 11: ctx.session._connection",
    ]


def test_mcp_is_pinned_to_the_minor_version_this_test_covers() -> None:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    pins = [Requirement(d).specifier for d in dependencies if Requirement(d).name == "mcp"]
    assert len(pins) == 1
    installed = Version(version("mcp"))
    assert installed in pins[0], f"mcp {installed} is outside {pins[0]}"
    assert Version(f"{installed.major}.{installed.minor + 1}.0") not in pins[0], "a newer minor needs this test first"
