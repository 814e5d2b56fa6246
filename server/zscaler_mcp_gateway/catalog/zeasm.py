"""EASM (external attack surface management) catalog entries (SDK: client.zeasm.*), read-only.

EASM pages its lists (`{results, total_results, next_page}`, 100 a page); findings and lookalike
domains are walked up to `RECORD_CAP` records (an organization can have tens of thousands of
findings), and a capped answer carries `truncated` saying so. Evidence, scan output and lookalike
domains carry third-party text (the toolsets' UNTRUSTED instruction covers them).
"""

from __future__ import annotations

from dataclasses import replace

from .builders import get_tool, list_tool, path_id, with_call
from .model import Param, Tool

FINDINGS, LOOKALIKES = "zeasm_findings", "zeasm_lookalike_domains"
RECORD_CAP = 1000  # records one list answer carries: 10 upstream pages
NARROW = (
    "the EASM API has no list filter: look at one record with its get tool, "
    "or keep only the fields you need with `query`"
)


def _capped(tool: Tool) -> Tool:
    return with_call(
        replace(tool, description=f"{tool.description} Every page up to {RECORD_CAP} records (then `truncated`)."),
        paginate=True,
        record_cap=RECORD_CAP,
        narrow=NARROW,
    )


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
    _capped(
        list_tool(
            "zeasm_list_findings",
            FINDINGS,
            "List the EASM findings of an organization's internet-facing assets.",
            "zeasm.findings.list_findings",
            ORG,
        )
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
    _capped(
        list_tool(
            "zeasm_list_lookalike_domains",
            LOOKALIKES,
            "List the lookalike domains detected for an EASM organization.",
            "zeasm.lookalike_domains.list_lookalike_domains",
            ORG,
        )
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
