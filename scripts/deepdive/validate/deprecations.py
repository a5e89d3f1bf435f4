"""Removed and deprecated apiVersions, each with the replacement to use.

Most of it is computed, not listed: a kind that a configured Kubernetes version no longer
serves under this apiVersion but serves under another is removed; an alpha/beta version
of a kind that is also served GA is deprecated. The tables add what the schemas cannot
tell: when an API went away, and kinds deprecated as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from deepdive.validate.crds import CrdVersion
from deepdive.validate.kube import KubeSchemas, api_versions_of, available_versions, is_ga

# When a (group, version, kind) went away is derived from the bundled schemas (one set per
# Kubernetes minor from 1.25): the first release after the last one that served it. The
# tables give only what those schemas cannot tell: APIs removed before 1.25, which no
# bundled release serves.
# apiVersion -> the release that stopped serving it, for every kind it held then ...
REMOVED_BEFORE_SCHEMAS: dict[str, str] = {
    "extensions/v1beta1": "1.16",
    "apps/v1beta1": "1.16",
    "apps/v1beta2": "1.16",
    "networking.k8s.io/v1beta1": "1.22",
    "rbac.authorization.k8s.io/v1beta1": "1.22",
    "admissionregistration.k8s.io/v1beta1": "1.22",
    "apiextensions.k8s.io/v1beta1": "1.22",
    "scheduling.k8s.io/v1beta1": "1.22",
    "storage.k8s.io/v1beta1": "1.22",  # CSIDriver, CSINode, StorageClass, VolumeAttachment
    "policy/v1beta1": "1.25",
    "batch/v1beta1": "1.25",
    "discovery.k8s.io/v1beta1": "1.25",
    "events.k8s.io/v1beta1": "1.25",
    "autoscaling/v2beta1": "1.25",
    "node.k8s.io/v1beta1": "1.25",
}

# ... and the kinds that outlived the rest of their apiVersion.
REMOVED_IN_KIND: dict[tuple[str, str], str] = {
    ("extensions/v1beta1", "Ingress"): "1.22",
    ("extensions/v1beta1", "NetworkPolicy"): "1.16",
    ("extensions/v1beta1", "PodSecurityPolicy"): "1.16",
}

# Kinds that no release serves any more: (apiVersion, kind) -> (removed in, replaced by).
REMOVED_KINDS: dict[tuple[str, str], tuple[str, str]] = {
    ("policy/v1beta1", "PodSecurityPolicy"): (
        "1.25", "Pod Security Admission (pod-security.kubernetes.io/* labels on the Namespace)"),
    ("extensions/v1beta1", "PodSecurityPolicy"): (
        "1.16", "Pod Security Admission (pod-security.kubernetes.io/* labels on the Namespace)"),
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


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def served_releases(schemas: KubeSchemas, api_version: str, kind: str) -> list[str]:
    """The bundled Kubernetes releases that serve a group, version and kind, in order."""
    return [v for v in available_versions() if schemas.serves(v, api_version, kind)]


def removal_release(schemas: KubeSchemas, api_version: str, kind: str) -> str | None:
    """The release that stopped serving this group, version and kind."""
    served = served_releases(schemas, api_version, kind)
    if served:
        later = [v for v in available_versions() if _version_key(v) > _version_key(served[-1])]
        return later[0] if later else None
    return REMOVED_IN_KIND.get((api_version, kind), REMOVED_BEFORE_SCHEMAS.get(api_version))


def _stability(api_version: str) -> int:
    version = api_version.rpartition("/")[2]
    return 0 if is_ga(api_version) else 1 if "beta" in version else 2


def best_replacement(candidates: list[str]) -> str:
    """GA before beta before alpha (a stable sort keeps the schemas' order otherwise)."""
    return sorted(candidates, key=_stability)[0]


def kube_api_problem(
    schemas: KubeSchemas, versions: tuple[str, ...], api_version: str, kind: str
) -> ApiProblem | None:
    if (api_version, kind) in DEPRECATED_KINDS:
        replacement, since = DEPRECATED_KINDS[(api_version, kind)]
        return ApiProblem("api-deprecated",
                          f"{api_version} {kind} is deprecated since Kubernetes {since}; "
                          f"use {replacement}")
    if (api_version, kind) in REMOVED_KINDS:
        release, replaced_by = REMOVED_KINDS[(api_version, kind)]
        return ApiProblem("api-removed",
                          f"{api_version} {kind} was removed in Kubernetes {release} and "
                          f"has no successor of the same kind: it was replaced by {replaced_by}")
    missing = [v for v in versions if not schemas.serves(v, api_version, kind)]
    if missing:
        served = served_releases(schemas, api_version, kind)
        if served and all(_version_key(v) < _version_key(served[0]) for v in missing):
            there = api_versions_of(schemas, missing[-1], kind)
            instead = f"; {', '.join(missing)} serve{'s' if len(missing) == 1 else ''} " \
                f"{best_replacement(there)}" if there else ""
            return ApiProblem("api-not-yet-served",
                              f"{api_version} {kind} is not served in Kubernetes "
                              f"{', '.join(missing)} (served from {served[0]}){instead}")
        replacements = api_versions_of(schemas, missing[-1], kind)
        if not replacements:
            return None  # not a moved API: the caller reports a missing schema
        removed_in = removal_release(schemas, api_version, kind)
        removed = f" (removed in {removed_in})" if removed_in else ""
        return ApiProblem("api-removed",
                          f"{api_version} {kind} is not served by Kubernetes "
                          f"{', '.join(missing)}{removed}; use {best_replacement(replacements)}")
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
