"""Pod QoS class, computed the way Kubernetes does (ComputePodQOS).

Only `cpu` and `memory` count. A container that sets a limit without a
request gets the limit as its request (API defaulting), so that is applied
first. Requests and limits are summed over init and app containers; the pod
is Guaranteed only if every container limits both cpu and memory and the
summed requests equal the summed limits. With pod-level `spec.resources`
(PodLevelResources, on by default since 1.34), those decide instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

from deepdive.quantity import parse_quantity
from deepdive.workloads import containers

QOS_RESOURCES = ("cpu", "memory")


class QosClass(StrEnum):
    GUARANTEED = "Guaranteed"
    BURSTABLE = "Burstable"
    BEST_EFFORT = "BestEffort"


@dataclass(frozen=True)
class ContainerResources:
    """One container's cpu/memory after defaulting; `defaulted` lists requests copied from limits."""

    name: str
    field: str  # "containers", "initContainers", or "pod" for pod-level resources
    requests: dict[str, Fraction]
    limits: dict[str, Fraction]
    defaulted: tuple[str, ...] = ()


@dataclass(frozen=True)
class QosReport:
    qos_class: QosClass
    resources: tuple[ContainerResources, ...]
    # Why the pod is not Guaranteed (empty when it is, or when it is BestEffort).
    reasons: tuple[str, ...] = field(default=())
    pod_level: bool = False


def _quantities(values: Any) -> dict[str, Fraction]:
    if not isinstance(values, dict):
        return {}
    return {
        name: parse_quantity(values[name])
        for name in QOS_RESOURCES
        if name in values and parse_quantity(values[name]) > 0
    }


def _resources(name: str, field_name: str, block: Any) -> ContainerResources:
    block = block if isinstance(block, dict) else {}
    requests = _quantities(block.get("requests"))
    limits = _quantities(block.get("limits"))
    defaulted = tuple(r for r in QOS_RESOURCES if r in limits and r not in requests)
    for resource in defaulted:
        requests[resource] = limits[resource]
    return ContainerResources(name, field_name, requests, limits, defaulted)


def compute_qos(pod_spec: dict[str, Any]) -> QosReport:
    """The QoS class Kubernetes would assign to a pod with this spec."""
    pod_level = isinstance(pod_spec.get("resources"), dict) and bool(pod_spec["resources"])
    if pod_level:
        entries = [_resources("(pod)", "pod", pod_spec["resources"])]
    else:
        entries = [
            _resources(str(c.get("name", f"#{i}")), f, c.get("resources"))
            for f, i, c in containers(pod_spec)
        ]

    requests: dict[str, Fraction] = {}
    limits: dict[str, Fraction] = {}
    reasons: list[str] = []
    for entry in entries:
        for resource, amount in entry.requests.items():
            requests[resource] = requests.get(resource, Fraction(0)) + amount
        for resource, amount in entry.limits.items():
            limits[resource] = limits.get(resource, Fraction(0)) + amount
        missing = [r for r in QOS_RESOURCES if r not in entry.limits]
        if missing:
            reasons.append(f"{entry.name} sets no {' or '.join(missing)} limit")

    if not requests and not limits:
        return QosReport(QosClass.BEST_EFFORT, tuple(entries), (), pod_level)
    for resource in QOS_RESOURCES:
        if resource in requests and resource in limits and requests[resource] != limits[resource]:
            reasons.append(f"{resource} requests differ from {resource} limits")
    if not reasons and len(requests) == len(limits):
        return QosReport(QosClass.GUARANTEED, tuple(entries), (), pod_level)
    return QosReport(QosClass.BURSTABLE, tuple(entries), tuple(reasons), pod_level)
