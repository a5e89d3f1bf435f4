"""All the facts of one manifest document, gathered in one value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from deepdive.facts.istio import IstioFacts, istio_facts
from deepdive.facts.probes import ProbeTimeline, container_timelines
from deepdive.facts.qos import QosReport, compute_qos
from deepdive.facts.rollout import RolloutBounds, rollout_bounds
from deepdive.manifests import Document
from deepdive.workloads import containers, pod_template


@dataclass(frozen=True)
class DocumentFacts:
    kind: str
    name: str
    qos: QosReport | None = None
    rollout: RolloutBounds | None = None
    probes: tuple[ProbeTimeline, ...] = field(default=())
    replicas: int | None = None
    # The containers kubectl counts in READY: app containers and sidecars (init
    # containers with restartPolicy Always), in the order the manifest lists them.
    containers: tuple[str, ...] = field(default=())
    istio: IstioFacts | None = None

    @property
    def has_any(self) -> bool:
        return (self.qos is not None or self.rollout is not None or bool(self.probes)
                or self.istio is not None)

    def ready(self, count: int | None = None) -> str:
        """The READY column of `kubectl get pods` for one of these pods: "2/2", or
        "1/2" with count=1."""
        total = len(self.containers)
        return f"{total if count is None else count}/{total}"

    def probe(self, kind: str, container: str | None = None) -> ProbeTimeline:
        """One probe's timeline, e.g. facts.probe("livenessProbe")."""
        for timeline in self.probes:
            if timeline.kind == kind and container in (None, timeline.container):
                return timeline
        raise LookupError(f"{self.kind}/{self.name} has no {kind}" + (
            f" on container {container}" if container else ""))


def document_facts(document: Document, context: Sequence[Document] = ()) -> DocumentFacts:
    """The facts of one document; `context` is its example set, for facts that count the
    pods behind an Istio host."""
    istio = istio_facts(document, context)
    if istio is not None:
        return DocumentFacts(document.kind, document.name, istio=istio)
    template = pod_template(document)
    spec = document.data.get("spec") if isinstance(document.data, dict) else None
    rollout = None
    replicas = None
    if document.kind in ("Deployment", "StatefulSet", "ReplicaSet") and isinstance(spec, dict):
        replicas = spec.get("replicas", 1)
        if document.kind == "Deployment":
            rollout = rollout_bounds(spec)
    if template is None:
        return DocumentFacts(document.kind, document.name, rollout=rollout, replicas=replicas)
    running = [
        container
        for field_name, _, container in containers(template.spec)
        if field_name == "containers" or container.get("restartPolicy") == "Always"
    ]
    probes = tuple(
        timeline for container in running for timeline in container_timelines(container)
    )
    return DocumentFacts(
        kind=document.kind,
        name=document.name,
        qos=compute_qos(template.spec),
        rollout=rollout,
        probes=probes,
        replicas=replicas,
        containers=tuple(str(container.get("name", "")) for container in running),
    )
