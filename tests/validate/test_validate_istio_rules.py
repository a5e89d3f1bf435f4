"""The Istio cross-reference rules (rules/istio.py), finding by finding: for each rule the
field it names, the message it prints, and the near-identical case Istio accepts. Istio's
behaviour pinned here comes from istio/istio: pilot's host and gateway resolution
(resolveGatewayName), pkg/config/validation (validateDestination, validateRouteDestinations)
and pkg/config/kube (ConvertProtocol)."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepdive.validate.engine import Validator

Found = tuple[str, int, str, str]


def findings(validator: Validator, folder: Path, text: str) -> list[Found]:
    """(rule, line, field, message) of every finding for one file holding `text`."""
    (folder / "set.yaml").write_text(text)
    return [(f.rule, f.line, f.field, f.message) for f in validator.run([folder]).findings]


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return lines[occurrence - 1]


def unresolved(host: str) -> str:
    return f'host "{host}" matches no Service or ServiceEntry in this example set'


def service(name: str, namespace: str = "", selector: str = "{app: NAME}",
            ports: str = "[{name: http, port: 80, targetPort: http}]") -> str:
    ns = f"  namespace: {namespace}\n" if namespace else ""
    return (f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n{ns}spec:\n"
            f"  selector: {selector.replace('NAME', name)}\n  ports: {ports}\n---\n")


def pod(name: str, labels: str, namespace: str = "") -> str:
    ns = f"  namespace: {namespace}\n" if namespace else ""
    return (f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n{ns}  labels: {labels}\n"
            "spec:\n  containers:\n    - name: app\n      image: registry.k8s.io/pause:3.10\n"
            "      ports: [{name: http, containerPort: 8080}]\n---\n")


def entry(name: str, hosts: str) -> str:
    return (f"apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: {name}\n"
            f"spec:\n  hosts: {hosts}\n  ports: [{{number: 80, name: http, protocol: HTTP}}]\n"
            "  resolution: DNS\n---\n")


def destination_rule(name: str, host: str, subsets: str, namespace: str = "") -> str:
    ns = f"  namespace: {namespace}\n" if namespace else ""
    return (f"apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n"
            f"  name: {name}\n{ns}spec:\n  host: {host}\n  subsets: {subsets}\n---\n")


def virtual_service(spec: str, namespace: str = "", name: str = "route") -> str:
    ns = f"  namespace: {namespace}\n" if namespace else ""
    return (f"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n"
            f"  name: {name}\n{ns}spec:\n{spec}---\n")


# --- istio-host-unresolved: every destination of routes and mirrors --------------------------

EVERY_DESTINATION = virtual_service("""  hosts: [example.org]
  http:
    - match: [{uri: {prefix: /a}}]
      route:
        - destination: {host: first.example.org}
          weight: 50
        - destination: {host: example.org}
          weight: 50
      mirror: {host: mirror.example.org}
    - route: [{destination: {host: example.org}}]
      mirrors:
        - destination: {host: example.org}
        - destination: {host: mirrors.example.org}
  tcp:
    - route:
        - destination: {host: tcp.example.org}
""") + entry("known", "[example.org]")


def test_every_route_and_mirror_destination_is_resolved(
    validator: Validator, tmp_path: Path, crds_available: None
) -> None:
    """Resolution goes on past an unresolved destination, through route, mirror, mirrors
    and the tcp section, each finding at its own field."""
    text = EVERY_DESTINATION
    assert findings(validator, tmp_path, text) == [
        ("istio-host-unresolved", line_of(text, "first.example.org"),
         "spec.http[0].route[0].destination.host", unresolved("first.example.org")),
        ("istio-host-unresolved", line_of(text, "mirror: {host"),
         "spec.http[0].mirror.host", unresolved("mirror.example.org")),
        ("istio-host-unresolved", line_of(text, "mirrors.example.org"),
         "spec.http[1].mirrors[1].destination.host", unresolved("mirrors.example.org")),
        ("istio-host-unresolved", line_of(text, "tcp.example.org"),
         "spec.tcp[0].route[0].destination.host", unresolved("tcp.example.org")),
    ]


@pytest.mark.parametrize(("host", "hint"), [
    ("reviews.shop", True),
    ("reviews.shop.svc", True),
    ("reviews.shop.cluster", False),  # not a shortened cluster name: no spelling to offer
    ("reviews.shop.svc.cluster", False),
    ("ratings.shop", False),  # no Service "ratings" to point at
])
def test_a_half_qualified_host_gets_the_spelling_that_works(
    validator: Validator, tmp_path: Path, host: str, hint: bool, crds_available: None
) -> None:
    text = service("reviews", "shop") + pod("reviews", "{app: reviews}", "shop") + \
        virtual_service(f"  hosts: [reviews]\n  http:\n    - route:\n"
                        f"        - destination: {{host: {host}}}\n", "shop")
    message = unresolved(host)
    if hint:
        message += ('; Istio reads a host with a dot literally: write "reviews" (in the same '
                    'namespace) or "reviews.shop.svc.cluster.local"')
    assert findings(validator, tmp_path, text) == [
        ("istio-host-unresolved", line_of(text, "- destination:"),
         "spec.http[0].route[0].destination.host", message)]


@pytest.mark.parametrize(("service_ns", "rule_ns"), [
    ("", "shop"),  # a Service without a namespace goes where it is applied: any
    ("shop", ""),  # and so does a rule without one
    ("", ""),
])
def test_a_namespace_the_set_leaves_open_matches_any(
    validator: Validator, tmp_path: Path, service_ns: str, rule_ns: str, crds_available: None
) -> None:
    text = service("reviews", service_ns) + pod("reviews", "{app: reviews}", service_ns) + \
        virtual_service("  hosts: [reviews]\n  http:\n    - route:\n"
                        "        - destination: {host: reviews}\n", rule_ns)
    assert findings(validator, tmp_path, text) == []


def test_a_full_name_reaches_a_service_without_a_namespace(
    validator: Validator, tmp_path: Path, crds_available: None
) -> None:
    text = service("reviews") + pod("reviews", "{app: reviews}") + virtual_service(
        "  hosts: [reviews]\n  http:\n    - route:\n"
        "        - destination: {host: reviews.shop.svc.cluster.local}\n", "front")
    assert findings(validator, tmp_path, text) == []


# --- istio-subset-missing ---------------------------------------------------------------------

SUBSET_ROUTE = """  hosts: [HOST]
  http:
    - route:
        - destination: {host: HOST}
          weight: 90
        - destination: {host: HOST, subset: SUBSET}
          weight: 10
"""


@pytest.mark.parametrize(("subsets", "subset", "defined"), [
    ("", "v1", "none"),  # no DestinationRule for the host at all
    ("[{name: v2}, {name: canary}]", "v1", "canary, v2"),
])
def test_a_subset_no_destination_rule_defines(
    validator: Validator, tmp_path: Path, subsets: str, subset: str, defined: str,
    crds_available: None,
) -> None:
    text = entry("site", "[example.org]") + virtual_service(
        SUBSET_ROUTE.replace("HOST", "example.org").replace("SUBSET", subset))
    if subsets:
        text += destination_rule("site", "example.org", subsets)
    assert findings(validator, tmp_path, text) == [
        ("istio-subset-missing", line_of(text, f"subset: {subset}"),
         "spec.http[0].route[1].destination.subset",
         f'subset "{subset}" of host "example.org" is not defined by a DestinationRule in this '
         f"example set (defined: {defined})")]
    defining = text + destination_rule("more", "example.org", f"[{{name: {subset}}}]")
    assert findings(validator, tmp_path, defining) == []


def test_an_empty_subset_is_no_subset(
    validator: Validator, tmp_path: Path, crds_available: None
) -> None:
    """Istio checks a destination's subset only when it is set (validateDestination), and
    routes `subset: ""` to the whole host."""
    text = entry("site", "[example.org]") + virtual_service(
        SUBSET_ROUTE.replace("HOST", "example.org").replace("SUBSET", '""'))
    assert findings(validator, tmp_path, text) == []


def test_subsets_are_looked_up_after_a_destination_without_one(
    validator: Validator, tmp_path: Path, crds_available: None
) -> None:
    text = entry("site", "[example.org]") + virtual_service(
        "  hosts: [example.org]\n  http:\n    - route:\n"
        "        - destination: {host: nowhere.example.org}\n          weight: 1\n"
        "        - destination: {host: example.org, subset: v1}\n")
    assert [f[:3] for f in findings(validator, tmp_path, text)] == [
        ("istio-host-unresolved", line_of(text, "nowhere"),
         "spec.http[0].route[0].destination.host"),
        ("istio-subset-missing", line_of(text, "subset: v1"),
         "spec.http[0].route[1].destination.subset"),
    ]


def test_a_destination_rule_names_the_service_of_its_own_namespace(
    validator: Validator, tmp_path: Path, crds_available: None
) -> None:
    """Two Services "reviews": the short host of a rule in `b` means b's, not the first one
    of the set, so b's DestinationRule defines the subset b's route asks for."""
    text = (service("reviews", "a") + pod("reviews", "{app: reviews}", "a")
            + service("reviews", "b") + pod("reviews", "{app: reviews}", "b")
            + destination_rule("reviews", "reviews", "[{name: v2}]", "b")
            + virtual_service("  hosts: [reviews]\n  http:\n    - route:\n"
                              "        - destination: {host: reviews, subset: v2}\n", "b"))
    assert findings(validator, tmp_path, text) == []
    other = text.replace("  name: reviews\n  namespace: b\nspec:\n  host: reviews",
                         "  name: reviews\n  namespace: a\nspec:\n  host: reviews")
    assert [f[0] for f in findings(validator, tmp_path, other)] == ["istio-subset-missing"]


@pytest.mark.parametrize(("rule_host", "route_host"), [
    # two Services istioctl installs: a subset of one is not a subset of the other
    ("istio-ingressgateway.istio-system.svc.cluster.local",
     "istio-egressgateway.istio-system.svc.cluster.local"),
    # two ServiceEntry hosts
    ("api.example.org", "example.org"),
])
def test_subsets_belong_to_the_host_they_are_defined_for(
    validator: Validator, tmp_path: Path, rule_host: str, route_host: str,
    crds_available: None,
) -> None:
    text = (entry("site", "[example.org, api.example.org]")
            + destination_rule("gateway", rule_host, "[{name: v1}]")
            + virtual_service(f"  hosts: [example.org]\n  http:\n    - route:\n"
                              f"        - destination: {{host: {route_host}, subset: v1}}\n"))
    assert [f[0] for f in findings(validator, tmp_path, text)] == ["istio-subset-missing"]
    same = text.replace(f"host: {rule_host}", f"host: {route_host}")
    assert findings(validator, tmp_path, same) == []


def test_the_first_service_entry_in_set_order_names_a_host(
    validator: Validator, tmp_path: Path, crds_available: None
) -> None:
    """api.example.org is both a host of its own and under *.example.org: the wildcard comes
    first, so the subsets of the wildcard's DestinationRule are the ones the route finds
    (as in Istio, where a `*.example.org` DestinationRule applies to api.example.org)."""
    text = (entry("wild", '["*.example.org"]') + entry("api", "[api.example.org]")
            + destination_rule("wild", '"*.example.org"', "[{name: v1}]")
            + virtual_service("  hosts: [api.example.org]\n  http:\n    - route:\n"
                              "        - destination: {host: api.example.org, subset: v1}\n"))
    assert findings(validator, tmp_path, text) == []


# --- istio-gateway-missing --------------------------------------------------------------------

GATEWAY = """apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: public
NAMESPACE
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
---
"""
BOUND = """  hosts: [example.org]
  gateways: [GATEWAYS]
  http:
    - match: [{uri: {prefix: /a}}, {gateways: [MATCHED], uri: {prefix: /b}}]
      route: [{destination: {host: example.org}}]
  tls:
    - match: [{sniHosts: [example.org], gateways: [TLS]}]
      route: [{destination: {host: example.org}}]
"""


def bound(gateway_ns: str, vs_ns: str, gateways: str, matched: str, tls: str) -> str:
    return (GATEWAY.replace("NAMESPACE\n", f"  namespace: {gateway_ns}\n" if gateway_ns else "")
            + entry("site", "[example.org]")
            + virtual_service(BOUND.replace("GATEWAYS", gateways).replace("MATCHED", matched)
                              .replace("TLS", tls), vs_ns))


def test_gateways_named_in_matches_must_exist_too(
    validator: Validator, tmp_path: Path, crds_available: None
) -> None:
    text = bound("edge", "edge", "public, mesh", "private", "edge/tls")
    assert findings(validator, tmp_path, text) == [
        ("istio-gateway-missing", line_of(text, "{gateways: [private]"),
         "spec.http[0].match[1].gateways[0]", 'no Gateway "private" in this example set'),
        ("istio-gateway-missing", line_of(text, "gateways: [edge/tls]"),
         "spec.tls[0].match[0].gateways[0]", 'no Gateway "edge/tls" in this example set'),
    ]
    assert findings(validator, tmp_path, bound("edge", "edge", "mesh", "mesh", "public")) == []


@pytest.mark.parametrize(("gateway_ns", "vs_ns", "reference"), [
    ("", "shop", "edge/public"),  # a Gateway without a namespace may be applied to any
    ("edge", "", "public"),  # a short name in a VirtualService without one: any namespace
    ("edge", "shop", "public.edge"),  # the legacy form with the cluster suffix left out
])
def test_gateway_namespaces_the_set_leaves_open(
    validator: Validator, tmp_path: Path, gateway_ns: str, vs_ns: str, reference: str,
    crds_available: None,
) -> None:
    assert findings(validator, tmp_path, bound(gateway_ns, vs_ns, reference, "mesh",
                                               "mesh")) == []


def test_a_gateway_name_is_what_follows_the_first_slash(
    validator: Validator, tmp_path: Path, crds_available: None
) -> None:
    """Istio splits `ns/name` at the first "/": edge/extra/public names a Gateway
    "extra/public" in edge, which no Gateway can be called."""
    text = bound("", "edge", "edge/extra/public", "mesh", "mesh")
    assert [f[:3] for f in findings(validator, tmp_path, text)] == [
        ("istio-gateway-missing", line_of(text, "gateways: [edge/extra/public]"),
         "spec.gateways[0]")]


def test_a_kubernetes_gateway_api_gateway_is_not_an_istio_gateway(
    validator: Validator, tmp_path: Path, crds_available: None
) -> None:
    text = """apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: public
  namespace: edge
spec:
  gatewayClassName: istio
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
""" + entry("site", "[example.org]") + virtual_service(
        "  hosts: [example.org]\n  gateways: [public]\n  http:\n"
        "    - route: [{destination: {host: example.org}}]\n", "edge")
    assert [f[0] for f in findings(validator, tmp_path, text)] == ["istio-gateway-missing"]


# --- istio-route-weights ----------------------------------------------------------------------

@pytest.mark.parametrize(("section", "routes", "shown"), [
    ("http", "[{destination: {host: example.org}}, {destination: {host: example.org}}]",
     "0 + 0"),  # a weight left out is 0
    ("tcp", "[{destination: {host: example.org}, weight: 0},"
     " {destination: {host: example.org}}, {destination: {host: example.org}, weight: 0}]",
     "0 + 0 + 0"),
])
def test_a_zero_weight_total_is_refused_in_every_section(
    validator: Validator, tmp_path: Path, section: str, routes: str, shown: str,
    crds_available: None,
) -> None:
    text = entry("site", "[example.org]") + virtual_service(
        f"  hosts: [example.org]\n  {section}:\n    - route: {routes}\n")
    assert findings(validator, tmp_path, text) == [
        ("istio-route-weights", line_of(text, "- route:"), f"spec.{section}[0].route",
         f"weights {shown} = 0: no destination gets any traffic, and Istio refuses the route "
         "(total destination weight = 0)")]


def test_a_single_destination_needs_no_weight(
    validator: Validator, tmp_path: Path, crds_available: None
) -> None:
    """validateRouteDestinations refuses a zero total only for more than one destination."""
    text = entry("site", "[example.org]") + virtual_service(
        "  hosts: [example.org]\n  http:\n"
        "    - match: [{uri: {prefix: /a}}]\n"
        "      route: [{destination: {host: example.org}, weight: 0}]\n"
        "    - route: [{destination: {host: example.org}, weight: 0},"
        " {destination: {host: example.org}, weight: 1}]\n"
        "  tls:\n    - match: [{sniHosts: [example.org]}]\n"
        "      route: [{destination: {host: example.org}, weight: 0}]\n"
        "    - match: [{sniHosts: [example.org]}]\n"
        "      route: [{destination: {host: example.org}, weight: 0},"
        " {destination: {host: example.org}, weight: 0}]\n")
    assert [f[:3] for f in findings(validator, tmp_path, text)] == [
        ("istio-route-weights", line_of(text, "- match: [{sniHosts", 2) + 1,
         "spec.tls[1].route")]


# --- istio-unreachable-route ------------------------------------------------------------------

@pytest.mark.parametrize(("section", "rules", "catch_all", "after"), [
    ("http", ["match: [{uri: {prefix: /a}}]", "match: []", "match: [{name: any}]",
              "match: [{uri: {exact: /}}]"], 1, [2, 3]),
    ("http", ["match: [{uri: {exact: /}}]", "match: [{ignoreUriCase: true}]"], None, []),
    ("tcp", ["match: [{port: 5432}]", "match: [{}]", "match: [{port: 5433}]"], 1, [2]),
])
def test_every_rule_after_the_first_catch_all_is_unreachable(
    validator: Validator, tmp_path: Path, section: str, rules: list[str],
    catch_all: int | None, after: list[int], crds_available: None,
) -> None:
    body = "".join(f"    - {rule}\n      route: [{{destination: {{host: example.org}}}}]\n"
                   for rule in rules)
    text = entry("site", "[example.org]") + virtual_service(
        f"  hosts: [example.org]\n  {section}:\n{body}")
    assert findings(validator, tmp_path, text) == [
        ("istio-unreachable-route", line_of(text, f"    - {rules[index]}"),
         f"spec.{section}[{index}]",
         f"{section}[{index}] can never match: {section}[{catch_all}] before it already "
         "matches every request")
        for index in after]


def test_a_match_with_only_ignore_uri_case_matches_every_request(
    validator: Validator, tmp_path: Path, crds_available: None
) -> None:
    text = entry("site", "[example.org]") + virtual_service(
        "  hosts: [example.org]\n  http:\n"
        "    - match: [{ignoreUriCase: true}]\n      route: [{destination: {host: example.org}}]\n"
        "    - route: [{destination: {host: example.org}}]\n")
    assert [f[:3] for f in findings(validator, tmp_path, text)] == [
        ("istio-unreachable-route", line_of(text, "    - route:"), "spec.http[1]")]


def test_each_section_has_its_own_catch_all(
    validator: Validator, tmp_path: Path, crds_available: None
) -> None:
    text = entry("site", "[example.org]") + virtual_service(
        "  hosts: [example.org]\n  http:\n"
        "    - match: [{uri: {prefix: /a}}]\n      route: [{destination: {host: example.org}}]\n"
        "  tcp:\n    - route: [{destination: {host: example.org}}]\n"
        "    - match: [{port: 5432}]\n      route: [{destination: {host: example.org}}]\n")
    assert findings(validator, tmp_path, text) == [
        ("istio-unreachable-route", line_of(text, "- match: [{port: 5432}]"), "spec.tcp[1]",
         "tcp[1] can never match: tcp[0] before it already matches every request")]


# --- istio-dr-host-unresolved, istio-subset-selects-nothing -----------------------------------

def test_a_destination_rule_host_must_resolve_unless_a_wildcard(
    validator: Validator, tmp_path: Path, crds_available: None
) -> None:
    text = destination_rule("wild", '"*.example.org"', "[{name: v1, labels: {v: '1'}}]") + \
        destination_rule("gone", "gone", "[{name: v1, labels: {v: '1'}}]") + \
        destination_rule("lost", "lost", "[{name: v1, labels: {v: '1'}}]")
    assert findings(validator, tmp_path, text) == [
        ("istio-dr-host-unresolved", line_of(text, "host: gone"), "spec.host",
         unresolved("gone")),
        ("istio-dr-host-unresolved", line_of(text, "host: lost"), "spec.host",
         unresolved("lost"))]


REVIEWS = service("reviews", "shop") + pod("reviews-v1", "{app: reviews, version: v1}", "shop")


@pytest.mark.parametrize("host", ["reviews", "reviews.shop.svc.cluster.local"])
def test_each_subset_must_select_a_pod_template_of_the_service(
    validator: Validator, tmp_path: Path, host: str, crds_available: None
) -> None:
    text = (REVIEWS + pod("reviews-v2", "{app: reviews, version: v2, track: canary}", "shop")
            + pod("other-v3", "{app: other, version: v3}", "shop")
            + pod("reviews-v3", "{app: reviews, version: v3}", "elsewhere")
            + destination_rule("reviews", host, """
    - name: all
    - name: any
      labels: {}
    - name: v1
      labels: {version: v1}
    - name: v2
      labels: {version: v2, track: canary}
    - name: v3
      labels: {version: v3, track: canary}
    - name: v4
      labels: {version: v3}""", "shop"))
    assert findings(validator, tmp_path, text) == [
        ("istio-subset-selects-nothing", line_of(text, "labels: {version: v3, track"),
         "spec.subsets[4].labels",
         'subset "v3" (track=canary, version=v3) selects none of the pod templates behind '
         'Service "reviews"'),
        ("istio-subset-selects-nothing", line_of(text, "labels: {version: v3}"),
         "spec.subsets[5].labels",
         'subset "v4" (version=v3) selects none of the pod templates behind Service "reviews"'),
    ]


def test_subsets_of_hosts_without_pod_templates_are_not_checked(
    validator: Validator, tmp_path: Path, crds_available: None
) -> None:
    subsets = "[{name: v1, labels: {version: v1}}]"
    text = (entry("site", "[example.org]")
            + service("manual", "shop", selector="{}")
            + destination_rule("site", "example.org", subsets)
            + destination_rule("manual", "manual", subsets, "shop")
            + destination_rule("gateway", "istio-ingressgateway.istio-system.svc.cluster.local",
                               subsets))
    assert findings(validator, tmp_path, text) == []
    # the control: a Service with pod templates after them is checked
    text += REVIEWS + destination_rule("reviews", "reviews", "[{name: v2, labels: {v: '2'}}]",
                                       "shop")
    assert [f[0] for f in findings(validator, tmp_path, text)] == [
        "istio-subset-selects-nothing"]


# --- istio-port-protocol ----------------------------------------------------------------------

MESH = entry("site", "[example.org]")  # any Istio resource puts the set in the mesh


@pytest.mark.parametrize("port", [
    "{name: http-web-api, port: 80, targetPort: http}",  # the prefix is up to the first "-"
    "{name: web, port: 80, targetPort: http, appProtocol: HTTP2-web}",
    "{name: tcp, port: 80, targetPort: http}",
    "{name: web, port: 80, targetPort: http, appProtocol: kubernetes.io/ws}",
    "{name: web, port: 80, targetPort: http, appProtocol: grpc-web}",
    "{name: web, port: 80, targetPort: 8080, protocol: SCTP}",  # not proxied: not read
])
def test_port_protocols_istio_reads(validator: Validator, tmp_path: Path, port: str,
                                    crds_available: None) -> None:
    text = MESH + service("web", ports=f"[{port}]") + pod("web", "{app: web}")
    assert findings(validator, tmp_path, text) == []


@pytest.mark.parametrize(("port", "field", "message"), [
    ("{name: httpweb, port: 80, targetPort: http}", "spec.ports[0].name",
     'port 80 named "httpweb" has no protocol prefix (http, grpc, tcp, ...) and no '
     "appProtocol, so Istio must guess"),
    ("{name: web, port: 81, targetPort: http, protocol: TCP}", "spec.ports[0].name",
     'port 81 named "web" has no protocol prefix (http, grpc, tcp, ...) and no appProtocol, '
     "so Istio must guess"),
    ("{port: 80, targetPort: http}", "spec.ports[0]",
     'port 80 named "" has no protocol prefix (http, grpc, tcp, ...) and no appProtocol, so '
     "Istio must guess"),
    ("{name: http, port: 80, targetPort: http, appProtocol: postgresql}",
     "spec.ports[0].appProtocol",
     'port 80 has appProtocol "postgresql", which Istio does not know (and it ignores the '
     "port name then), so Istio must guess"),
])
def test_port_protocols_istio_must_guess(validator: Validator, tmp_path: Path, port: str,
                                         field: str, message: str,
                                         crds_available: None) -> None:
    text = MESH + service("web", ports=f"[{port}]") + pod("web", "{app: web}")
    assert findings(validator, tmp_path, text) == [
        ("istio-port-protocol", line_of(text, f"ports: [{port}]"), field, message)]


def test_every_port_of_a_service_is_read(
    validator: Validator, tmp_path: Path, crds_available: None
) -> None:
    ports = ("\n    - {name: dns, port: 53, protocol: UDP, targetPort: 8080}"
             "\n    - {name: web, port: 80, targetPort: http, appProtocol: http}"
             "\n    - {name: grpc, port: 81, targetPort: http}"
             "\n    - {name: site, port: 82, targetPort: http}")
    text = MESH + service("web", ports=ports) + pod("web", "{app: web}")
    assert [f[:3] for f in findings(validator, tmp_path, text)] == [
        ("istio-port-protocol", line_of(text, "port: 82"), "spec.ports[3].name")]


# --- rules report on the folder's own files, resolved in its own set --------------------------

def test_dependencies_are_context_not_checked_again(
    validator: Validator, tmp_path: Path, crds_available: None
) -> None:
    """`routes` depends on `svc`, and `app` on two files of `routes` alone. Each rule checks
    a set's own files in that set: svc's Service outside the mesh, routes' rules with the
    Service, Gateway and subsets they name; `app` does not check them again without those."""
    svc, routes, app = tmp_path / "svc", tmp_path / "routes", tmp_path / "app"
    for folder in (svc, routes, app):
        folder.mkdir()
    (svc / "services.yaml").write_text(
        service("reviews", "shop", ports="[{name: web, port: 80, targetPort: http}]")
        + pod("reviews", "{app: reviews, version: v1}", "shop"))
    (routes / "example-set.txt").write_text("../svc\n")
    (routes / "gateway.yaml").write_text(GATEWAY.replace("NAMESPACE", "  namespace: shop"))
    (routes / "routes.yaml").write_text(
        destination_rule("reviews", "reviews", "[{name: v1, labels: {version: v1}}]", "shop")
        + virtual_service("  hosts: [reviews]\n  gateways: [public]\n  http:\n    - route:\n"
                          "        - destination: {host: reviews, subset: v1}\n", "shop"))
    (app / "example-set.txt").write_text("../routes/routes.yaml\n")
    (app / "app.yaml").write_text(MESH)
    assert validator.run([svc, routes, app]).findings == []
    # the control: without svc, routes' own rules name a Service the set lacks
    (routes / "example-set.txt").write_text("# no dependencies\n")
    assert sorted(f.rule for f in validator.run([routes]).findings) == [
        "istio-dr-host-unresolved", "istio-host-unresolved"]
