"""Deployment rollout bounds, computed the way the deployment controller does.

maxSurge percentages round up and maxUnavailable percentages round down
(intstr.GetScaledValueFromIntOrPercent); if both come out as 0, the
controller uses maxUnavailable = 1 so that the rollout can make progress
(deploymentutil.ResolveFenceposts). Defaults: replicas 1, RollingUpdate,
25% / 25%.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

DEFAULT_SURGE = "25%"
DEFAULT_UNAVAILABLE = "25%"
_PERCENT = re.compile(r"^([0-9]+)%$")


class RolloutError(ValueError):
    """A maxSurge/maxUnavailable value Kubernetes would reject."""


@dataclass(frozen=True)
class RolloutBounds:
    strategy: str  # "RollingUpdate" or "Recreate"
    replicas: int
    max_surge: int  # resolved to pods
    max_unavailable: int  # resolved to pods
    max_surge_spec: str  # as written (or the default)
    max_unavailable_spec: str
    fencepost: bool  # True when both resolved to 0 and maxUnavailable became 1

    @property
    def max_pods(self) -> int:
        """The most pods (old + new) that can exist at once during the rollout."""
        return self.replicas + self.max_surge

    @property
    def min_available(self) -> int:
        """The fewest pods that stay available during the rollout."""
        return max(self.replicas - self.max_unavailable, 0)


def scaled_value(value: Any, total: int, round_up: bool) -> int:
    """An int-or-percent resolved against `total` pods."""
    if isinstance(value, bool):
        raise RolloutError(f"{value!r} is neither a number nor a percentage")
    if isinstance(value, int):
        if value < 0:
            raise RolloutError(f"{value} must not be negative")
        return value
    match = _PERCENT.match(str(value))
    if match is None:
        raise RolloutError(f"{value!r} is neither a number nor a percentage like '25%'")
    exact = int(match.group(1)) * total / 100
    return math.ceil(exact) if round_up else math.floor(exact)


def _or_default(value: Any, default: str) -> Any:
    return default if value is None else value


def _written_number(value: int | str) -> int:
    """The number as written, percent or not (what validation compares with 0 and 100)."""
    return value if isinstance(value, int) else int(value.rstrip("%"))


def _validate_rolling_update(surge_spec: Any, unavailable_spec: Any) -> None:
    """The checks the API server makes (ValidateRollingUpdateDeployment)."""
    for name, value in (("maxSurge", surge_spec), ("maxUnavailable", unavailable_spec)):
        try:
            scaled_value(value, 100, round_up=False)
        except RolloutError as error:
            raise RolloutError(f"{name}: {error}") from None
    if _written_number(surge_spec) == 0 and _written_number(unavailable_spec) == 0:
        raise RolloutError("maxUnavailable may not be 0 when maxSurge is 0")
    if isinstance(unavailable_spec, str) and _written_number(unavailable_spec) > 100:
        raise RolloutError(f"maxUnavailable {unavailable_spec!r} must not be more than 100%")


def rollout_bounds(deployment_spec: dict[str, Any]) -> RolloutBounds:
    """The pod-count bounds of a Deployment's rollout."""
    replicas = deployment_spec.get("replicas", 1)
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        raise RolloutError(f"replicas {replicas!r} is not a whole number of pods")
    strategy = deployment_spec.get("strategy") or {}
    if not isinstance(strategy, dict):
        raise RolloutError(f"strategy {strategy!r} is not a mapping")
    kind = strategy.get("type", "RollingUpdate")
    if kind not in ("RollingUpdate", "Recreate"):
        raise RolloutError(f"strategy.type {kind!r} is neither RollingUpdate nor Recreate")
    rolling = strategy.get("rollingUpdate")
    if kind == "Recreate":
        if rolling is not None:
            raise RolloutError("strategy.rollingUpdate may not be set when the type is Recreate")
        # Every old pod is gone before any new one starts: a window with none running.
        return RolloutBounds("Recreate", replicas, 0, replicas, "-", "-", False)
    rolling = rolling or {}
    if not isinstance(rolling, dict):
        raise RolloutError(f"strategy.rollingUpdate {rolling!r} is not a mapping")
    # An absent or null field is defaulted by the API server.
    surge_spec = _or_default(rolling.get("maxSurge"), DEFAULT_SURGE)
    unavailable_spec = _or_default(rolling.get("maxUnavailable"), DEFAULT_UNAVAILABLE)
    _validate_rolling_update(surge_spec, unavailable_spec)
    surge = scaled_value(surge_spec, replicas, round_up=True)
    unavailable = scaled_value(unavailable_spec, replicas, round_up=False)
    fencepost = surge == 0 and unavailable == 0
    if fencepost:
        unavailable = 1
    return RolloutBounds(
        "RollingUpdate",
        replicas,
        surge,
        # The controller never takes down more pods than there are (MaxUnavailable).
        min(unavailable, replicas),
        str(surge_spec),
        str(unavailable_spec),
        fencepost,
    )
