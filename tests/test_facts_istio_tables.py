"""Route tables in full: every field a page can show, for VirtualServices and HTTPRoutes.

test_facts_istio.py checks the rules one at a time; here whole tables are compared with what
istiod and the Gateway API specify (match wording, shares, ports, mirrors, faults, waits),
so no field of a table can change unnoticed. Written to kill the mutants `make mutation`
found surviving in facts/istio.py."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from deepdive.facts import istio_defaults as default
from deepdive.facts.istio import (
    Destination,
    IstioFactsError,
    httproute_table,
    route_table,
)
from deepdive.manifests import Document


def document(text: str) -> Document:
    return Document(path=Path("test.yaml"), index=0, data=yaml.safe_load(text))


VS = """apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop}
spec:
  hosts: [shop, shop.example.com]
  gateways: [edge/public, mesh]
  http:
    - name: api
      match:
        - uri: {prefix: /api}
          headers: {end-user: {exact: tester}, x-trace: {regex: "^a.*"}}
          queryParams: {debug: {exact: "1"}}
          withoutHeaders: {x-skip: {}}
          method: {exact: POST}
          authority: {prefix: shop}
          port: 8080
          gateways: [edge/public]
          sourceLabels: {app: front, tier: web}
        - uri: {exact: /health}
      route:
        - destination: {host: shop, subset: v1, port: {number: 9080}}
          weight: 3
        - destination: {host: shop, subset: v2}
          weight: 1
      fault:
        delay: {percentage: {value: 12.5}, fixedDelay: 1500ms}
        abort: {percentage: {value: 0.5}, httpStatus: 503}
      retries: {attempts: 2, perTryTimeout: 2s, retryOn: reset}
      timeout: 10s
      mirror: {host: shadow, subset: canary, port: {number: 81}}
      mirrorPercentage: {value: 25}
    - name: rest
      route:
        - destination: {host: shop}
      timeout: 0s
      retries: {attempts: -1}
      fault: {abort: {httpStatus: 500}}
    - name: after
      route:
        - destination: {host: shop, subset: v3}
  tcp:
    - match: [{port: 5432}]
      route:
        - destination: {host: db, port: {number: 5432}}
"""


def test_a_virtual_service_table_in_full() -> None:
    table = route_table(document(VS))
    assert (table.kind, table.name, table.hosts, table.gateways) == (
        "VirtualService", "shop", ("shop", "shop.example.com"), ("edge/public", "mesh"))
    api, rest, after, tcp = table.rules
    assert (api.index, api.section, api.name, api.shadowed_by) == (0, "http", "api", None)
    assert api.matches == (
        "path starts with `/api` and header `end-user` is `tester` and header `x-trace` "
        "matches `^a.*` and query `debug` is `1` and no header `x-skip` and method is "
        "`POST` and authority starts with `shop` and port 8080 and through `edge/public` "
        "and from pods labelled app=front, tier=web",
        "path is `/health`",
    )
    assert api.destinations == (
        Destination("shop", "v1", 9080, 3, Fraction(3, 4)),
        Destination("shop", "v2", None, 1, Fraction(1, 4)),
    )
    assert [d.label for d in api.destinations] == ["shop v1:9080", "shop v2"]
    assert api.fault is not None
    assert (api.fault.delay_share, api.fault.delay) == (Fraction(1, 8), Decimal("1.5"))
    assert (api.fault.abort_share, api.fault.abort_status) == (Fraction(1, 200), 503)
    assert api.wait is not None
    assert (api.wait.timeout, api.wait.retries.attempts, api.wait.retries.per_try_timeout,
            api.wait.retries.retry_on, api.wait.retries.defaulted) == (
        Decimal(10), 2, Decimal(2), "reset", False)
    assert api.mirror == Destination("shadow", "canary", 81, 1, Fraction(1))
    assert api.mirror_share == Fraction(1, 4)

    assert rest.matches == () and rest.shadowed_by is None
    assert rest.destinations == (Destination("shop", None, None, 1, Fraction(1)),)
    assert rest.wait is not None
    assert rest.wait.timeout is None  # 0s turns the timeout off
    assert rest.wait.retries.attempts == 0  # a negative count retries nothing
    assert rest.fault is not None
    assert (rest.fault.abort_share, rest.fault.abort_status, rest.fault.delay) == (
        Fraction(0), 500, None)  # no percentage: no request is aborted
    assert rest.mirror is None and rest.mirror_share is None
    assert (after.index, after.shadowed_by) == (2, 1)  # rest catches everything first

    assert (tcp.section, tcp.matches, tcp.fault, tcp.wait) == ("tcp", ("port 5432",), None, None)
    assert tcp.shadowed_by == 1
    assert tcp.destinations == (Destination("db", None, 5432, 1, Fraction(1)),)


def test_without_retries_istios_default_policy_applies() -> None:
    table = route_table(document(VS))
    after = table.rules[2]
    assert after.wait is not None and after.wait.retries.defaulted
    assert (after.wait.retries.attempts, after.wait.retries.retry_on) == (
        default.RETRY_ATTEMPTS, default.RETRY_ON)
    assert after.wait.retries.per_try_timeout is None and after.wait.timeout is None


@pytest.mark.parametrize(("match", "words"), [
    ("{uri: {regex: '/v[0-9]+'}}", "path matches `/v[0-9]+`"),
    ("{method: {prefix: P}}", "method starts with `P`"),
    ("{ignoreUriCase: true, name: x, uri: {prefix: /}}", "path starts with `/`"),
])
def test_single_match_words(match: str, words: str) -> None:
    text = VS.split("  http:")[0] + f"  http:\n    - match: [{match}]\n" \
        "      route: [{destination: {host: shop}}]\n"
    [rule] = route_table(document(text)).rules
    assert rule.matches == (words,)


@pytest.mark.parametrize("bad", ["{uri: {}}", "{uri: {exact: /, prefix: /}}",
                                 "{uri: {glob: '/*'}}", "{uri: /plain}"])
def test_a_string_match_must_be_one_of_exact_prefix_regex(bad: str) -> None:
    text = VS.split("  http:")[0] + f"  http:\n    - match: [{bad}]\n" \
        "      route: [{destination: {host: shop}}]\n"
    with pytest.raises(IstioFactsError, match="string match"):
        route_table(document(text))


@pytest.mark.parametrize(("catch_all", "shadows"), [
    ("{uri: {prefix: /}, name: all, ignoreUriCase: true}", True),
    ("{uri: {regex: '.*'}}", True),
    ("{uri: {prefix: /}, method: {exact: GET}}", False),
    ("{uri: {prefix: /a}}", False),
])
def test_what_counts_as_catching_every_request(catch_all: str, shadows: bool) -> None:
    text = VS.split("  http:")[0] + f"""  http:
    - match: [{catch_all}]
      route: [{{destination: {{host: shop}}}}]
    - route: [{{destination: {{host: shop, subset: v2}}}}]
"""
    first, second = route_table(document(text)).rules
    assert first.shadowed_by is None
    assert second.shadowed_by == (0 if shadows else None)


HTTPROUTE = """apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop}
spec:
  parentRefs: [{name: public}, {name: mesh-gw, kind: Gateway}, plain]
  rules:
    - name: api
      matches:
        - path: {type: PathPrefix, value: /api}
          headers:
            - {name: end-user, value: tester}
            - {name: x-trace, value: "^a", type: RegularExpression}
          queryParams: [{name: debug, value: "1"}]
          method: POST
        - path: {type: Exact, value: /health}
        - path: {type: RegularExpression, value: "/v[0-9]"}
        - path: {value: /default-type}
        - path: {type: Exact}
      backendRefs:
        - {name: shop-v1, port: 9080, weight: 3}
        - {name: shop-v2, port: 9080}
        - {name: shop-v3}
    - backendRefs: [{name: shop-v1, weight: 0}]
    - just a string
    - matches: [{}]
"""


def test_an_httproute_table_in_full() -> None:
    table = httproute_table(document(HTTPROUTE))
    assert (table.kind, table.name, table.hosts, table.gateways) == (
        "HTTPRoute", "shop", ("public", "mesh-gw"), ())
    api, zero, empty = table.rules
    assert (api.index, api.section, api.name, api.shadowed_by) == (0, "http", "api", None)
    assert api.matches == (
        "path starts with `/api` and header `end-user` is `tester` and header `x-trace` "
        "matches `^a` and query `debug` is `1` and method is `POST`",
        "path is `/health`",
        "path matches `/v[0-9]`",
        "path starts with `/default-type`",
        "path is `/`",
    )
    assert api.destinations == (
        Destination("shop-v1", None, 9080, 3, Fraction(3, 5)),
        Destination("shop-v2", None, 9080, 1, Fraction(1, 5)),
        Destination("shop-v3", None, None, 1, Fraction(1, 5)),
    )
    assert (zero.index, zero.name, zero.matches) == (1, None, ())
    assert zero.destinations == (Destination("shop-v1", None, None, 0, Fraction(0)),)
    assert (empty.index, empty.matches, empty.destinations) == (3, ("every request",), ())


# --- DestinationRules: every field, and the pods counted over the example set -----------------

SET = """apiVersion: v1
kind: Service
metadata: {name: shop}
spec: {selector: {app: shop}, ports: [{port: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: shop-v1}
spec:
  replicas: 3
  selector: {matchLabels: {app: shop, version: v1}}
  template: {metadata: {labels: {app: shop, version: v1}}, spec: {containers: [{name: a}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: shop-v2}
spec:
  selector: {matchLabels: {app: shop, version: v2}}
  template: {metadata: {labels: {app: shop, version: v2}}, spec: {containers: [{name: a}]}}
---
apiVersion: v1
kind: Pod
metadata: {name: shop-debug, labels: {app: shop, version: v2}}
spec: {containers: [{name: a}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: other}
spec:
  replicas: 5
  selector: {matchLabels: {app: other}}
  template: {metadata: {labels: {app: other}}, spec: {containers: [{name: a}]}}
"""
RULE = """apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: shop-rule}
spec:
  host: shop.default.svc.cluster.local
  trafficPolicy:
    loadBalancer: {simple: ROUND_ROBIN}
    connectionPool:
      tcp: {maxConnections: 2, connectTimeout: 250ms}
      http: {http1MaxPendingRequests: 3, http2MaxRequests: 40, maxRetries: 0,
             maxRequestsPerConnection: 5}
    outlierDetection:
      consecutive5xxErrors: 4
      interval: 2s
      baseEjectionTime: 1m
      maxEjectionPercent: 30
  subsets:
    - {name: v1, labels: {version: v1}}
    - {name: v2, labels: {version: v2}}
    - {name: all}
"""


def set_documents() -> list[Document]:
    return [Document(path=Path("set.yaml"), index=i, data=d)
            for i, d in enumerate(yaml.safe_load_all(SET))]


def test_a_destination_rule_in_full() -> None:
    from deepdive.facts.istio import istio_facts

    facts = istio_facts(document(RULE), set_documents())
    assert facts is not None and facts.routes is None and facts.policy is not None
    policy = facts.policy
    assert (policy.host, policy.name, policy.load_balancer, policy.load_balancer_defaulted) == (
        "shop.default.svc.cluster.local", "shop-rule", "ROUND_ROBIN", False)
    # pods behind the Service's selector and the subset's labels: v1 3 replicas, v2 a
    # Deployment without replicas (1) and a Pod, all 5 for the Service
    assert [(s.name, s.labels, s.endpoints) for s in policy.subsets] == [
        ("v1", {"version": "v1"}, 3), ("v2", {"version": "v2"}, 2), ("all", {}, 5)]
    assert policy.subset("v2").endpoints == 2
    with pytest.raises(LookupError, match="DestinationRule/shop-rule has no subset 'v3'"):
        policy.subset("v3")
    limits = policy.limits
    assert limits is not None
    assert (limits.max_connections, limits.max_pending_requests, limits.max_requests,
            limits.max_retries, limits.max_requests_per_connection, limits.connect_timeout,
            limits.endpoints) == (2, 3, 40, default.UNLIMITED, 5, Decimal("0.25"), 5)
    assert limits.set_fields == {"tcp.maxConnections", "tcp.connectTimeout",
                                 "http.http1MaxPendingRequests", "http.http2MaxRequests",
                                 "http.maxRetries", "http.maxRequestsPerConnection"}
    assert (limits.connections, limits.most_in_flight) == (5, 8)  # one per pod, + 3 queued
    ejection = policy.ejection
    assert ejection is not None
    assert (ejection.consecutive_5xx, ejection.interval, ejection.base_ejection_time,
            ejection.max_ejection_percent, ejection.endpoints, ejection.most_ejected) == (
        4, Decimal(2), Decimal(60), 30, 5, 1)  # 5 pods x 30%, rounded down
    assert ejection.set_fields == {"consecutive5xxErrors", "interval", "baseEjectionTime",
                                   "maxEjectionPercent"}


def test_a_bare_destination_rule_takes_istios_defaults() -> None:
    from deepdive.facts.istio import traffic_policy

    bare = traffic_policy(document("""apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: bare}
spec:
  host: shop
  trafficPolicy:
    connectionPool: {tcp: 5, http: {maxRetries: -1}}
    outlierDetection: {}
  subsets: [{name: v1, labels: {version: v1}}, not-a-subset]
"""))
    assert (bare.load_balancer, bare.load_balancer_defaulted) == (default.LOAD_BALANCER, True)
    assert [(s.name, s.endpoints) for s in bare.subsets] == [("v1", None)]  # no example set
    assert bare.limits is not None
    assert (bare.limits.max_connections, bare.limits.max_retries,
            bare.limits.max_requests_per_connection, bare.limits.connect_timeout,
            bare.limits.set_fields, bare.limits.endpoints) == (
        default.UNLIMITED, default.UNLIMITED, None, default.CONNECT_TIMEOUT,
        {"http.maxRetries"}, None)
    assert bare.ejection is not None
    assert (bare.ejection.consecutive_5xx, bare.ejection.interval,
            bare.ejection.base_ejection_time, bare.ejection.max_ejection_percent,
            bare.ejection.set_fields) == (
        default.OUTLIER_CONSECUTIVE_5XX, default.OUTLIER_INTERVAL,
        default.OUTLIER_BASE_EJECTION, default.OUTLIER_MAX_EJECTION_PERCENT, frozenset())
    none = traffic_policy(document("apiVersion: networking.istio.io/v1\nkind: DestinationRule\n"
                                   "metadata: {name: n}\nspec: {}\n"))
    assert (none.host, none.limits, none.ejection, none.subsets) == ("", None, None, ())


def test_endpoints_are_unknown_without_the_service_in_the_set() -> None:
    from deepdive.facts.istio import endpoint_count

    documents = set_documents()
    assert endpoint_count("shop", {}, documents) == 5
    assert endpoint_count("shop.default.svc.cluster.local", {"version": "v1"}, documents) == 3
    assert endpoint_count("other", {}, documents) is None  # no Service named other
    assert endpoint_count("shop", {"version": "v9"}, documents) == 0


@pytest.mark.parametrize(("api_version", "kind", "has"), [
    ("networking.istio.io/v1", "VirtualService", "routes"),
    ("gateway.networking.k8s.io/v1", "HTTPRoute", "routes"),
    ("networking.istio.io/v1", "DestinationRule", "policy"),
    ("networking.istio.io/v1", "HTTPRoute", None),
    ("gateway.networking.k8s.io/v1", "DestinationRule", None),
    ("networking.istio.io/v1", "Gateway", None),
])
def test_which_kinds_have_istio_facts(api_version: str, kind: str, has: str | None) -> None:
    from deepdive.facts.istio import istio_facts

    facts = istio_facts(document(f"apiVersion: {api_version}\nkind: {kind}\n"
                                 "metadata: {name: x}\nspec: {}\n"))
    if has is None:
        assert facts is None
    else:
        assert facts is not None and getattr(facts, has) is not None
