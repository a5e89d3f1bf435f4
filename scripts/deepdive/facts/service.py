"""What a Service's spec says about its ports and DNS name, with defaults filled in.

Defaults follow the API server: type ClusterIP, protocol TCP, targetPort equal
to port. A named targetPort is looked up among the selected pods' container
ports (name and protocol must match), per pod, so each pod may use its own
number; resolve_target_port does that lookup for one pod template.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

DEFAULT_NAMESPACE = "default"
CLUSTER_DOMAIN = "cluster.local"


class ServiceError(ValueError):
    """A Service field Kubernetes would reject, or a lookup that cannot succeed."""


@dataclass(frozen=True)
class ServicePort:
    name: str
    protocol: str
    port: int
    target_port: int | str  # a number, or the name of a container port
    node_port: int | None  # only when written in the manifest


@dataclass(frozen=True)
class ServiceFacts:
    name: str
    namespace: str
    type: str  # ClusterIP, NodePort, LoadBalancer or ExternalName
    headless: bool
    external_name: str | None
    selector: dict[str, str] = field(default_factory=dict)
    ports: tuple[ServicePort, ...] = ()

    @property
    def dns_name(self) -> str:
        return f"{self.name}.{self.namespace}.svc.{CLUSTER_DOMAIN}"

    def port(self, name: str | None = None) -> ServicePort:
        """The port with this name, or the only port when no name is given."""
        if name is None and len(self.ports) == 1:
            return self.ports[0]
        for port in self.ports:
            if port.name == name:
                return port
        raise ServiceError(f"Service {self.name} has no port named {name!r}")

    def srv_name(self, port_name: str) -> str:
        """The DNS SRV name cluster DNS serves for a named port."""
        port = self.port(port_name)
        return f"_{port.name}._{port.protocol.lower()}.{self.dns_name}"


def _port(entry: dict[str, Any]) -> ServicePort:
    number = entry.get("port")
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 65535:
        raise ServiceError(f"port must be a number from 1 to 65535, not {number!r}")
    target = entry.get("targetPort", number)
    node_port = entry.get("nodePort")
    return ServicePort(
        name=str(entry.get("name", "")),
        protocol=str(entry.get("protocol", "TCP")),
        port=number,
        target_port=target if isinstance(target, int) else str(target),
        node_port=node_port if isinstance(node_port, int) else None,
    )


def service_facts(document: dict[str, Any]) -> ServiceFacts:
    """The facts of one Service document (its parsed YAML)."""
    metadata = document.get("metadata") or {}
    spec = document.get("spec") or {}
    ports = tuple(_port(entry) for entry in spec.get("ports") or [])
    if len(ports) > 1 and any(not port.name for port in ports):
        raise ServiceError("every port of a multi-port Service needs a name")
    return ServiceFacts(
        name=str(metadata.get("name", "")),
        namespace=str(metadata.get("namespace") or DEFAULT_NAMESPACE),
        type=str(spec.get("type", "ClusterIP")),
        headless=spec.get("clusterIP") == "None",
        external_name=spec.get("externalName"),
        selector={str(k): str(v) for k, v in (spec.get("selector") or {}).items()},
        ports=ports,
    )


def resolve_target_port(port: ServicePort, containers: Iterable[dict[str, Any]]) -> int:
    """The container port number a Service port reaches on a pod with these containers."""
    if isinstance(port.target_port, int):
        return port.target_port
    for container in containers:
        for container_port in container.get("ports") or []:
            if container_port.get("name") == port.target_port and container_port.get(
                "protocol", "TCP"
            ) == port.protocol:
                return int(container_port["containerPort"])
    raise ServiceError(
        f"targetPort {port.target_port!r} ({port.protocol}) names no container port of the pod"
    )


SERVICE_NAME_LABEL = "kubernetes.io/service-name"


@dataclass(frozen=True)
class EndpointSliceFacts:
    name: str
    service_name: str  # from the kubernetes.io/service-name label; "" if absent
    address_type: str
    addresses: tuple[str, ...]  # every endpoint's addresses, in order
    ready_addresses: tuple[str, ...]  # those whose ready condition is unset or true
    port_names: tuple[str, ...]
    port_numbers: tuple[int, ...]


def endpointslice_facts(document: dict[str, Any]) -> EndpointSliceFacts:
    """The facts of one EndpointSlice document (its parsed YAML)."""
    metadata = document.get("metadata") or {}
    labels = metadata.get("labels") or {}
    endpoints = document.get("endpoints") or []
    ports = document.get("ports") or []
    addresses: list[str] = []
    ready: list[str] = []
    for endpoint in endpoints:
        # A missing ready condition means "ready" (discovery.k8s.io/v1 API reference).
        is_ready = (endpoint.get("conditions") or {}).get("ready") is not False
        for address in endpoint.get("addresses") or []:
            addresses.append(str(address))
            if is_ready:
                ready.append(str(address))
    return EndpointSliceFacts(
        name=str(metadata.get("name", "")),
        service_name=str(labels.get(SERVICE_NAME_LABEL, "")),
        address_type=str(document.get("addressType", "")),
        addresses=tuple(addresses),
        ready_addresses=tuple(ready),
        port_names=tuple(str(port.get("name", "")) for port in ports),
        port_numbers=tuple(
            int(port["port"]) for port in ports if isinstance(port.get("port"), int)
        ),
    )
