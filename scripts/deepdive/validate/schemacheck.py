"""One resource against its schema: Kubernetes built-ins per version, or its CRD."""

from __future__ import annotations

from dataclasses import dataclass

from deepdive.validate.crds import CrdSchemas, SchemaSourceError
from deepdive.validate.deprecations import ApiProblem, crd_api_problem, kube_api_problem
from deepdive.validate.findings import Finding
from deepdive.validate.kube import KubeSchemas
from deepdive.validate.schemaerrors import SchemaProblem, problems
from deepdive.validate.yamlcheck import Resource


@dataclass
class SchemaChecker:
    kube: KubeSchemas
    crds: CrdSchemas
    versions: tuple[str, ...]

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
        api_version, kind = resource.api_version, resource.kind
        problem = kube_api_problem(self.kube, self.versions, api_version, kind)
        findings = self._api(resource, problem)
        if problem is not None and problem.rule == "api-removed":
            return findings
        served = [v for v in self.versions if self.kube.serves(v, api_version, kind)]
        if not served:
            return [*findings, resource.finding(
                ("kind",), "schema-missing",
                f"no schema for {api_version} {kind} in Kubernetes {', '.join(self.versions)} "
                "or the Istio / Gateway API CRDs; a resource nobody can check is not accepted")]
        if len(served) < len(self.versions):
            missing = [v for v in self.versions if v not in served]
            findings.append(resource.finding(
                ("apiVersion",), "schema-missing",
                f"{api_version} {kind} is not served by Kubernetes {', '.join(missing)}"))
        # Equal schemas (most kinds across 1.35-1.37) are checked once.
        by_digest: dict[str, list[str]] = {}
        validators = {}
        for version in served:
            validator = self.kube.validator(version, api_version, kind)
            assert validator is not None
            by_digest.setdefault(validator.digest, []).append(version)
            validators[validator.digest] = validator
        seen: dict[SchemaProblem, list[str]] = {}
        for digest, versions in by_digest.items():
            for error in validators[digest].errors(resource.data):
                for found in problems(error):
                    seen.setdefault(found, []).extend(versions)
        for found, versions in seen.items():
            only = tuple(v for v in self.versions if v in versions)
            findings.append(self._finding(resource, found, only if len(only) < len(served)
                                          else ()))
        return findings

    def _finding(self, resource: Resource, problem: SchemaProblem,
                 versions: tuple[str, ...]) -> Finding:
        suffix = f" (Kubernetes {', '.join(versions)})" if versions else ""
        return resource.finding(problem.path, problem.rule, problem.message + suffix)
