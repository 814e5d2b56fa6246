"""EASM (external attack surface management) catalog entries (SDK: client.zeasm.*), read-only.

EASM answers `{results, total_results}` in one response. Evidence, scan output and lookalike
domains carry third-party text (the toolsets' UNTRUSTED instruction covers them).
"""

from __future__ import annotations

from .builders import get_tool, list_tool, path_id
from .model import Param, Tool

FINDINGS, LOOKALIKES = "zeasm_findings", "zeasm_lookalike_domains"
ORG = path_id("org_id", "EASM organization (see zeasm_list_organizations)")
FINDING = path_id("finding_id", "EASM finding")
DOMAIN = Param(
    "lookalike_raw", "string", "The lookalike domain name, e.g. examp1e.com.", required=True, location="path"
)


def _finding(name: str, description: str, method: str) -> Tool:
    return get_tool(name, FINDINGS, description, f"zeasm.findings.{method}", ORG, FINDING)


TOOLS: list[Tool] = [
    list_tool(
        "zeasm_list_organizations",
        "zeasm",
        "List the EASM organizations of the tenant.",
        "zeasm.organizations.list_organizations",
        paginate=False,
    ),
    list_tool(
        "zeasm_list_findings",
        FINDINGS,
        "List the EASM findings of an organization's internet-facing assets.",
        "zeasm.findings.list_findings",
        ORG,
        paginate=False,
    ),
    _finding(
        "zeasm_get_finding_details",
        "Get one EASM finding: risk, CISA/EPSS likelihood, impacted asset.",
        "get_finding_details",
    ),
    _finding(
        "zeasm_get_finding_evidence", "Get the scan evidence attributed to one EASM finding.", "get_finding_evidence"
    ),
    _finding(
        "zeasm_get_finding_scan_output",
        "Get the complete scan output behind one EASM finding.",
        "get_finding_scan_output",
    ),
    list_tool(
        "zeasm_list_lookalike_domains",
        LOOKALIKES,
        "List the lookalike domains detected for an EASM organization.",
        "zeasm.lookalike_domains.list_lookalike_domains",
        ORG,
        paginate=False,
    ),
    get_tool(
        "zeasm_get_lookalike_domain",
        LOOKALIKES,
        "Get one EASM lookalike domain: registrar, risk, remediation.",
        "zeasm.lookalike_domains.get_lookalike_domain",
        ORG,
        DOMAIN,
    ),
]
