"""Probe timelines from a container's probe fields and their defaults.

The kubelet probes every periodSeconds; a probe is skipped until the
container has run initialDelaySeconds, and liveness/readiness are skipped
until a startup probe (if any) has succeeded. A probe that hangs counts as a
failure after timeoutSeconds. failureThreshold consecutive failures act:
liveness and startup restart the container, readiness takes the pod out of
its Services' endpoints; successThreshold consecutive successes put it back.

Because the probe ticker is not aligned with the moment a container starts
or an endpoint breaks, the result is a window [earliest, latest], not one
number: the first failing probe lands up to one period after the failure
begins, and a check that hangs takes timeoutSeconds to count as failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PROBE_KINDS = ("startupProbe", "livenessProbe", "readinessProbe")
DEFAULTS: dict[str, int] = {
    "initialDelaySeconds": 0,
    "periodSeconds": 10,
    "timeoutSeconds": 1,
    "successThreshold": 1,
    "failureThreshold": 3,
}
HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")


class ProbeError(ValueError):
    """A probe timing field Kubernetes would reject."""


@dataclass(frozen=True)
class Window:
    earliest: int  # seconds
    latest: int


@dataclass(frozen=True)
class ProbeTimeline:
    container: str
    kind: str  # startupProbe, livenessProbe or readinessProbe
    handler: str  # exec, httpGet, tcpSocket or grpc
    settings: dict[str, int]  # every timing field, defaults filled in
    defaulted: tuple[str, ...]  # the fields the manifest leaves to their defaults
    # After the check starts failing (for a container that was passing):
    # when the kubelet acts (restart, or removal from endpoints).
    act_after_failure: Window
    # For a container whose check fails from the start: when it is acted on,
    # counted from the container's start (for a startup probe, how long it is protected).
    act_from_start: Window
    # Readiness only: after the check passes again, when the pod is back in endpoints.
    recover_after_success: Window | None


def _settings(probe: dict[str, Any], kind: str) -> tuple[dict[str, int], tuple[str, ...]]:
    settings: dict[str, int] = {}
    defaulted: list[str] = []
    for name, default in DEFAULTS.items():
        value = probe.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise ProbeError(f"{kind}.{name} must be a whole number, not {value!r}")
        if value is not None and value < 0:
            raise ProbeError(f"{kind}.{name} must not be negative, not {value}")
        # The API server fills in a field that is absent or 0 (SetDefaults_Probe).
        if value is None or (value == 0 and default != 0):
            value = default
            defaulted.append(name)
        settings[name] = value
    if kind in ("livenessProbe", "startupProbe") and settings["successThreshold"] != 1:
        raise ProbeError(f"{kind}.successThreshold must be 1")
    return settings, tuple(defaulted)


def _handler(probe: dict[str, Any], kind: str) -> str:
    """The one check a probe runs (validation wants exactly one)."""
    handlers = [name for name in HANDLERS if probe.get(name) is not None]
    if len(handlers) != 1:
        raise ProbeError(
            f"{kind} needs exactly one of {', '.join(HANDLERS)}, not {len(handlers)}"
        )
    return handlers[0]


def probe_timeline(container: dict[str, Any], kind: str) -> ProbeTimeline | None:
    """The timeline of one probe of a container, or None if it has none of that kind."""
    probe = container.get(kind)
    if not isinstance(probe, dict):
        return None
    handler = _handler(probe, kind)
    settings, defaulted = _settings(probe, kind)
    delay = settings["initialDelaySeconds"]
    period = settings["periodSeconds"]
    timeout = settings["timeoutSeconds"]
    failures = settings["failureThreshold"]
    successes = settings["successThreshold"]
    # The first failing result may come at once or up to one period later.
    # Results that fail at once land one period apart; checks that hang run
    # back to back, since the worker probes synchronously and its ticker keeps
    # one pending tick, so they land max(period, timeout) apart, and the last
    # one gives up only after `timeout`.
    spacing = max(period, timeout)
    slowest = period + (failures - 1) * spacing + timeout
    after_failure = Window((failures - 1) * period, slowest)
    from_start = Window(delay + (failures - 1) * period, delay + slowest)
    recover = (
        Window((successes - 1) * period, successes * period + timeout)
        if kind == "readinessProbe"
        else None
    )
    return ProbeTimeline(
        container=str(container.get("name", "")),
        kind=kind,
        handler=handler,
        settings=settings,
        defaulted=defaulted,
        act_after_failure=after_failure,
        act_from_start=from_start,
        recover_after_success=recover,
    )


def container_timelines(container: dict[str, Any]) -> list[ProbeTimeline]:
    """Every probe of a container, startup first (it gates the other two)."""
    timelines = (probe_timeline(container, kind) for kind in PROBE_KINDS)
    return [timeline for timeline in timelines if timeline is not None]
