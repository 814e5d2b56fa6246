"""`zscaler-mcp-operator`: run the operator, or render the children of a resource without a cluster."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

import yaml

from zscaler_mcp_gateway.catalog import load_catalog
from zscaler_mcp_gateway.config import ConfigError

from .builders import children
from .crd import API_VERSION, KIND
from .options import OperatorOptions
from .spec import parse_gateway

NAMESPACE_FLAGS = ("-n", "--namespace", "-A", "--all-namespaces")


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings (the ConfigMap's config.yaml) as literal blocks, as a human would write them."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_BlockDumper.add_representer(str, _represent_str)


def _scope_given(kopf_args: Sequence[str]) -> bool:
    return bool(os.environ.get("KOPF_RUN_NAMESPACE")) or any(
        arg in NAMESPACE_FLAGS or arg.startswith(("--namespace=", "-n=")) or (arg.startswith("-n") and len(arg) > 2)
        for arg in kopf_args
    )


def run(kopf_args: Sequence[str]) -> None:
    """`kopf run` with the operator's handlers; every kopf option passes through (-n, -A, --liveness...)."""
    import kopf
    import kopf.cli

    from .handlers import register

    register(kopf.get_default_registry(), OperatorOptions.from_environ(os.environ))
    scope = [] if _scope_given(kopf_args) else ["--all-namespaces"]
    kopf.cli.main(args=["run", *scope, *kopf_args], prog_name="zscaler-mcp-operator")


def _documents(stream: TextIO, source: str) -> list[dict[str, Any]]:
    try:
        documents = [doc for doc in yaml.safe_load_all(stream) if doc is not None]
    except yaml.YAMLError as exc:
        raise ConfigError([f"{source}: malformed YAML: {exc}"]) from None
    errors = [
        f"{source}: document {i + 1} is not a {API_VERSION} {KIND}"
        for i, doc in enumerate(documents)
        if not isinstance(doc, dict) or (doc.get("apiVersion"), doc.get("kind")) != (API_VERSION, KIND)
    ]
    if errors or not documents:
        raise ConfigError(errors or [f"{source}: no {KIND} found"])
    return documents


def render(path: str, out: TextIO) -> None:
    """Print the children of every ZscalerMCP in the file as one multi-document YAML."""
    if path == "-":
        documents = _documents(sys.stdin, "<stdin>")
    else:
        try:
            with open(path, encoding="utf-8") as handle:
                documents = _documents(handle, path)
        except OSError as exc:
            raise ConfigError([f"{path}: cannot read: {exc.strerror}"]) from None
    catalog, default_image = load_catalog(), OperatorOptions.from_environ(os.environ).default_image
    objects = []
    errors = []
    for document in documents:
        try:
            objects += children(parse_gateway(document, catalog, default_image))
        except ConfigError as exc:
            name = (document.get("metadata") or {}).get("name", "?")
            errors += [f"{KIND} {name}: {message}" for message in exc.errors]
    if errors:
        raise ConfigError(errors)
    yaml.dump_all(objects, out, Dumper=_BlockDumper, sort_keys=False)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zscaler-mcp-operator", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "run",
        help="run the operator; kopf options pass through (default scope: --all-namespaces)",
        add_help=False,
    )
    render_parser = commands.add_parser(
        "render", help="print the ConfigMap, Deployment and Service of a ZscalerMCP file"
    )
    render_parser.add_argument("file", help="YAML file with one or more ZscalerMCP resources, or - for stdin")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["run"]:  # everything after `run` belongs to kopf, untouched
        run(arguments[1:])
        return 0
    args = _parser().parse_args(arguments)
    try:
        render(args.file, sys.stdout)
    except ConfigError as exc:
        for message in exc.errors:
            print(message, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
