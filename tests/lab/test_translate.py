"""The translator, field by field: istiod's names and defaults, and one-line errors."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from deepdive.lab import expect, translate
from deepdive.lab.catalog import LABS
from deepdive.lab.fields import LabError, UnsupportedField
from deepdive.lab.mesh import Mesh, build
from deepdive.lab.runner import load_mesh, validate_config
from deepdive.manifests import load_file

from .conftest import ROOT

HELLO = ROOT / "manifests/istio/sample-app/helloworld.yaml"
HTTPBIN = ROOT / "manifests/istio/sample-app/httpbin.yaml"
SUBSETS = ROOT / "manifests/istio/traffic/request-routing/destination-rule.yaml"
HOST = "helloworld.default.svc.cluster.local"


def mesh_of(*paths: Path, extra: str = "", tmp: Path | None = None) -> Mesh:
    documents = [d for p in paths for d in load_file(p).documents]
    if extra:
        assert tmp is not None
        path = tmp / "extra.yaml"
        path.write_text(extra)
        documents += load_file(path).documents
    return build(documents)


def config(mesh: Mesh) -> dict[str, Any]:
    endpoints = {pod.name: ("127.0.0.1", 10000 + i) for i, pod in enumerate(mesh.pods)}
    endpoints |= {s.host: ("127.0.0.1", 9999) for s in mesh.services if s.external}
    return translate.bootstrap(mesh, endpoints)


def clusters(cfg: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in cfg["static_resources"]["clusters"]}


def listener(cfg: dict[str, Any], name: str) -> dict[str, Any]:
    return next(x for x in cfg["static_resources"]["listeners"] if x["name"] == name)


def routes(cfg: dict[str, Any], port: int = 5000, host: str = HOST) -> list[dict[str, Any]]:
    manager = listener(cfg, f"0.0.0.0_{port}")["filter_chains"][0]["filters"][0]
    hosts = manager["typed_config"]["route_config"]["virtual_hosts"]
    return next(h for h in hosts if h["name"] == f"{host}:{port}")["routes"]


def vs(http: str) -> str:
    """A VirtualService for helloworld with these http rules (its line 8 is the first)."""
    header = ("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n"
              "  name: helloworld\nspec:\n  hosts: [helloworld]\n  http:\n")
    return header + textwrap.indent(textwrap.dedent(http), "    ")


def test_cluster_names_per_subset_with_default_namespace() -> None:
    names = set(clusters(config(mesh_of(HELLO, SUBSETS))))
    assert {f"outbound|5000||{HOST}", f"outbound|5000|v1|{HOST}",
            f"outbound|5000|v2|{HOST}"} <= names


def test_subset_endpoints_are_the_matching_pods() -> None:
    mesh = mesh_of(HELLO, SUBSETS)
    cfg = config(mesh)
    v2 = clusters(cfg)[f"outbound|5000|v2|{HOST}"]["load_assignment"]["endpoints"][0]
    pods = [p for p in mesh.pods if p.labels.get("version") == "v2"]
    assert len(v2["lb_endpoints"]) == len(pods) == 1


def test_cluster_defaults() -> None:
    cluster = clusters(config(mesh_of(HELLO)))[f"outbound|5000||{HOST}"]
    assert cluster["lb_policy"] == "LEAST_REQUEST"
    assert cluster["connect_timeout"] == "10s"
    limits = cluster["circuit_breakers"]["thresholds"][0]
    for key in ("max_connections", "max_pending_requests", "max_requests", "max_retries"):
        assert limits[key] == 4294967295
    assert "outlier_detection" not in cluster


def test_default_route_has_default_retries_and_no_timeout() -> None:
    (route,) = routes(config(mesh_of(HELLO)))
    assert route["route"]["timeout"] == "0s"
    policy = route["route"]["retry_policy"]
    assert policy["num_retries"] == 2
    assert policy["retry_on"] == ("connect-failure,refused-stream,unavailable,cancelled,"
                                  "retriable-status-codes")
    assert policy["host_selection_retry_max_attempts"] == 5
    assert policy["retry_host_predicate"][0]["name"].endswith("previous_hosts")


def test_timeout_and_retries_from_the_virtual_service() -> None:
    mesh = mesh_of(HTTPBIN, ROOT / "manifests/istio/traffic/timeouts-retries/"
                                  "virtual-service-retries.yaml")
    (route,) = routes(config(mesh), 8000, "httpbin.default.svc.cluster.local")
    assert route["route"]["timeout"] == "5s"
    policy = route["route"]["retry_policy"]
    assert policy["num_retries"] == 3
    assert policy["per_try_timeout"] == "1s"
    assert policy["retry_on"] == "5xx,connect-failure,reset"


def test_attempts_zero_disables_and_codes_become_retriable(tmp_path: Path) -> None:
    mesh = mesh_of(HELLO, SUBSETS, tmp=tmp_path, extra=vs("""\
        - match: [{headers: {x: {exact: "1"}}}]
          retries: {attempts: 0}
          route: [{destination: {host: helloworld, subset: v1}}]
        - retries: {attempts: 4, retryOn: "503,connect-failure"}
          timeout: 500ms
          route: [{destination: {host: helloworld, subset: v2}}]
        """))
    first, second = routes(config(mesh))
    assert "retry_policy" not in first["route"]
    assert second["route"]["retry_policy"]["retriable_status_codes"] == [503]
    assert second["route"]["retry_policy"]["retry_on"] == ("connect-failure,"
                                                           "retriable-status-codes")
    assert second["route"]["timeout"] == "0.5s"
    assert first["match"]["headers"] == [{"name": "x", "string_match": {"exact": "1"}}]


def test_weights_are_relative_and_shares_normalised(tmp_path: Path) -> None:
    mesh = mesh_of(HELLO, SUBSETS, tmp=tmp_path, extra=vs("""\
        - route:
            - {destination: {host: helloworld, subset: v1}, weight: 3}
            - {destination: {host: helloworld, subset: v2}, weight: 1}
        """))
    (route,) = routes(config(mesh))
    weighted = route["route"]["weighted_clusters"]["clusters"]
    assert [(c["name"].split("|")[2], c["weight"]) for c in weighted] == [("v1", 3), ("v2", 1)]
    assert expect.version_shares(mesh, "helloworld", "/hello", {}) == {"v1": 0.75, "v2": 0.25}


def test_httproute_gives_the_same_split_as_the_virtual_service() -> None:
    folder = ROOT / "manifests/istio/traffic/traffic-shifting"
    by_vs = mesh_of(HELLO, SUBSETS, folder / "virtual-service-90-10.yaml")
    by_route = mesh_of(HELLO, ROOT / "manifests/istio/sample-app/helloworld-versions.yaml",
                       folder / "httproute-90-10.yaml")
    vs_weights = [c["weight"] for c in routes(config(by_vs))[0]["route"]["weighted_clusters"]
                  ["clusters"]]
    route_clusters = routes(config(by_route))[0]["route"]["weighted_clusters"]["clusters"]
    assert [c["weight"] for c in route_clusters] == vs_weights
    assert [c["name"] for c in route_clusters] == [
        "outbound|5000||helloworld-v1.default.svc.cluster.local",
        "outbound|5000||helloworld-v2.default.svc.cluster.local"]
    assert (expect.version_shares(by_vs, "helloworld", "/", {})
            == expect.version_shares(by_route, "helloworld", "/", {}))


def test_virtual_host_domains() -> None:
    manager = listener(config(mesh_of(HELLO)), "0.0.0.0_5000")["filter_chains"][0]["filters"][0]
    host = manager["typed_config"]["route_config"]["virtual_hosts"][0]
    # Istio 1.30 sidecars: no :PORT variants, the port in Host is ignored instead
    assert set(host["domains"]) == {
        "helloworld", "helloworld.default", "helloworld.default.svc", HOST, f"{HOST}."}
    assert manager["typed_config"]["route_config"]["name"] == "5000"
    assert manager["typed_config"]["route_config"]["ignore_port_in_host_matching"] is True


def test_fault_percentages_per_route() -> None:
    mesh = mesh_of(HELLO, SUBSETS, ROOT / "manifests/istio/traffic/fault-injection/"
                                          "virtual-service-abort.yaml")
    tester, other = routes(config(mesh))
    fault = tester["typed_per_filter_config"]["envoy.filters.http.fault"]
    assert fault["abort"] == {"http_status": 503,
                              "percentage": {"numerator": 200000, "denominator": "MILLION"}}
    assert "typed_per_filter_config" not in other


def test_mirror_policy() -> None:
    mesh = mesh_of(HELLO, SUBSETS, ROOT / "manifests/istio/traffic/mirroring/"
                                          "virtual-service.yaml")
    (mirror,) = routes(config(mesh))[0]["route"]["request_mirror_policies"]
    assert mirror["cluster"] == f"outbound|5000|v2|{HOST}"
    assert mirror["runtime_fraction"]["default_value"]["numerator"] == 1000000
    assert mirror["disable_shadow_host_suffix_append"] is True


def test_connection_pool_and_outlier_detection() -> None:
    folder = ROOT / "manifests/istio/traffic"
    pool = clusters(config(mesh_of(HTTPBIN, folder / "circuit-breaking/destination-rule.yaml")))
    cluster = pool["outbound|8000||httpbin.default.svc.cluster.local"]
    limits = cluster["circuit_breakers"]["thresholds"][0]
    assert (limits["max_connections"], limits["max_pending_requests"]) == (1, 1)
    options = cluster["typed_extension_protocol_options"][
        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]
    assert options["common_http_protocol_options"]["max_requests_per_connection"] == 1
    ejection = clusters(config(mesh_of(HTTPBIN, folder / "outlier-detection/"
                                                         "destination-rule.yaml")))
    cluster = ejection["outbound|8000||httpbin.default.svc.cluster.local"]
    assert cluster["outlier_detection"] == {
        "enforcing_success_rate": 0, "consecutive_5xx": 3, "enforcing_consecutive_5xx": 100,
        "interval": "5s", "base_ejection_time": "30s", "max_ejection_percent": 50}
    assert cluster["common_lb_config"]["healthy_panic_threshold"] == {"value": 0.0}


def test_registry_only_blocks_with_a_direct_502() -> None:
    folder = ROOT / "manifests/istio/egress"
    cfg = config(mesh_of(folder / "service-entry/service-entry.yaml",
                         folder / "registry-only/sidecar.yaml"))
    manager = listener(cfg, "0.0.0.0_80")["filter_chains"][0]["filters"][0]
    hosts = manager["typed_config"]["route_config"]["virtual_hosts"]
    assert [h["name"] for h in hosts] == ["httpbin.org:80", "block_all"]
    assert hosts[-1]["routes"][0]["direct_response"] == {"status": 502}
    assert "outbound|80||httpbin.org" in clusters(cfg)


def test_tcp_weights_per_connection() -> None:
    folder = ROOT / "manifests/istio/traffic/tcp-traffic-shifting"
    cfg = config(mesh_of(ROOT / "manifests/istio/sample-app/tcp-echo.yaml",
                         folder / "destination-rule.yaml", folder / "virtual-service-80-20.yaml"))
    proxy = listener(cfg, "tcp-echo.default.svc.cluster.local_9000")["filter_chains"][0][
        "filters"][0]["typed_config"]
    assert [c["weight"] for c in proxy["weighted_clusters"]["clusters"]] == [80, 20]


def test_unsupported_field_is_one_line_with_its_position(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedField) as caught:
        mesh_of(HELLO, SUBSETS, tmp=tmp_path, extra=vs("""\
            - route: [{destination: {host: helloworld, subset: v1}}]
              corsPolicy: {allowOrigins: [{exact: x}]}
            """))
    message = str(caught.value)
    assert message == (f"{tmp_path / 'extra.yaml'}:9:7: spec.http[0].corsPolicy is not "
                       "supported by the lab translator")
    assert "\n" not in message


def test_unknown_subset_and_unknown_kind_are_errors(tmp_path: Path) -> None:
    with pytest.raises(LabError, match=r"spec\.http\[0\]\.route\[0\]\.destination\.subset"):
        mesh_of(HELLO, SUBSETS, tmp=tmp_path, extra=vs("""\
            - route: [{destination: {host: helloworld, subset: v9}}]
            """))
    with pytest.raises(LabError, match=r"extra\.yaml:1:1: kind 'ConfigMap' is not supported"):
        mesh_of(tmp=tmp_path, extra="kind: ConfigMap\napiVersion: v1\nmetadata: {name: x}\n")


@pytest.mark.parametrize("scenario", [(lab, s) for lab in LABS for s in lab.scenarios],
                         ids=lambda p: f"{p[0].name}/{p[1].name}")
def test_every_generated_config_passes_envoy_validate(
        scenario: Any, envoy: Path, tmp_path: Path) -> None:
    import json

    _lab, chosen = scenario
    path = tmp_path / "envoy.json"
    path.write_text(json.dumps(config(load_mesh(ROOT, chosen))))
    validate_config(envoy, path)  # raises LabError with Envoy's reason
