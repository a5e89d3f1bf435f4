"""Canary traffic share by replica ratio.

A plain Service spreads new connections evenly over its ready endpoints
(kube-proxy picks one at random), so when a stable and a canary Deployment
sit behind one Service, the canary's share of requests is its share of the
ready pods: canary / (stable + canary).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction


class CanaryError(ValueError):
    """Replica counts that cannot describe a canary behind one Service."""


@dataclass(frozen=True)
class TrafficShare:
    stable_replicas: int
    canary_replicas: int

    @property
    def total_replicas(self) -> int:
        return self.stable_replicas + self.canary_replicas

    @property
    def canary_fraction(self) -> Fraction:
        """The exact share of requests the canary pods receive."""
        return Fraction(self.canary_replicas, self.total_replicas)

    @property
    def stable_fraction(self) -> Fraction:
        return 1 - self.canary_fraction

    @property
    def canary_percent(self) -> str:
        return format_percent(self.canary_fraction)

    @property
    def stable_percent(self) -> str:
        return format_percent(self.stable_fraction)

    def expected_canary_requests(self, requests: int) -> int:
        """How many of `requests` reach the canary on average, to the nearest whole request."""
        return _round_half_up(self.canary_fraction * requests)

    def expected_stable_requests(self, requests: int) -> int:
        return requests - self.expected_canary_requests(requests)

    def scaled(self, canary_replicas: int | None = None,
               stable_replicas: int | None = None) -> TrafficShare:
        """The share after `kubectl scale` changes one or both Deployments."""
        return traffic_share(
            self.stable_replicas if stable_replicas is None else stable_replicas,
            self.canary_replicas if canary_replicas is None else canary_replicas,
        )


def _replicas(value: object, which: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CanaryError(f"{which} replicas {value!r} is not a whole number of pods")
    return value


def traffic_share(stable_replicas: object, canary_replicas: object) -> TrafficShare:
    """The traffic split between a stable and a canary Deployment behind one Service."""
    share = TrafficShare(
        _replicas(stable_replicas, "stable"), _replicas(canary_replicas, "canary")
    )
    if share.total_replicas == 0:
        raise CanaryError("stable and canary both have 0 replicas: no pod receives traffic")
    return share


def _round_half_up(value: Fraction) -> int:
    # round() on a Fraction rounds halves to even (12.5 -> 12); readers expect 13.
    return math.floor(value + Fraction(1, 2))


def format_percent(fraction: Fraction) -> str:
    """A share as people read it: 1/4 -> "25%", 1/3 -> "33.3%", 2/3 -> "66.7%"."""
    whole, tenth = divmod(_round_half_up(fraction * 1000), 10)
    return f"{whole}%" if tenth == 0 else f"{whole}.{tenth}%"
