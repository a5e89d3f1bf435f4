"""Rules over Istio traffic resources: hosts, subsets, gateways, weights, reachability,
DestinationRule subsets and Service port protocols."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from deepdive.validate.findings import Finding
from deepdive.validate.rules.context import SetContext
from deepdive.validate.rules.kubernetes import has_pods, selected_templates
from deepdive.validate.yamlcheck import Resource
from deepdive.workloads import get_path, list_at

NETWORKING = "networking.istio.io"
# Istio's protocol selection reads appProtocol if set, else the port name, as `<protocol>`
# or `<protocol>-<suffix>` in any case (grpc-web is covered by its `grpc` prefix).
PROTOCOLS = {"http", "http2", "https", "http_proxy", "grpc", "mongo", "mysql", "redis", "tcp",
             "tls", "udp"}
# appProtocol values Kubernetes defines; Istio maps them to HTTP2, HTTP and HTTPS.
KUBERNETES_APP_PROTOCOLS = {"kubernetes.io/h2c", "kubernetes.io/ws", "kubernetes.io/wss"}
SECTIONS = ("http", "tcp", "tls")
# URI matches every request path satisfies (Envoy's regexes match the whole path).
EVERY_PATH = ({"prefix": "/"}, {"regex": ".*"}, {"regex": "/.*"})


@dataclass(frozen=True)
class Target:
    """What a host name resolves to in the set."""

    key: str  # "service:<namespace>/<name>" (as the Service declares it) or "serviceentry:<host>"
    service: Resource | None = None


CLUSTER_SUFFIX = ["svc", "cluster", "local"]
# Services that `istioctl install` itself creates in istio-system (istiod in every profile,
# the gateways in the default and demo profiles: manifests/profiles/*.yaml in istio/istio).
# A route may send to them though no manifest of the set defines them.
INSTALLED_SERVICES = {"istiod", "istio-ingressgateway", "istio-egressgateway"}
INSTALL_NAMESPACE = "istio-system"


def resolve_host(context: SetContext, host: str, namespace: str) -> Target | None:
    """A short name (in the rule's namespace), name.namespace.svc.cluster.local, or a
    ServiceEntry host. Istio expands only names without a dot: `reviews.default` is taken
    literally and reaches no Service. The first match in set order wins; candidates come
    from indexes by name, so a lookup does not scan the set."""
    parts = host.split(".")
    fqdn = len(parts) == 5 and parts[2:] == CLUSTER_SUFFIX
    candidates = list(context.services_by_name.get(host, []))
    if fqdn and parts[0] != host:
        candidates += context.services_by_name.get(parts[0], [])
    for _, service in sorted(candidates, key=lambda pair: pair[0]):
        ns = service.namespace
        if host == service.name and (not ns or not namespace or ns == namespace):
            return Target(f"service:{ns}/{service.name}", service)
        if fqdn and parts[0] == service.name and (not ns or ns == parts[1]):
            return Target(f"service:{ns}/{service.name}", service)
    if fqdn and parts[0] in INSTALLED_SERVICES and parts[1] == INSTALL_NAMESPACE:
        return Target(f"service:{INSTALL_NAMESPACE}/{parts[0]}")
    exact, wildcards = _service_entry_hosts(context)
    found = list(exact.get(host, []))
    for dot in range(len(host)):
        if host[dot] == ".":
            found += wildcards.get(host[dot:], [])
    if found:
        return Target(f"serviceentry:{min(found)[1]}")
    return None


def _service_entry_hosts(
    context: SetContext,
) -> tuple[dict[str, list[tuple[int, str]]], dict[str, list[tuple[int, str]]]]:
    """ServiceEntry hosts, exact by host and wildcards (`*.example.com`) by the suffix they
    match (`.example.com`), each with its position in set order; built once per set."""
    cached = context.memo.get("service-entry-hosts")
    if cached is None:
        exact: dict[str, list[tuple[int, str]]] = {}
        wildcards: dict[str, list[tuple[int, str]]] = {}
        position = 0
        for entry in context.of_kind("ServiceEntry", NETWORKING):
            for known in list_at(entry.data, ("spec", "hosts")):
                known = str(known)
                exact.setdefault(known, []).append((position, known))
                if known.startswith("*."):
                    wildcards.setdefault(known[1:], []).append((position, known))
                position += 1
        cached = context.memo["service-entry-hosts"] = (exact, wildcards)
    return cached


def unresolved(context: SetContext, host: str) -> str:
    """Why a host reaches nothing, with the spelling that works for a half-qualified one."""
    message = f'host "{host}" matches no Service or ServiceEntry in this example set'
    parts = host.split(".")
    if len(parts) in (2, 3) and parts[2:] in ([], ["svc"]) and context.services_by_name.get(
            parts[0]):
        message += (f'; Istio reads a host with a dot literally: write "{parts[0]}" (in the '
                    f'same namespace) or "{parts[0]}.{parts[1]}.svc.cluster.local"')
    return message


def _key(context: SetContext, host: str, namespace: str) -> str:
    target = resolve_host(context, host, namespace)
    return target.key if target else f"host:{host}"


def _subsets(context: SetContext) -> dict[str, set[str]]:
    """Subset names per resolved host, over every DestinationRule of the set."""
    found: dict[str, set[str]] = {}
    for rule in context.of_kind("DestinationRule", NETWORKING):
        host = get_path(rule.data, ("spec", "host"))
        if not isinstance(host, str):
            continue
        names = found.setdefault(_key(context, host, rule.namespace), set())
        for subset in list_at(rule.data, ("spec", "subsets")):
            if isinstance(subset, dict) and subset.get("name"):
                names.add(str(subset["name"]))
    return found


def destinations(virtual_service: Resource) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """(path to the destination, destination) for routes and mirrors of a VirtualService."""
    for section in SECTIONS:
        for index, rule in enumerate(list_at(virtual_service.data, ("spec", section))):
            if not isinstance(rule, dict):
                continue
            for number, route in enumerate(list_at(rule, ("route",))):
                if isinstance(route, dict) and isinstance(route.get("destination"), dict):
                    yield ("spec", section, index, "route", number, "destination"), \
                        route["destination"]
            if isinstance(rule.get("mirror"), dict):
                yield ("spec", section, index, "mirror"), rule["mirror"]
            for number, mirror in enumerate(list_at(rule, ("mirrors",))):
                if isinstance(mirror, dict) and isinstance(mirror.get("destination"), dict):
                    yield ("spec", section, index, "mirrors", number, "destination"), \
                        mirror["destination"]


def check_destinations(context: SetContext) -> Iterator[Finding]:
    subsets = None
    for virtual_service in context.of_kind("VirtualService", NETWORKING, members_only=True):
        for path, destination in destinations(virtual_service):
            host = destination.get("host")
            if not isinstance(host, str):
                continue
            target = resolve_host(context, host, virtual_service.namespace)
            if target is None:
                yield virtual_service.finding((*path, "host"), "istio-host-unresolved",
                                              unresolved(context, host))
                continue
            subset = destination.get("subset")
            if not subset:
                continue  # `subset: ""` is no subset: Istio checks and uses one only if set
            subsets = subsets if subsets is not None else _subsets(context)
            if str(subset) not in subsets.get(target.key, set()):
                defined = ", ".join(sorted(subsets.get(target.key, set()))) or "none"
                yield virtual_service.finding(
                    (*path, "subset"), "istio-subset-missing",
                    f'subset "{subset}" of host "{host}" is not defined by a DestinationRule '
                    f"in this example set (defined: {defined})")


def gateway_reference(name: str, namespace: str) -> tuple[str, str]:
    """(namespace, name) of the Gateway a VirtualService in `namespace` binds to, read as
    Istio reads it: `ns/name`, `./name`, a short name (the VirtualService's namespace) or
    the legacy `name.ns.svc.cluster.local`. "" for a namespace the set leaves open."""
    if "/" in name:
        prefix, _, short = name.partition("/")
        return (namespace if prefix == "." else prefix), short
    if "." in name:
        short, prefix = name.split(".")[:2]
        return prefix, short
    return namespace, name


def check_gateways(context: SetContext) -> Iterator[Finding]:
    gateways: dict[str, list[Resource]] = {}
    for gateway in context.of_kind("Gateway", NETWORKING):
        gateways.setdefault(gateway.name, []).append(gateway)
    for virtual_service in context.of_kind("VirtualService", NETWORKING, members_only=True):
        named: list[tuple[tuple[Any, ...], Any]] = [
            (("spec", "gateways", i), name)
            for i, name in enumerate(list_at(virtual_service.data, ("spec", "gateways")))
        ]
        for section in SECTIONS:
            for i, rule in enumerate(list_at(virtual_service.data, ("spec", section))):
                for j, match in enumerate(list_at(rule, ("match",))):
                    for k, name in enumerate(list_at(match, ("gateways",))):
                        named.append((("spec", section, i, "match", j, "gateways", k), name))
        for path, name in named:
            name = str(name)
            if name == "mesh":
                continue  # the reserved name for every sidecar
            namespace, short = gateway_reference(name, virtual_service.namespace)
            if not any(not namespace or not g.namespace or g.namespace == namespace
                       for g in gateways.get(short, [])):
                yield virtual_service.finding(path, "istio-gateway-missing",
                                              f'no Gateway "{name}" in this example set')


def check_weights(context: SetContext) -> Iterator[Finding]:
    """Weights are relative (Envoy divides each by their sum), so any sum routes; Istio's
    validation refuses only a multi-destination route whose weights add up to 0
    (pkg/config/validation/validation.go, validateRouteDestinations in istio/istio)."""
    for virtual_service in context.of_kind("VirtualService", NETWORKING, members_only=True):
        for section in SECTIONS:
            for index, rule in enumerate(list_at(virtual_service.data, ("spec", section))):
                routes = rule.get("route") if isinstance(rule, dict) else None
                if not isinstance(routes, list) or len(routes) < 2:
                    continue
                weights = [r.get("weight", 0) if isinstance(r, dict) else 0 for r in routes]
                if all(isinstance(w, int) for w in weights) and sum(weights) == 0:
                    shown = " + ".join(str(w) for w in weights)
                    yield virtual_service.finding(
                        ("spec", section, index, "route"), "istio-route-weights",
                        f"weights {shown} = 0: no destination gets any traffic, and Istio "
                        "refuses the route (total destination weight = 0)")


def _catches_all(rule: Any) -> bool:
    """A route rule with no match, or a match entry that any request satisfies."""
    if not isinstance(rule, dict):
        return False
    matches = rule.get("match")
    if not matches:
        return True
    for match in matches if isinstance(matches, list) else []:
        if not isinstance(match, dict):
            continue
        conditions = {k: v for k, v in match.items() if k not in ("name", "ignoreUriCase")}
        if not conditions or conditions in ({"uri": uri} for uri in EVERY_PATH):
            return True
    return False


def check_reachability(context: SetContext) -> Iterator[Finding]:
    for virtual_service in context.of_kind("VirtualService", NETWORKING, members_only=True):
        for section in ("http", "tcp"):
            rules = list_at(virtual_service.data, ("spec", section))
            catch_all = next((i for i, rule in enumerate(rules) if _catches_all(rule)), None)
            if catch_all is None:
                continue
            for index in range(catch_all + 1, len(rules)):
                yield virtual_service.finding(
                    ("spec", section, index), "istio-unreachable-route",
                    f"{section}[{index}] can never match: {section}[{catch_all}] before it "
                    "already matches every request")


def check_destination_rules(context: SetContext) -> Iterator[Finding]:
    for rule in context.of_kind("DestinationRule", NETWORKING, members_only=True):
        host = get_path(rule.data, ("spec", "host"))
        if not isinstance(host, str) or "*" in host:
            continue  # wildcard hosts configure many services at once
        target = resolve_host(context, host, rule.namespace)
        if target is None:
            yield rule.finding(("spec", "host"), "istio-dr-host-unresolved",
                               unresolved(context, host))
            continue
        service = target.service
        if service is None or not has_pods(service):
            continue  # a ServiceEntry, a DNS name or endpoints by hand: no pod templates
        pods = selected_templates(context, service)
        for index, subset in enumerate(list_at(rule.data, ("spec", "subsets"))):
            labels = subset.get("labels") if isinstance(subset, dict) else None
            if not isinstance(labels, dict) or not labels:
                continue
            wanted = {str(k): str(v) for k, v in labels.items()}
            if not any(t.selected_by(wanted) for t in pods):
                shown = ", ".join(f"{k}={v}" for k, v in sorted(wanted.items()))
                yield rule.finding(("spec", "subsets", index, "labels"),
                                   "istio-subset-selects-nothing",
                                   f'subset "{subset.get("name")}" ({shown}) selects none of the '
                                   f'pod templates behind Service "{service.name}"')


def names_protocol(text: str) -> bool:
    """Whether Istio reads a protocol from a port name or appProtocol."""
    return text in KUBERNETES_APP_PROTOCOLS or text.split("-", 1)[0].lower() in PROTOCOLS


def check_port_protocols(context: SetContext) -> Iterator[Finding]:
    if not context.is_mesh:
        return
    for service in context.of_kind("Service", members_only=True):
        for index, port in enumerate(list_at(service.data, ("spec", "ports"))):
            if not isinstance(port, dict) or (port.get("protocol") or "TCP") != "TCP":
                continue  # Istio takes UDP from the protocol field; SCTP it does not proxy
            app_protocol = port.get("appProtocol")
            if app_protocol:
                if not names_protocol(str(app_protocol)):
                    yield service.finding(
                        ("spec", "ports", index, "appProtocol"), "istio-port-protocol",
                        f'port {port.get("port")} has appProtocol "{app_protocol}", which Istio '
                        "does not know (and it ignores the port name then), so Istio must guess")
                continue
            name = str(port.get("name") or "")
            if names_protocol(name):
                continue
            path = ("spec", "ports", index, "name") if name else ("spec", "ports", index)
            yield service.finding(path, "istio-port-protocol",
                                  f'port {port.get("port")} named "{name}" has no protocol prefix '
                                  "(http, grpc, tcp, ...) and no appProtocol, so Istio must guess")


ISTIO_CHECKS = (check_destinations, check_gateways, check_weights, check_reachability,
                check_destination_rules, check_port_protocols)
