"""Service, EndpointSlice and per-document facts compared whole, with every default the API
server fills in written out. Written to kill the mutants `make mutation` found surviving in
facts/service.py and facts/document.py: a field that silently falls back to a default (or
an error that loses its message) is what a page would then state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from deepdive.facts.document import document_facts
from deepdive.facts.service import (
    EndpointSliceFacts,
    ServiceError,
    ServiceFacts,
    ServicePort,
    endpointslice_facts,
    resolve_target_port,
    service_facts,
)
from deepdive.manifests import Document


def data(text: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def test_a_service_in_full() -> None:
    facts = service_facts(data("""
metadata: {name: shop, namespace: store}
spec:
  type: NodePort
  selector: {app: shop, tier: 1}
  ports:
    - {name: http, port: 80, targetPort: web, nodePort: 30080}
    - {name: dns, port: 53, protocol: UDP}
    - {name: admin, port: 9000, targetPort: 9001, nodePort: auto}
"""))
    assert facts == ServiceFacts(
        name="shop", namespace="store", type="NodePort", headless=False, external_name=None,
        selector={"app": "shop", "tier": "1"},
        ports=(ServicePort("http", "TCP", 80, "web", 30080),
               ServicePort("dns", "UDP", 53, 53, None),  # targetPort defaults to port
               ServicePort("admin", "TCP", 9000, 9001, None)),
    )
    assert facts.dns_name == "shop.store.svc.cluster.local"
    assert facts.srv_name("dns") == "_dns._udp.shop.store.svc.cluster.local"
    assert facts.port("admin").port == 9000


def test_service_defaults() -> None:
    facts = service_facts(data("metadata: {}\nspec: {ports: [{port: 8080}]}"))
    assert facts == ServiceFacts(name="", namespace="default", type="ClusterIP",
                                 headless=False, external_name=None, selector={},
                                 ports=(ServicePort("", "TCP", 8080, 8080, None),))
    assert facts.port() == facts.ports[0]  # the only port needs no name
    headless = service_facts(data("metadata: {name: db}\nspec: {clusterIP: None}"))
    assert headless.headless and headless.ports == ()
    external = service_facts(data(
        "metadata: {name: api}\nspec: {type: ExternalName, externalName: api.example.com}"))
    assert (external.type, external.external_name) == ("ExternalName", "api.example.com")


@pytest.mark.parametrize("port", [1, 65535])
def test_port_numbers_at_the_ends_of_the_range(port: int) -> None:
    assert service_facts({"spec": {"ports": [{"port": port}]}}).ports[0].port == port


@pytest.mark.parametrize("port", [0, 65536, "80", True, None])
def test_ports_outside_the_range_are_refused(port: object) -> None:
    with pytest.raises(ServiceError) as raised:
        service_facts({"spec": {"ports": [{"port": port}]}})
    assert str(raised.value) == f"port must be a number from 1 to 65535, not {port!r}"


def test_service_errors_say_what_is_wrong() -> None:
    with pytest.raises(ServiceError) as raised:
        service_facts({"spec": {"ports": [{"name": "a", "port": 1}, {"port": 2}]}})
    assert str(raised.value) == "every port of a multi-port Service needs a name"
    facts = service_facts({"metadata": {"name": "shop"},
                           "spec": {"ports": [{"name": "a", "port": 1}, {"name": "b", "port": 2}]}})
    with pytest.raises(ServiceError) as raised:
        facts.port()
    assert str(raised.value) == "Service shop has no port named None"
    with pytest.raises(ServiceError) as raised:
        facts.srv_name("c")
    assert str(raised.value) == "Service shop has no port named 'c'"


def test_a_named_target_port_resolves_by_name_and_protocol() -> None:
    containers = [{"ports": [{"name": "web", "containerPort": 8080, "protocol": "UDP"}]},
                  {"ports": [{"name": "web", "containerPort": 8081}]}]
    assert resolve_target_port(ServicePort("h", "TCP", 80, "web", None), containers) == 8081
    assert resolve_target_port(ServicePort("h", "UDP", 80, "web", None), containers) == 8080
    assert resolve_target_port(ServicePort("h", "TCP", 80, 9000, None), containers) == 9000
    with pytest.raises(ServiceError) as raised:
        resolve_target_port(ServicePort("h", "SCTP", 80, "web", None), containers)
    assert str(raised.value) == "targetPort 'web' (SCTP) names no container port of the pod"


def test_an_endpointslice_in_full() -> None:
    facts = endpointslice_facts(data("""
metadata:
  name: shop-abc
  labels: {kubernetes.io/service-name: shop}
addressType: IPv4
endpoints:
  - addresses: [10.0.0.1, 10.0.0.2]
  - addresses: [10.0.0.3]
    conditions: {ready: false}
  - addresses: [10.0.0.4]
    conditions: {ready: true}
ports:
  - {name: http, port: 8080}
  - {port: named}
"""))
    assert facts == EndpointSliceFacts(
        name="shop-abc", service_name="shop", address_type="IPv4",
        addresses=("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"),
        ready_addresses=("10.0.0.1", "10.0.0.2", "10.0.0.4"),
        port_names=("http", ""), port_numbers=(8080,),
    )
    empty = endpointslice_facts({})
    assert (empty.name, empty.service_name, empty.address_type, empty.port_names) == (
        "", "", "", ())


def document(text: str) -> Document:
    return Document(path=Path("t.yaml"), index=0, data=yaml.safe_load(text))


WORKLOAD = """apiVersion: apps/v1
kind: KIND
metadata: {name: web}
spec:
  REPLICAS
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      initContainers:
        - {name: setup, image: busybox:1.37}
        - {name: proxy, image: envoy:1.36, restartPolicy: Always}
      containers:
        - name: app
          image: nginx:1.29.3
          readinessProbe: {httpGet: {path: /, port: 80}}
"""


@pytest.mark.parametrize(("kind", "replicas", "expected", "rollout"), [
    ("Deployment", "replicas: 4", 4, True),
    ("Deployment", "", 1, True),  # the API server's default
    ("StatefulSet", "replicas: 2", 2, False),
    ("ReplicaSet", "replicas: 3", 3, False),
    ("DaemonSet", "", None, False),  # one per node: no count
])
def test_document_facts_of_workloads(kind: str, replicas: str, expected: int | None,
                                     rollout: bool) -> None:
    facts = document_facts(document(WORKLOAD.replace("KIND", kind).replace("REPLICAS", replicas)))
    assert (facts.kind, facts.name, facts.replicas) == (kind, "web", expected)
    assert (facts.rollout is not None) is rollout
    assert facts.containers == ("proxy", "app")  # READY counts sidecars, not init steps
    assert facts.ready() == "2/2" and facts.ready(1) == "1/2"
    assert facts.qos is not None and str(facts.qos.qos_class) == "BestEffort"
    assert [(p.container, p.kind) for p in facts.probes] == [("app", "readinessProbe")]
    assert facts.probe("readinessProbe").container == "app"
    assert facts.probe("readinessProbe", "app") is facts.probes[0]
    assert facts.has_any


def test_a_missing_probe_names_the_resource_and_container() -> None:
    facts = document_facts(document(WORKLOAD.replace("KIND", "Deployment")
                                    .replace("REPLICAS", "")))
    with pytest.raises(LookupError) as raised:
        facts.probe("livenessProbe")
    assert str(raised.value) == "Deployment/web has no livenessProbe"
    with pytest.raises(LookupError) as raised:
        facts.probe("readinessProbe", "proxy")
    assert str(raised.value) == "Deployment/web has no readinessProbe on container proxy"


def test_document_facts_of_other_kinds() -> None:
    config = document_facts(document("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"))
    assert (config.kind, config.name, config.qos, config.rollout, config.replicas,
            config.istio, config.has_any) == ("ConfigMap", "c", None, None, None, None, False)
    route = document_facts(document("""apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: r}
spec:
  hosts: [r]
  http: [{route: [{destination: {host: r}}]}]
"""))
    assert (route.kind, route.name, route.qos) == ("VirtualService", "r", None)
    assert route.istio is not None and route.istio.routes is not None and route.has_any
    listed = document_facts(document("apiVersion: apps/v1\nkind: Deployment\n"
                                     "metadata: {name: d}\nspec: 5\n"))
    assert (listed.replicas, listed.rollout, listed.qos) == (None, None, None)
