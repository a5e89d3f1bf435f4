"""The API server's own validation (issue 12), for what manifests get wrong most often:
object names, label and annotation syntax, containers, container and Service ports,
replicas and a workload template's restartPolicy.

Each check is ported from the Go source of kubernetes/kubernetes and cites the file
and function beside it. Findings read like the API server's field errors
(`<field path>: Invalid value: "x": <detail>`), and point at the offending field (or,
for a missing one, at the object that lacks it). The API server refuses all of these,
so none can be allowed with `# deepdive:allow`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from functools import lru_cache, wraps
from typing import Any

from deepdive.manifests import FieldPath
from deepdive.validate.findings import Finding
from deepdive.validate.rules.context import SetContext
from deepdive.validate.yamlcheck import Resource
from deepdive.workloads import get_path, list_at

Path = FieldPath

# --- staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go -----------------
DNS1123_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_SUBDOMAIN = DNS1123_LABEL + r"(\." + DNS1123_LABEL + r")*"
DNS1035_LABEL = r"[a-z]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL = re.compile(DNS1123_LABEL)
_DNS1123_SUBDOMAIN = re.compile(DNS1123_SUBDOMAIN)
_DNS1035_LABEL = re.compile(DNS1035_LABEL)
# staging/src/k8s.io/apimachinery/pkg/api/validate/content/kube.go: labelKeyFmt
LABEL_KEY = r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_KEY = re.compile(LABEL_KEY)
_PORT_NAME_CHARS = re.compile(r"[-a-z0-9]+")


def _regex_error(message: str, fmt: str, *examples: str) -> str:
    """validation.go RegexError: the message, then examples, then the regex used. Go writes
    each example as "'x', " and puts " or " between them, hence "'a',  or 'b', regex"."""
    shown = " or ".join(f"'{e}', " for e in examples)
    return (f"{message} (e.g. {shown}regex used for validation is '{fmt}')" if examples
            else f"{message} (regex used for validation is '{fmt}')")


def _max_len(length: int, unit: str = "characters") -> str:
    """MaxLenError: util/validation/validation.go's (names, port names, config keys) says
    "characters"; content/errors.go's, which the label key and value checks use, "bytes"."""
    return f"must be no more than {length} {unit}"


def _memoized(check: Callable[[str], list[str]]) -> Callable[[str], tuple[str, ...]]:
    """Remember a string check's answer: the same names, keys and ports recur across a
    corpus, and every api-* check asks (bounded, so memory stays flat)."""
    @lru_cache(maxsize=8192)
    @wraps(check)
    def remembered(value: str) -> tuple[str, ...]:
        return tuple(check(value))
    return remembered


@_memoized
def is_dns1123_label(value: str) -> list[str]:
    """validation.go IsDNS1123Label."""
    errors = [_max_len(63)] if len(value) > 63 else []
    if not _DNS1123_LABEL.fullmatch(value):
        if _DNS1123_SUBDOMAIN.fullmatch(value):
            errors.append("must not contain dots")
        else:
            errors.append(_regex_error(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric "
                "characters or '-', and must start and end with an alphanumeric character",
                DNS1123_LABEL, "my-name", "123-abc"))
    return errors


@_memoized
def is_dns1123_subdomain(value: str) -> list[str]:
    """validation.go IsDNS1123Subdomain."""
    return _subdomain_errors(value, "characters")


def _subdomain_errors(value: str, unit: str) -> list[str]:
    """IsDNS1123Subdomain of util/validation ("characters") or of content ("bytes")."""
    errors = [_max_len(253, unit)] if len(value) > 253 else []
    if not _DNS1123_SUBDOMAIN.fullmatch(value):
        errors.append(_regex_error(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
            "characters, '-' or '.', and must start and end with an alphanumeric character",
            DNS1123_SUBDOMAIN, "example.com"))
    return errors


@_memoized
def is_dns1035_label(value: str) -> list[str]:
    """validation.go IsDNS1035Label."""
    errors = [_max_len(63)] if len(value) > 63 else []
    if not _DNS1035_LABEL.fullmatch(value):
        errors.append(_regex_error(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
            "start with an alphabetic character, and end with an alphanumeric character",
            DNS1035_LABEL, "my-name", "abc-123"))
    return errors


@_memoized
def is_label_key(value: str) -> list[str]:
    """content/kube.go IsLabelKey (validation.go IsQualifiedName): an optional DNS-1123
    subdomain prefix and '/', then a name of at most 63 characters."""
    parts = value.split("/")
    errors: list[str] = []
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errors.append("prefix part must be non-empty")
        else:
            errors += [f"prefix part {e}" for e in _subdomain_errors(prefix, "bytes")]
    else:
        return ["a valid label key " + _regex_error(
            "must consist of alphanumeric characters, '-', '_' or '.', and must start and "
            "end with an alphanumeric character", LABEL_KEY, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
    if not name:
        errors.append("name part must be non-empty")
    elif len(name) > 63:
        errors.append("name part " + _max_len(63, "bytes"))
    if not _LABEL_KEY.fullmatch(name):
        errors.append("name part " + _regex_error(
            "must consist of alphanumeric characters, '-', '_' or '.', and must start and "
            "end with an alphanumeric character", LABEL_KEY, "MyName", "my.name", "123-abc"))
    return errors


@_memoized
def is_label_value(value: str) -> list[str]:
    """content/kube.go IsLabelValue: empty, or a label-key name of at most 63 characters."""
    errors = [_max_len(63, "bytes")] if len(value) > 63 else []
    if value and not _LABEL_KEY.fullmatch(value):
        errors.append(_regex_error(
            "a valid label must be an empty string or consist of alphanumeric characters, "
            "'-', '_' or '.', and must start and end with an alphanumeric character",
            f"({LABEL_KEY})?", "MyValue", "my_value", "12345"))
    return errors


@_memoized
def is_valid_port_name(port: str) -> list[str]:
    """validation.go IsValidPortName: an IANA service name."""
    errors = [_max_len(15)] if len(port) > 15 else []
    if not _PORT_NAME_CHARS.fullmatch(port):
        errors.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search(r"[a-z]", port):
        errors.append("must contain at least one letter (a-z)")
    if "--" in port:
        errors.append("must not contain consecutive hyphens")
    if port.startswith("-") or port.endswith("-"):
        errors.append("must not begin or end with a hyphen")
    return errors


def is_valid_port_num(port: int) -> list[str]:
    """validation.go IsValidPortNum."""
    return [] if 1 <= port <= 65535 else ["must be between 1 and 65535, inclusive"]


# --- how the API server words a field error (apimachinery util/validation/field) ------
def _shown(value: Any) -> str:
    """A value as the message shows it: strings quoted, objects as JSON (as Go's %q and
    json.Marshal write them, other alphabets unescaped)."""
    if isinstance(value, str | dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# The finding already names the field (file:line:col and its path, as the API server's
# field path), so a message starts with the API server's kind of error.
def spec_of(resource: Resource) -> dict[str, Any]:
    """The resource's `spec`, or an empty one when it is missing or not a mapping (the
    schema reports that; these rules only look inside a well-formed spec)."""
    spec = resource.data.get("spec")
    return spec if isinstance(spec, dict) else {}


def invalid(value: Any, detail: str) -> str:
    return f"Invalid value: {_shown(value)}: {detail}"


def duplicate(value: Any) -> str:
    return f"Duplicate value: {_shown(value)}"


def required(detail: str = "") -> str:
    return f"Required value: {detail}" if detail else "Required value"


def forbidden(detail: str) -> str:
    return f"Forbidden: {detail}"


def not_found(value: Any) -> str:
    return f"Not found: {_shown(value)}"


def unsupported(value: Any, supported: list[str]) -> str:
    values = ", ".join(json.dumps(s) for s in supported)
    return f"Unsupported value: {_shown(value)}: supported values: {values}"


def _integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


integer = _integer  # for the other apiserver_* modules

# staging/src/k8s.io/apimachinery/pkg/api/validation/generic.go IsNegativeErrorMsg
NEGATIVE = "must be greater than or equal to 0"


def negative_fields(resource: Resource, holder: Any, base: Path, fields: tuple[str, ...],
                    rule: str) -> Iterator[Finding]:
    """ValidateNonnegativeField for each named integer field of `holder` (found at `base`)."""
    if not isinstance(holder, dict):
        return
    for name in fields:
        value = _integer(holder.get(name))
        if value is not None and value < 0:
            path: Path = (*base, name)
            yield resource.finding(path, rule, invalid(value, NEGATIVE))


def letterless(value: Any) -> bool:
    """A string with no letter a-z: never a port name (IsValidPortName); the cross-reference
    rules (probe-port, service-target-port) already report these where they look."""
    return isinstance(value, str) and not re.search(r"[a-z]", value)


def port_num_or_name(value: Any) -> tuple[str, ...] | list[str]:
    """validation.go ValidatePortNumOrName: a number is a port number, a string a port name."""
    if isinstance(value, str):
        return is_valid_port_name(value)
    number = _integer(value)
    return [] if number is None else is_valid_port_num(number)


_PERCENT = re.compile(r"[0-9]+%")


@_memoized
def is_valid_percent(value: str) -> list[str]:
    """validation.go IsValidPercent."""
    return [] if _PERCENT.fullmatch(value) else [_regex_error(
        "a valid percent string must be a numeric string followed by an ending '%'",
        "[0-9]+%", "1%", "93%")]


_CONFIG_KEY = re.compile(r"[-._a-zA-Z0-9]+")


@_memoized
def is_config_map_key(value: str) -> list[str]:
    """validation.go IsConfigMapKey: also the key check for Secrets and key selectors."""
    errors = [_max_len(253)] if len(value) > 253 else []
    if not _CONFIG_KEY.fullmatch(value):
        errors.append(_regex_error(
            "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
            "[-._a-zA-Z0-9]+", "key.name", "KEY_NAME", "key-name"))
    if value == ".":
        errors.append("must not be '.'")
    elif value == "..":
        errors.append("must not be '..'")
    elif value.startswith(".."):
        errors.append("must not start with '..'")
    return errors


def ip_version(value: str) -> int | None:
    """4 or 6 for an IP address (netutils.ParseIPSloppy's strict kin), else None;
    ipaddress is imported on first use (most runs never parse an address)."""
    import ipaddress

    try:
        return ipaddress.ip_address(value).version
    except ValueError:
        return None


# --- label selectors ---------------------------------------------------------------------
SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def check_label_selector(resource: Resource, selector: Any, base: Path,
                         rule: str) -> Iterator[Finding]:
    """staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go
    ValidateLabelSelector and ValidateLabelSelectorRequirement: matchLabels keys and values
    are labels; In and NotIn need values, Exists and DoesNotExist forbid them; keys are
    qualified names."""
    if not isinstance(selector, dict):
        return
    labels = selector.get("matchLabels")
    for key, value in labels.items() if isinstance(labels, dict) else []:
        path: Path = (*base, "matchLabels", key)
        for detail in is_label_key(str(key)):
            yield resource.finding(path, rule, invalid(str(key), detail))
        if isinstance(value, str):
            for detail in is_label_value(value):
                yield resource.finding(path, rule, invalid(value, detail))
    expressions = selector.get("matchExpressions")
    for index, expression in enumerate(expressions if isinstance(expressions, list) else []):
        if not isinstance(expression, dict):
            continue
        path = (*base, "matchExpressions", index)
        operator, values = expression.get("operator"), expression.get("values")
        if operator in ("In", "NotIn") and not values:
            values_path: Path = (*path, "values")
            yield resource.finding(path, rule, required(
                "must be specified when `operator` is 'In' or 'NotIn'"))
        elif operator in ("Exists", "DoesNotExist") and values:
            values_path = (*path, "values")
            yield resource.finding(values_path, rule, forbidden(
                "may not be specified when `operator` is 'Exists' or "
                "'DoesNotExist'"))
        elif isinstance(operator, str) and operator not in SELECTOR_OPERATORS:
            operator_path: Path = (*path, "operator")
            yield resource.finding(operator_path, rule, invalid(
                operator, "not a valid selector operator"))
        key = expression.get("key")
        if isinstance(key, str):
            key_path: Path = (*path, "key")
            for detail in is_label_key(key):
                yield resource.finding(key_path, rule, invalid(key, detail))


# --- object names ----------------------------------------------------------------------
# pkg/apis/core/validation/validation.go ValidateServiceName = NameIsDNS1035Label, relaxed
# to NameIsDNSLabel (a leading digit allowed) behind the RelaxedServiceNameValidation
# feature gate: alpha in 1.34 (off), beta from 1.36 (on by default; KEP-5311 in
# kubernetes/enhancements). Names are checked against the strictest release validated:
# 1.35 still refuses a Service named "1web", so the default 1.35-1.37 run reports it, and
# the message says that later releases accept it.
RELAXED_SERVICE_NAMES_BY_DEFAULT = {"1.35": False, "1.36": True, "1.37": True}
RELAXED_NOTE = ("; Kubernetes " + ", ".join(v for v, on in RELAXED_SERVICE_NAMES_BY_DEFAULT.items()
                                             if on)
                + " accept a leading digit (RelaxedServiceNameValidation, on by default)")

# (group, kind) -> name check. Each is ValidateObjectMeta's nameFn for that kind:
NAME_CHECKS = {
    # pkg/apis/core/validation/validation.go ValidateNamespaceName = NameIsDNSLabel
    ("", "Namespace"): is_dns1123_label,
    ("", "Service"): (is_dns1123_label if all(RELAXED_SERVICE_NAMES_BY_DEFAULT.values())
                      else is_dns1035_label),
    # pkg/apis/core/validation/validation.go: ValidatePodName, ValidateConfigMapName,
    # ValidateSecretName, ValidateServiceAccountName, ValidatePersistentVolumeName (for
    # claims too), ValidateReplicationControllerName = NameIsDNSSubdomain
    **{("", kind): is_dns1123_subdomain for kind in (
        "Pod", "ConfigMap", "Secret", "ServiceAccount", "PersistentVolumeClaim",
        "ReplicationController")},
    # pkg/apis/apps/validation/validation.go: ValidateDeploymentName,
    # ValidateReplicaSetName, ValidateStatefulSetName, ValidateDaemonSetName
    **{("apps", kind): is_dns1123_subdomain for kind in (
        "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")},
    # pkg/apis/batch/validation/validation.go ValidateJob / ValidateCronJob (ObjectMeta
    # with NameIsDNSSubdomain; CronJob's 52-character limit is not ported yet)
    ("batch", "Job"): is_dns1123_subdomain,
    ("batch", "CronJob"): is_dns1123_subdomain,
    # networking, policy, autoscaling, discovery: ValidateIngressName,
    # ValidateNetworkPolicy, ValidatePodDisruptionBudget,
    # ValidateHorizontalPodAutoscalerName, ValidateEndpointSliceName = NameIsDNSSubdomain
    ("networking.k8s.io", "Ingress"): is_dns1123_subdomain,
    ("networking.k8s.io", "NetworkPolicy"): is_dns1123_subdomain,
    ("policy", "PodDisruptionBudget"): is_dns1123_subdomain,
    ("autoscaling", "HorizontalPodAutoscaler"): is_dns1123_subdomain,
    ("discovery.k8s.io", "EndpointSlice"): is_dns1123_subdomain,
}


def check_names(context: SetContext) -> Iterator[Finding]:
    """staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go ValidateObjectMeta:
    each nameFn message is an Invalid value at metadata.name."""
    for resource in context.members:
        check = NAME_CHECKS.get((resource.group, resource.kind))
        name = get_path(resource.data, ("metadata", "name"))
        if check is None or not isinstance(name, str) or not name:
            continue  # a missing name is yaml-missing-field's (or generate-name's)
        path: Path = ("metadata", "name")
        for detail in check(name):
            if check is is_dns1035_label and not is_dns1123_label(name):
                detail += RELAXED_NOTE  # only the leading digit is wrong, and only in 1.35
            yield resource.finding(path, "api-object-name", invalid(name, detail))


# --- labels and annotations ------------------------------------------------------------
def _metadata_paths(context: SetContext, resource: Resource) -> list[Path]:
    """The object's metadata and, for a workload, its pod template's metadata."""
    paths: list[Path] = [("metadata",)]
    template = context.template(resource)
    if template is not None and template.path:
        paths.append((*template.path, "metadata"))
    return paths


def check_labels(context: SetContext) -> Iterator[Finding]:
    """staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go
    ValidateLabels (ValidateLabelName: IsQualifiedName on the key; IsValidLabelValue on the
    value), called by ValidateObjectMeta and, for pod templates, ValidatePodTemplateSpec.
    The API server names the labels field; the finding points at the offending key."""
    for resource in context.members:
        for meta in _metadata_paths(context, resource):
            labels = get_path(resource.data, (*meta, "labels"))
            if not isinstance(labels, dict):
                continue
            base: Path = (*meta, "labels")
            for key, value in labels.items():
                key = str(key)
                for detail in is_label_key(key):
                    yield resource.finding((*base, key), "api-label",
                                           invalid(key, detail))
                if isinstance(value, str):
                    for detail in is_label_value(value):
                        yield resource.finding((*base, key), "api-label",
                                               invalid(value, detail))


def check_annotations(context: SetContext) -> Iterator[Finding]:
    """staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go ValidateAnnotations:
    every key, lower-cased, must be a qualified name (values are free)."""
    for resource in context.members:
        for meta in _metadata_paths(context, resource):
            annotations = get_path(resource.data, (*meta, "annotations"))
            if not isinstance(annotations, dict):
                continue
            base: Path = (*meta, "annotations")
            for key in annotations:
                key = str(key)
                for detail in is_label_key(key.lower()):
                    yield resource.finding((*base, key), "api-annotation-key",
                                           invalid(key, detail))


# --- containers --------------------------------------------------------------------------
def check_containers(context: SetContext) -> Iterator[Finding]:
    """pkg/apis/core/validation/validation.go validateContainerCommon (name required and
    a DNS-1123 label; image required, in pod templates too), validateContainers (names
    unique among containers) and validateInitContainers (an init container's name unique
    among init and regular containers: the duplicate is reported on the init container)."""
    for _resource, template in context.member_templates():
        spec = template.spec
        app_names = {c.get("name") for c in list_at(spec, ("containers",))
                     if isinstance(c, dict)}
        seen: dict[str, set[Any]] = {"initContainers": set(app_names), "containers": set()}
        for path, container in template.containers():
            resource = template.resource
            field_name = str(path[-2])
            name_path: Path = (*path, "name")
            name = container.get("name")
            if isinstance(name, str) and name:
                for detail in is_dns1123_label(name):
                    yield resource.finding(name_path, "api-container-name",
                                           invalid(name, detail))
                if name in seen[field_name]:
                    yield resource.finding(name_path, "api-container-name",
                                           duplicate(name))
                else:
                    seen[field_name].add(name)
            elif name == "":
                yield resource.finding(name_path, "api-container-name", required())
            image = container.get("image")
            if image is None or image == "":
                image_path: Path = (*path, "image")
                yield resource.finding(image_path, "api-container-image",
                                       required())


def check_container_ports(context: SetContext) -> Iterator[Finding]:
    """pkg/apis/core/validation/validation.go validateContainerPorts: a name, when given,
    is an IANA service name (IsValidPortName) and unique within the container;
    containerPort is required and 1-65535 (IsValidPortNum), and so is a non-zero hostPort."""
    for _resource, template in context.member_templates():
        resource = template.resource
        for path, container in template.containers():
            names: set[str] = set()
            for index, port in enumerate(list_at(container, ("ports",))):
                if not isinstance(port, dict):
                    continue
                port_path: Path = (*path, "ports", index)
                name = port.get("name")
                if isinstance(name, str) and name:
                    name_path: Path = (*port_path, "name")
                    errors = is_valid_port_name(name)
                    for detail in errors:
                        yield resource.finding(name_path, "api-container-port",
                                               invalid(name, detail))
                    if not errors and name in names:
                        yield resource.finding(name_path, "api-container-port",
                                               duplicate(name))
                    names.add(name)
                number_path: Path = (*port_path, "containerPort")
                number = _integer(port.get("containerPort"))
                if number == 0:
                    yield resource.finding(number_path, "api-container-port",
                                           required())
                elif number is not None:
                    for detail in is_valid_port_num(number):
                        yield resource.finding(number_path, "api-container-port",
                                               invalid(number, detail))
                host_path: Path = (*port_path, "hostPort")
                host = _integer(port.get("hostPort"))
                if host:
                    for detail in is_valid_port_num(host):
                        yield resource.finding(host_path, "api-container-port",
                                               invalid(host, detail))


# --- Services ----------------------------------------------------------------------------
def check_service_ports(context: SetContext) -> Iterator[Finding]:
    """pkg/apis/core/validation/validation.go ValidateService / validateServicePort: with
    more than one port each needs a name; a name is a DNS-1123 label, unique in the
    Service; port is 1-65535."""
    for service in context.of_kind("Service", members_only=True):
        ports = list_at(service.data, ("spec", "ports"))
        names: set[str] = set()
        for index, port in enumerate(ports):
            if not isinstance(port, dict):
                continue
            port_path: Path = ("spec", "ports", index)
            name_path: Path = (*port_path, "name")
            name = port.get("name")
            if len(ports) > 1 and not name:
                yield service.finding(name_path, "api-service-port", required())
            elif isinstance(name, str) and name:
                for detail in is_dns1123_label(name):
                    yield service.finding(name_path, "api-service-port",
                                          invalid(name, detail))
                if name in names:
                    yield service.finding(name_path, "api-service-port",
                                          duplicate(name))
                names.add(name)
            number = _integer(port.get("port"))
            if number is not None:
                number_path: Path = (*port_path, "port")
                for detail in is_valid_port_num(number):
                    yield service.finding(number_path, "api-service-port",
                                          invalid(number, detail))


# --- workloads ---------------------------------------------------------------------------
REPLICATED = ("Deployment", "ReplicaSet", "StatefulSet")
ALWAYS_RESTARTED = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")


def check_replicas(context: SetContext) -> Iterator[Finding]:
    """pkg/apis/apps/validation/validation.go ValidateDeploymentSpec, ValidateReplicaSetSpec,
    ValidateStatefulSetSpec: ValidateNonnegativeField(spec.replicas)."""
    for resource in context.members:
        if resource.group != "apps" or resource.kind not in REPLICATED:
            continue
        replicas = _integer(get_path(resource.data, ("spec", "replicas")))
        if replicas is not None and replicas < 0:
            path: Path = ("spec", "replicas")
            yield resource.finding(path, "api-replicas", invalid(
                replicas, "must be greater than or equal to 0"))


def check_restart_policy(context: SetContext) -> Iterator[Finding]:
    """pkg/apis/apps/validation/validation.go ValidatePodTemplateSpecForReplicaSet (Deployment
    and ReplicaSet), ValidateStatefulSetSpec and ValidateDaemonSetSpec: the template's
    restartPolicy must be Always (an unset one is defaulted to Always first)."""
    for resource, template in context.member_templates():
        if resource.group != "apps" or resource.kind not in ALWAYS_RESTARTED:
            continue
        policy = template.spec.get("restartPolicy")
        if isinstance(policy, str) and policy and policy != "Always":
            path: Path = (*template.path, "spec", "restartPolicy")
            yield resource.finding(path, "api-restart-policy",
                                   unsupported(policy, ["Always"]))


APISERVER_CHECKS = (check_names, check_labels, check_annotations, check_containers,
                    check_container_ports, check_service_ports, check_replicas,
                    check_restart_policy)
