"""Write (or, with --check, verify) the files generated from the schema models: the operator chart's CRD, the
docs reference, and the gateway chart's values.schema.json.

python -m zscaler_mcp_operator.generate [--check] [--root REPO]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from zscaler_mcp_gateway.catalog import load_catalog

from .chart_values import values_schema_json
from .crd import CRD_NAME, crd_yaml
from .docs import crd_reference, splice

CRD_FILE = Path("charts/zscaler-mcp-operator/crds") / f"{CRD_NAME}.yaml"
DOCS_FILE = Path("docs/operator.md")
VALUES_SCHEMA_FILE = Path("charts/zscaler-mcp-gateway/values.schema.json")


def expected(root: Path) -> dict[Path, str]:
    """Each generated file under `root` with the content it must have."""
    return {
        root / CRD_FILE: crd_yaml(),
        root / DOCS_FILE: splice((root / DOCS_FILE).read_text(encoding="utf-8"), crd_reference()),
        root / VALUES_SCHEMA_FILE: values_schema_json(tuple(load_catalog().services)),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zscaler_mcp_operator.generate", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if a generated file is stale, write nothing")
    parser.add_argument("--root", type=Path, default=Path("."), help="repository root (default: .)")
    args = parser.parse_args(argv)
    stale = []
    for path, content in expected(args.root).items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == content:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
    for path in stale:
        print(f"{'stale' if args.check else 'wrote'}: {path}", file=sys.stderr)
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
