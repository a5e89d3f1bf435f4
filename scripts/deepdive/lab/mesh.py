"""Loaded manifests -> a small model of the mesh: services, pods, and routing rules.

Istio's VirtualService and the Gateway API's HTTPRoute both become the same `HttpRule`s, so
the translator and the expectations have one routing model to read.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from deepdive.lab.fields import LabError, check_fields, unsupported
from deepdive.manifests import Document, FieldPath

MESH = "mesh"  # the reserved gateway name for sidecars
DEFAULT_NAMESPACE = "default"
# The images the lab can stand in for, by a part of their name.
IMAGES = {"examples-helloworld": "helloworld", "httpbin": "httpbin",
          "tcp-echo-server": "tcp-echo", "curl": "client"}


def fqdn(host: str, namespace: str) -> str:
    """A short name as Istio reads it: name.namespace.svc.cluster.local (pilot/pkg/model
    service.go ResolveShortnameToFQDN); a name with a dot is taken as written."""
    if "." in host or host == "*":
        return host
    return f"{host}.{namespace}.svc.cluster.local"


def cluster_name(port: int, subset: str, host: str) -> str:
    """outbound|PORT|SUBSET|FQDN (pilot/pkg/model/service.go BuildSubsetKey)."""
    return f"outbound|{port}|{subset}|{host}"


@dataclass(frozen=True)
class Pod:
    name: str  # as Kubernetes would name it: <deployment>-<hash>-<suffix>
    deployment: str
    namespace: str
    labels: dict[str, str]
    app: str  # which stand-in: helloworld, httpbin, tcp-echo, client
    args: tuple[str, ...]
    port: int


@dataclass(frozen=True)
class ServicePort:
    number: int
    name: str
    protocol: str  # HTTP or TCP


@dataclass(frozen=True)
class Service:
    host: str  # FQDN, or the ServiceEntry's host
    name: str
    namespace: str
    selector: dict[str, str] | None  # None: a ServiceEntry (outside the cluster)
    ports: tuple[ServicePort, ...]

    @property
    def external(self) -> bool:
        return self.selector is None


@dataclass(frozen=True)
class Destination:
    host: str
    port: int
    subset: str

    @property
    def cluster(self) -> str:
        return cluster_name(self.port, self.subset, self.host)


@dataclass
class Match:
    headers: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (kind, value)
    uri: tuple[str, str] | None = None
    port: int | None = None
    gateways: tuple[str, ...] = ()


@dataclass
class Fault:
    delay_percent: float | None = None
    delay: str | None = None
    abort_percent: float | None = None
    abort_status: int | None = None


@dataclass
class Retries:
    attempts: int
    per_try_timeout: str | None
    retry_on: str | None


@dataclass
class HttpRule:
    name: str | None
    matches: list[Match]
    destinations: list[tuple[Destination, int]]  # (destination, weight)
    timeout: str | None = None
    retries: Retries | None = None
    fault: Fault | None = None
    mirror: Destination | None = None
    mirror_percent: float | None = None


@dataclass
class HttpRoutes:
    """Rules for one host (or '*') bound to sidecars (MESH) or to named gateways."""

    source: Document
    hosts: list[str]
    gateways: list[str]
    http: list[HttpRule]
    tcp: list[tuple[int | None, list[tuple[Destination, int]]]]


@dataclass
class Subset:
    name: str
    labels: dict[str, str]


@dataclass
class DestinationRule:
    source: Document
    host: str
    policy: dict[str, Any]
    subsets: list[Subset]


@dataclass
class GatewayServer:
    gateway: str  # name.namespace
    port: int
    protocol: str
    hosts: list[str]


@dataclass
class Mesh:
    services: list[Service] = field(default_factory=list)
    pods: list[Pod] = field(default_factory=list)
    routes: list[HttpRoutes] = field(default_factory=list)
    destination_rules: dict[str, DestinationRule] = field(default_factory=dict)
    gateways: list[GatewayServer] = field(default_factory=list)
    outbound_policy: str = "ALLOW_ANY"  # meshConfig.outboundTrafficPolicy's default
    visible_hosts: list[str] | None = None  # Sidecar egress hosts, when set
    access_log: bool = False
    documents: list[Document] = field(default_factory=list)

    def service(self, host: str) -> Service | None:
        return next((s for s in self.services if s.host == host), None)

    def pods_for(self, service: Service, subset_labels: dict[str, str]) -> list[Pod]:
        if service.selector is None:
            return []
        wanted = {**service.selector, **subset_labels}
        return [pod for pod in self.pods if pod.namespace == service.namespace
                and all(pod.labels.get(k) == v for k, v in wanted.items())]

    def subset_labels(self, host: str, subset: str) -> dict[str, str] | None:
        if not subset:
            return {}
        rule = self.destination_rules.get(host)
        found = next((s for s in rule.subsets if s.name == subset), None) if rule else None
        return found.labels if found else None

    def visible(self, service: Service) -> bool:
        """Sidecar egress hosts 'ns/host' ('.' the Sidecar's namespace, '*' any)."""
        if self.visible_hosts is None:
            return True
        for entry in self.visible_hosts:
            namespace, _, host = entry.partition("/")
            namespace = DEFAULT_NAMESPACE if namespace == "." else namespace
            if namespace in ("*", service.namespace) and host in ("*", service.host):
                return True
        return False


def pod_name(deployment: str, replica: int) -> str:
    """Kubernetes' shape: <deployment>-<ReplicaSet hash>-<5 characters>, stable per run."""
    digest = hashlib.sha256(f"{deployment}/{replica}".encode()).hexdigest()
    alphabet = "bcdfghjklmnpqrstvwxz2456789"  # Kubernetes' safe-string alphabet
    chars = "".join(alphabet[int(digest[i:i + 2], 16) % len(alphabet)] for i in range(0, 30, 2))
    return f"{deployment}-{chars[:10]}-{chars[10:15]}"


def build(documents: Iterable[Document]) -> Mesh:
    """The mesh the documents describe; LabError for anything the translator cannot read."""
    mesh = Mesh()
    for document in documents:
        if isinstance(document.data, dict):
            check_fields(document)
            mesh.documents.append(document)
    # Services and subsets first: the routing rules refer to them.
    for document in sorted(mesh.documents, key=lambda d: _ORDER.index(_reader_key(d))):
        _READERS[_reader_key(document)](mesh, document)
    return mesh


def _reader_key(document: Document) -> str:
    if document.kind == "Gateway":
        return "IstioGateway" if document.api_version.startswith("networking.istio.io") \
            else "KubeGateway"
    return document.kind


def namespace_of(document: Document) -> str:
    metadata = document.data.get("metadata") or {}
    return str(metadata.get("namespace") or DEFAULT_NAMESPACE)


def _protocol(document: Document, path: FieldPath, name: str, explicit: str | None) -> str:
    """Istio reads the protocol from appProtocol, else the port name's prefix
    (pilot/pkg/serviceregistry/kube/conversion.go, pkg/config/protocol/instance.go)."""
    text = (explicit or name.split("-")[0]).upper()
    if text in ("HTTP", "HTTP2", "GRPC"):
        return "HTTP"
    if text == "TCP":
        return "TCP"
    raise unsupported(document, path, f"protocol {text or 'auto-detection'!r} is not "
                                      "supported by the lab translator (name the port http-* "
                                      "or tcp-*)")


def _service(mesh: Mesh, document: Document) -> None:
    spec = document.data.get("spec") or {}
    namespace = namespace_of(document)
    ports = []
    for index, port in enumerate(spec.get("ports") or []):
        path: FieldPath = ("spec", "ports", index, "name")
        ports.append(ServicePort(int(port["port"]), str(port.get("name", "")),
                                 _protocol(document, path, str(port.get("name", "")),
                                           port.get("appProtocol"))))
    mesh.services.append(Service(
        host=fqdn(document.name, namespace), name=document.name, namespace=namespace,
        selector={str(k): str(v) for k, v in (spec.get("selector") or {}).items()},
        ports=tuple(ports)))


def _service_entry(mesh: Mesh, document: Document) -> None:
    spec = document.data.get("spec") or {}
    ports = tuple(
        ServicePort(int(p["number"]), str(p.get("name", "")),
                    _protocol(document, ("spec", "ports", i, "protocol"), "", p.get("protocol")))
        for i, p in enumerate(spec.get("ports") or []))
    for host in spec.get("hosts") or []:
        mesh.services.append(Service(host=str(host), name=str(host),
                                     namespace=namespace_of(document), selector=None,
                                     ports=ports))


def _deployment(mesh: Mesh, document: Document) -> None:
    spec = document.data.get("spec") or {}
    template = spec.get("template") or {}
    labels = {str(k): str(v) for k, v in ((template.get("metadata") or {}).get("labels")
                                          or {}).items()}
    containers = (template.get("spec") or {}).get("containers") or []
    container = containers[0] if containers else {}
    image = str(container.get("image", ""))
    app = next((app for part, app in IMAGES.items() if part in image), None)
    if app is None:
        raise unsupported(document, ("spec", "template", "spec", "containers", 0, "image"),
                          f"{image!r} has no local stand-in in the lab")
    ports = container.get("ports") or [{}]
    for replica in range(int(spec.get("replicas", 1))):
        mesh.pods.append(Pod(
            name=pod_name(document.name, replica), deployment=document.name,
            namespace=namespace_of(document), labels=labels, app=app,
            args=tuple(str(a) for a in container.get("args") or ()),
            port=int(ports[0].get("containerPort", 0))))


def _destination(document: Document, path: FieldPath, value: dict[str, Any],
                 namespace: str, mesh: Mesh) -> Destination:
    host = fqdn(str(value["host"]), namespace)
    port = (value.get("port") or {}).get("number")
    service = mesh.service(host)
    if port is None:
        if service is None or len(service.ports) != 1:
            raise unsupported(document, (*path, "host"), f"{host!r}: give port.number (the "
                              "lab needs the Service, with one port, in its files)")
        port = service.ports[0].number
    subset = str(value.get("subset", ""))
    if mesh.subset_labels(host, subset) is None:
        raise unsupported(document, (*path, "subset"),
                          f"{subset!r} is not defined by a DestinationRule for {host}")
    return Destination(host, int(port), subset)


def _percent(value: Any) -> float:
    return float((value or {}).get("value", 100.0))


def _virtual_service(mesh: Mesh, document: Document) -> None:
    spec = document.data.get("spec") or {}
    namespace = namespace_of(document)
    http: list[HttpRule] = []
    for index, rule in enumerate(spec.get("http") or []):
        path: FieldPath = ("spec", "http", index)
        matches = []
        for match in rule.get("match") or [{}]:
            headers = {}
            for name, condition in (match.get("headers") or {}).items():
                kind, value = next(iter(condition.items()))
                headers[str(name).lower()] = (str(kind), str(value))
            uri = next(iter((match.get("uri") or {}).items()), None)
            matches.append(Match(headers=headers,
                                 uri=(str(uri[0]), str(uri[1])) if uri else None,
                                 port=match.get("port"),
                                 gateways=tuple(match.get("gateways") or ())))
        destinations = [
            (_destination(document, (*path, "route", i, "destination"), r["destination"],
                          namespace, mesh), int(r.get("weight", 100 if len(rule["route"]) == 1
                                                           else 0)))
            for i, r in enumerate(rule.get("route") or [])]
        fault = None
        if "fault" in rule:
            delay, abort = rule["fault"].get("delay"), rule["fault"].get("abort")
            fault = Fault(
                delay_percent=_percent(delay.get("percentage")) if delay else None,
                delay=str(delay["fixedDelay"]) if delay else None,
                abort_percent=_percent(abort.get("percentage")) if abort else None,
                abort_status=int(abort["httpStatus"]) if abort else None)
        retries = None
        if "retries" in rule:
            r = rule["retries"]
            retries = Retries(int(r.get("attempts", 0)), r.get("perTryTimeout"),
                              r.get("retryOn"))
        mirror = (_destination(document, (*path, "mirror"), rule["mirror"], namespace, mesh)
                  if "mirror" in rule else None)
        http.append(HttpRule(
            name=rule.get("name"), matches=matches, destinations=destinations,
            timeout=rule.get("timeout"), retries=retries, fault=fault, mirror=mirror,
            mirror_percent=_percent(rule.get("mirrorPercentage")) if mirror else None))
    tcp = []
    for index, rule in enumerate(spec.get("tcp") or []):
        ports = [m.get("port") for m in rule.get("match") or [{}]]
        destinations = [
            (_destination(document, ("spec", "tcp", index, "route", i, "destination"),
                          r["destination"], namespace, mesh),
             int(r.get("weight", 100 if len(rule["route"]) == 1 else 0)))
            for i, r in enumerate(rule.get("route") or [])]
        tcp += [(port, destinations) for port in ports]
    gateways = [g if g == MESH or "/" in g else f"{namespace}/{g}"
                for g in spec.get("gateways") or [MESH]]
    for rule_ in http:
        for match_ in rule_.matches:
            match_.gateways = tuple(g if g == MESH or "/" in g else f"{namespace}/{g}"
                                    for g in match_.gateways)
    mesh.routes.append(HttpRoutes(source=document, gateways=gateways, http=http, tcp=tcp,
                                  hosts=[fqdn(str(h), namespace) for h in spec.get("hosts")
                                         or []]))


def _http_route(mesh: Mesh, document: Document) -> None:
    """Gateway API HTTPRoute, as Istio converts it (pilot/pkg/config/kube/gateway/
    conversion.go): a Service parent binds the rules to sidecars for that host, a Gateway
    parent to that gateway; backendRefs are Services, weight 1 when unset."""
    spec = document.data.get("spec") or {}
    namespace = namespace_of(document)
    http = []
    for index, rule in enumerate(spec.get("rules") or []):
        path: FieldPath = ("spec", "rules", index)
        matches = []
        for m_index, match in enumerate(rule.get("matches") or [{}]):
            headers = {}
            for h_index, header in enumerate(match.get("headers") or []):
                kind = str(header.get("type", "Exact"))
                if kind != "Exact":
                    raise unsupported(document, (*path, "matches", m_index, "headers",
                                                 h_index, "type"),
                                      f"{kind!r} is not supported by the lab translator")
                headers[str(header["name"]).lower()] = ("exact", str(header["value"]))
            uri = None
            if "path" in match:
                kind = str(match["path"].get("type", "PathPrefix"))
                kinds = {"Exact": "exact", "PathPrefix": "prefix"}
                if kind not in kinds:
                    raise unsupported(document, (*path, "matches", m_index, "path", "type"),
                                      f"{kind!r} is not supported by the lab translator")
                uri = (kinds[kind], str(match["path"].get("value", "/")))
            matches.append(Match(headers=headers, uri=uri))
        destinations = []
        for b_index, ref in enumerate(rule.get("backendRefs") or []):
            if ref.get("kind", "Service") != "Service":
                raise unsupported(document, (*path, "backendRefs", b_index, "kind"),
                                  "only Service backends are supported by the lab translator")
            destination = _destination(
                document, (*path, "backendRefs", b_index),
                {"host": ref["name"], "port": {"number": ref.get("port")}}, namespace, mesh)
            destinations.append((destination, int(ref.get("weight", 1))))
        http.append(HttpRule(name=f"{namespace}.{document.name}.{index}", matches=matches,
                             destinations=destinations))
    for p_index, parent in enumerate(spec.get("parentRefs") or []):
        kind = parent.get("kind", "Gateway")
        if kind == "Service":
            hosts, gateways = [fqdn(str(parent["name"]), namespace)], [MESH]
        elif kind == "Gateway":
            hosts = [str(h) for h in spec.get("hostnames") or ["*"]]
            gateways = [f"{parent.get('namespace', namespace)}/{parent['name']}"]
        else:
            raise unsupported(document, ("spec", "parentRefs", p_index, "kind"),
                              f"{kind!r} is not supported by the lab translator")
        mesh.routes.append(HttpRoutes(source=document, hosts=hosts, gateways=gateways,
                                      http=http, tcp=[]))


def _destination_rule(mesh: Mesh, document: Document) -> None:
    spec = document.data.get("spec") or {}
    host = fqdn(str(spec["host"]), namespace_of(document))
    policy = spec.get("trafficPolicy") or {}
    simple = (policy.get("loadBalancer") or {}).get("simple")
    if simple is not None and simple not in LB_POLICIES:
        raise unsupported(document, ("spec", "trafficPolicy", "loadBalancer", "simple"),
                          f"{simple!r} is not supported by the lab translator")
    mesh.destination_rules[host] = DestinationRule(
        source=document, host=host, policy=policy,
        subsets=[Subset(str(s["name"]), {str(k): str(v) for k, v in
                                         (s.get("labels") or {}).items()})
                 for s in spec.get("subsets") or []])


LB_POLICIES = {"LEAST_REQUEST": "LEAST_REQUEST", "LEAST_CONN": "LEAST_REQUEST",
               "ROUND_ROBIN": "ROUND_ROBIN", "RANDOM": "RANDOM"}


def _istio_gateway(mesh: Mesh, document: Document) -> None:
    spec = document.data.get("spec") or {}
    for index, server in enumerate(spec.get("servers") or []):
        protocol = str(server["port"].get("protocol", "")).upper()
        if protocol != "HTTP":
            raise unsupported(document, ("spec", "servers", index, "port", "protocol"),
                              f"{protocol!r} is not supported by the lab translator")
        mesh.gateways.append(GatewayServer(
            gateway=f"{namespace_of(document)}/{document.name}",
            port=int(server["port"]["number"]), protocol=protocol,
            hosts=[str(h).split("/")[-1] for h in server.get("hosts") or ["*"]]))


def _kube_gateway(mesh: Mesh, document: Document) -> None:
    spec = document.data.get("spec") or {}
    for index, listener in enumerate(spec.get("listeners") or []):
        protocol = str(listener.get("protocol", "")).upper()
        if protocol != "HTTP":
            raise unsupported(document, ("spec", "listeners", index, "protocol"),
                              f"{protocol!r} is not supported by the lab translator")
        mesh.gateways.append(GatewayServer(
            gateway=f"{namespace_of(document)}/{document.name}", port=int(listener["port"]),
            protocol=protocol, hosts=[str(listener.get("hostname", "*"))]))


def _sidecar(mesh: Mesh, document: Document) -> None:
    spec = document.data.get("spec") or {}
    mode = (spec.get("outboundTrafficPolicy") or {}).get("mode")
    if mode is not None:
        if mode not in ("ALLOW_ANY", "REGISTRY_ONLY"):
            raise unsupported(document, ("spec", "outboundTrafficPolicy", "mode"),
                              f"{mode!r} is not supported by the lab translator")
        mesh.outbound_policy = str(mode)
    if "egress" in spec:
        mesh.visible_hosts = [str(h) for e in spec["egress"] for h in e.get("hosts") or []]


def _telemetry(mesh: Mesh, document: Document) -> None:
    spec = document.data.get("spec") or {}
    for i, logging in enumerate(spec.get("accessLogging") or []):
        for j, provider in enumerate(logging.get("providers") or []):
            if provider.get("name") != "envoy":
                raise unsupported(document, ("spec", "accessLogging", i, "providers", j,
                                             "name"),
                                  f"{provider.get('name')!r} is not supported by the lab "
                                  "translator (only the built-in 'envoy' provider)")
            mesh.access_log = True


_READERS = {
    "Service": _service, "ServiceEntry": _service_entry, "Deployment": _deployment,
    "DestinationRule": _destination_rule, "IstioGateway": _istio_gateway,
    "KubeGateway": _kube_gateway, "Sidecar": _sidecar, "Telemetry": _telemetry,
    "VirtualService": _virtual_service, "HTTPRoute": _http_route,
}

_ORDER = list(_READERS)
DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h)$")


def seconds(text: str) -> float:
    """A protobuf-style duration ('2s', '500ms', '1m') in seconds."""
    found = DURATION.match(text.strip())
    if not found:
        raise LabError(f"{text!r} is not a duration the lab understands")
    scale = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}[found.group(2)]
    return float(found.group(1)) * scale
