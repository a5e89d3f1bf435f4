"""The API server's own validation (rules/apiserver.py): one accepted and one rejected
manifest per rule, shaped like the cases of the Go tests they port; each rejection is
checked for its rule id, line and the API server's kind of error."""

from __future__ import annotations

from pathlib import Path

import pytest
from apiserver_cases import PAUSE, api_findings

from deepdive.validate.engine import Validator
from deepdive.validate.findings import Finding
from deepdive.validate.ruleids import RULES, allowable


def pod(containers: str, init: str = "") -> str:
    return (f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n{init}"
            f"  containers:\n{containers}")


def workload(kind: str, spec_extra: str = "", pod_extra: str = "") -> str:
    return (f"apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: w\nspec:\n{spec_extra}"
            "  selector:\n    matchLabels:\n      app: w\n"
            "  template:\n    metadata:\n      labels:\n        app: w\n"
            f"    spec:\n{pod_extra}      containers:\n        - name: c\n"
            f"          image: {PAUSE}\n")


def configmap(metadata: str = "  name: c\n") -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n{metadata}data:\n  k: v\n"


def service(name: str = "web", ports: str = "    - port: 80\n") -> str:
    return f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  ports:\n{ports}"


def one(findings: list[Finding], rule: str, line: int, kind: str) -> Finding:
    assert [(f.rule, f.line) for f in findings] == [(rule, line)], findings
    assert kind in findings[0].message, findings[0].message
    return findings[0]


def test_api_rules_cannot_be_allowed() -> None:
    api = [rule for rule in RULES if rule.startswith("api-") and rule not in
           ("api-removed", "api-not-yet-served", "api-deprecated")]
    assert len(api) == 27  # 9 here, 18 in test_validate_apiserver_*.py
    assert not any(allowable(rule) for rule in api)


# --- api-object-name (ValidateObjectMeta with each kind's nameFn) -----------------------
@pytest.mark.parametrize("text", [
    configmap("  name: my.config-1\n"),
    service("web-api"),
    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n",
])
def test_object_name_accepts(validator: Validator, tmp_path: Path, text: str) -> None:
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize("text", [
    configmap("  name: My_Config\n"),
    service("web.api"),  # DNS-1035 label: no dots
    service("1web"),  # DNS-1035 label: RelaxedServiceNameValidation is off by default
    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team.a\n",  # a DNS-1123 label
])
def test_object_name_rejects(validator: Validator, tmp_path: Path, text: str) -> None:
    found = one(api_findings(validator, tmp_path, text), "api-object-name", 4, "Invalid value")
    assert found.field == "metadata.name" and found.message.startswith("Invalid value:")


# --- api-label (ValidateLabels) -----------------------------------------------------------
def test_label_accepts(validator: Validator, tmp_path: Path) -> None:
    text = configmap("  name: c\n  labels:\n    app.kubernetes.io/name: web\n    empty: ''\n"
                     "    v: 1.2_3-a\n")
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize(("labels", "line"), [
    ("    tier: has spaces!\n", 6),
    ("    Example.com/x: v\n", 6),  # the prefix is a DNS-1123 subdomain
    (f"    k: {'a' * 64}\n", 6),
])
def test_label_rejects(validator: Validator, tmp_path: Path, labels: str, line: int) -> None:
    text = configmap(f"  name: c\n  labels:\n{labels}")
    found = one(api_findings(validator, tmp_path, text), "api-label", line, "Invalid value")
    assert found.field.startswith("metadata.labels.") and found.message.startswith("Invalid")


def test_pod_template_labels_are_checked(validator: Validator, tmp_path: Path) -> None:
    text = workload("Deployment").replace("        app: w\n", "        app: w\n        -x: v\n")
    one(api_findings(validator, tmp_path, text), "api-label", 13, "Invalid value")


# --- api-annotation-key (ValidateAnnotations) ----------------------------------------------
def test_annotation_key_accepts(validator: Validator, tmp_path: Path) -> None:
    text = configmap("  name: c\n  annotations:\n    Example.COM/Owner: 'any value: at all!'\n")
    assert api_findings(validator, tmp_path, text) == []


def test_annotation_key_rejects(validator: Validator, tmp_path: Path) -> None:
    text = configmap("  name: c\n  annotations:\n    a/b/c: x\n")
    one(api_findings(validator, tmp_path, text), "api-annotation-key", 6, "Invalid value")


# --- api-container-name (validateContainerCommon, validateContainers, validateInitContainers)
def test_container_name_accepts(validator: Validator, tmp_path: Path) -> None:
    text = pod(f"    - name: a\n      image: {PAUSE}\n    - name: b-2\n      image: {PAUSE}\n",
               f"  initContainers:\n    - name: init\n      image: {PAUSE}\n")
    assert api_findings(validator, tmp_path, text) == []


def test_container_name_rejects_duplicates(validator: Validator, tmp_path: Path) -> None:
    text = pod(f"    - name: a\n      image: {PAUSE}\n    - name: a\n      image: {PAUSE}\n")
    found = one(api_findings(validator, tmp_path, text), "api-container-name", 9,
                "Duplicate value")
    assert (found.field, found.message) == ("spec.containers[1].name", 'Duplicate value: "a"')


def test_init_container_name_must_differ_from_containers(
    validator: Validator, tmp_path: Path
) -> None:
    text = pod(f"    - name: a\n      image: {PAUSE}\n",
               f"  initContainers:\n    - name: a\n      image: {PAUSE}\n")
    found = one(api_findings(validator, tmp_path, text), "api-container-name", 7,
                "Duplicate value")
    assert found.field == "spec.initContainers[0].name"


def test_container_name_rejects_non_label(validator: Validator, tmp_path: Path) -> None:
    text = pod(f"    - name: Web_App\n      image: {PAUSE}\n")
    one(api_findings(validator, tmp_path, text), "api-container-name", 7, "Invalid value")


# --- api-container-image (validateContainerCommon) -----------------------------------------
def test_container_image_accepts(validator: Validator, tmp_path: Path) -> None:
    assert api_findings(validator, tmp_path, pod(f"    - name: a\n      image: {PAUSE}\n")) == []


def test_container_image_rejects(validator: Validator, tmp_path: Path) -> None:
    found = one(api_findings(validator, tmp_path, pod("    - name: a\n")),
                "api-container-image", 7, "Required value")
    assert (found.field, found.message) == ("spec.containers[0].image", "Required value")


# --- api-container-port (validateContainerPorts) -------------------------------------------
def test_container_port_accepts(validator: Validator, tmp_path: Path) -> None:
    text = pod(f"    - name: a\n      image: {PAUSE}\n      ports:\n"
               "        - containerPort: 65535\n          name: http-2\n"
               "        - containerPort: 1\n          name: metrics\n")
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize(("ports", "kind"), [
    ("        - containerPort: 70000\n", "Invalid value"),
    ("        - containerPort: 0\n", "Required value"),
    ("        - containerPort: 80\n          name: this-port-name-is-too-long\n", "Invalid value"),
    ("        - containerPort: 80\n          name: '8080'\n", "Invalid value"),  # no letter
    ("        - containerPort: 80\n          name: a--b\n", "Invalid value"),
])
def test_container_port_rejects(validator: Validator, tmp_path: Path, ports: str,
                                kind: str) -> None:
    text = pod(f"    - name: a\n      image: {PAUSE}\n      ports:\n{ports}")
    line = 11 if "name:" in ports else 10
    one(api_findings(validator, tmp_path, text), "api-container-port", line, kind)


def test_container_port_names_are_unique(validator: Validator, tmp_path: Path) -> None:
    text = pod(f"    - name: a\n      image: {PAUSE}\n      ports:\n"
               "        - containerPort: 80\n          name: http\n"
               "        - containerPort: 81\n          name: http\n")
    one(api_findings(validator, tmp_path, text), "api-container-port", 13, "Duplicate value")


# --- api-service-port (validateServicePort) ------------------------------------------------
def test_service_port_accepts(validator: Validator, tmp_path: Path) -> None:
    one_unnamed = service(ports="    - port: 80\n")
    two_named = service(ports="    - port: 80\n      name: http\n    - port: 443\n"
                              "      name: https\n")
    assert api_findings(validator, tmp_path, one_unnamed) == []
    assert api_findings(validator, tmp_path, two_named) == []


@pytest.mark.parametrize(("ports", "line", "kind"), [
    ("    - port: 80\n      name: http\n    - port: 443\n", 9, "Required value"),
    ("    - port: 80\n      name: http\n    - port: 443\n      name: http\n", 10,
     "Duplicate value"),
    ("    - port: 70000\n", 7, "Invalid value"),
])
def test_service_port_rejects(validator: Validator, tmp_path: Path, ports: str, line: int,
                              kind: str) -> None:
    one(api_findings(validator, tmp_path, service(ports=ports)), "api-service-port", line, kind)


# --- api-replicas (ValidateNonnegativeField in the apps Validate*Spec) ----------------------
@pytest.mark.parametrize("kind", ["Deployment", "ReplicaSet", "StatefulSet"])
def test_replicas_accepts_zero(validator: Validator, tmp_path: Path, kind: str) -> None:
    assert api_findings(validator, tmp_path, workload(kind, "  replicas: 0\n")) == []


@pytest.mark.parametrize("kind", ["Deployment", "ReplicaSet", "StatefulSet"])
def test_replicas_rejects_negative(validator: Validator, tmp_path: Path, kind: str) -> None:
    found = one(api_findings(validator, tmp_path, workload(kind, "  replicas: -1\n")),
                "api-replicas", 6, "Invalid value")
    assert (found.field, found.message) == (
        "spec.replicas", "Invalid value: -1: must be greater than or equal to 0")


# --- api-restart-policy (ValidatePodTemplateSpecForReplicaSet, ValidateStatefulSetSpec,
# ValidateDaemonSetSpec) --------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"])
def test_restart_policy_accepts_always(validator: Validator, tmp_path: Path, kind: str) -> None:
    text = workload(kind, pod_extra="      restartPolicy: Always\n")
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize("kind", ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"])
def test_restart_policy_rejects_never(validator: Validator, tmp_path: Path, kind: str) -> None:
    text = workload(kind, pod_extra="      restartPolicy: Never\n")
    found = one(api_findings(validator, tmp_path, text), "api-restart-policy", 14,
                "Unsupported value")
    assert found.field == "spec.template.spec.restartPolicy"


def test_restart_policy_never_is_fine_for_a_pod(validator: Validator, tmp_path: Path) -> None:
    text = pod(f"    - name: a\n      image: {PAUSE}\n").replace(
        "spec:\n", "spec:\n  restartPolicy: Never\n")
    assert api_findings(validator, tmp_path, text) == []


def test_a_service_name_with_a_leading_digit_names_the_releases_that_accept_it(
    validator: Validator, tmp_path: Path
) -> None:
    """1.35 refuses it; RelaxedServiceNameValidation is on by default from 1.36 (beta)."""
    leading_digit = one(api_findings(validator, tmp_path, service("1web")),
                        "api-object-name", 4, "Invalid value")
    assert "1.36, 1.37 accept a leading digit" in leading_digit.message
    dotted = one(api_findings(validator, tmp_path, service("web.api")),
                 "api-object-name", 4, "Invalid value")
    assert "accept a leading digit" not in dotted.message  # no release accepts a dot
