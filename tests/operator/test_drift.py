"""Drift detection: the fields we set must hold; what the API server adds is not drift."""

from __future__ import annotations

from zscaler_mcp_operator.drift import holds

CONTAINER = {
    "name": "gateway",
    "image": "img:1",
    "ports": [{"containerPort": 8000, "protocol": "TCP"}],
    "resources": {},
}


def test_server_defaults_are_not_drift() -> None:
    actual = {
        **CONTAINER,
        "imagePullPolicy": "IfNotPresent",
        "terminationMessagePath": "/dev/termination-log",
        "ports": [{"containerPort": 8000, "protocol": "TCP", "name": None}],
    }
    assert holds({"spec": {"containers": [actual]}, "status": {}}, {"spec": {"containers": [CONTAINER]}})


def test_a_changed_or_missing_field_is_drift() -> None:
    assert not holds({**CONTAINER, "image": "evil:1"}, CONTAINER)
    assert not holds({k: v for k, v in CONTAINER.items() if k != "ports"}, CONTAINER)
    assert not holds({**CONTAINER, "ports": []}, CONTAINER)  # lists compare item by item, length too
    assert not holds({"data": None}, {"data": {"config.yaml": "x"}})


def test_empty_desired_fields_match_absent_ones() -> None:
    assert holds({"name": "x"}, {"name": "x", "emptyDir": {}, "args": []})


def test_resources_compare_exactly_as_quantities() -> None:
    desired = {"resources": {"requests": {"cpu": "500m"}, "limits": {"memory": "1Gi"}}}
    assert holds({"resources": {"requests": {"cpu": "0.5"}, "limits": {"memory": "1Gi"}}}, desired)
    assert not holds({"resources": {"requests": {"cpu": "1"}, "limits": {"memory": "1Gi"}}}, desired)
    # A limit removed from the spec is drift, though the desired object is then a subset.
    assert not holds(desired, {"resources": {"requests": {"cpu": "500m"}}})
    assert holds({"resources": {}}, {"resources": {}}) and holds({}, {"resources": {}})
