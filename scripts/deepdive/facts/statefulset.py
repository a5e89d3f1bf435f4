"""What a StatefulSet's spec promises about its pods, computed from the spec.

Pods are named <set>-<ordinal>, ordinals running from spec.ordinals.start
(default 0) for `replicas` pods. Through the governing headless Service each
pod gets the DNS name <pod>.<serviceName>.<namespace>.svc.<cluster domain>,
and each volumeClaimTemplate gives each pod a claim named <template>-<pod>.

Under RollingUpdate the controller replaces pods from the highest ordinal
down, but only pods whose index (ordinal - start) is >= partition
(stateful_set_control.go: `for target := len(replicas) - 1; target >=
updateMin; target--`); the others keep the old template until partition is
lowered. Under OnDelete the controller replaces no pod by itself.
OrderedReady creates pods in ordinal order, each after the previous one is
Running and Ready, and removes them in reverse; Parallel does both at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_NAMESPACE = "default"
CLUSTER_DOMAIN = "cluster.local"
POLICIES = ("OrderedReady", "Parallel")
STRATEGIES = ("RollingUpdate", "OnDelete")


class StatefulSetError(ValueError):
    """A StatefulSet field Kubernetes would reject."""


@dataclass(frozen=True)
class StatefulSetFacts:
    name: str
    namespace: str
    service_name: str
    replicas: int
    start_ordinal: int
    pod_management_policy: str  # OrderedReady or Parallel
    update_strategy: str  # RollingUpdate or OnDelete
    partition: int  # 0 unless RollingUpdate sets it
    claim_templates: tuple[str, ...]
    claim_storage: tuple[str, ...]  # each template's storage request, as written
    images: tuple[str, ...]  # the pod template's container images, in order

    @property
    def ordinals(self) -> tuple[int, ...]:
        return tuple(range(self.start_ordinal, self.start_ordinal + self.replicas))

    @property
    def pod_names(self) -> tuple[str, ...]:
        """In creation order; OrderedReady deletes them in the reverse order."""
        return tuple(f"{self.name}-{ordinal}" for ordinal in self.ordinals)

    @property
    def first_pod(self) -> str:
        return self.pod_names[0] if self.pod_names else ""

    @property
    def last_pod(self) -> str:
        return self.pod_names[-1] if self.pod_names else ""

    @property
    def pod_dns_names(self) -> tuple[str, ...]:
        return tuple(
            f"{pod}.{self.service_name}.{self.namespace}.svc.{CLUSTER_DOMAIN}"
            for pod in self.pod_names
        )

    @property
    def claim_names(self) -> tuple[str, ...]:
        """Every PersistentVolumeClaim the pods use: <template>-<pod>."""
        return tuple(
            f"{template}-{pod}" for template in self.claim_templates for pod in self.pod_names
        )

    @property
    def updated_pods(self) -> tuple[str, ...]:
        """The pods a template change rolls out to by itself, in the order it does so."""
        if self.update_strategy == "OnDelete":
            return ()
        return tuple(reversed(self.pod_names[self.partition:]))

    @property
    def kept_pods(self) -> tuple[str, ...]:
        """The pods that keep the old template until partition is lowered (or deleted)."""
        if self.update_strategy == "OnDelete":
            return self.pod_names
        return self.pod_names[: self.partition]


def _whole(value: Any, field: str, default: int) -> int:
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise StatefulSetError(f"{field} must be a whole number >= 0, not {value!r}")
    return value


def statefulset_facts(document: dict[str, Any]) -> StatefulSetFacts:
    """The facts of one StatefulSet document (its parsed YAML)."""
    metadata = document.get("metadata") or {}
    spec = document.get("spec") or {}
    policy = spec.get("podManagementPolicy") or "OrderedReady"
    if policy not in POLICIES:
        raise StatefulSetError(f"podManagementPolicy must be one of {POLICIES}, not {policy!r}")
    strategy_spec = spec.get("updateStrategy") or {}
    strategy = strategy_spec.get("type") or "RollingUpdate"
    if strategy not in STRATEGIES:
        raise StatefulSetError(f"updateStrategy.type must be one of {STRATEGIES}, not {strategy!r}")
    rolling = strategy_spec.get("rollingUpdate") or {}
    if strategy == "OnDelete" and rolling:
        raise StatefulSetError("updateStrategy.rollingUpdate is only allowed with RollingUpdate")
    templates = spec.get("volumeClaimTemplates") or []
    return StatefulSetFacts(
        name=str(metadata.get("name", "")),
        namespace=str(metadata.get("namespace") or DEFAULT_NAMESPACE),
        service_name=str(spec.get("serviceName") or ""),
        replicas=_whole(spec.get("replicas"), "replicas", 1),
        start_ordinal=_whole((spec.get("ordinals") or {}).get("start"), "ordinals.start", 0),
        pod_management_policy=policy,
        update_strategy=strategy,
        partition=_whole(rolling.get("partition"), "rollingUpdate.partition", 0),
        claim_templates=tuple(
            str((template.get("metadata") or {}).get("name", "")) for template in templates
        ),
        claim_storage=tuple(_storage_request(template) for template in templates),
        images=tuple(
            str(container.get("image", ""))
            for container in ((spec.get("template") or {}).get("spec") or {}).get("containers")
            or []
        ),
    )


def _storage_request(template: dict[str, Any]) -> str:
    requests = ((template.get("spec") or {}).get("resources") or {}).get("requests") or {}
    return str(requests.get("storage", ""))
