"""Pure: what the manifests say traffic should do, computed from the mesh model."""

from __future__ import annotations

from collections.abc import Mapping

from deepdive.lab.mesh import MESH, Destination, HttpRule, Match, Mesh, fqdn


def rules_for(mesh: Mesh, host: str, gateway: str = MESH) -> list[HttpRule] | None:
    for routes in mesh.routes:
        if gateway in routes.gateways and (host in routes.hosts or "*" in routes.hosts):
            return routes.http
    return None


def matches(match: Match, path: str, headers: Mapping[str, str], gateway: str) -> bool:
    if match.gateways and gateway not in match.gateways:
        return False
    for name, (kind, value) in match.headers.items():
        got = {k.lower(): v for k, v in headers.items()}.get(name)
        if got is None or (kind == "exact" and got != value) or (
                kind == "prefix" and not got.startswith(value)):
            return False
    if match.uri is not None:
        kind, value = match.uri
        if (kind == "exact" and path != value) or (kind == "prefix"
                                                   and not path.startswith(value)):
            return False
    return True


def first_rule(mesh: Mesh, host: str, path: str, headers: Mapping[str, str],
               gateway: str = MESH) -> HttpRule | None:
    rules = rules_for(mesh, host, gateway)
    for rule in rules or []:
        if any(matches(m, path, headers, gateway) for m in rule.matches):
            return rule
    return None


def normalised(destinations: list[tuple[Destination, int]]) -> dict[Destination, float]:
    """Weights are relative: each divided by their sum (one destination: all of it)."""
    if len(destinations) == 1:
        return {destinations[0][0]: 1.0}
    total = sum(w for _d, w in destinations)
    return {d: w / total for d, w in destinations if w > 0}


def versions(mesh: Mesh, destination: Destination) -> dict[str, float]:
    """The share of a destination's traffic each pod version gets (even across its pods)."""
    service = mesh.service(destination.host)
    if service is None:
        return {}
    pods = mesh.pods_for(service, mesh.subset_labels(destination.host, destination.subset)
                         or {})
    out: dict[str, float] = {}
    for pod in pods:
        version = pod.labels.get("version", "")
        out[version] = out.get(version, 0.0) + 1 / len(pods)
    return out


def version_shares(mesh: Mesh, host: str, path: str, headers: Mapping[str, str],
                   gateway: str = MESH, namespace: str = "default") -> dict[str, float]:
    """Each pod version's expected share of requests to `host` with these headers."""
    full = fqdn(host, namespace)
    rule = first_rule(mesh, full, path, headers, gateway)
    if rule is None:
        if rules_for(mesh, full, gateway) is not None:
            return {}  # a VirtualService that matches nothing: 404
        return versions(mesh, Destination(full, 0, ""))
    out: dict[str, float] = {}
    for destination, share in normalised(rule.destinations).items():
        for version, part in versions(mesh, destination).items():
            out[version] = out.get(version, 0.0) + share * part
    return out


def tcp_shares(mesh: Mesh, host: str, port: int, namespace: str = "default") -> dict[str, float]:
    full = fqdn(host, namespace)
    for routes in mesh.routes:
        if MESH in routes.gateways and full in routes.hosts:
            for match_port, destinations in routes.tcp:
                if match_port in (None, port):
                    out: dict[str, float] = {}
                    for destination, share in normalised(destinations).items():
                        for version, part in versions(mesh, destination).items():
                            out[version] = out.get(version, 0.0) + share * part
                    return out
    return versions(mesh, Destination(full, port, ""))
