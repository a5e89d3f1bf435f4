"""What a rule sees: the resources of one example set, with pod templates found once.

The engine runs a check in one of two ways. A per-resource check (every check of the
`apiserver*` modules, and those marked `@per_resource`) looks at each resource on its own:
it runs while the resource's file is read, on small SetContexts of a few hundred resources
with their full data. Every other check is a cross-reference rule: it runs once per example
set, on a compact form of each resource that keeps only what those rules read (see
`deepdive.validate.compact`), so that a set of 100,000 resources fits in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from deepdive.manifests import FieldPath
from deepdive.validate.yamlcheck import Resource
from deepdive.workloads import containers, find_template, get_path

ISTIO_GROUPS = ("networking.istio.io", "security.istio.io", "telemetry.istio.io",
                "extensions.istio.io", "gateway.networking.k8s.io")


_Check = TypeVar("_Check", bound=Callable[..., Any])


def per_resource(check: _Check) -> _Check:
    """Mark a check that reads one resource at a time (its own selector, template, ports)."""
    setattr(check, "per_resource", True)  # noqa: B010 (mypy refuses a function attribute)
    return check


def is_per_resource(check: Callable[..., Any]) -> bool:
    """Whether the engine may run a check on resources one file (or chunk) at a time: the
    `api-*` checks of the apiserver modules each validate one object, as the API server
    does, and the checks marked @per_resource."""
    module = getattr(check, "__module__", "")
    return bool(getattr(check, "per_resource", False)) or \
        module.startswith("deepdive.validate.rules.apiserver")


@dataclass(frozen=True, slots=True)
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
    known = resource.pod_template  # the compact form carries it, its data does not
    if known is not None:
        return Template(resource, *known) if known else None
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

    memo: dict[str, Any] = field(default_factory=dict, repr=False)  # indexes rules build once
    _kinds: dict[tuple[str, str, bool], list[Resource]] = field(default_factory=dict, repr=False)

    def of_kind(self, kind: str, group: str = "", members_only: bool = False) -> list[Resource]:
        """The resources of one kind, in set order: every kind is indexed in one pass over
        the set, the first time a rule asks (rules ask for many kinds, inside loops)."""
        if not self._kinds:
            for only, pool in ((True, self.members), (False, self.resources)):
                for resource in pool:
                    self._kinds.setdefault((resource.kind, resource.group, only),
                                           []).append(resource)
        return self._kinds.get((kind, group, members_only), [])

    @cached_property
    def _templates_by_label(self) -> dict[tuple[str, str], list[Template]]:
        index: dict[tuple[str, str], list[Template]] = {}
        for template in self.templates:
            for key, value in template.labels.items():
                index.setdefault((str(key), str(value)), []).append(template)
        return index

    def templates_selected_by(self, selector: dict[str, str]) -> list[Template]:
        """The templates (in set order) whose labels hold every pair of a non-empty
        selector: looked up by its rarest pair, so a set's Services cost time in
        proportion to the templates they select, not to the set's size."""
        if not selector:
            return []
        index = self._templates_by_label
        candidates = min((index.get(pair, []) for pair in selector.items()), key=len)
        return [t for t in candidates if t.selected_by(selector)]

    @cached_property
    def services_by_name(self) -> dict[str, list[tuple[int, Resource]]]:
        """Every Service of the set by name, with its position in set order."""
        index: dict[str, list[tuple[int, Resource]]] = {}
        for position, service in enumerate(self.of_kind("Service")):
            index.setdefault(service.name, []).append((position, service))
        return index

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
