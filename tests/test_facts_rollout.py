"""Deployment rollout bounds, computed the way the deployment controller does.

Expected values are worked out from the Deployment concept page and from the
controller: maxSurge percentages round up and maxUnavailable percentages round
down (intstr.GetScaledValueFromIntOrPercent); if both come out as 0 the
controller allows 1 unavailable (deploymentutil.ResolveFenceposts) but never
more than there are replicas (deploymentutil.MaxUnavailable). Defaults:
replicas 1, RollingUpdate, 25% / 25%. Invalid values are the ones
ValidateRollingUpdateDeployment rejects.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from deepdive.facts.rollout import RolloutError, rollout_bounds


def rolling(replicas: int | None = None, surge: Any = None, unavailable: Any = None
            ) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if replicas is not None:
        spec["replicas"] = replicas
    update = {}
    if surge is not None:
        update["maxSurge"] = surge
    if unavailable is not None:
        update["maxUnavailable"] = unavailable
    spec["strategy"] = {"type": "RollingUpdate", "rollingUpdate": update}
    return spec


def test_defaults_one_replica_25_percent_each() -> None:
    """1 replica: surge ceil(0.25) = 1, unavailable floor(0.25) = 0."""
    bounds = rollout_bounds({})
    assert (bounds.strategy, bounds.replicas) == ("RollingUpdate", 1)
    assert (bounds.max_surge, bounds.max_unavailable) == (1, 0)
    assert (bounds.max_pods, bounds.min_available) == (2, 1)
    assert (bounds.max_surge_spec, bounds.max_unavailable_spec) == ("25%", "25%")
    assert not bounds.fencepost


def test_docs_three_replicas_at_most_four_at_least_three() -> None:
    """The concept page's nginx Deployment: 3 replicas keep >= 3 available and <= 4 in total."""
    bounds = rollout_bounds({"replicas": 3})
    assert (bounds.max_pods, bounds.min_available) == (4, 3)


def test_ten_replicas_surge_rounds_up_unavailable_rounds_down() -> None:
    """25% of 10 is 2.5: 3 extra pods may start, 2 may be missing."""
    bounds = rollout_bounds({"replicas": 10})
    assert (bounds.max_surge, bounds.max_unavailable) == (3, 2)
    assert (bounds.max_pods, bounds.min_available) == (13, 8)


def test_docs_thirty_percent_of_ten() -> None:
    """The concept page: 30% surge allows 130% of the pods, 30% unavailable keeps 70%."""
    bounds = rollout_bounds(rolling(10, "30%", "30%"))
    assert (bounds.max_pods, bounds.min_available) == (13, 7)


@pytest.mark.parametrize(
    ("replicas", "surge", "unavailable", "expected"),
    [
        (4, None, None, (1, 1)),
        (5, 1, 0, (1, 0)),
        (5, 0, 1, (0, 1)),
        (3, "200%", None, (6, 0)),  # maxSurge may exceed 100%
        (7, "10%", "10%", (1, 0)),  # 0.7 -> up 1 / down 0
        (20, "5%", "5%", (1, 1)),  # exactly 1 each way
        (3, "33%", "34%", (1, 1)),  # 0.99 -> 1, 1.02 -> 1
        (2, 3, "100%", (3, 2)),
    ],
)
def test_resolved_counts(replicas: int, surge: Any, unavailable: Any,
                         expected: tuple[int, int]) -> None:
    bounds = rollout_bounds(rolling(replicas, surge, unavailable))
    assert (bounds.max_surge, bounds.max_unavailable) == expected


@pytest.mark.parametrize(
    ("replicas", "surge", "unavailable"),
    [
        (1, 0, "25%"),  # floor(0.25) = 0
        (2, "0%", "1%"),  # ResolveFenceposts' own example
        (3, "0%", "10%"),
    ],
)
def test_fencepost_both_zero_allows_one_unavailable(replicas: int, surge: Any,
                                                     unavailable: Any) -> None:
    bounds = rollout_bounds(rolling(replicas, surge, unavailable))
    assert bounds.fencepost
    assert (bounds.max_surge, bounds.max_unavailable) == (0, 1)
    assert (bounds.max_pods, bounds.min_available) == (replicas, replicas - 1)


def test_fencepost_example_with_one_percent_surge() -> None:
    """ResolveFenceposts: 1 desired, unavailable 25%, surge 1% -> surge 1, no fencepost."""
    bounds = rollout_bounds(rolling(1, "1%", "25%"))
    assert (bounds.max_surge, bounds.max_unavailable, bounds.fencepost) == (1, 0, False)


def test_unavailable_never_exceeds_replicas() -> None:
    bounds = rollout_bounds(rolling(2, 1, 5))
    assert (bounds.max_unavailable, bounds.min_available) == (2, 0)


def test_zero_replicas() -> None:
    bounds = rollout_bounds({"replicas": 0})
    assert (bounds.max_pods, bounds.min_available, bounds.max_unavailable) == (0, 0, 0)


def test_rolling_update_type_without_parameters_uses_defaults() -> None:
    bounds = rollout_bounds({"replicas": 8, "strategy": {"type": "RollingUpdate"}})
    assert (bounds.max_surge, bounds.max_unavailable) == (2, 2)


def test_only_surge_given_unavailable_defaults_to_25_percent() -> None:
    bounds = rollout_bounds(rolling(8, 0, None))
    assert (bounds.max_surge, bounds.max_unavailable) == (0, 2)


def test_null_parameters_are_defaulted() -> None:
    spec = {"replicas": 10, "strategy": {"rollingUpdate": {"maxSurge": None,
                                                           "maxUnavailable": None}}}
    bounds = rollout_bounds(spec)
    assert (bounds.max_surge, bounds.max_unavailable) == (3, 2)


def test_recreate_stops_everything_first() -> None:
    bounds = rollout_bounds({"replicas": 3, "strategy": {"type": "Recreate"}})
    assert bounds.strategy == "Recreate"
    assert (bounds.max_pods, bounds.min_available) == (3, 0)


@pytest.mark.parametrize(
    ("surge", "unavailable"),
    [(0, 0), ("0%", 0), (0, "0%"), ("0%", "0%")],
)
def test_both_zero_as_written_is_rejected(surge: Any, unavailable: Any) -> None:
    """Validation: maxUnavailable may not be 0 when maxSurge is 0."""
    with pytest.raises(RolloutError, match="may not be 0"):
        rollout_bounds(rolling(3, surge, unavailable))


@pytest.mark.parametrize(
    "value", ["25", "abc", -1, "-10%", 1.5, True, "25 %", "%", "1.5%", [1]]
)
def test_malformed_values_are_rejected(value: Any) -> None:
    spec = {"replicas": 3, "strategy": {"rollingUpdate": {"maxSurge": value}}}
    with pytest.raises(RolloutError):
        rollout_bounds(spec)
    spec = {"replicas": 3, "strategy": {"rollingUpdate": {"maxUnavailable": value}}}
    with pytest.raises(RolloutError):
        rollout_bounds(spec)


def test_unavailable_over_100_percent_is_rejected() -> None:
    with pytest.raises(RolloutError, match="100%"):
        rollout_bounds(rolling(3, 1, "110%"))


@pytest.mark.parametrize("replicas", [-1, "3", True, 2.5])
def test_bad_replicas_are_rejected(replicas: Any) -> None:
    with pytest.raises(RolloutError):
        rollout_bounds({"replicas": replicas})


def test_unknown_strategy_type_is_rejected() -> None:
    with pytest.raises(RolloutError):
        rollout_bounds({"strategy": {"type": "BlueGreen"}})


def test_recreate_with_rolling_parameters_is_rejected() -> None:
    spec = {"strategy": {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}}}
    with pytest.raises(RolloutError):
        rollout_bounds(spec)


# --- properties, checked with integer arithmetic independent of the code's rounding -----------

replica_counts = st.integers(min_value=0, max_value=2000)
surge_percents = st.integers(min_value=0, max_value=300)
unavailable_percents = st.integers(min_value=0, max_value=100)


@given(replica_counts, surge_percents, unavailable_percents)
def test_percentages_round_like_the_controller(replicas: int, surge: int,
                                               unavailable: int) -> None:
    assume(surge or unavailable)
    bounds = rollout_bounds(rolling(replicas, f"{surge}%", f"{unavailable}%"))
    expected_surge = -(-surge * replicas // 100)  # ceiling
    expected_unavailable = unavailable * replicas // 100  # floor
    if expected_surge == 0 and expected_unavailable == 0:
        expected_unavailable = 1
    assert bounds.max_surge == expected_surge
    assert bounds.max_unavailable == min(expected_unavailable, replicas)


@given(replica_counts, surge_percents, unavailable_percents)
def test_bounds_bracket_the_replicas(replicas: int, surge: int, unavailable: int) -> None:
    assume(surge or unavailable)
    bounds = rollout_bounds(rolling(replicas, f"{surge}%", f"{unavailable}%"))
    assert 0 <= bounds.min_available <= replicas <= bounds.max_pods
    if replicas:
        # The rollout can always move: a pod may be added or one may be missing.
        assert bounds.max_pods - bounds.min_available >= 1


@given(replica_counts, replica_counts, surge_percents)
def test_surge_is_monotonic_in_replicas(first: int, second: int, surge: int) -> None:
    assume(surge)
    low, high = sorted((first, second))
    assert (rollout_bounds(rolling(low, f"{surge}%", "0%")).max_surge
            <= rollout_bounds(rolling(high, f"{surge}%", "0%")).max_surge)


@given(replica_counts, st.integers(min_value=1, max_value=300),
       st.integers(min_value=1, max_value=300))
def test_surge_is_monotonic_in_percent(replicas: int, first: int, second: int) -> None:
    low, high = sorted((first, second))
    assert (rollout_bounds(rolling(replicas, f"{low}%", 0)).max_surge
            <= rollout_bounds(rolling(replicas, f"{high}%", 0)).max_surge)


@given(st.integers(min_value=1, max_value=2000), st.integers(min_value=1, max_value=100))
def test_surge_never_rounds_below_unavailable(replicas: int, percent: int) -> None:
    """The same percentage gives at least as many surge pods as unavailable ones."""
    bounds = rollout_bounds(rolling(replicas, f"{percent}%", f"{percent}%"))
    assert bounds.max_surge >= bounds.max_unavailable or bounds.fencepost
