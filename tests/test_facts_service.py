"""Service facts: defaults the API server fills in, DNS names, named targetPorts.

Defaults from the Service API reference: type ClusterIP, protocol TCP, targetPort
= port. A named targetPort resolves per pod to the container port of that name
and protocol; every port of a multi-port Service must have a name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from deepdive.facts.service import (
    ServiceError,
    endpointslice_facts,
    resolve_target_port,
    service_facts,
)
from deepdive.manifests import load_file
from deepdive.workloads import containers, pod_template

MANIFESTS = Path(__file__).resolve().parent.parent / "manifests"


def service(spec: dict[str, Any], namespace: str | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "shop"}
    if namespace:
        metadata["namespace"] = namespace
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": spec}


def test_defaults_type_protocol_and_target_port() -> None:
    facts = service_facts(service({"ports": [{"port": 80}]}))
    assert facts.type == "ClusterIP"
    assert not facts.headless
    port = facts.port()
    assert (port.protocol, port.port, port.target_port, port.node_port) == ("TCP", 80, 80, None)
    assert facts.dns_name == "shop.default.svc.cluster.local"


def test_headless_namespace_and_srv_name() -> None:
    facts = service_facts(
        service(
            {"clusterIP": "None", "ports": [{"name": "http", "port": 80, "targetPort": "web"}]},
            namespace="store",
        )
    )
    assert facts.headless
    assert facts.srv_name("http") == "_http._tcp.shop.store.svc.cluster.local"


def test_multi_port_service_needs_every_port_named() -> None:
    with pytest.raises(ServiceError):
        service_facts(service({"ports": [{"name": "a", "port": 80}, {"port": 443}]}))


def test_unknown_port_name_is_an_error() -> None:
    two_ports = [{"name": "a", "port": 80}, {"name": "b", "port": 81}]
    facts = service_facts(service({"ports": two_ports}))
    with pytest.raises(ServiceError):
        facts.port("c")
    with pytest.raises(ServiceError):
        facts.port()  # ambiguous with two ports


CONTAINERS = [
    {"name": "app", "ports": [{"name": "http", "containerPort": 9376}]},
    {"name": "dns", "ports": [{"name": "dns", "containerPort": 53, "protocol": "UDP"}]},
]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"port": 80, "targetPort": "http"}, 9376),
        ({"port": 80, "targetPort": 8080}, 8080),
        ({"port": 80}, 80),
        ({"port": 53, "targetPort": "dns", "protocol": "UDP"}, 53),
    ],
)
def test_target_port_resolves_against_the_pods(entry: dict[str, Any], expected: int) -> None:
    port = service_facts(service({"ports": [entry]})).port()
    assert resolve_target_port(port, CONTAINERS) == expected


@pytest.mark.parametrize(
    "entry",
    [
        {"port": 80, "targetPort": "metrics"},  # no such name
        {"port": 53, "targetPort": "dns"},  # the name exists, but for UDP, not TCP
    ],
)
def test_target_port_that_matches_nothing_is_an_error(entry: dict[str, Any]) -> None:
    port = service_facts(service({"ports": [entry]})).port()
    with pytest.raises(ServiceError):
        resolve_target_port(port, CONTAINERS)


@pytest.mark.parametrize(
    ("service_file", "workload_file"),
    [
        ("services/hostnames/service.yaml", "services/hostnames/deployment.yaml"),
        ("services/hostnames/headless.yaml", "services/hostnames/deployment.yaml"),
        ("services/hostnames/nodeport.yaml", "services/hostnames/deployment.yaml"),
        ("services/hostnames/loadbalancer.yaml", "services/hostnames/deployment.yaml"),
        ("services/multi-port/service.yaml", "services/multi-port/deployment.yaml"),
    ],
)
def test_every_port_of_the_site_examples_reaches_a_container_port(
    service_file: str, workload_file: str
) -> None:
    """The Services page promises each targetPort exists on the selected pods."""
    (svc,) = load_file(MANIFESTS / "kubernetes" / service_file).documents
    (workload,) = load_file(MANIFESTS / "kubernetes" / workload_file).documents
    facts = service_facts(svc.data)
    template = pod_template(workload)
    assert template is not None
    assert facts.selector.items() <= template.labels.items()
    pod_containers = [c for _, _, c in containers(template.spec)]
    declared = {p["containerPort"] for c in pod_containers for p in c.get("ports", [])}
    for port in facts.ports:
        assert resolve_target_port(port, pod_containers) in declared


def test_endpointslice_addresses_readiness_and_ports() -> None:
    facts = endpointslice_facts(
        {
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {"name": "shop-1", "labels": {"kubernetes.io/service-name": "shop"}},
            "addressType": "IPv4",
            "ports": [{"name": "http", "port": 8080}],
            "endpoints": [
                {"addresses": ["10.0.0.1"]},  # no conditions: counts as ready
                {"addresses": ["10.0.0.2"], "conditions": {"ready": False}},
                {"addresses": ["10.0.0.3"], "conditions": {"ready": True}},
            ],
        }
    )
    assert facts.service_name == "shop"
    assert facts.addresses == ("10.0.0.1", "10.0.0.2", "10.0.0.3")
    assert facts.ready_addresses == ("10.0.0.1", "10.0.0.3")
    assert (facts.port_names, facts.port_numbers) == (("http",), (8080,))


@pytest.mark.parametrize("folder", ["services/selectorless", "services/headless-selectorless"])
def test_hand_written_slices_belong_to_a_selectorless_service_beside_them(folder: str) -> None:
    """A slice only feeds a Service if the label names it and the port names match."""
    documents = [
        document
        for path in sorted((MANIFESTS / "kubernetes" / folder).glob("*.yaml"))
        for document in load_file(path).documents
    ]
    services = {d.name: service_facts(d.data) for d in documents if d.kind == "Service"}
    slices = [endpointslice_facts(d.data) for d in documents if d.kind == "EndpointSlice"]
    assert slices
    for endpoint_slice in slices:
        owner = services[endpoint_slice.service_name]
        assert not owner.selector, "with a selector the controller would own the slices"
        assert set(endpoint_slice.port_names) == {port.name for port in owner.ports}
        assert endpoint_slice.ready_addresses
