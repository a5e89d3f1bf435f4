"""Rules over built-in kinds: selectors, Service ports, probes, StatefulSets, images,
resource quantities."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from functools import lru_cache
from typing import Any

from deepdive.quantity import QuantityError, parse_quantity
from deepdive.validate.findings import Finding, Severity
from deepdive.validate.rules.context import SetContext, Template, per_resource
from deepdive.validate.yamlcheck import Resource
from deepdive.workloads import get_path, list_at

SELECTOR_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job")
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
PROBE_HANDLERS = ("httpGet", "tcpSocket", "grpc")


def _labels_text(labels: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(labels.items())) or "none"


def _expression_holds(expression: dict[str, Any], labels: dict[str, str]) -> bool:
    key, operator = str(expression.get("key", "")), expression.get("operator")
    values = [str(v) for v in list_at(expression, ("values",))]
    if operator == "In":
        return labels.get(key) in values
    if operator == "NotIn":
        return labels.get(key) not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    return True  # an unknown operator is the schema's business


@per_resource
def check_selectors(context: SetContext) -> Iterator[Finding]:
    for resource, template in context.member_templates():
        if template.path == ():
            continue  # a Pod: no selector
        if resource.kind == "ReplicationController":
            plain = get_path(resource.data, ("spec", "selector"))
            if not plain:
                continue  # the API server defaults it to the template's labels
            selector: Any = {"matchLabels": plain}
            base: tuple[str, ...] = ("spec", "selector")
            labels_path: tuple[str, ...] = base
        elif resource.kind in SELECTOR_KINDS:
            selector = get_path(resource.data, ("spec", "selector"))
            base = ("spec", "selector")
            labels_path = (*base, "matchLabels")
        else:
            continue
        if not isinstance(selector, dict):
            continue  # Jobs generate their own; elsewhere the schema requires one
        match_labels = selector.get("matchLabels") or {}
        expressions = list_at(selector, ("matchExpressions",))
        if not match_labels and not expressions and resource.kind != "Job":
            yield resource.finding(base, "selector-mismatch",
                                   "an empty selector would select every pod")
        for key, value in match_labels.items() if isinstance(match_labels, dict) else []:
            if template.labels.get(str(key)) != str(value):
                yield resource.finding(
                    (*labels_path, key), "selector-mismatch",
                    f"selector {key}={value} does not match the pod template labels "
                    f"({_labels_text(template.labels)})")
        for index, expression in enumerate(expressions if isinstance(expressions, list) else []):
            if isinstance(expression, dict) and not _expression_holds(expression, template.labels):
                yield resource.finding(
                    (*base, "matchExpressions", index), "selector-mismatch",
                    f"expression {expression.get('key')} {expression.get('operator')} "
                    f"{expression.get('values') or ''} does not hold for the pod template "
                    f"labels ({_labels_text(template.labels)})".replace("  ", " "))


def _same_namespace(a: Resource, b: Resource) -> bool:
    return not a.namespace or not b.namespace or a.namespace == b.namespace


def selected_templates(context: SetContext, service: Resource) -> list[Template]:
    selector = get_path(service.data, ("spec", "selector"))
    if not isinstance(selector, dict) or not selector:
        return []
    wanted = {str(k): str(v) for k, v in selector.items()}
    return [t for t in context.templates_selected_by(wanted)
            if _same_namespace(t.resource, service)]


def container_ports(container: dict[str, Any]) -> tuple[set[str], set[int]]:
    names: set[str] = set()
    numbers: set[int] = set()
    for port in list_at(container, ("ports",)):
        if isinstance(port, dict):
            if port.get("name"):
                names.add(str(port["name"]))
            if isinstance(port.get("containerPort"), int):
                numbers.add(port["containerPort"])
    return names, numbers


def template_ports(template: Template) -> tuple[dict[str, set[str]], set[int]]:
    """The ports a Service can reach in a pod: named (with their protocols) and numbered,
    of app containers and sidecars; an init container has exited by the time traffic comes."""
    names: dict[str, set[str]] = {}
    numbers: set[int] = set()
    for path, container in template.containers():
        if path[-2] != "containers" and container.get("restartPolicy") != "Always":
            continue
        for port in list_at(container, ("ports",)):
            if not isinstance(port, dict):
                continue
            if port.get("name"):
                names.setdefault(str(port["name"]), set()).add(str(port.get("protocol") or "TCP"))
            if isinstance(port.get("containerPort"), int):
                numbers.add(port["containerPort"])
    return names, numbers


def _target_port_problem(target: Any, protocol: str, template: Template) -> str:
    """Why a Service port's target is not a port of the template, or "". Kubernetes
    resolves a named targetPort by name and protocol together."""
    names, numbers = template_ports(template)
    if isinstance(target, str) and protocol not in names.get(target, {protocol}):
        found = "/".join(sorted(names[target]))
        return (f'containerPort "{target}" is {found}, the Service port {protocol}: '
                "Kubernetes matches the name and the protocol")
    return _port_problem(target, set(names), numbers)


def _port_problem(port: Any, names: set[str], numbers: set[int]) -> str:
    """Why a port (name or number) is not among a container's ports, or ""."""
    if isinstance(port, str):
        # Kubernetes reads every string as a port name, and the API server rejects a
        # name without a letter: a quoted "8080" is not the number 8080.
        if not any("a" <= character <= "z" for character in port):
            return (f'"{port}" is a string, so Kubernetes reads it as a port name, and a port '
                    "name needs a letter (a-z): write a number unquoted")
        if port not in names:
            listed = ", ".join(sorted(names)) or "none"
            return f'no containerPort is named "{port}" (names: {listed})'
        return ""
    if isinstance(port, int) and not isinstance(port, bool) and port not in numbers:
        listed = ", ".join(str(n) for n in sorted(numbers)) or "none"
        return (f"no containerPort is {port} (containerPorts: {listed}); Kubernetes still "
                "sends to that port of the pod, so this is valid if something listens there")
    return ""


def _severity(port: Any) -> Severity:
    """A number that no container declares still reaches the pod (containerPort is
    informational); a name that none declares cannot resolve at all."""
    return Severity.WARNING if isinstance(port, int) and not isinstance(port, bool) \
        else Severity.ERROR


def has_pods(service: Resource) -> bool:
    """Whether a Service's endpoints are pods it selects (not a DNS name or set by hand)."""
    spec = service.data.get("spec")
    return (isinstance(spec, dict) and spec.get("type") != "ExternalName"
            and isinstance(spec.get("selector"), dict) and bool(spec["selector"]))


def check_services(context: SetContext) -> Iterator[Finding]:
    for service in context.of_kind("Service", members_only=True):
        if not has_pods(service):
            continue
        spec = service.data["spec"]
        selector = spec["selector"]
        selected = selected_templates(context, service)
        if not selected:
            yield service.finding(("spec", "selector"), "service-selects-nothing",
                                  f"selector {_labels_text(selector)} matches no pod template "
                                  "in this example set")
            continue
        for index, port in enumerate(list_at(spec, ("ports",))):
            if not isinstance(port, dict):
                continue
            field = "targetPort" if "targetPort" in port else "port"
            target = port.get(field)
            for template in selected:
                problem = _target_port_problem(target, str(port.get("protocol") or "TCP"),
                                               template)
                if problem:
                    yield service.finding(
                        ("spec", "ports", index, field), "service-target-port",
                        f"{field} {target} on {template.resource.label}: {problem}",
                        severity=_severity(target))


@per_resource
def check_probes(context: SetContext) -> Iterator[Finding]:
    for resource, template in context.member_templates():
        for container_path, container in template.containers():
            names, numbers = container_ports(container)
            for probe_name in PROBES:
                probe = container.get(probe_name)
                if not isinstance(probe, dict):
                    continue
                for handler in PROBE_HANDLERS:
                    action = probe.get(handler)
                    if not isinstance(action, dict) or "port" not in action:
                        continue
                    problem = _port_problem(action["port"], names, numbers)
                    if problem:
                        yield resource.finding(
                            (*container_path, probe_name, handler, "port"), "probe-port",
                            f"container {container.get('name')}: {problem}",
                            severity=_severity(action["port"]))


def check_statefulsets(context: SetContext) -> Iterator[Finding]:
    for statefulset in context.of_kind("StatefulSet", "apps", members_only=True):
        name = get_path(statefulset.data, ("spec", "serviceName"))
        if not name:
            continue
        services = [s for _, s in context.services_by_name.get(str(name), [])
                    if _same_namespace(s, statefulset)]
        if not services:
            yield statefulset.finding(("spec", "serviceName"), "statefulset-service",
                                      f'no Service "{name}" in this example set')
        elif not any(get_path(s.data, ("spec", "clusterIP")) == "None" for s in services):
            yield statefulset.finding(("spec", "serviceName"), "statefulset-service",
                                      f'Service "{name}" is not headless (set clusterIP: None)')


def image_problem(image: str) -> str:
    if "@" in image:
        return ""  # a digest pins the exact bytes
    repository_last = image.rsplit("/", 1)[-1]
    if ":" not in repository_last:
        return f'image "{image}" has no tag: pin a version (or a digest)'
    if repository_last.split(":", 1)[1] == "latest":
        return f'image "{image}" uses the moving tag "latest": pin a version (or a digest)'
    return ""


@per_resource
def check_images(context: SetContext) -> Iterator[Finding]:
    for resource, template in context.member_templates():
        for container_path, container in template.containers():
            image = container.get("image")
            if isinstance(image, str) and (problem := image_problem(image)):
                yield resource.finding((*container_path, "image"), "image-unpinned", problem)


def _resources_blocks(template: Template) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    pod_level = template.spec.get("resources")
    if isinstance(pod_level, dict):
        yield (*template.path, "spec", "resources"), pod_level
    for container_path, container in template.containers():
        block = container.get("resources")
        if isinstance(block, dict):
            yield (*container_path, "resources"), block


@lru_cache(maxsize=4096)
def _cached_quantity(value: str | int | float) -> Fraction:
    return parse_quantity(value)


def _quantity(value: Any) -> Fraction:
    """parse_quantity, remembered: the same few quantities recur across a corpus."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return _cached_quantity(value)
    return parse_quantity(value)


@per_resource
def check_quantities(context: SetContext) -> Iterator[Finding]:
    for resource, template in context.member_templates():
        for path, block in _resources_blocks(template):
            parsed: dict[str, dict[str, Any]] = {"requests": {}, "limits": {}}
            for section in parsed:
                values = block.get(section)
                for name, value in values.items() if isinstance(values, dict) else []:
                    try:
                        parsed[section][name] = _quantity(value)
                    except QuantityError as error:
                        yield resource.finding((*path, section, name), "resource-quantity",
                                               str(error))
            for name, request in parsed["requests"].items():
                limit = parsed["limits"].get(name)
                if limit is not None and request > limit:
                    yield resource.finding(
                        (*path, "requests", name), "resource-request-exceeds-limit",
                        f"request {name}={block['requests'][name]} is more than its limit "
                        f"{block['limits'][name]}")


KUBERNETES_CHECKS = (check_selectors, check_services, check_probes, check_statefulsets,
                     check_images, check_quantities)
