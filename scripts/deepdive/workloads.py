"""Where the pod templates sit inside each workload kind."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from deepdive.manifests import Document, FieldPath

# Field path from the document root to the pod template (metadata + spec), per kind.
TEMPLATE_PATHS: dict[str, FieldPath] = {
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}


@dataclass(frozen=True)
class PodTemplate:
    """A pod spec found in a document: a Pod's own, or a workload's template."""

    document: Document
    path: FieldPath  # to the object holding `metadata` and `spec`
    labels: dict[str, str]
    spec: dict[str, Any]

    @property
    def spec_path(self) -> FieldPath:
        return (*self.path, "spec")


def get_path(data: Any, path: FieldPath) -> Any:
    """The value at a field path, or None where any step is missing."""
    current = data
    for step in path:
        if isinstance(step, int):
            if not isinstance(current, list) or step >= len(current):
                return None
        elif not isinstance(current, dict):
            return None
        current = current[step] if isinstance(step, int) else current.get(step)
    return current


def list_at(data: Any, path: FieldPath) -> list[Any]:
    """The list at a field path, or [] where it is missing or of another type."""
    value = get_path(data, path)
    return value if isinstance(value, list) else []


def find_template(
    kind: str, api_version: str, data: Any
) -> tuple[FieldPath, dict[str, str], dict[str, Any]] | None:
    """Where a Pod's or workload's pod template sits: (path, labels, spec), if it has one."""
    if kind == "Pod" and api_version == "v1":
        path: FieldPath = ()
    elif kind in TEMPLATE_PATHS:
        path = TEMPLATE_PATHS[kind]
    else:
        return None
    holder = get_path(data, path)
    if not isinstance(holder, dict) or not isinstance(holder.get("spec"), dict):
        return None
    labels = get_path(holder, ("metadata", "labels"))
    labels = labels if isinstance(labels, dict) else {}
    return path, {str(k): str(v) for k, v in labels.items()}, holder["spec"]


def pod_template(document: Document) -> PodTemplate | None:
    """The pod template of a Pod or workload document, if it has one."""
    found = find_template(document.kind, document.api_version, document.data)
    if found is None:
        return None
    path, labels, spec = found
    return PodTemplate(document=document, path=path, labels=labels, spec=spec)


def containers(spec: dict[str, Any]) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(field, index, container) for init containers, then app containers."""
    for field_name in ("initContainers", "containers"):
        items = spec.get(field_name)
        if isinstance(items, list):
            for index, container in enumerate(items):
                if isinstance(container, dict):
                    yield field_name, index, container
