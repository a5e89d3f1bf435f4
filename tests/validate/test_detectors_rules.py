"""Controls for validator checks that no other fixture exercised: each test has a case that
must be reported and a near-identical case that must not, so a check that stops looking
(or looks too widely) fails here. Only the validator's public run() is used."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepdive.validate.engine import Validator


def findings(validator: Validator, folder: Path, text: str) -> list[tuple[str, int, str]]:
    """(rule, line, field) of every finding for one file holding `text`, alone in its folder."""
    (folder / "set.yaml").write_text(text)
    return [(f.rule, f.line, f.field) for f in validator.run([folder]).findings]


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if fragment in line)


# --- label selectors: matchExpressions operators ---------------------------------------------

SELECTOR = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
    matchExpressions:
      - {key: track, operator: OPERATOR, values: [VALUES]}
  template:
    metadata:
      labels: {app: web, track: stable}
    spec:
      containers:
        - name: web
          image: registry.k8s.io/pause:3.10
"""


@pytest.mark.parametrize(("operator", "values", "holds"), [
    ("In", "stable", True),
    ("In", "canary", False),
    ("NotIn", "canary", True),  # the template's track=stable is not in [canary]
    ("NotIn", "stable", False),
    ("NotIn", "canary, stable", False),
])
def test_match_expressions_hold_as_kubernetes_evaluates_them(
    validator: Validator, tmp_path: Path, operator: str, values: str, holds: bool
) -> None:
    text = SELECTOR.replace("OPERATOR", operator).replace("VALUES", values)
    expected = [] if holds else [
        ("selector-mismatch", line_of(text, "- {key: track"), "spec.selector.matchExpressions[0]")]
    assert findings(validator, tmp_path, text) == expected


@pytest.mark.parametrize(("operator", "holds"), [("Exists", True), ("DoesNotExist", False)])
def test_exists_operators(validator: Validator, tmp_path: Path, operator: str,
                          holds: bool) -> None:
    text = SELECTOR.replace("operator: OPERATOR, values: [VALUES]", f"operator: {operator}")
    expected = [] if holds else [
        ("selector-mismatch", line_of(text, "- {key: track"), "spec.selector.matchExpressions[0]")]
    assert findings(validator, tmp_path, text) == expected


# --- a Service selects pods of its own namespace only -----------------------------------------

SERVICE_AND_POD = """apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: SERVICE_NS
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: POD_NS
  labels: {app: web}
spec:
  containers:
    - name: web
      image: registry.k8s.io/pause:3.10
      ports: [{containerPort: 8080}]
"""


@pytest.mark.parametrize(("service_ns", "pod_ns", "selected"), [
    ("shop", "shop", True),
    ("shop", "billing", False),  # same labels, other namespace: no endpoints
])
def test_a_service_selects_pods_in_its_own_namespace_only(
    validator: Validator, tmp_path: Path, service_ns: str, pod_ns: str, selected: bool
) -> None:
    text = SERVICE_AND_POD.replace("SERVICE_NS", service_ns).replace("POD_NS", pod_ns)
    expected = [] if selected else [
        ("service-selects-nothing", line_of(text, "selector: {app: web}"), "spec.selector")]
    assert findings(validator, tmp_path, text) == expected


# --- Istio: ServiceEntry wildcard hosts match whole DNS labels -------------------------------

WILDCARD = """apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: external
spec:
  hosts: ["*.example.org"]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: NONE
  location: MESH_EXTERNAL
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: out
spec:
  hosts: [HOST]
  tls:
    - match: [{port: 443, sniHosts: [HOST]}]
      route:
        - destination: {host: HOST, port: {number: 443}}
"""


@pytest.mark.parametrize(("host", "resolves"), [
    ("api.example.org", True),
    ("a.b.example.org", True),  # Istio's wildcard covers any number of labels
    ("notexample.org", False),  # a suffix of the text, not of the DNS labels
    ("example.org", False),  # `*.` needs at least one label in front
    ("api.example.org.evil", False),
])
def test_wildcard_service_entry_hosts_match_whole_labels(
    validator: Validator, tmp_path: Path, host: str, resolves: bool, crds_available: None
) -> None:
    text = WILDCARD.replace("HOST", host)
    expected = [] if resolves else [
        ("istio-host-unresolved", line_of(text, "- destination:"),
         "spec.tls[0].route[0].destination.host")]
    assert findings(validator, tmp_path, text) == expected


# --- YAML: a repeated key anywhere, list items included --------------------------------------

POD_WITH_LIST = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: registry.k8s.io/pause:3.10
      image: registry.k8s.io/pause:3.9
      ports:
        - containerPort: 8080
          containerPort: 8081
"""


def test_duplicate_keys_inside_list_items_are_reported(validator: Validator,
                                                       tmp_path: Path) -> None:
    found = [(rule, line) for rule, line, _ in findings(validator, tmp_path, POD_WITH_LIST)]
    assert sorted(found) == [
        ("yaml-duplicate-key", line_of(POD_WITH_LIST, "pause:3.9")),
        ("yaml-duplicate-key", line_of(POD_WITH_LIST, "containerPort: 8081")),
    ]


def test_duplicate_keys_inside_a_list_document_item(validator: Validator,
                                                    tmp_path: Path) -> None:
    text = """apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: settings}
    data:
      mode: a
      mode: b
"""
    assert [(rule, line) for rule, line, _ in findings(validator, tmp_path, text)] == [
        ("yaml-duplicate-key", line_of(text, "mode: b"))]


# --- strict schemas keep `required`, and reach into list items -------------------------------

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: registry.k8s.io/pause:3.10
          ports:
            - containerPort: 8080
"""


def test_the_kubernetes_schemas_keep_required_fields(validator: Validator,
                                                     tmp_path: Path) -> None:
    assert findings(validator, tmp_path, DEPLOYMENT) == []
    no_selector = DEPLOYMENT.replace("  selector:\n    matchLabels: {app: web}\n", "")
    assert ("schema-violation", line_of(no_selector, "spec:"), "spec") in findings(
        validator, tmp_path, no_selector)
    no_port = DEPLOYMENT.replace("- containerPort: 8080", "- name: http")
    assert findings(validator, tmp_path, no_port) == [
        ("schema-violation", line_of(no_port, "- name: http"),
         "spec.template.spec.containers[0].ports[0]")]


VIRTUAL_SERVICE = """apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: site
spec:
  hosts: [example.com]
  ports: [{number: 80, name: http, protocol: HTTP}]
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: site
spec:
  hosts: [example.com]
  http:
    - name: main
      route:
        - destination: {host: example.com}
          weight: 100
"""


@pytest.mark.parametrize(("extra", "after"), [
    ("      color: red\n", "    - name: main\n"),  # in an item of http
    ("          color: red\n", "          weight: 100\n"),  # in an item of route, deeper
])
def test_crd_schemas_are_strict_inside_list_items(
    validator: Validator, tmp_path: Path, extra: str, after: str, crds_available: None
) -> None:
    assert findings(validator, tmp_path, VIRTUAL_SERVICE) == []
    text = VIRTUAL_SERVICE.replace(after, after + extra)
    [(rule, line, field)] = findings(validator, tmp_path, text)
    assert (rule, line) == ("schema-unknown-field", line_of(text, "color: red"))
    assert field.endswith(".color") and "[0]" in field


def test_crd_schemas_keep_required_fields(validator: Validator, tmp_path: Path,
                                          crds_available: None) -> None:
    text = VIRTUAL_SERVICE.replace("        - destination: {host: example.com}\n",
                                   "        - destination: {subset: v1}\n")
    assert ("schema-violation", line_of(text, "destination: {subset"),
            "spec.http[0].route[0].destination") in findings(validator, tmp_path, text)


def test_merge_keys_may_repeat_and_aliased_mappings_are_reported_once(
    validator: Validator, tmp_path: Path
) -> None:
    text = """apiVersion: v1
kind: ConfigMap
metadata:
  name: merged
  labels: &base
    app: web
    app: api
data:
  <<: {a: "1"}
  <<: {b: "2"}
  again: &other {x: "1"}
binaryData: {}
"""
    found = [(rule, line) for rule, line, _ in findings(validator, tmp_path, text)]
    assert ("yaml-duplicate-key", line_of(text, "app: api")) in found
    assert [rule for rule, _ in found].count("yaml-duplicate-key") == 1  # `<<` may repeat


def test_an_unknown_selector_operator_is_left_to_the_schema(validator: Validator,
                                                            tmp_path: Path) -> None:
    text = SELECTOR.replace("OPERATOR", "Near").replace("VALUES", "stable")
    rules = [rule for rule, _, _ in findings(validator, tmp_path, text)]
    assert "selector-mismatch" not in rules
