"""The alert rules: one file, wrapped in the chart's PrometheusRule, checked and unit-tested by promtool."""

from __future__ import annotations

from pathlib import Path

import yaml
from chartkit import BASE_VALUES, GATEWAY_CHART, find, render_gateway
from tests.support.prometheus import promtool

ROOT = Path(__file__).resolve().parents[2]
RULE_FILE = GATEWAY_CHART / "files" / "prometheus-rules.yaml"
RULE_TESTS = ROOT / "tests" / "rules" / "alerts.test.yaml"
MANIFEST = ROOT / "manifests" / "prometheus-rules.yaml"
ALERTS = {
    "ZscalerMCPWriteDenied",
    "ZscalerMCPHighErrorRatio",
    "ZscalerMCPConfigReloadFailed",
    "ZscalerMCPUpstreamUnavailable",
}


def test_the_chart_ships_no_prometheus_rule_by_default() -> None:
    assert [o for o in render_gateway(BASE_VALUES) if o["kind"] == "PrometheusRule"] == []


def test_the_chart_prometheus_rule_is_the_rule_file_with_the_selector_labels() -> None:
    objects = render_gateway({**BASE_VALUES, "prometheusRule": {"enabled": True, "labels": {"release": "kps"}}})
    rule = find(objects, "PrometheusRule")
    assert rule["apiVersion"] == "monitoring.coreos.com/v1"
    assert rule["metadata"]["labels"]["release"] == "kps"
    assert rule["metadata"]["namespace"] == "zscaler-mcp"
    assert rule["spec"] == yaml.safe_load(RULE_FILE.read_text())  # Prometheus's {{ $labels }} untouched by Helm
    assert {r["alert"] for g in rule["spec"]["groups"] for r in g["rules"]} == ALERTS


def test_the_manifest_rule_is_the_chart_rule() -> None:
    [manifest] = [doc for doc in yaml.safe_load_all(MANIFEST.read_text()) if doc]
    assert manifest["kind"] == "PrometheusRule"
    assert manifest["spec"] == yaml.safe_load(RULE_FILE.read_text())


def test_no_rule_groups_by_a_kubernetes_target_label_named_service() -> None:
    text = RULE_FILE.read_text()
    assert "by (namespace, service)" not in text and "$labels.service " not in text
    assert "zscaler_service" in text


def test_promtool_checks_the_rule_file_and_the_rendered_rule(tmp_path: Path) -> None:
    rendered = find(render_gateway({**BASE_VALUES, "prometheusRule": {"enabled": True}}), "PrometheusRule")
    spec_file = tmp_path / "rendered-rules.yaml"
    spec_file.write_text(yaml.safe_dump(rendered["spec"]))
    for path in (RULE_FILE, spec_file):
        result = promtool("check", "rules", str(path))
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"SUCCESS: {len(ALERTS)} rules found" in result.stdout


def test_promtool_unit_tests_pass_with_the_operator_target_labels() -> None:
    """One denied write fires; a reload failure resolves after a good reload; error ratio per Zscaler service."""
    result = promtool("test", "rules", RULE_TESTS.name, cwd=RULE_TESTS.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout
    fixtures = yaml.safe_load(RULE_TESTS.read_text())
    tested = {t["alertname"] for test in fixtures["tests"] for t in test["alert_rule_test"]}
    assert tested == ALERTS
    for test in fixtures["tests"]:
        for series in test["input_series"]:
            for label in ("namespace", "service", "pod", "job", "instance", "container", "endpoint"):
                assert f'{label}="' in series["series"], (test["name"], label)
