"""Cases for the validator's cross-reference rules and YAML checks that `make mutation` found
unpinned: the line a duplicate key was first written on, aliased mappings, `Exists` on a
missing label, a Service or pod without a namespace, fully qualified and installed hosts."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepdive.validate.engine import Validator


def run(validator: Validator, folder: Path, text: str) -> list[tuple[str, int, str]]:
    (folder / "set.yaml").write_text(text)
    return [(f.rule, f.line, f.message) for f in validator.run([folder]).findings]


def test_a_duplicate_key_names_the_line_of_the_first(validator: Validator,
                                                     tmp_path: Path) -> None:
    text = """apiVersion: v1
kind: ConfigMap
metadata:
  name: twice
data:
  mode: a
  other: b
  mode: c
"""
    assert run(validator, tmp_path, text) == [
        ("yaml-duplicate-key", 8, "duplicate key 'mode' (first at line 6); YAML parsers keep "
                                  "only one")]


def test_a_duplicate_in_an_aliased_mapping_is_reported_once(validator: Validator,
                                                           tmp_path: Path) -> None:
    text = """apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: a}
    data: &shared
      k: "1"
      k: "2"
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: b}
    data: *shared
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: c}
    data: {x: "1", y: "2"}
"""
    found = [(rule, line) for rule, line, _ in run(validator, tmp_path, text)]
    assert found == [("yaml-duplicate-key", 9)]


def test_duplicates_in_two_lists_of_one_document(validator: Validator, tmp_path: Path) -> None:
    text = """apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - {name: a, image: "registry.k8s.io/pause:3.10", image: "registry.k8s.io/pause:3.9"}
  initContainers:
    - {name: b, image: "registry.k8s.io/pause:3.10", image: "registry.k8s.io/pause:3.9"}
"""
    found = [(rule, line) for rule, line, _ in run(validator, tmp_path, text)]
    assert sorted(found) == [("yaml-duplicate-key", 6), ("yaml-duplicate-key", 8)]


DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
    matchExpressions: [{key: KEY, operator: OPERATOR}]
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "registry.k8s.io/pause:3.10"}]
"""


@pytest.mark.parametrize(("key", "operator", "holds"), [
    ("app", "Exists", True), ("track", "Exists", False),
    ("track", "DoesNotExist", True), ("app", "DoesNotExist", False),
])
def test_exists_on_a_label_the_template_lacks(validator: Validator, tmp_path: Path, key: str,
                                              operator: str, holds: bool) -> None:
    text = DEPLOYMENT.replace("KEY", key).replace("OPERATOR", operator)
    rules = [rule for rule, _, _ in run(validator, tmp_path, text)]
    assert ("selector-mismatch" in rules) is (not holds)


SERVICE_AND_POD = """apiVersion: v1
kind: Service
metadata: {name: web SERVICE_NS}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web} POD_NS}
spec:
  containers: [{name: web, image: "registry.k8s.io/pause:3.10",
                ports: [{containerPort: 8080}]}]
"""


@pytest.mark.parametrize(("service_ns", "pod_ns"), [
    ("", ", namespace: shop"),  # a file without a namespace goes where it is applied
    (", namespace: shop", ""),
    ("", ""),
])
def test_an_unset_namespace_matches_any(validator: Validator, tmp_path: Path, service_ns: str,
                                        pod_ns: str) -> None:
    text = SERVICE_AND_POD.replace(" SERVICE_NS", service_ns).replace(" POD_NS", pod_ns)
    assert run(validator, tmp_path, text) == []


ROUTES = """apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080, targetPort: 9080}]
---
apiVersion: v1
kind: Pod
metadata: {name: reviews, namespace: shop, labels: {app: reviews}}
spec:
  containers: [{name: r, image: "registry.k8s.io/pause:3.10", ports: [{containerPort: 9080}]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: front}
spec:
  hosts: [reviews.shop.svc.cluster.local]
  http:
    - route:
        - destination: {host: HOST}
"""


@pytest.mark.parametrize(("host", "resolves"), [
    ("reviews.shop.svc.cluster.local", True),
    ("reviews.front.svc.cluster.local", False),  # the name, in another namespace
    ("reviews.shop.svc.cluster.example", False),  # five labels, not the cluster suffix
    ("reviews.shop.svc.other.local", False),
    ("shop.reviews.svc.cluster.local", False),  # name and namespace swapped
    ("istio-ingressgateway.istio-system.svc.cluster.local", True),
    ("istio-system.istio-ingressgateway.svc.cluster.local", False),
])
def test_fully_qualified_hosts(validator: Validator, tmp_path: Path, host: str, resolves: bool,
                               crds_available: None) -> None:
    rules = [rule for rule, _, _ in run(validator, tmp_path, ROUTES.replace("HOST", host))]
    assert ("istio-host-unresolved" in rules) is (not resolves), rules
