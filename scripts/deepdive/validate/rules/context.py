"""What a rule sees: the resources of one example set, with pod templates found once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from deepdive.manifests import FieldPath
from deepdive.validate.yamlcheck import Resource
from deepdive.workloads import containers, find_template, get_path

ISTIO_GROUPS = ("networking.istio.io", "security.istio.io", "telemetry.istio.io",
                "extensions.istio.io", "gateway.networking.k8s.io")


@dataclass(frozen=True)
class Template:
    """A pod template (or a Pod's own spec) inside a resource."""

    resource: Resource
    path: FieldPath  # to the object holding metadata and spec
    labels: dict[str, str]
    spec: dict[str, Any]

    def selected_by(self, selector: dict[str, str]) -> bool:
        return bool(selector) and all(self.labels.get(k) == v for k, v in selector.items())

    def containers(self) -> Iterator[tuple[FieldPath, dict[str, Any]]]:
        """(path from the resource root, container) for init and app containers."""
        for field_name, index, container in containers(self.spec):
            yield (*self.path, "spec", field_name, index), container


def template_of(resource: Resource) -> Template | None:
    found = find_template(resource.kind, resource.api_version, resource.data)
    return None if found is None else Template(resource, *found)


@dataclass
class SetContext:
    members: list[Resource]  # the folder's own resources: rules report on these
    resources: list[Resource] = field(default_factory=list)  # members + dependencies

    _templates: dict[int, Template | None] = field(default_factory=dict, repr=False)

    def template(self, resource: Resource) -> Template | None:
        """The pod template of a resource, found once per set (every rule asks)."""
        key = id(resource)
        if key not in self._templates:
            self._templates[key] = template_of(resource)
        return self._templates[key]

    def member_templates(self) -> Iterator[tuple[Resource, Template]]:
        """Each member that has a pod template, with it."""
        for resource in self.members:
            if (template := self.template(resource)) is not None:
                yield resource, template

    @cached_property
    def templates(self) -> list[Template]:
        return [t for r in self.resources if (t := self.template(r)) is not None]

    def of_kind(self, kind: str, group: str = "", members_only: bool = False) -> list[Resource]:
        pool = self.members if members_only else self.resources
        return [r for r in pool if r.kind == kind and r.group == group]

    @cached_property
    def is_mesh(self) -> bool:
        """The set runs in an Istio mesh: it holds Istio or Gateway API resources, an
        injection-labelled Namespace, or a pod template asking for a sidecar."""
        if any(r.group in ISTIO_GROUPS for r in self.resources):
            return True
        for namespace in self.of_kind("Namespace"):
            labels = get_path(namespace.data, ("metadata", "labels"))
            if isinstance(labels, dict) and (
                labels.get("istio-injection") == "enabled" or "istio.io/rev" in labels
                or labels.get("istio.io/dataplane-mode") == "ambient"  # "none" opts out
            ):
                return True
        return any(t.labels.get("sidecar.istio.io/inject") == "true" for t in self.templates)
