"""What Istio (and the Envoy it configures) does when a traffic resource leaves a field out.

One table, so that the facts, the pages and the labs state the same default, each with the
source it was read from. Paths are in istio/istio unless they name Envoy.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class IstioDefault:
    field: str  # the Istio field, as a page names it
    value: str  # what applies when the field is left out, in words
    source: str  # where that is decided


RETRY_ATTEMPTS = 2
RETRY_ON = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes"
RETRY_HOST_SELECTION_ATTEMPTS = 5
# Envoy's retry back-off: the k-th retry waits a random time below (2^k - 1) x 25 ms, capped at
# ten times the base (envoy: source/common/router/retry_state_impl.cc, docs of
# config.route.v3.RetryPolicy.RetryBackOff).
BACKOFF_BASE = Decimal("0.025")
BACKOFF_MAX = BACKOFF_BASE * 10
UNLIMITED = 2**32 - 1  # Envoy's circuit-breaker thresholds as istiod sets them by default
LOAD_BALANCER = "LEAST_REQUEST"
CONNECT_TIMEOUT = Decimal(10)
OUTLIER_CONSECUTIVE_5XX = 5
OUTLIER_INTERVAL = Decimal(10)
OUTLIER_BASE_EJECTION = Decimal(30)
OUTLIER_MAX_EJECTION_PERCENT = 10

_RETRY = "pilot/pkg/networking/core/route/retry/retry.go (DefaultPolicy)"
_POLICY = "pilot/pkg/networking/core/cluster_traffic_policy.go"
_ENVOY_OUTLIER = "envoy: api/envoy/config/cluster/v3/outlier_detection.proto"

DEFAULTS: dict[str, IstioDefault] = {d.field: d for d in (
    IstioDefault("retries.attempts", f"{RETRY_ATTEMPTS} retries", _RETRY),
    IstioDefault("retries.retryOn", RETRY_ON, _RETRY),
    IstioDefault("retries.perTryTimeout", "none: each try may use the whole timeout", _RETRY),
    IstioDefault("timeout", "none: Envoy's 15 s route timeout is switched off",
                 "pilot/pkg/networking/core/route/route.go (setTimeout)"),
    IstioDefault("fault.*.percentage", "0: no request is delayed or aborted",
                 "pilot/pkg/networking/core/route/route.go (TranslateFault)"),
    IstioDefault("mirrorPercentage", "100: every request is mirrored",
                 "pilot/pkg/networking/core/route/route.go (mirror policies)"),
    IstioDefault("loadBalancer.simple", LOAD_BALANCER, f"{_POLICY} (defaultLBAlgorithm)"),
    IstioDefault("connectionPool.*", f"{UNLIMITED:,} (no limit) for connections, pending "
                 "requests, requests and retries",
                 f"{_POLICY} (getDefaultCircuitBreakerThresholds)"),
    IstioDefault("connectionPool.tcp.connectTimeout", "10s",
                 "pkg/config/mesh/mesh.go (DefaultMeshConfig)"),
    IstioDefault("outlierDetection.consecutive5xxErrors", str(OUTLIER_CONSECUTIVE_5XX),
                 f"{_ENVOY_OUTLIER}; {_POLICY} (applyOutlierDetection) leaves it to Envoy"),
    IstioDefault("outlierDetection.interval", "10s", _ENVOY_OUTLIER),
    IstioDefault("outlierDetection.baseEjectionTime", "30s", _ENVOY_OUTLIER),
    IstioDefault("outlierDetection.maxEjectionPercent", f"{OUTLIER_MAX_EJECTION_PERCENT}%",
                 _ENVOY_OUTLIER),
    IstioDefault("outlierDetection.minHealthPercent", "0: Envoy's panic mode is off",
                 f"{_POLICY} (applyOutlierDetection)"),
)}
