"""One resource against its schema: Kubernetes built-ins per version, or its CRD."""

from __future__ import annotations

from dataclasses import dataclass, field

from deepdive.manifests import FieldPath
from deepdive.validate.compiled import CompiledSchema
from deepdive.validate.crds import CrdSchemas, SchemaSourceError
from deepdive.validate.deprecations import ApiProblem, crd_api_problem, kube_api_problem
from deepdive.validate.findings import Finding
from deepdive.validate.kube import KubeSchemas
from deepdive.validate.schemaerrors import SchemaProblem, problems
from deepdive.validate.yamlcheck import Resource

Note = tuple[FieldPath, str, str]  # (field path, rule, message)


@dataclass
class KubePlan:
    notes: list[Note]
    validators: list[tuple[CompiledSchema, list[str]]]  # one per distinct schema
    served: int  # how many configured versions serve the kind


@dataclass
class SchemaChecker:
    kube: KubeSchemas
    crds: CrdSchemas
    versions: tuple[str, ...]
    _plans: dict[tuple[str, str], KubePlan | list[Note]] = field(default_factory=dict)

    def check(self, resource: Resource) -> list[Finding]:
        source = self.crds.source_for(resource.group)
        try:
            if source is not None:
                return self._check_crd(resource, source.name)
            return self._check_kube(resource)
        except SchemaSourceError as error:
            return [resource.finding(("apiVersion",), "schema-unavailable", str(error))]
        except Exception as error:
            # A schema that cannot be built or a value that breaks a validator must still
            # end as one line naming the resource, never as a traceback.
            return [resource.finding(("apiVersion",), "schema-unavailable",
                                     f"cannot check {resource.api_version} {resource.kind}: "
                                     f"{type(error).__name__}: {error}")]

    def _api(self, resource: Resource, problem: ApiProblem | None) -> list[Finding]:
        return [resource.finding(("apiVersion",), problem.rule, problem.message)] if problem else []

    def _check_crd(self, resource: Resource, source_name: str) -> list[Finding]:
        api_version, kind = resource.api_version, resource.kind
        version = self.crds.version(api_version, kind)
        if version is None:
            same_kind = [v.preferred for v in self.crds.kinds_in_group(resource.group)
                         if v.kind == kind]
            if same_kind:
                return self._api(resource, ApiProblem(
                    "api-removed", f"{api_version} {kind} is not served by {source_name}; "
                    f"use {same_kind[0]}"))
            return [resource.finding(("kind",), "schema-missing",
                                     f"{source_name} defines no {kind} in {api_version}")]
        findings = self._api(resource, crd_api_problem(version))
        validator = self.crds.validator(api_version, kind)
        if validator is not None:
            for error in validator.errors(resource.data):
                findings += [self._finding(resource, p, ()) for p in problems(error)]
        return findings

    def _check_kube(self, resource: Resource) -> list[Finding]:
        plan = self._plan(resource.api_version, resource.kind)
        if isinstance(plan, list):
            return [resource.finding(path, rule, message) for path, rule, message in plan]
        findings = [resource.finding(path, rule, message) for path, rule, message in plan.notes]
        seen: dict[SchemaProblem, list[str]] = {}
        for validator, versions in plan.validators:
            for error in validator.errors(resource.data):
                for found in problems(error):
                    seen.setdefault(found, []).extend(versions)
        for found, versions in seen.items():
            only = tuple(v for v in self.versions if v in versions)
            findings.append(self._finding(resource, found, only if len(only) < plan.served
                                          else ()))
        return findings

    def _plan(self, api_version: str, kind: str) -> KubePlan | list[Note]:
        """What checking an apiVersion/kind takes, worked out once per run: API notes, and
        one validator per distinct schema (most kinds are equal across 1.35-1.37)."""
        key = (api_version, kind)
        if key not in self._plans:
            self._plans[key] = self._make_plan(api_version, kind)
        return self._plans[key]

    def _make_plan(self, api_version: str, kind: str) -> KubePlan | list[Note]:
        problem = kube_api_problem(self.kube, self.versions, api_version, kind)
        notes: list[Note] = [(("apiVersion",), problem.rule, problem.message)] if problem else []
        if problem is not None and problem.rule == "api-removed":
            return notes
        served = [v for v in self.versions if self.kube.serves(v, api_version, kind)]
        if not served and problem is not None and problem.rule == "api-not-yet-served":
            return notes
        if not served:
            return [*notes, (
                ("kind",), "schema-missing",
                f"no schema for {api_version} {kind} in Kubernetes {', '.join(self.versions)} "
                "or the Istio / Gateway API CRDs; a resource nobody can check is not accepted")]
        if len(served) < len(self.versions) and not notes:  # api-not-yet-served says it
            missing = [v for v in self.versions if v not in served]
            notes.append((("apiVersion",), "schema-missing",
                          f"{api_version} {kind} is not served by Kubernetes {', '.join(missing)}"))
        by_digest: dict[str, tuple[CompiledSchema, list[str]]] = {}
        for version in served:
            validator = self.kube.validator(version, api_version, kind)
            assert validator is not None
            by_digest.setdefault(validator.digest, (validator, []))[1].append(version)
        return KubePlan(notes, list(by_digest.values()), len(served))

    def _finding(self, resource: Resource, problem: SchemaProblem,
                 versions: tuple[str, ...]) -> Finding:
        suffix = f" (Kubernetes {', '.join(versions)})" if versions else ""
        return resource.finding(problem.path, problem.rule, problem.message + suffix)
