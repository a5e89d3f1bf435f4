"""Canary traffic share: the canary gets canary / (stable + canary) of the requests."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from deepdive.facts.canary import CanaryError, format_percent, traffic_share
from deepdive.facts.document import document_facts
from deepdive.manifests import load_file

CANARY_SET = Path(__file__).resolve().parent.parent / "manifests/kubernetes/deployments/canary"


@pytest.mark.parametrize(
    ("stable", "canary", "fraction", "percent"),
    [
        (3, 1, Fraction(1, 4), "25%"),  # the page's example: one canary pod of four
        (4, 1, Fraction(1, 5), "20%"),
        (2, 1, Fraction(1, 3), "33.3%"),  # a repeating share is shown to one decimal
        (1, 2, Fraction(2, 3), "66.7%"),  # ... rounded, not cut off
        (9, 1, Fraction(1, 10), "10%"),
        (0, 2, Fraction(1), "100%"),  # promoted: only canary pods left
        (5, 0, Fraction(0), "0%"),  # canary scaled to zero: rolled back
    ],
)
def test_share_is_the_canary_fraction_of_ready_pods(
    stable: int, canary: int, fraction: Fraction, percent: str
) -> None:
    share = traffic_share(stable, canary)
    assert share.canary_fraction == fraction
    assert share.stable_fraction == 1 - fraction
    assert share.canary_percent == percent
    assert share.total_replicas == stable + canary


def test_expected_requests_add_up_and_round_half_up() -> None:
    share = traffic_share(7, 1)  # 1/8 of 100 requests is 12.5
    assert share.expected_canary_requests(100) == 13
    assert share.expected_stable_requests(100) == 87
    assert traffic_share(3, 1).expected_canary_requests(100) == 25


def test_percent_rounds_half_up_to_one_decimal() -> None:
    assert format_percent(Fraction(1, 16)) == "6.3%"  # 6.25 %
    assert format_percent(Fraction(1, 8)) == "12.5%"


def test_scaling_one_deployment_keeps_the_other() -> None:
    share = traffic_share(3, 1)
    assert share.scaled(canary_replicas=2).canary_percent == "40%"
    assert share.scaled(stable_replicas=0).canary_percent == "100%"
    assert share.scaled(canary_replicas=0).canary_replicas == 0
    assert share.scaled(canary_replicas=0).stable_replicas == 3


@pytest.mark.parametrize(
    ("stable", "canary"),
    [(0, 0), (-1, 2), (2, True), ("3", 1), (None, 1), (1.5, 1)],
)
def test_impossible_replica_counts_are_rejected(stable: object, canary: object) -> None:
    with pytest.raises(CanaryError):
        traffic_share(stable, canary)


def test_the_site_canary_example_uses_the_manifests_replicas() -> None:
    stable = document_facts(load_file(CANARY_SET / "checkout-stable.yaml").documents[0])
    canary = document_facts(load_file(CANARY_SET / "checkout-canary.yaml").documents[0])
    share = traffic_share(stable.replicas, canary.replicas)
    assert share.canary_fraction == Fraction(canary.replicas, stable.replicas + canary.replicas)
    # A canary is a minority of the pods, or it is not a canary.
    assert 0 < share.canary_fraction < Fraction(1, 2)
