"""The API server's validation of the other kinds the site shows (issue 12): ConfigMap and
Secret data, PersistentVolumeClaims, Ingresses, HorizontalPodAutoscalers,
PodDisruptionBudgets and EndpointSlices. (A Namespace's name is api-object-name's.)

Ported from pkg/apis/core/validation/validation.go and the networking, autoscaling, policy
and discovery validation packages; each check cites its file and function.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from deepdive.quantity import QuantityError, parse_quantity
from deepdive.validate.findings import Finding
from deepdive.validate.rules.apiserver import (
    DNS1123_SUBDOMAIN,
    NAME_CHECKS,
    Path,
    check_label_selector,
    duplicate,
    forbidden,
    integer,
    invalid,
    ip_version,
    is_config_map_key,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_valid_percent,
    is_valid_port_name,
    is_valid_port_num,
    required,
    spec_of,
    unsupported,
)
from deepdive.validate.rules.context import SetContext
from deepdive.validate.yamlcheck import Resource
from deepdive.workloads import list_at

# --- ConfigMaps and Secrets ------------------------------------------------------------------
MAX_DATA_BYTES = 1024 * 1024  # core.MaxSecretSize, for ConfigMaps too
# validation.go ValidateSecret: the keys each Secret type needs in data
SECRET_TYPE_KEYS = {
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
}


def _decoded(value: Any) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        return None  # the schema's byte format reports it


def check_config_data(resource: Resource) -> Iterator[Finding]:
    """api-config-data. validation.go ValidateConfigMap (every data and binaryData key is a config
    map key, none in both, 1 MiB in all) and ValidateSecret (data and stringData keys, which
    the API server merges, 1 MiB in all, and the keys the Secret's type requires: a
    service-account-token Secret names its ServiceAccount, basic-auth has a username or
    password, dockercfg and dockerconfigjson hold JSON)."""
    rule = "api-config-data"
    data = resource.data
    sections = ("data", "binaryData") if resource.kind == "ConfigMap" \
        else ("data", "stringData")
    size = 0
    keys: dict[str, set[str]] = {}
    for section in sections:
        values = data.get(section)
        if not isinstance(values, dict):
            continue
        keys[section] = set()
        for key, value in values.items():
            key = str(key)
            keys[section].add(key)
            path: Path = (section, key)
            for detail in is_config_map_key(key):
                yield resource.finding(path, rule, invalid(key, detail))
            size += len(value) if isinstance(value, str) else 0
    if resource.kind == "ConfigMap":
        for key in sorted(keys.get("data", set()) & keys.get("binaryData", set())):
            path = ("data", key)
            yield resource.finding(path, rule, invalid(
                key, "duplicate of key present in binaryData"))
    # A character is at most 4 bytes of UTF-8, and base64 decodes to less than it
    # reads: only a large object needs its exact size.
    if size * 4 > MAX_DATA_BYTES and _data_bytes(resource, sections) > MAX_DATA_BYTES:
        path = ("data",)
        yield resource.finding(path, rule, f"Too long: must have at most {MAX_DATA_BYTES} "
                               "bytes")
    if resource.kind == "Secret":
        yield from _secret_type_findings(resource, keys)


def _data_bytes(resource: Resource, sections: tuple[str, str]) -> int:
    """The bytes the API server counts: text as UTF-8, base64 fields decoded."""
    size = 0
    for section in sections:
        values = resource.data.get(section)
        for value in values.values() if isinstance(values, dict) else []:
            text = section == "stringData" or (resource.kind == "ConfigMap"
                                               and section == "data")
            raw = value.encode() if text and isinstance(value, str) else _decoded(value)
            size += len(raw or b"")
    return size


def _secret_type_findings(resource: Resource, keys: dict[str, set[str]]) -> Iterator[Finding]:
    rule = "api-config-data"
    kind = resource.data.get("type")
    present = keys.get("data", set()) | keys.get("stringData", set())
    if kind == "kubernetes.io/service-account-token":
        annotations = resource.data.get("metadata", {}).get("annotations") or {}
        if not annotations.get("kubernetes.io/service-account.name"):
            path: Path = ("metadata", "annotations", "kubernetes.io/service-account.name")
            yield resource.finding(path, rule, required())
    elif kind == "kubernetes.io/basic-auth" and not present & {"username", "password"}:
        for key in ("username", "password"):
            path = ("data", key)
            yield resource.finding(path, rule, required())
    for key in SECRET_TYPE_KEYS.get(str(kind), ()):
        path = ("data", key)
        if key not in present:
            yield resource.finding(path, rule, required())
        elif key.startswith(".docker"):
            section, text = _secret_value(resource, key)
            if text is not None:
                try:
                    json.loads(text)
                except ValueError as error:
                    at: Path = (section, key)
                    yield resource.finding(at, rule, invalid(
                        "<secret contents redacted>", str(error)))


def _secret_value(resource: Resource, key: str) -> tuple[str, bytes | str | None]:
    """A Secret value as the API server sees it (stringData wins over data)."""
    string_data = resource.data.get("stringData")
    if isinstance(string_data, dict) and isinstance(string_data.get(key), str):
        return "stringData", str(string_data[key])
    data = resource.data.get("data")
    return "data", _decoded(data.get(key)) if isinstance(data, dict) else None


# --- PersistentVolumeClaims --------------------------------------------------------------------
ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]
VOLUME_MODES = ["Block", "Filesystem"]


def check_claims(resource: Resource) -> Iterator[Finding]:
    """api-pvc. validation.go ValidatePersistentVolumeClaimSpec: at least one access mode, each
    supported, ReadWriteOncePod alone; resources.requests.storage required and positive; a
    storageClassName that is a DNS-1123 subdomain; volumeMode Filesystem or Block; a valid
    selector. A StatefulSet's volumeClaimTemplates are checked too: the claims the
    controller creates from them meet the same validation."""
    if resource.kind == "PersistentVolumeClaim":
        yield from _claim_findings(resource, spec_of(resource), ("spec",))
        return
    claims = spec_of(resource).get("volumeClaimTemplates")
    for index, claim in enumerate(claims if isinstance(claims, list) else []):
        spec = claim.get("spec") if isinstance(claim, dict) else None
        yield from _claim_findings(resource, spec if isinstance(spec, dict) else {},
                                   ("spec", "volumeClaimTemplates", index, "spec"))


def _claim_findings(resource: Resource, spec: dict[str, Any], base: Path) -> Iterator[Finding]:
    rule = "api-pvc"
    modes = spec.get("accessModes")
    modes_path: Path = (*base, "accessModes")
    if not modes:
        yield resource.finding(modes_path, rule,
                               required("at least 1 access mode is required"))
    modes = modes if isinstance(modes, list) else []
    for index, mode in enumerate(modes):
        if mode not in ACCESS_MODES:
            yield resource.finding((*modes_path, index), rule,
                                   unsupported(mode, ACCESS_MODES))
    if "ReadWriteOncePod" in modes and len(set(modes)) > 1:
        yield resource.finding(modes_path, rule, forbidden(
            "may not use ReadWriteOncePod with other access modes"))
    storage_path: Path = (*base, "resources", "requests", "storage")
    requests = (spec.get("resources") or {}).get("requests") \
        if isinstance(spec.get("resources"), dict) else None
    storage = requests.get("storage") if isinstance(requests, dict) else None
    if storage is None:
        yield resource.finding(storage_path, rule, required())
    else:
        try:
            positive = parse_quantity(storage) > 0
        except QuantityError as error:  # the API server cannot even decode the claim
            yield resource.finding(storage_path, "resource-quantity", str(error))
            positive = True
        if not positive:
            yield resource.finding(storage_path, rule,
                                   invalid(str(storage), "must be greater than zero"))
    class_name = spec.get("storageClassName")
    if isinstance(class_name, str) and class_name:
        path: Path = (*base, "storageClassName")
        for detail in is_dns1123_subdomain(class_name):
            yield resource.finding(path, rule, invalid(class_name, detail))
    mode = spec.get("volumeMode")
    if isinstance(mode, str) and mode not in VOLUME_MODES:
        path = (*base, "volumeMode")
        yield resource.finding(path, rule, unsupported(mode, VOLUME_MODES))
    yield from check_label_selector(resource, spec.get("selector"), (*base, "selector"), rule)


# --- Ingresses ------------------------------------------------------------------------------
PATH_TYPES = ["Exact", "ImplementationSpecific", "Prefix"]
BAD_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")  # networking/validation invalidPathSequences
BAD_SUFFIXES = ("/..", "/.")
_WILDCARD = re.compile(r"\*\." + DNS1123_SUBDOMAIN)


def check_ingresses(resource: Resource) -> Iterator[Finding]:
    """api-ingress. pkg/apis/networking/validation/validation.go ValidateIngressSpec (rules or a
    defaultBackend; an ingressClassName that is a DNS-1123 subdomain), validateIngressRules
    (a host is a DNS name, a wildcard only as its first label, never an IP),
    validateHTTPIngressRuleValue (paths required), validateHTTPIngressPath (a supported
    pathType; an absolute path for Exact and Prefix, without '//', '/./', '/../' or an
    encoded slash) and validateIngressBackend (exactly one of service and resource; a
    service name and one of port name or number)."""
    rule = "api-ingress"
    spec = spec_of(resource)
    rules = list_at(spec, ("rules",))
    if not rules and spec.get("defaultBackend") is None:
        path: Path = ("spec", "rules")
        yield resource.finding(path, rule, invalid(
            "", "either `defaultBackend` or `rules` must be specified"))
    if isinstance(spec.get("defaultBackend"), dict):
        yield from _backend_findings(resource, spec["defaultBackend"],
                                     ("spec", "defaultBackend"))
    class_name = spec.get("ingressClassName")
    if isinstance(class_name, str) and class_name:
        path = ("spec", "ingressClassName")
        for detail in is_dns1123_subdomain(class_name):
            yield resource.finding(path, rule, invalid(class_name, detail))
    for index, ingress_rule in enumerate(rules):
        if isinstance(ingress_rule, dict):
            yield from _rule_findings(resource, ingress_rule, ("spec", "rules", index))


def _host_errors(host: str) -> list[str]:
    errors = ["must be a DNS name, not an IP address"] if ip_version(host) else []
    if "*" in host:
        if not _WILDCARD.fullmatch(host) or len(host) > 253:
            errors.append("a wildcard DNS-1123 subdomain must start with '*.', followed by a "
                          "valid DNS subdomain, which must consist of lower case alphanumeric "
                          "characters, '-' or '.' and end with an alphanumeric character (e.g. "
                          "'*.example.com', regex used for validation is "
                          f"'\\*\\.{DNS1123_SUBDOMAIN}')")
    else:
        errors += is_dns1123_subdomain(host)
    return errors


def _rule_findings(resource: Resource, ingress_rule: dict[str, Any],
                   base: Path) -> Iterator[Finding]:
    rule = "api-ingress"
    host = ingress_rule.get("host")
    if isinstance(host, str) and host:
        path: Path = (*base, "host")
        for detail in _host_errors(host):
            yield resource.finding(path, rule, invalid(host, detail))
    http = ingress_rule.get("http")
    if not isinstance(http, dict):
        return
    paths = list_at(http, ("paths",))
    if not paths:
        path = (*base, "http", "paths")
        yield resource.finding(path, rule, required())
    for index, entry in enumerate(paths):
        if not isinstance(entry, dict):
            continue
        entry_path: Path = (*base, "http", "paths", index)
        kind, value = entry.get("pathType"), entry.get("path") or ""
        value_path: Path = (*entry_path, "path")
        if kind in ("Exact", "Prefix"):
            details = [] if value.startswith("/") else ["must be an absolute path"]
            details += [f"must not contain '{s}'" for s in BAD_SEQUENCES if s in value]
            details += [f"cannot end with '{s}'" for s in BAD_SUFFIXES if value.endswith(s)]
        elif kind == "ImplementationSpecific":
            details = ["must be an absolute path"] if value and not value.startswith("/") else []
        else:
            details = []
            if isinstance(kind, str):
                type_path: Path = (*entry_path, "pathType")
                yield resource.finding(type_path, rule, unsupported(kind, PATH_TYPES))
        for detail in details:
            yield resource.finding(value_path, rule, invalid(value, detail))
        if isinstance(entry.get("backend"), dict):
            yield from _backend_findings(resource, entry["backend"], (*entry_path, "backend"))


def _backend_findings(resource: Resource, backend: dict[str, Any],
                      base: Path) -> Iterator[Finding]:
    rule = "api-ingress"
    service, other = backend.get("service"), backend.get("resource")
    if service is not None and other is not None:
        yield resource.finding(base, rule, invalid(
            "", "cannot set both resource and service backends"))
        return
    if service is None and other is None:
        yield resource.finding(base, rule, invalid(
            "", "resource or service backend is required"))
        return
    if not isinstance(service, dict):
        return
    name = service.get("name")
    name_path: Path = (*base, "service", "name")
    if not name:
        yield resource.finding(name_path, rule, required())
    elif isinstance(name, str):
        for detail in NAME_CHECKS[("", "Service")](name):
            yield resource.finding(name_path, rule, invalid(name, detail))
    port = service.get("port")
    port = port if isinstance(port, dict) else {}
    port_name, number = port.get("name") or "", integer(port.get("number")) or 0
    if port_name and number:
        yield resource.finding((*base, "service", "port"), rule, invalid(
            "", "cannot set both port name & port number"))
    elif port_name:
        path: Path = (*base, "service", "port", "name")
        for detail in is_valid_port_name(str(port_name)):
            yield resource.finding(path, rule, invalid(port_name, detail))
    elif number:
        path = (*base, "service", "port", "number")
        for detail in is_valid_port_num(number):
            yield resource.finding(path, rule, invalid(number, detail))
    else:
        yield resource.finding((*base, "service", "port"), rule,
                               required("port name or number is required"))


# --- HorizontalPodAutoscalers -----------------------------------------------------------------
METRIC_TYPES = ["ContainerResource", "External", "Object", "Pods", "Resource"]
METRIC_FIELDS = {"ContainerResource": "containerResource", "External": "external",
                 "Object": "object", "Pods": "pods", "Resource": "resource"}
TARGET_TYPES = ("Utilization", "Value", "AverageValue")


def check_autoscalers(resource: Resource) -> Iterator[Finding]:
    """api-hpa. pkg/apis/autoscaling/validation/validation.go validateHorizontalPodAutoscalerSpec:
    minReplicas at least 1, maxReplicas at least 1 and at least minReplicas;
    ValidateCrossVersionObjectReference: scaleTargetRef kind and name; validateMetricSpec: a
    supported type with its own source and no other; validateMetricTarget: a supported
    target type and positive values; validateResourceSource: a utilization or an average
    value."""
    rule = "api-hpa"
    spec = spec_of(resource)
    low, high = integer(spec.get("minReplicas")), integer(spec.get("maxReplicas"))
    if low is not None and low < 1:
        path: Path = ("spec", "minReplicas")
        yield resource.finding(path, rule, invalid(
            low, "must be greater than or equal to 1"))
    if high is not None and high < 1:
        path = ("spec", "maxReplicas")
        yield resource.finding(path, rule, invalid(high, "must be greater than 0"))
    elif high is not None and low is not None and high < low:
        path = ("spec", "maxReplicas")
        yield resource.finding(path, rule, invalid(
            high, "must be greater than or equal to `minReplicas`"))
    target = spec.get("scaleTargetRef")
    for field_name in ("kind", "name"):
        value = target.get(field_name) if isinstance(target, dict) else None
        path = ("spec", "scaleTargetRef", field_name)
        if not value:
            yield resource.finding(path, rule, required())
        elif isinstance(value, str) and (value in (".", "..") or "/" in value
                                         or "%" in value):
            yield resource.finding(path, rule, invalid(
                value, "may not be '.' or '..' and may not contain '/' or '%'"))
    if resource.api_version == "autoscaling/v1":
        utilization = integer(spec.get("targetCPUUtilizationPercentage"))
        if utilization is not None and utilization < 1:
            path = ("spec", "targetCPUUtilizationPercentage")
            yield resource.finding(path, rule,
                                   invalid(utilization, "must be greater than 0"))
        return
    for index, metric in enumerate(list_at(spec, ("metrics",))):
        if isinstance(metric, dict):
            yield from _metric_findings(resource, metric, ("spec", "metrics", index))


def _metric_findings(resource: Resource, metric: dict[str, Any], base: Path) -> Iterator[Finding]:
    rule = "api-hpa"
    kind = metric.get("type")
    type_path: Path = (*base, "type")
    if not kind:
        yield resource.finding(type_path, rule,
                               required("must specify a metric source type"))
        return
    if kind not in METRIC_TYPES:
        yield resource.finding(type_path, rule, unsupported(kind, METRIC_TYPES))
        return
    expected = METRIC_FIELDS[kind]
    if metric.get(expected) is None:
        path: Path = (*base, expected)
        yield resource.finding(path, rule, required(
            "must populate information for the given metric source"))
    for other in METRIC_FIELDS.values():
        if other != expected and metric.get(other) is not None:
            path = (*base, other)
            yield resource.finding(path, rule, forbidden(
                "must populate the given metric source only"))
    source = metric.get(expected)
    if not isinstance(source, dict):
        return
    target = source.get("target")
    target_path: Path = (*base, expected, "target")
    if isinstance(target, dict):
        yield from _target_findings(resource, target, target_path)
        if kind in ("Resource", "ContainerResource") and target.get("averageUtilization") is None \
                and target.get("averageValue") is None:
            path = (*target_path, "averageUtilization")
            yield resource.finding(target_path, rule, required(
                "must set either a target raw value or a target utilization"))


def _target_findings(resource: Resource, target: dict[str, Any],
                     base: Path) -> Iterator[Finding]:
    rule = "api-hpa"
    kind = target.get("type")
    type_path: Path = (*base, "type")
    if not kind:
        yield resource.finding(type_path, rule,
                               required("must specify a metric target type"))
    elif kind not in TARGET_TYPES:
        yield resource.finding(type_path, rule, invalid(
            kind, "must be either Utilization, Value, or AverageValue"))
    for field_name in ("value", "averageValue"):
        value = target.get(field_name)
        if value is None:
            continue
        path: Path = (*base, field_name)
        try:
            positive = parse_quantity(value) > 0
        except QuantityError as error:  # the API server cannot even decode the autoscaler
            yield resource.finding(path, "resource-quantity", str(error))
            continue
        if not positive:
            yield resource.finding(path, rule, invalid(str(value), "must be positive"))
    utilization = integer(target.get("averageUtilization"))
    if utilization is not None and utilization < 1:
        path = (*base, "averageUtilization")
        yield resource.finding(path, rule, invalid(utilization, "must be greater than 0"))


# --- PodDisruptionBudgets -----------------------------------------------------------------------
EVICTION_POLICIES = ["AlwaysAllow", "IfHealthyBudget"]


def check_disruption_budgets(resource: Resource) -> Iterator[Finding]:
    """api-pdb. pkg/apis/policy/validation/validation.go ValidatePodDisruptionBudgetSpec: not both
    minAvailable and maxUnavailable; each a non-negative integer or a percent of at most
    100% (apps ValidatePositiveIntOrPercent, IsNotMoreThan100Percent); a valid selector; a
    supported unhealthyPodEvictionPolicy."""
    rule = "api-pdb"
    spec = spec_of(resource)
    if spec.get("minAvailable") is not None and spec.get("maxUnavailable") is not None:
        path: Path = ("spec", "maxUnavailable")
        both = {k: spec[k] for k in ("minAvailable", "maxUnavailable")}
        yield resource.finding(path, rule, invalid(
            both, "minAvailable and maxUnavailable cannot be both set"))
    for field_name in ("minAvailable", "maxUnavailable"):
        value = spec.get(field_name)
        path = ("spec", field_name)
        if isinstance(value, str):
            errors = list(is_valid_percent(value))
            if not errors and int(value[:-1]) > 100:
                errors = ["must not be greater than 100%"]
            for detail in errors:
                yield resource.finding(path, rule, invalid(value, detail))
        elif (number := integer(value)) is not None and number < 0:
            yield resource.finding(path, rule, invalid(
                number, "must be greater than or equal to 0"))
    yield from check_label_selector(resource, spec.get("selector"), ("spec", "selector"),
                                    rule)
    policy = spec.get("unhealthyPodEvictionPolicy")
    if isinstance(policy, str) and policy not in EVICTION_POLICIES:
        path = ("spec", "unhealthyPodEvictionPolicy")
        yield resource.finding(path, rule, unsupported(policy, EVICTION_POLICIES))


# --- EndpointSlices -------------------------------------------------------------------------------
ADDRESS_TYPES = ["FQDN", "IPv4", "IPv6"]
PORT_PROTOCOLS = ["SCTP", "TCP", "UDP"]


def _address_errors(kind: Any, address: str) -> list[str]:
    """validation.go IsValidIPv4Address, IsValidIPv6Address, IsFullyQualifiedDomainName."""
    if kind in ("IPv4", "IPv6"):
        wanted = 4 if kind == "IPv4" else 6
        return [] if ip_version(address) == wanted else [f"must be a valid {kind} address"]
    if kind == "FQDN":
        name = address.removesuffix(".")
        errors = is_dns1123_subdomain(name)
        if errors:
            return [",".join(errors)]
        if "." not in name:
            return ["should be a domain with at least two segments separated by dots"]
        for label in name.split("."):
            if label_errors := is_dns1123_label(label):
                return [",".join(label_errors)]
    return []


def check_endpoint_slices(resource: Resource) -> Iterator[Finding]:
    """api-endpointslice. pkg/apis/discovery/validation/validation.go ValidateEndpointSlice:
    validateAddressType (FQDN, IPv4 or IPv6), validateEndpoints (at least one address each,
    of the slice's type; a hostname that is a DNS-1123 label) and validatePorts (names
    DNS-1123 labels, unique, an unnamed port counting as the name ""; a supported protocol)."""
    rule = "api-endpointslice"
    data = resource.data
    kind = data.get("addressType")
    if isinstance(kind, str) and kind not in ADDRESS_TYPES:
        path: Path = ("addressType",)
        yield resource.finding(path, rule, unsupported(kind, ADDRESS_TYPES))
    for index, endpoint in enumerate(list_at(data, ("endpoints",))):
        if not isinstance(endpoint, dict):
            continue
        base: Path = ("endpoints", index)
        addresses = list_at(endpoint, ("addresses",))
        if not addresses:
            path = (*base, "addresses")
            yield resource.finding(path, rule,
                                   required("must contain at least 1 address"))
        for number, address in enumerate(addresses):
            if isinstance(address, str):
                path = (*base, "addresses", number)
                for detail in _address_errors(kind, address):
                    yield resource.finding(path, rule, invalid(address, detail))
        hostname = endpoint.get("hostname")
        if isinstance(hostname, str):
            path = (*base, "hostname")
            for detail in is_dns1123_label(hostname):
                yield resource.finding(path, rule, invalid(hostname, detail))
    names: set[str] = set()
    for index, port in enumerate(list_at(data, ("ports",))):
        if not isinstance(port, dict):
            continue
        base = ("ports", index)
        name = port.get("name") or ""
        name_path: Path = (*base, "name")
        for detail in is_dns1123_label(name) if name else []:
            yield resource.finding(name_path, rule, invalid(name, detail))
        if name in names:
            yield resource.finding(name_path if name else base, rule,
                                   duplicate(name))
        names.add(name)
        protocol = port.get("protocol")
        if isinstance(protocol, str) and protocol not in PORT_PROTOCOLS:
            path = (*base, "protocol")
            yield resource.finding(path, rule, unsupported(protocol, PORT_PROTOCOLS))


RULES_BY_KIND: dict[tuple[str, str], Callable[[Resource], Iterator[Finding]]] = {
    ("", "ConfigMap"): check_config_data,
    ("", "Secret"): check_config_data,
    ("", "PersistentVolumeClaim"): check_claims,
    ("apps", "StatefulSet"): check_claims,
    ("networking.k8s.io", "Ingress"): check_ingresses,
    ("autoscaling", "HorizontalPodAutoscaler"): check_autoscalers,
    ("policy", "PodDisruptionBudget"): check_disruption_budgets,
    ("discovery.k8s.io", "EndpointSlice"): check_endpoint_slices,
}


def check_other_kinds(context: SetContext) -> Iterator[Finding]:
    """The rule above for each member of these kinds: one resource at a time."""
    for resource in context.members:
        rule = RULES_BY_KIND.get((resource.group, resource.kind))
        if rule is not None:
            yield from rule(resource)


APISERVER_OTHER_CHECKS = (check_other_kinds,)
