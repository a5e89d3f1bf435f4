"""The facts the site states about its own manifests, written out by hand.

Every other site test compares a page with what the facts code computes, which is the code
the pages call: a wrong classification would pass them all. The values below were worked
out from the YAML by a person (the reasoning is in the comments), so a change to the facts
code that alters what readers are told fails here, and a change to a manifest that alters
them must be made here too, on purpose.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from deepdive.embed import load_embed
from deepdive.facts.canary import traffic_share
from deepdive.facts.statefulset import statefulset_facts
from test_site import MANIFESTS

# kubernetes/... -> QoS class. Guaranteed: every container limits cpu and memory and
# requests equal limits; BestEffort: no container sets any; otherwise Burstable.
QOS = {
    "kubernetes/pods/qos-guaranteed.yaml": "Guaranteed",  # 250m/200Mi requests = limits
    "kubernetes/pods/qos-burstable.yaml": "Burstable",  # memory 100Mi < 200Mi, no cpu
    "kubernetes/pods/qos-besteffort.yaml": "BestEffort",  # no resources at all
    "kubernetes/pods/memory-oom.yaml": "Guaranteed",  # 100m/64Mi requests = limits
    "kubernetes/pods/cpu-throttle.yaml": "Burstable",  # cpu request 100m < limit 200m
    "kubernetes/pods/web.yaml": "Burstable",  # no cpu limit
    "kubernetes/probes/liveness-http.yaml": "BestEffort",
    "kubernetes/statefulsets/web/statefulset.yaml": "BestEffort",
    "kubernetes/deployments/basic/web.yaml": "Burstable",
}

# Why a pod is not Guaranteed, as its facts box says it.
QOS_REASONS = {
    "kubernetes/pods/qos-burstable.yaml": ("web sets no cpu limit",
                                           "memory requests differ from memory limits"),
    "kubernetes/pods/cpu-throttle.yaml": ("cpu requests differ from cpu limits",),
    "kubernetes/pods/qos-guaranteed.yaml": (),
    "kubernetes/pods/qos-besteffort.yaml": (),  # BestEffort: nothing to explain
}

# path -> (replicas, maxSurge pods, maxUnavailable pods, most pods, fewest available).
# Percentages: surge rounds up, unavailable down; both 0 would stall, so unavailable is 1.
ROLLOUT = {
    "kubernetes/deployments/basic/web.yaml": (3, 1, 0, 4, 3),  # default 25%: ceil .75, floor .75
    "kubernetes/deployments/ramped/web-ramped.yaml": (3, 2, 0, 5, 3),  # 2 and 0 as written
    "kubernetes/deployments/ramped/web-ramped-percent.yaml": (10, 3, 2, 13, 8),  # 25% of 10
    "kubernetes/deployments/ramped/web-ramped-one-by-one.yaml": (4, 0, 1, 4, 3),  # 0%, 20%
    "kubernetes/deployments/canary/checkout-canary.yaml": (1, 1, 0, 2, 1),
    "kubernetes/deployments/canary/checkout-stable.yaml": (3, 1, 0, 4, 3),
    "kubernetes/deployments/blue-green/storefront-blue.yaml": (2, 1, 0, 3, 2),
}

# StatefulSet pod names: <name>-<ordinal>, ordinals from spec.ordinals.start (default 0).
POD_NAMES = {
    "kubernetes/statefulsets/web/statefulset.yaml": ("web-0", "web-1", "web-2"),
    "kubernetes/statefulsets/ordinals/ordinals.yaml": ("counter-5", "counter-6", "counter-7"),
    "kubernetes/statefulsets/parallel/parallel.yaml": ("burst-0", "burst-1", "burst-2",
                                                       "burst-3"),
    "kubernetes/statefulsets/partition/partition.yaml": ("staged-0", "staged-1", "staged-2",
                                                         "staged-3"),
    "kubernetes/statefulsets/on-delete/on-delete.yaml": ("manual-0", "manual-1"),
}

# Route shares (weight over the rule's total), first rule: (subset or backend, share).
T = "istio/traffic/"
SHARES = {
    T + "traffic-shifting/virtual-service-90-10.yaml": [("v1", Fraction(9, 10)),
                                                        ("v2", Fraction(1, 10))],
    T + "traffic-shifting/virtual-service-50-50.yaml": [("v1", Fraction(1, 2)),
                                                        ("v2", Fraction(1, 2))],
    T + "traffic-shifting/virtual-service-v2.yaml": [("v2", Fraction(1))],
    T + "traffic-shifting/httproute-90-10.yaml": [("helloworld-v1", Fraction(9, 10)),
                                                  ("helloworld-v2", Fraction(1, 10))],
    T + "traffic-shifting/httproute-50-50.yaml": [("helloworld-v1", Fraction(1, 2)),
                                                  ("helloworld-v2", Fraction(1, 2))],
    T + "tcp-traffic-shifting/virtual-service-80-20.yaml": [("v1", Fraction(4, 5)),
                                                            ("v2", Fraction(1, 5))],
    T + "request-routing/virtual-service.yaml": [("v2", Fraction(1))],  # the tester's rule
}


def embed(path: str):  # type: ignore[no-untyped-def]
    return load_embed(MANIFESTS, path)


@pytest.mark.parametrize(("path", "qos"), QOS.items())
def test_qos_classes_of_the_site_manifests(path: str, qos: str) -> None:
    facts = embed(path).facts()
    assert facts.qos is not None
    assert str(facts.qos.qos_class) == qos


@pytest.mark.parametrize(("path", "reasons"), QOS_REASONS.items())
def test_why_a_site_pod_is_not_guaranteed(path: str, reasons: tuple[str, ...]) -> None:
    facts = embed(path).facts()
    assert facts.qos is not None
    assert facts.qos.reasons == reasons


@pytest.mark.parametrize(("path", "bounds"), ROLLOUT.items())
def test_rollout_bounds_of_the_site_manifests(path: str,
                                              bounds: tuple[int, int, int, int, int]) -> None:
    facts = embed(path).facts()
    rollout = facts.rollout
    assert rollout is not None
    assert (facts.replicas, rollout.max_surge, rollout.max_unavailable, rollout.max_pods,
            rollout.min_available) == bounds


def test_recreate_stops_every_pod_first() -> None:
    facts = embed("kubernetes/deployments/recreate/web-recreate.yaml").facts()
    assert facts.rollout is not None
    assert (facts.replicas, facts.rollout.max_pods, facts.rollout.min_available) == (3, 3, 0)


@pytest.mark.parametrize(("path", "names"), POD_NAMES.items())
def test_statefulset_pod_names_of_the_site_manifests(path: str, names: tuple[str, ...]) -> None:
    facts = statefulset_facts(embed(path).document("StatefulSet").data)
    assert facts.pod_names == names
    assert (facts.first_pod, facts.last_pod) == (names[0], names[-1])


def test_the_canary_gets_a_quarter_of_checkouts_requests() -> None:
    stable = embed("kubernetes/deployments/canary/checkout-stable.yaml").facts().replicas
    canary = embed("kubernetes/deployments/canary/checkout-canary.yaml").facts().replicas
    share = traffic_share(stable, canary)  # 3 stable pods, 1 canary pod behind one Service
    assert (share.stable_replicas, share.canary_replicas) == (3, 1)
    assert share.canary_fraction == Fraction(1, 4)


@pytest.mark.parametrize(("path", "shares"), SHARES.items())
def test_route_shares_of_the_site_manifests(path: str,
                                            shares: list[tuple[str, Fraction]]) -> None:
    istio = embed(path).facts().istio
    assert istio is not None and istio.routes is not None
    first = istio.routes.rules[0]
    assert [(d.subset or d.host, d.share) for d in first.destinations] == shares


def test_worst_case_waits_of_the_timeout_examples() -> None:
    # retries: 3 attempts after the first, 1 s each, back-off 25 + 75 + 175 ms at most
    retries = embed(T + "timeouts-retries/virtual-service-retries.yaml").facts().istio
    timeout = embed(T + "timeouts-retries/virtual-service-timeout.yaml").facts().istio
    assert retries is not None and retries.routes is not None
    assert timeout is not None and timeout.routes is not None
    assert retries.routes.rules[0].wait.worst_case == Fraction(4275, 1000)
    assert timeout.routes.rules[0].wait.worst_case == 2  # the route's timeout caps it
