"""Removed and deprecated apiVersions, each with the replacement to use.

Most of it is computed, not listed: a kind that a configured Kubernetes version no longer
serves under this apiVersion but serves under another is removed; an alpha/beta version
of a kind that is also served GA is deprecated. The tables add what the schemas cannot
tell: when an API went away, and kinds deprecated as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from deepdive.validate.crds import CrdVersion
from deepdive.validate.kube import KubeSchemas, api_versions_of, is_ga

# apiVersion -> the Kubernetes release that stopped serving it
REMOVED_IN: dict[str, str] = {
    "extensions/v1beta1": "1.16",
    "apps/v1beta1": "1.16",
    "apps/v1beta2": "1.16",
    "networking.k8s.io/v1beta1": "1.22",
    "rbac.authorization.k8s.io/v1beta1": "1.22",
    "admissionregistration.k8s.io/v1beta1": "1.22",
    "apiextensions.k8s.io/v1beta1": "1.22",
    "scheduling.k8s.io/v1beta1": "1.22",
    "policy/v1beta1": "1.25",
    "batch/v1beta1": "1.25",
    "discovery.k8s.io/v1beta1": "1.25",
    "autoscaling/v2beta1": "1.25",
    "autoscaling/v2beta2": "1.26",
    "flowcontrol.apiserver.k8s.io/v1beta2": "1.29",
    "flowcontrol.apiserver.k8s.io/v1beta3": "1.32",
}

# Kinds that outlived the rest of their apiVersion.
REMOVED_IN_KIND: dict[tuple[str, str], str] = {
    ("extensions/v1beta1", "Ingress"): "1.22",
}

# (apiVersion, kind) -> (replacement, deprecated since)
DEPRECATED_KINDS: dict[tuple[str, str], tuple[str, str]] = {
    ("v1", "Endpoints"): ("discovery.k8s.io/v1 EndpointSlice", "1.33"),
    ("v1", "ComponentStatus"): ("the /livez and /readyz endpoints", "1.19"),
}


@dataclass(frozen=True)
class ApiProblem:
    rule: str  # api-removed or api-deprecated
    message: str


def kube_api_problem(
    schemas: KubeSchemas, versions: tuple[str, ...], api_version: str, kind: str
) -> ApiProblem | None:
    if (api_version, kind) in DEPRECATED_KINDS:
        replacement, since = DEPRECATED_KINDS[(api_version, kind)]
        return ApiProblem("api-deprecated",
                          f"{api_version} {kind} is deprecated since Kubernetes {since}; "
                          f"use {replacement}")
    missing = [v for v in versions if not schemas.serves(v, api_version, kind)]
    if missing:
        replacements = api_versions_of(schemas, missing[-1], kind)
        if not replacements:
            return None  # not a moved API: the caller reports a missing schema
        release = REMOVED_IN_KIND.get((api_version, kind), REMOVED_IN.get(api_version))
        removed = f" (removed in {release})" if release else ""
        return ApiProblem("api-removed",
                          f"{api_version} {kind} is not served by Kubernetes "
                          f"{', '.join(missing)}{removed}; use {replacements[0]}")
    if not is_ga(api_version):
        group = api_version.rpartition("/")[0]
        ga = [api for api in api_versions_of(schemas, versions[-1], kind)
              if is_ga(api) and api.rpartition("/")[0] == group]
        if ga:
            return ApiProblem("api-deprecated",
                              f"{api_version} {kind} is a pre-release API; use {ga[0]}")
    return None


def crd_api_problem(version: CrdVersion) -> ApiProblem | None:
    if version.deprecated:
        detail = f": {version.warning}" if version.warning else ""
        return ApiProblem("api-deprecated",
                          f"{version.api_version} {version.kind} is deprecated{detail}; "
                          f"use {version.preferred}")
    if version.api_version != version.preferred and is_ga(version.preferred):
        return ApiProblem("api-deprecated",
                          f"{version.api_version} {version.kind} is served only for old "
                          f"manifests; use {version.preferred}")
    return None
