"""Probe timelines from the timing fields and their defaults.

Worked from the "Configure Liveness, Readiness and Startup Probes" task page
and the kubelet's prober (pkg/kubelet/prober/worker.go): the worker probes
every periodSeconds on a ticker whose phase is unrelated to the container's
start; it skips probes until the container has run initialDelaySeconds; a
probe that hangs fails after timeoutSeconds; failureThreshold consecutive
failures act (liveness/startup restart, readiness removes the pod from
endpoints) and successThreshold consecutive successes make it ready again.
Defaults (SetDefaults_Probe): timeout 1, period 10, success 1, failure 3; an
absent or 0 field gets its default.

So for F failures, period P, timeout T, initial delay D:
after the check starts failing, the kubelet acts between (F-1)P and FP+T;
counted from the container's start, between D+(F-1)P and D+FP+T.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deepdive.facts.probes import (
    DEFAULTS,
    ProbeError,
    ProbeTimeline,
    Window,
    container_timelines,
    probe_timeline,
)

EXEC = {"exec": {"command": ["cat", "/tmp/healthy"]}}
HTTP = {"httpGet": {"path": "/healthz", "port": 8080}}


def with_probe(kind: str, **probe: Any) -> dict[str, Any]:
    return {"name": "app", "image": "registry.k8s.io/busybox:1.27.2", kind: probe}


def timeline(kind: str, **probe: Any) -> ProbeTimeline:
    result = probe_timeline(with_probe(kind, **probe), kind)
    assert result is not None
    return result


def test_defaults_fill_every_field() -> None:
    probe = timeline("livenessProbe", **HTTP)
    assert probe.settings == {
        "initialDelaySeconds": 0,
        "periodSeconds": 10,
        "timeoutSeconds": 1,
        "successThreshold": 1,
        "failureThreshold": 3,
    }
    assert set(probe.defaulted) == set(DEFAULTS)
    # 3 failures 10 s apart: the third lands 20 s after the first, which comes
    # at once or up to 10 s after the failure began, and may hang 1 s.
    assert probe.act_after_failure == Window(20, 31)
    assert probe.act_from_start == Window(20, 31)
    assert probe.recover_after_success is None
    assert probe.handler == "httpGet"


def test_docs_liveness_exec_delay_5_period_5() -> None:
    """The task page's exec example: first check 5 s after start, then every 5 s."""
    probe = timeline("livenessProbe", initialDelaySeconds=5, periodSeconds=5, **EXEC)
    assert probe.handler == "exec"
    assert probe.defaulted == ("timeoutSeconds", "successThreshold", "failureThreshold")
    assert probe.act_after_failure == Window(10, 16)
    # The page's container deletes /tmp/healthy 30 s after it starts: a restart
    # follows between 40 and 46 s.
    assert 30 + probe.act_after_failure.earliest == 40
    assert 30 + probe.act_after_failure.latest == 46
    # Failing from the start, it is restarted 15 to 21 s after it starts.
    assert probe.act_from_start == Window(15, 21)


def test_docs_startup_probe_30_by_10_protects_about_five_minutes() -> None:
    """The task page: failureThreshold 30 x periodSeconds 10 gives up to 300 s to start."""
    probe = timeline("startupProbe", failureThreshold=30, periodSeconds=10, **HTTP)
    assert probe.act_from_start == Window(290, 301)
    assert probe.settings["failureThreshold"] * probe.settings["periodSeconds"] == 300


def test_readiness_recovery_with_success_threshold() -> None:
    probe = timeline("readinessProbe", periodSeconds=5, successThreshold=2,
                     failureThreshold=2, **HTTP)
    assert probe.act_after_failure == Window(5, 11)
    # 2 successes 5 s apart, the first at once or up to 5 s later.
    assert probe.recover_after_success == Window(5, 11)


def test_readiness_default_recovery_is_one_check() -> None:
    probe = timeline("readinessProbe", **HTTP)
    assert probe.recover_after_success == Window(0, 11)


def test_long_timeout_widens_the_window() -> None:
    probe = timeline("livenessProbe", periodSeconds=20, timeoutSeconds=5, failureThreshold=1,
                     **HTTP)
    assert probe.act_after_failure == Window(0, 25)


def test_hanging_checks_run_back_to_back_when_timeout_exceeds_period() -> None:
    # period 5, timeout 10, 3 failures: the first check starts up to 5 s after the
    # failure, then three checks of 10 s each, one after the other: 5 + 30 = 35 s.
    probe = timeline("livenessProbe", periodSeconds=5, timeoutSeconds=10, **HTTP)
    assert probe.act_after_failure == Window(10, 35)


@pytest.mark.parametrize("field", ["periodSeconds", "timeoutSeconds", "successThreshold",
                                   "failureThreshold"])
def test_zero_means_default(field: str) -> None:
    """Go's zero value is "unset": the API server puts the default in."""
    probe = timeline("readinessProbe", **{field: 0}, **HTTP)
    assert probe.settings[field] == DEFAULTS[field]
    assert field in probe.defaulted


def test_explicit_zero_delay_is_not_a_default() -> None:
    probe = timeline("livenessProbe", initialDelaySeconds=0, **HTTP)
    assert probe.settings["initialDelaySeconds"] == 0
    assert "initialDelaySeconds" not in probe.defaulted


@pytest.mark.parametrize("field", list(DEFAULTS))
def test_negative_values_are_rejected(field: str) -> None:
    with pytest.raises(ProbeError):
        timeline("readinessProbe", **{field: -1}, **HTTP)


@pytest.mark.parametrize("value", ["10", 1.5, True, [10]])
def test_non_integers_are_rejected(value: Any) -> None:
    with pytest.raises(ProbeError):
        timeline("readinessProbe", periodSeconds=value, **HTTP)


@pytest.mark.parametrize("kind", ["livenessProbe", "startupProbe"])
def test_liveness_and_startup_success_threshold_must_be_one(kind: str) -> None:
    with pytest.raises(ProbeError):
        timeline(kind, successThreshold=2, **HTTP)


def test_a_probe_needs_exactly_one_check() -> None:
    with pytest.raises(ProbeError):
        timeline("livenessProbe", periodSeconds=5)
    with pytest.raises(ProbeError):
        timeline("livenessProbe", **HTTP, **EXEC)


@pytest.mark.parametrize(
    ("check", "handler"),
    [({"tcpSocket": {"port": 8080}}, "tcpSocket"), ({"grpc": {"port": 2379}}, "grpc")],
)
def test_tcp_and_grpc_handlers(check: dict[str, Any], handler: str) -> None:
    assert timeline("livenessProbe", **check).handler == handler


def test_container_timelines_lists_startup_first() -> None:
    container = {
        "name": "app",
        "readinessProbe": HTTP,
        "livenessProbe": HTTP,
        "startupProbe": {**HTTP, "failureThreshold": 30},
    }
    kinds = [probe.kind for probe in container_timelines(container)]
    assert kinds == ["startupProbe", "livenessProbe", "readinessProbe"]
    assert container_timelines({"name": "plain"}) == []


@given(
    delay=st.integers(min_value=0, max_value=600),
    period=st.integers(min_value=1, max_value=300),
    timeout=st.integers(min_value=1, max_value=60),
    failures=st.integers(min_value=1, max_value=60),
)
def test_window_follows_the_formula(delay: int, period: int, timeout: int,
                                    failures: int) -> None:
    probe = timeline("livenessProbe", initialDelaySeconds=delay, periodSeconds=period,
                     timeoutSeconds=timeout, failureThreshold=failures, **EXEC)
    after = probe.act_after_failure
    if timeout <= period:
        # The kubelet docs' rule of thumb, failureThreshold x periodSeconds, plus one timeout.
        assert after == Window((failures - 1) * period, failures * period + timeout)
        assert after.latest - after.earliest == period + timeout
    else:
        # Hanging checks cannot start before the previous one gave up.
        assert after.latest == period + failures * timeout
    assert after.earliest <= after.latest
    assert probe.act_from_start == Window(delay + after.earliest, delay + after.latest)
