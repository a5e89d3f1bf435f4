"""The API server's validation of a Service's spec beyond its port names (issue 12): what
each type requires or forbids, and the values its fields accept.

Ported from pkg/apis/core/validation/validation.go ValidateService and the helpers it
calls (each check cites its function), after the API server's defaulting (type
ClusterIP, protocol TCP, sessionAffinity None, targetPort = port, the traffic policies).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from deepdive.validate.findings import Finding
from deepdive.validate.rules.apiserver import (
    Path,
    duplicate,
    forbidden,
    integer,
    invalid,
    ip_version,
    is_dns1123_subdomain,
    is_label_key,
    is_label_value,
    letterless,
    port_num_or_name,
    required,
    spec_of,
    unsupported,
)
from deepdive.validate.rules.context import SetContext
from deepdive.validate.yamlcheck import Resource
from deepdive.workloads import list_at

SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]  # sorted, as Go lists
PROTOCOLS = ["SCTP", "TCP", "UDP"]
AFFINITIES = ["ClientIP", "None"]
TRAFFIC_POLICIES = ["Cluster", "Local"]
# kube-apiserver's default --service-node-port-range, which kind keeps
NODE_PORTS = (30000, 32767)
MAX_AFFINITY_SECONDS = 86400  # core.MaxClientIPServiceAffinitySeconds
IP_FAMILIES = ["IPv4", "IPv6"]
CHOICES = (("sessionAffinity", AFFINITIES), ("externalTrafficPolicy", TRAFFIC_POLICIES),
           ("internalTrafficPolicy", TRAFFIC_POLICIES),
           ("ipFamilyPolicy", ["PreferDualStack", "RequireDualStack", "SingleStack"]))
LOAD_BALANCER_ONLY = ("loadBalancerSourceRanges", "allocateLoadBalancerNodePorts",
                      "loadBalancerClass")


def check_service_type(service: Resource, spec: dict[str, Any]) -> Iterator[Finding]:
    """api-service-type. validation.go ValidateService: ports are required unless
    the Service is headless or an ExternalName; a NodePort or LoadBalancer Service cannot be
    headless; an ExternalName needs externalName, a DNS-1123 subdomain (a trailing dot
    allowed), and no clusterIP; nodePort is forbidden for ClusterIP; the LoadBalancer-only
    fields (validateLoadBalancerClassField too); validateServiceExternalTrafficPolicy:
    externalTrafficPolicy and healthCheckNodePort only where they apply. A nodePort outside
    the default range is refused when it is allocated
    (pkg/registry/core/service/portallocator/allocator.go Allocate)."""
    rule = "api-service-type"
    kind = spec.get("type") or "ClusterIP"
    cluster_ip = spec.get("clusterIP")
    headless = cluster_ip == "None"
    ports = list_at(spec, ("ports",))
    if not ports and not headless and kind != "ExternalName":
        path: Path = ("spec", "ports")
        yield service.finding(path, rule, required())
    if headless and kind in ("NodePort", "LoadBalancer"):
        path = ("spec", "clusterIP")
        yield service.finding(path, rule, invalid(
            "None", f"may not be set to 'None' for {kind} services"))
    if kind == "ExternalName":
        yield from _external_name_findings(service, spec)
    for index, port in enumerate(ports):
        node_port = integer(port.get("nodePort")) if isinstance(port, dict) else None
        if not node_port:
            continue
        path = ("spec", "ports", index, "nodePort")
        if kind == "ClusterIP":
            yield service.finding(path, rule, forbidden(
                "may not be used when `type` is 'ClusterIP'"))
        elif not NODE_PORTS[0] <= node_port <= NODE_PORTS[1]:
            yield service.finding(path, rule, invalid(
                node_port, "provided port is not in the valid range. The range of "
                f"valid ports is {NODE_PORTS[0]}-{NODE_PORTS[1]}"))
    for field_name in LOAD_BALANCER_ONLY:
        if kind != "LoadBalancer" and spec.get(field_name) not in (None, []):
            path = ("spec", field_name)
            yield service.finding(path, rule, forbidden(
                "may only be used when `type` is 'LoadBalancer'"))
    external = kind in ("NodePort", "LoadBalancer") or (
        kind == "ClusterIP" and bool(spec.get("externalIPs")))
    policy = spec.get("externalTrafficPolicy")
    if not external and isinstance(policy, str) and policy:
        path = ("spec", "externalTrafficPolicy")
        yield service.finding(path, rule, invalid(
            policy, "may only be set for externally-accessible services"))
    health = integer(spec.get("healthCheckNodePort"))
    if health and not (kind == "LoadBalancer" and policy == "Local"):
        path = ("spec", "healthCheckNodePort")
        yield service.finding(path, rule, invalid(
            health, "may only be set when `type` is 'LoadBalancer' and "
            "`externalTrafficPolicy` is 'Local'"))


def _external_name_findings(service: Resource, spec: dict[str, Any]) -> Iterator[Finding]:
    rule = "api-service-type"
    name = spec.get("externalName")
    path: Path = ("spec", "externalName")
    cname = name.removesuffix(".") if isinstance(name, str) else ""
    if not cname:
        yield service.finding(path, rule, required())
    else:
        for detail in is_dns1123_subdomain(cname):
            yield service.finding(path, rule, invalid(cname, detail))
    for field_name in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
        if spec.get(field_name) not in (None, "", []):
            field_path: Path = ("spec", field_name)
            yield service.finding(field_path, rule, forbidden(
                "may not be set for ExternalName services"))


def check_service_values(service: Resource, spec: dict[str, Any]) -> Iterator[Finding]:
    """api-service-value. validation.go ValidateService: the supported type,
    sessionAffinity (and validateClientIPAffinityConfig's timeout, a sessionAffinityConfig
    only with ClientIP), the traffic policies (validateServiceExternalTrafficPolicy,
    validateServiceInternalTrafficFieldsValue), a clusterIP that is empty, None or an IP,
    ipFamilies and ipFamilyPolicy values (ValidateServiceClusterIPsRelatedFields,
    validateIPFamilies), selector labels (ValidateLabels), and each port's protocol,
    appProtocol (validateAppProtocol) and targetPort (validateServicePort,
    ValidatePortNumOrName), with no port repeated for a protocol and no nodePort repeated."""
    rule = "api-service-value"
    kind = spec.get("type")
    if isinstance(kind, str) and kind not in SERVICE_TYPES:
        path: Path = ("spec", "type")
        yield service.finding(path, rule, unsupported(kind, SERVICE_TYPES))
    for name, supported in CHOICES:
        value = spec.get(name)
        if isinstance(value, str) and value and value not in supported:
            path = ("spec", name)
            yield service.finding(path, rule, unsupported(value, supported))
    affinity = spec.get("sessionAffinity") or "None"
    config = spec.get("sessionAffinityConfig")
    if affinity == "None" and config is not None:
        path = ("spec", "sessionAffinityConfig")
        yield service.finding(path, rule, forbidden(
            "must not be set when session affinity is None"))
    timeout = integer((config.get("clientIP") or {}).get("timeoutSeconds")) \
        if isinstance(config, dict) and isinstance(config.get("clientIP"), dict) else None
    if affinity == "ClientIP" and timeout is not None \
            and not 0 < timeout <= MAX_AFFINITY_SECONDS:
        path = ("spec", "sessionAffinityConfig", "clientIP", "timeoutSeconds")
        yield service.finding(path, rule, invalid(
            timeout, f"must be greater than 0 and less than {MAX_AFFINITY_SECONDS}"))
    families = spec.get("ipFamilies")
    for index, family in enumerate(families if isinstance(families, list) else []):
        if family not in IP_FAMILIES:  # validateIPFamilies
            family_path: Path = ("spec", "ipFamilies", index)
            yield service.finding(family_path, rule,
                                  unsupported(family, IP_FAMILIES))
    cluster_ip = spec.get("clusterIP")
    if isinstance(cluster_ip, str) and cluster_ip not in ("", "None") \
            and ip_version(cluster_ip) is None:
        path = ("spec", "clusterIP")
        yield service.finding(path, rule, invalid(
            cluster_ip, "must be empty, 'None', or a valid IP address"))
    selector = spec.get("selector")
    for key, value in selector.items() if isinstance(selector, dict) else []:
        path = ("spec", "selector", key)
        for detail in is_label_key(str(key)):
            yield service.finding(path, rule, invalid(str(key), detail))
        if isinstance(value, str):
            for detail in is_label_value(value):
                yield service.finding(path, rule, invalid(value, detail))
    yield from _port_value_findings(service, spec)


def _port_value_findings(service: Resource, spec: dict[str, Any]) -> Iterator[Finding]:
    rule = "api-service-value"
    # A letterless targetPort of a Service with pods is service-target-port's to explain.
    selects = spec.get("type") != "ExternalName" and bool(spec.get("selector"))
    seen: set[tuple[str, Any]] = set()
    node_ports: set[tuple[str, int]] = set()
    for index, port in enumerate(list_at(spec, ("ports",))):
        if not isinstance(port, dict):
            continue
        path: Path = ("spec", "ports", index)
        protocol = port.get("protocol") or "TCP"
        if protocol not in PROTOCOLS:
            protocol_path: Path = (*path, "protocol")
            yield service.finding(protocol_path, rule,
                                  unsupported(protocol, PROTOCOLS))
        app_protocol = port.get("appProtocol")
        # validation.go validateServicePort: ValidateQualifiedName, as written (unlike an
        # annotation key, not lower-cased first: the prefix must be lower case)
        if isinstance(app_protocol, str):
            app_path: Path = (*path, "appProtocol")
            for detail in is_label_key(app_protocol):
                yield service.finding(app_path, rule, invalid(app_protocol, detail))
        target = port.get("targetPort")
        errors = port_num_or_name(target) if target not in (None, 0, "") else ()
        if errors and not (selects and letterless(target)):
            target_path: Path = (*path, "targetPort")
            for detail in errors:
                yield service.finding(target_path, rule, invalid(target, detail))
        number = integer(port.get("port"))
        if number is not None:
            if (protocol, number) in seen:
                yield service.finding(path, rule, duplicate(f"{number}/{protocol}"))
            seen.add((protocol, number))
        node_port = integer(port.get("nodePort"))
        if node_port:
            if (protocol, node_port) in node_ports:
                node_path: Path = (*path, "nodePort")
                yield service.finding(node_path, rule, duplicate(node_port))
            node_ports.add((protocol, node_port))


def check_services(context: SetContext) -> Iterator[Finding]:
    """Both rules above, over each member Service: one resource at a time."""
    for resource in context.members:
        if resource.kind == "Service" and resource.group == "":
            spec = spec_of(resource)
            yield from check_service_type(resource, spec)
            yield from check_service_values(resource, spec)


APISERVER_SERVICE_CHECKS = (check_services,)
