"""Pod QoS class, computed the way Kubernetes does (ComputePodQOS).

Only `cpu` and `memory` count, and a zero amount counts as unset. A container
that sets a limit without a request gets the limit as its request (API
defaulting), so that is applied first. Requests and limits are summed over
init and app containers; the pod is Guaranteed only if every container limits
both cpu and memory and the summed requests equal the summed limits. With
pod-level `spec.resources` naming cpu, memory or hugepages (PodLevelResources,
on by default since 1.34), those decide instead, after their own defaulting.
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
    """One container's cpu/memory after defaulting (`defaulted`: requests copied from limits)."""

    name: str
    field: str  # "containers", "initContainers", or "pod" for pod-level resources
    requests: dict[str, Fraction]
    limits: dict[str, Fraction]
    defaulted: tuple[str, ...] = ()
    # Pod level only: amounts filled in from the containers' totals, e.g. "requests.cpu".
    derived: tuple[str, ...] = ()


@dataclass(frozen=True)
class QosReport:
    qos_class: QosClass
    resources: tuple[ContainerResources, ...]
    # Why the pod is not Guaranteed (empty when it is, or when it is BestEffort).
    reasons: tuple[str, ...] = field(default=())
    pod_level: bool = False


def _resource_lists(block: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The raw requests and limits of a resources block (missing or malformed -> empty)."""
    block = block if isinstance(block, dict) else {}
    requests, limits = block.get("requests"), block.get("limits")
    return (
        requests if isinstance(requests, dict) else {},
        limits if isinstance(limits, dict) else {},
    )


def _amount(value: Any) -> Fraction:
    return value if isinstance(value, Fraction) else parse_quantity(value)


def _counted(values: dict[str, Any]) -> dict[str, Fraction]:
    """The cpu/memory amounts ComputePodQOS counts: a zero amount counts as unset."""
    amounts = {name: _amount(values[name]) for name in QOS_RESOURCES if name in values}
    return {name: amount for name, amount in amounts.items() if amount > 0}


def _container(name: str, field_name: str, block: Any) -> ContainerResources:
    requests, limits = _resource_lists(block)
    # API defaulting copies a limit into a request that is absent (an explicit
    # "0" request stays 0), before the QoS class is computed.
    defaulted = tuple(r for r in QOS_RESOURCES if r in limits and r not in requests)
    effective = {**requests, **{r: limits[r] for r in defaulted}}
    return ContainerResources(name, field_name, _counted(effective), _counted(limits), defaulted)


def _is_pod_level(requests: dict[str, Any], limits: dict[str, Any]) -> bool:
    """Pod-level resources decide only if they name cpu, memory or hugepages-*."""
    return any(
        name in QOS_RESOURCES or str(name).startswith("hugepages-")
        for name in (*requests, *limits)
    )


def _aggregate(pod_spec: dict[str, Any], which: str) -> dict[str, Fraction]:
    """The effective pod total of container requests or limits (AggregateContainerRequests).

    App containers and sidecars (restartable init containers) run together and
    add up; each ordinary init container runs alone beside the sidecars started
    before it; the pod needs the larger of the two.
    """
    def amounts(container: dict[str, Any]) -> dict[str, Fraction]:
        requests, limits = _resource_lists(container.get("resources"))
        if which == "requests":
            requests = {**requests, **{r: v for r, v in limits.items() if r not in requests}}
        values = requests if which == "requests" else limits
        return {r: parse_quantity(values[r]) for r in QOS_RESOURCES if r in values}

    def add(total: dict[str, Fraction], more: dict[str, Fraction]) -> dict[str, Fraction]:
        return {r: total.get(r, Fraction(0)) + more.get(r, Fraction(0)) for r in {*total, *more}}

    def larger(one: dict[str, Fraction], other: dict[str, Fraction]) -> dict[str, Fraction]:
        # Quantities are never negative, so a missing amount counts as 0.
        return {r: max(one.get(r, Fraction(0)), other.get(r, Fraction(0))) for r in {*one, *other}}

    total: dict[str, Fraction] = {}
    for field_name, _, container in containers(pod_spec):
        if field_name == "containers":
            total = add(total, amounts(container))
    sidecars: dict[str, Fraction] = {}
    init_peak: dict[str, Fraction] = {}
    for field_name, _, container in containers(pod_spec):
        if field_name != "initContainers":
            continue
        if container.get("restartPolicy") == "Always":
            total = add(total, amounts(container))
            sidecars = add(sidecars, amounts(container))
            init_peak = larger(init_peak, sidecars)
        else:
            init_peak = larger(init_peak, add(amounts(container), sidecars))
    return larger(total, init_peak)


def _pod_level(pod_spec: dict[str, Any]) -> ContainerResources | None:
    """Pod-level resources after API defaulting (Kubernetes 1.36+), or None if not set."""
    requests, limits = _resource_lists(pod_spec.get("resources"))
    if not _is_pod_level(requests, limits):
        return None
    effective_requests = dict(requests)
    effective_limits = dict(limits)
    defaulted: list[str] = []
    derived: list[str] = []
    if _is_pod_level({}, limits):
        # A missing pod request becomes the containers' total request, else the pod limit.
        from_containers = _aggregate(pod_spec, "requests")
        for resource in QOS_RESOURCES:
            if resource in requests:
                continue
            if resource in from_containers:
                effective_requests[resource] = from_containers[resource]
                derived.append(f"requests.{resource}")
            elif resource in limits:
                effective_requests[resource] = limits[resource]
                defaulted.append(resource)
    elif _is_pod_level(requests, {}):
        # With only pod requests, a pod limit is the containers' total limit,
        # provided every container sets one (PodLevelResourcesFixUpdateDefaulting, 1.36+).
        all_containers = [c for _, _, c in containers(pod_spec)]
        limit_totals = _aggregate(pod_spec, "limits")
        for resource in QOS_RESOURCES:
            if all_containers and all(
                resource in _resource_lists(c.get("resources"))[1] for c in all_containers
            ):
                effective_limits[resource] = limit_totals[resource]
                derived.append(f"limits.{resource}")
    return ContainerResources(
        "(pod)",
        "pod",
        _counted(effective_requests),
        _counted(effective_limits),
        tuple(defaulted),
        tuple(derived),
    )


def compute_qos(pod_spec: dict[str, Any]) -> QosReport:
    """The QoS class Kubernetes would assign to a pod with this spec."""
    pod = _pod_level(pod_spec)
    if pod is not None:
        entries = [pod]
    else:
        entries = [
            _container(str(c.get("name", f"#{i}")), f, c.get("resources"))
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

    pod_level = pod is not None
    if not requests and not limits:
        return QosReport(QosClass.BEST_EFFORT, tuple(entries), (), pod_level)
    for resource in QOS_RESOURCES:
        if resource in limits and requests.get(resource) != limits[resource]:
            reasons.append(f"{resource} requests differ from {resource} limits")
    if not reasons and requests.keys() == limits.keys():
        return QosReport(QosClass.GUARANTEED, tuple(entries), (), pod_level)
    return QosReport(QosClass.BURSTABLE, tuple(entries), tuple(reasons), pod_level)
