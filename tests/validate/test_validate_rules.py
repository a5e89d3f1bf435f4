"""Cross-reference rules on small example sets: what Kubernetes and Istio accept must not
be reported, and what they reject (or misroute) must be, at the field's line."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepdive.validate.engine import Validator


def findings(validator: Validator, folder: Path, text: str) -> list[tuple[str, int]]:
    """(rule, line) of every finding for one file holding `text`, alone in its folder."""
    (folder / "set.yaml").write_text(text)
    return [(f.rule, f.line) for f in validator.run([folder]).findings]


POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
    - name: web
      image: registry.k8s.io/pause:3.10
      ports: [{name: http, containerPort: 8080}]
"""


def test_replication_controller_without_selector_uses_its_template_labels(
    validator: Validator, tmp_path: Path
) -> None:
    text = """apiVersion: v1
kind: ReplicationController
metadata:
  name: rc
spec:
  replicas: 1
  template:
    metadata:
      labels: {app: rc}
    spec:
      containers: [{name: c, image: "registry.k8s.io/pause:3.10"}]
"""
    assert findings(validator, tmp_path, text) == []
    mismatched = text.replace("  replicas: 1\n", "  replicas: 1\n  selector: {app: other}\n")
    assert findings(validator, tmp_path, mismatched) == [("selector-mismatch", 7)]


MESH_SERVICE = """apiVersion: v1
kind: Namespace
metadata:
  name: mesh
  labels: {istio-injection: enabled}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: mesh
spec:
  selector: {app: web}
  ports:
    - {PORT}
---
""" + POD.replace("  name: web\n", "  name: web\n  namespace: mesh\n", 1)


@pytest.mark.parametrize("port", [
    "{name: http-web, port: 80, targetPort: http}",
    "{name: grpc-web, port: 80, targetPort: http}",
    "{name: dns, port: 53, protocol: UDP, targetPort: 8080}",  # Istio reads UDP from protocol
    "{name: web, port: 80, appProtocol: kubernetes.io/h2c, targetPort: http}",
    "{name: web, port: 80, appProtocol: HTTP, targetPort: http}",  # Istio ignores the case
])
def test_port_protocols_istio_reads(validator: Validator, tmp_path: Path, port: str,
                                    crds_available: None) -> None:
    assert findings(validator, tmp_path, MESH_SERVICE.replace("{PORT}", port)) == []


@pytest.mark.parametrize("port", [
    "{name: web, port: 80, targetPort: http}",
    # appProtocol wins over the name, so an unknown one leaves Istio guessing
    "{name: http, port: 80, appProtocol: postgresql, targetPort: http}",
])
def test_port_protocols_istio_must_guess(validator: Validator, tmp_path: Path, port: str,
                                         crds_available: None) -> None:
    text = MESH_SERVICE.replace("{PORT}", port)
    line = text.splitlines().index(f"    - {port}") + 1
    assert findings(validator, tmp_path, text) == [("istio-port-protocol", line)]


def test_destination_rule_subsets_of_a_service_without_pods(
    validator: Validator, tmp_path: Path, crds_available: None
) -> None:
    """An ExternalName Service (or one without a selector) has no pod templates for subset
    labels to select: the labels apply to endpoints the set cannot see."""
    text = """apiVersion: v1
kind: Service
metadata:
  name: ext
spec:
  type: ExternalName
  externalName: example.com
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ext
spec:
  host: ext
  subsets:
    - name: v1
      labels: {version: v1}
"""
    assert findings(validator, tmp_path, text) == []
    selector = "  selector: {app: web}\n  ports: [{name: http, port: 80, targetPort: http}]\n"
    with_pods = text.replace("  type: ExternalName\n  externalName: example.com\n", selector)
    assert findings(validator, tmp_path, with_pods + "---\n" + POD) == [
        ("istio-subset-selects-nothing", 17)]


@pytest.mark.parametrize(("labels", "in_mesh"), [
    ("{istio-injection: enabled}", True),
    ("{istio.io/rev: canary}", True),
    ("{istio.io/dataplane-mode: ambient}", True),
    ("{istio-injection: disabled}", False),
    ("{istio.io/dataplane-mode: none}", False),  # ambient's opt-out
])
def test_a_namespace_label_puts_the_set_in_the_mesh(
    validator: Validator, tmp_path: Path, labels: str, in_mesh: bool
) -> None:
    text = MESH_SERVICE.replace("{istio-injection: enabled}", labels).replace(
        "{PORT}", "{name: web, port: 80, targetPort: http}")
    line = text.splitlines().index("    - {name: web, port: 80, targetPort: http}") + 1
    expected = [("istio-port-protocol", line)] if in_mesh else []
    assert findings(validator, tmp_path, text) == expected


GATEWAY_SET = """apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: public
  namespace: edge
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: site
  namespace: VS_NAMESPACE
spec:
  hosts: [example.com]
  ports: [{number: 80, name: http, protocol: HTTP}]
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: site
  namespace: VS_NAMESPACE
spec:
  hosts: [example.com]
  gateways: [REFERENCE]
  http:
    - route:
        - destination: {host: example.com}
"""


@pytest.mark.parametrize(("vs_namespace", "reference", "bound"), [
    ("edge", "public", True),  # a short name is in the VirtualService's namespace
    ("edge", "./public", True),
    ("shop", "edge/public", True),
    ("shop", "public.edge.svc.cluster.local", True),  # the legacy form Istio still reads
    ("shop", "public", False),  # short, so it means shop/public
    ("shop", "./public", False),
    ("shop", "shop/public", False),
])
def test_gateway_references_resolve_as_istio_reads_them(
    validator: Validator, tmp_path: Path, vs_namespace: str, reference: str, bound: bool,
    crds_available: None,
) -> None:
    text = GATEWAY_SET.replace("VS_NAMESPACE", vs_namespace).replace("REFERENCE", reference)
    line = text.splitlines().index(f"  gateways: [{reference}]") + 1
    expected = [] if bound else [("istio-gateway-missing", line)]
    assert findings(validator, tmp_path, text) == expected


HOST_SET = """apiVersion: v1
kind: Service
metadata:
  name: reviews
  namespace: shop
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080, targetPort: http}]
---
apiVersion: v1
kind: Pod
metadata:
  name: reviews
  namespace: shop
  labels: {app: reviews, version: v1}
spec:
  containers:
    - name: reviews
      image: registry.k8s.io/pause:3.10
      ports: [{name: http, containerPort: 9080}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: RULE_NAMESPACE
spec:
  host: HOST
  subsets: [{name: v1, labels: {version: v1}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: RULE_NAMESPACE
spec:
  hosts: [reviews.shop.svc.cluster.local]
  http:
    - route:
        - destination: {host: HOST, subset: v1}
"""


@pytest.mark.parametrize(("namespace", "host", "resolves"), [
    ("shop", "reviews", True),  # a short name, in the rules' own namespace
    ("shop", "reviews.shop.svc.cluster.local", True),
    ("front", "reviews.shop.svc.cluster.local", True),
    ("front", "reviews", False),  # means reviews.front.svc.cluster.local
    ("shop", "reviews.shop", False),  # a dot: Istio takes it literally
    ("shop", "reviews.shop.svc", False),
    ("shop", "reviews.other.svc.cluster.local", False),
])
def test_hosts_resolve_as_istio_expands_them(
    validator: Validator, tmp_path: Path, namespace: str, host: str, resolves: bool,
    crds_available: None,
) -> None:
    text = HOST_SET.replace("RULE_NAMESPACE", namespace).replace("HOST", host)
    lines = text.splitlines()
    expected = [] if resolves else [
        ("istio-dr-host-unresolved", lines.index(f"  host: {host}") + 1),
        ("istio-host-unresolved", lines.index(f"        - destination: {{host: {host}, "
                                              "subset: v1}") + 1),
    ]
    assert findings(validator, tmp_path, text) == expected


EGRESS_ROUTE = """apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: out
spec:
  hosts: [example.org]
  http:
    - route:
        - destination: {host: HOST}
"""


@pytest.mark.parametrize(("host", "resolves"), [
    # istioctl install creates these Services: no manifest of the set has to
    ("istio-egressgateway.istio-system.svc.cluster.local", True),
    ("istio-ingressgateway.istio-system.svc.cluster.local", True),
    ("istio-egressgateway.default.svc.cluster.local", False),  # not where Istio puts it
    ("istio-egressgateway", False),  # a short name means the rule's own namespace
    ("my-gateway.istio-system.svc.cluster.local", False),  # not one Istio installs
])
def test_services_istio_installs_resolve_by_their_full_name(
    validator: Validator, tmp_path: Path, host: str, resolves: bool, crds_available: None,
) -> None:
    text = EGRESS_ROUTE.replace("HOST", host)
    line = text.splitlines().index(f"        - destination: {{host: {host}}}") + 1
    expected = [] if resolves else [("istio-host-unresolved", line)]
    assert findings(validator, tmp_path, text) == expected


def test_a_half_qualified_host_is_told_how_to_write_it(
    validator: Validator, tmp_path: Path, crds_available: None
) -> None:
    (tmp_path / "set.yaml").write_text(HOST_SET.replace("RULE_NAMESPACE", "shop")
                                       .replace("HOST", "reviews.shop"))
    messages = {f.message for f in validator.run([tmp_path]).findings}
    assert messages == {'host "reviews.shop" matches no Service or ServiceEntry in this example '
                        'set; Istio reads a host with a dot literally: write "reviews" (in the '
                        'same namespace) or "reviews.shop.svc.cluster.local"'}


TARGET_SET = """apiVersion: v1
kind: Service
metadata:
  name: dns
spec:
  selector: {app: dns}
  ports:
    - {SERVICE_PORT}
---
apiVersion: v1
kind: Pod
metadata:
  name: dns
  labels: {app: dns}
spec:
  initContainers:
    - {name: setup, image: "registry.k8s.io/pause:3.10", INIT}
  containers:
    - {name: dns, image: "registry.k8s.io/pause:3.10", APP}
"""
UDP_53 = "ports: [{name: dns, containerPort: 53, protocol: UDP}]"


@pytest.mark.parametrize(("service_port", "init", "app", "reaches"), [
    ("{name: dns, port: 53, protocol: UDP, targetPort: dns}", "", UDP_53, True),
    # Kubernetes resolves a named targetPort by name and protocol: TCP finds no "dns"
    ("{name: dns, port: 53, targetPort: dns}", "", UDP_53, False),
    # a plain init container has exited before any traffic arrives; a sidecar has not
    ("{name: dns, port: 53, protocol: UDP, targetPort: dns}", UDP_53, "", False),
    ("{name: dns, port: 53, protocol: UDP, targetPort: dns}",
     "restartPolicy: Always, " + UDP_53, "", True),
])
def test_named_target_ports_resolve_as_kubernetes_finds_them(
    validator: Validator, tmp_path: Path, service_port: str, init: str, app: str, reaches: bool
) -> None:
    text = (TARGET_SET.replace("{SERVICE_PORT}", service_port)
            .replace(", INIT}", f", {init}}}" if init else "}")
            .replace(", APP}", f", {app}}}" if app else "}"))
    line = text.splitlines().index(f"    - {service_port}") + 1
    assert findings(validator, tmp_path, text) == ([] if reaches else [
        ("service-target-port", line)])


ROUTES = """apiVersion: networking.istio.io/v1
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
    - match: [MATCH]
      route: [{destination: {host: example.com}}]
    - route: [{destination: {host: example.com}}]
"""


@pytest.mark.parametrize(("match", "catches_all"), [
    ("{uri: {prefix: /}}", True),
    ("{uri: {prefix: /}, ignoreUriCase: true, name: all}", True),
    ('{uri: {regex: ".*"}}', True),
    ('{uri: {regex: "/.*"}}', True),
    ("{}", True),
    ("{uri: {prefix: /api}}", False),
    ("{uri: {prefix: /}, headers: {x-canary: {exact: 'yes'}}}", False),
    ("{uri: {prefix: /api}}, {uri: {prefix: /}}", True),  # any entry that takes all
])
def test_a_route_after_a_catch_all_is_unreachable(
    validator: Validator, tmp_path: Path, match: str, catches_all: bool, crds_available: None
) -> None:
    text = ROUTES.replace("MATCH", match)
    line = text.splitlines().index("    - route: [{destination: {host: example.com}}]") + 1
    expected = [("istio-unreachable-route", line)] if catches_all else []
    assert findings(validator, tmp_path, text) == expected


WEIGHTED_ROUTE = """apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: out
spec:
  hosts: [example.org]
  http:
    - route:
        - destination: {host: example.org}
          weight: FIRST
        - destination: {host: example.org}
          weight: SECOND
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: example
spec:
  hosts: [example.org]
  ports: [{number: 80, name: http, protocol: HTTP}]
  resolution: DNS
"""


@pytest.mark.parametrize(("first", "second", "refused"), [
    (90, 10, False),
    (3, 1, False),  # relative: Envoy divides each weight by the sum
    (80, 30, False),
    (0, 5, False),
    (0, 0, True),  # Istio: total destination weight = 0
])
def test_route_weights_are_relative_and_only_a_zero_total_is_refused(
    validator: Validator, tmp_path: Path, first: int, second: int, refused: bool,
    crds_available: None,
) -> None:
    text = WEIGHTED_ROUTE.replace("FIRST", str(first)).replace("SECOND", str(second))
    line = text.splitlines().index("    - route:") + 1
    expected = [("istio-route-weights", line)] if refused else []
    assert findings(validator, tmp_path, text) == expected
