"""Facts of Istio traffic resources: what a VirtualService does with each request, and the
limits a DestinationRule puts on the connections to a host.

Everything here is computed from the manifest (and, for endpoint counts, the example set it
belongs to) with the defaults of `istio_defaults`; nothing is typed by hand on a page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from math import comb
from typing import Any

from deepdive.facts import istio_defaults as default
from deepdive.manifests import Document
from deepdive.workloads import get_path, list_at, pod_template

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(h|ms|us|µs|ns|m|s)")
_UNIT = {"h": Decimal(3600), "m": Decimal(60), "s": Decimal(1), "ms": Decimal("0.001"),
         "us": Decimal("0.000001"), "µs": Decimal("0.000001"), "ns": Decimal("0.000000001")}
# Route matches every request satisfies (Envoy regexes match the whole path).
_EVERY_PATH = ({"prefix": "/"}, {"regex": ".*"}, {"regex": "/.*"})


class IstioFactsError(ValueError):
    """A field whose value the facts cannot read (the validator reports the same file)."""


def parse_duration(text: Any) -> Decimal:
    """Seconds in an Istio duration: "2s", "1.5s", "500ms", "1m30s"."""
    value = str(text).strip()
    parts = _DURATION_PART.findall(value)
    if not value or "".join(number + unit for number, unit in parts) != value:
        raise IstioFactsError(f"not a duration: {text!r}")
    return sum((Decimal(number) * _UNIT[unit] for number, unit in parts), Decimal(0))


def format_seconds(seconds: Decimal) -> str:
    """2 -> "2 s", 0.025 -> "25 ms", 90 -> "90 s"."""
    if seconds < 1:
        return f"{(seconds * 1000).normalize():f} ms"
    return f"{seconds.normalize():f} s"


def format_share(share: Fraction) -> str:
    """A share of traffic as a percentage, exact when it can be: 9/10 -> "90%", 1/3 -> "33.3%"."""
    percent = share * 100
    if percent.denominator == 1:
        return f"{percent.numerator}%"
    return f"{float(percent):.1f}%"


def fqdn(host: str, namespace: str = "default") -> str:
    """The name istiod gives a Service host: a name without a dot is in `namespace`."""
    return host if "." in host else f"{host}.{namespace}.svc.cluster.local"


def cluster_name(host: str, port: int, subset: str = "", namespace: str = "default",
                 direction: str = "outbound") -> str:
    """An Envoy cluster as istiod names it: outbound|5000|v1|helloworld.default.svc.cluster.local
    (pilot/pkg/model/service.go, BuildSubsetKey)."""
    return f"{direction}|{port}|{subset}|{fqdn(host, namespace)}"


# The share of runs each tail of likely_counts() may leave out: that of a normal distribution
# beyond three standard deviations, so the range holds in about 997 runs of 1000.
TAIL = 0.00135


def likely_counts(requests: int, share: Fraction) -> tuple[int, int]:
    """The range a count of `requests` sent with probability `share` each falls in, in all
    but rare runs: exact binomial bounds that leave at most TAIL of the runs on each side."""
    chance = [comb(requests, k) * float(share) ** k * float(1 - share) ** (requests - k)
              for k in range(requests + 1)]
    low, below = 0, 0.0
    while low < requests and below + chance[low] <= TAIL:
        below += chance[low]
        low += 1
    high, above = requests, 0.0
    while high > 0 and above + chance[high] <= TAIL:
        above += chance[high]
        high -= 1
    return low, high


# --- VirtualService ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Destination:
    host: str
    subset: str | None
    port: int | None
    weight: int
    share: Fraction  # the weight over the rule's total weight: weights are relative

    @property
    def label(self) -> str:
        text = self.host + (f" {self.subset}" if self.subset else "")
        return text + (f":{self.port}" if self.port else "")


@dataclass(frozen=True)
class Fault:
    delay_share: Fraction
    delay: Decimal | None
    abort_share: Fraction
    abort_status: int | None


@dataclass(frozen=True)
class Retries:
    attempts: int  # retries after the first try; 0 turns retrying off
    per_try_timeout: Decimal | None
    retry_on: str
    defaulted: bool  # the VirtualService sets no retries: Istio's default policy applies


@dataclass(frozen=True)
class WaitBound:
    """How long a caller can wait for one request on this route, at worst."""

    timeout: Decimal | None
    retries: Retries
    backoff: Decimal  # the most the back-offs between tries can add

    @property
    def tries(self) -> int:
        return 1 + self.retries.attempts

    @property
    def tries_bound(self) -> Decimal | None:
        """Every try cut off by perTryTimeout, plus the back-offs; None when unbounded."""
        if self.retries.per_try_timeout is None:
            return None
        return self.tries * self.retries.per_try_timeout + self.backoff

    @property
    def worst_case(self) -> Decimal | None:
        bounds = [b for b in (self.timeout, self.tries_bound) if b is not None]
        return min(bounds) if bounds else None


@dataclass(frozen=True)
class RouteRule:
    index: int
    section: str  # http or tcp
    name: str | None
    matches: tuple[str, ...]  # each entry of `match`, in words; empty: every request
    destinations: tuple[Destination, ...]
    shadowed_by: int | None  # the index of an earlier rule that catches every request
    fault: Fault | None = None
    wait: WaitBound | None = None
    mirror: Destination | None = None
    mirror_share: Fraction | None = None

    @property
    def reachable(self) -> bool:
        return self.shadowed_by is None

    @property
    def catches_all(self) -> bool:
        return not self.matches or "every request" in self.matches

    def destination(self, subset: str) -> Destination:
        for destination in self.destinations:
            if destination.subset == subset or destination.host == subset:
                return destination
        raise LookupError(f"rule {self.index} sends nothing to {subset!r}")


@dataclass(frozen=True)
class RouteTable:
    kind: str  # VirtualService or HTTPRoute
    name: str
    hosts: tuple[str, ...]
    gateways: tuple[str, ...]
    rules: tuple[RouteRule, ...]

    def rule(self, name_or_index: str | int) -> RouteRule:
        for rule in self.rules:
            if name_or_index in (rule.index, rule.name):
                return rule
        raise LookupError(f"{self.kind}/{self.name} has no rule {name_or_index!r}")

    def share(self, subset: str, rule: str | int = 0) -> Fraction:
        """The share of a rule's traffic that reaches a subset (or a backend Service)."""
        return self.rule(rule).destination(subset).share


def _string_match(match: Any) -> str:
    if not isinstance(match, dict) or len(match) != 1:
        raise IstioFactsError(f"a string match needs one of exact, prefix, regex: {match!r}")
    ((how, value),) = match.items()
    words = {"exact": "is", "prefix": "starts with", "regex": "matches"}
    if how not in words:
        raise IstioFactsError(f"unknown string match {how!r}")
    return f"{words[how]} `{value}`"


def _describe_match(match: dict[str, Any]) -> str:
    parts: list[str] = []
    if "uri" in match:
        parts.append(f"path {_string_match(match['uri'])}")
    for name, value in (match.get("headers") or {}).items():
        parts.append(f"header `{name}` {_string_match(value)}")
    for name, value in (match.get("queryParams") or {}).items():
        parts.append(f"query `{name}` {_string_match(value)}")
    for name in (match.get("withoutHeaders") or {}):
        parts.append(f"no header `{name}`")
    if "method" in match:
        parts.append(f"method {_string_match(match['method'])}")
    if "authority" in match:
        parts.append(f"authority {_string_match(match['authority'])}")
    if "port" in match:
        parts.append(f"port {match['port']}")
    if match.get("gateways"):
        parts.append("through " + ", ".join(f"`{g}`" for g in match["gateways"]))
    if match.get("sourceLabels"):
        labels = ", ".join(f"{k}={v}" for k, v in match["sourceLabels"].items())
        parts.append(f"from pods labelled {labels}")
    return " and ".join(parts) if parts else "every request"


def _catches_all(match: dict[str, Any]) -> bool:
    conditions = {k: v for k, v in match.items() if k not in ("name", "ignoreUriCase")}
    return not conditions or conditions in ({"uri": uri} for uri in _EVERY_PATH)


def _destinations(routes: list[Any]) -> tuple[Destination, ...]:
    entries = [r for r in routes if isinstance(r, dict) and isinstance(r.get("destination"), dict)]
    weights = [int(r.get("weight", 0)) for r in entries]
    if len(entries) == 1 and "weight" not in entries[0]:
        weights = [1]  # a lone destination takes everything
    total = sum(weights)
    found = []
    for route, weight in zip(entries, weights, strict=True):
        target = route["destination"]
        port = get_path(target, ("port", "number"))
        found.append(Destination(
            host=str(target.get("host", "")), subset=target.get("subset"),
            port=int(port) if port is not None else None, weight=weight,
            share=Fraction(weight, total) if total else Fraction(0)))
    return tuple(found)


def _percent(block: dict[str, Any]) -> Fraction:
    value = get_path(block, ("percentage", "value"))
    return Fraction(str(value)) / 100 if value is not None else Fraction(0)


def _fault(rule: dict[str, Any]) -> Fault | None:
    fault = rule.get("fault")
    if not isinstance(fault, dict):
        return None
    delay = fault.get("delay") if isinstance(fault.get("delay"), dict) else None
    abort = fault.get("abort") if isinstance(fault.get("abort"), dict) else None
    return Fault(
        delay_share=_percent(delay) if delay else Fraction(0),
        delay=parse_duration(delay["fixedDelay"]) if delay and "fixedDelay" in delay else None,
        abort_share=_percent(abort) if abort else Fraction(0),
        abort_status=int(abort["httpStatus"]) if abort and "httpStatus" in abort else None,
    )


def backoff_bound(retries: int) -> Decimal:
    """The longest Envoy can wait between tries, summed over `retries` retries."""
    return sum((min((2**k - 1) * default.BACKOFF_BASE, default.BACKOFF_MAX)
                for k in range(1, retries + 1)), Decimal(0))


def _wait(rule: dict[str, Any]) -> WaitBound:
    given = rule.get("retries")
    if isinstance(given, dict):
        attempts = int(given.get("attempts", 0))
        per_try = given.get("perTryTimeout")
        retries = Retries(attempts=max(attempts, 0),
                          per_try_timeout=parse_duration(per_try) if per_try else None,
                          retry_on=str(given.get("retryOn", default.RETRY_ON)), defaulted=False)
    else:
        retries = Retries(default.RETRY_ATTEMPTS, None, default.RETRY_ON, defaulted=True)
    timeout = parse_duration(rule["timeout"]) if rule.get("timeout") else None
    if timeout == 0:
        timeout = None  # 0s switches the timeout off, as leaving it out does
    return WaitBound(timeout=timeout, retries=retries, backoff=backoff_bound(retries.attempts))


def route_table(document: Document) -> RouteTable:
    """The rules of a VirtualService in the order Envoy tries them."""
    data = document.data
    rules: list[RouteRule] = []
    catch_all: int | None = None
    for section in ("http", "tcp", "tls"):
        for rule in list_at(data, ("spec", section)):
            if not isinstance(rule, dict):
                continue
            index = len(rules)
            matches = [m for m in list_at(rule, ("match",)) if isinstance(m, dict)]
            described = tuple(_describe_match(m) for m in matches)
            mirror = rule.get("mirror")
            mirror_destination = None
            if isinstance(mirror, dict):
                mirror_destination = _destinations([{"destination": mirror}])[0]
            rules.append(RouteRule(
                index=index, section=section, name=rule.get("name"), matches=described,
                destinations=_destinations(list_at(rule, ("route",))),
                shadowed_by=catch_all,
                fault=_fault(rule) if section == "http" else None,
                wait=_wait(rule) if section == "http" else None,
                mirror=mirror_destination,
                mirror_share=(Fraction(str(get_path(rule, ("mirrorPercentage", "value")) or 100))
                              / 100 if mirror_destination else None),
            ))
            if catch_all is None and (not matches or any(_catches_all(m) for m in matches)):
                catch_all = index
    return RouteTable(
        kind="VirtualService", name=document.name,
        hosts=tuple(str(h) for h in list_at(data, ("spec", "hosts"))),
        gateways=tuple(str(g) for g in list_at(data, ("spec", "gateways"))),
        rules=tuple(rules))


def _httproute_match(match: dict[str, Any]) -> str:
    parts: list[str] = []
    path = match.get("path")
    if isinstance(path, dict):
        kinds = {"Exact": "is", "PathPrefix": "starts with", "RegularExpression": "matches"}
        parts.append(f"path {kinds.get(path.get('type', 'PathPrefix'), 'is')} "
                     f"`{path.get('value', '/')}`")
    for header in match.get("headers") or []:
        how = "matches" if header.get("type") == "RegularExpression" else "is"
        parts.append(f"header `{header.get('name')}` {how} `{header.get('value')}`")
    for query in match.get("queryParams") or []:
        parts.append(f"query `{query.get('name')}` is `{query.get('value')}`")
    if "method" in match:
        parts.append(f"method is `{match['method']}`")
    return " and ".join(parts) if parts else "every request"


def httproute_table(document: Document) -> RouteTable:
    """The rules of a Gateway API HTTPRoute, with each backend's share of its rule."""
    rules: list[RouteRule] = []
    for index, rule in enumerate(list_at(document.data, ("spec", "rules"))):
        if not isinstance(rule, dict):
            continue
        backends = [b for b in list_at(rule, ("backendRefs",)) if isinstance(b, dict)]
        # A backendRef's weight defaults to 1 (Gateway API: HTTPBackendRef.weight).
        weights = [int(b.get("weight", 1)) for b in backends]
        total = sum(weights)
        destinations = tuple(
            Destination(host=str(b.get("name")), subset=None,
                        port=int(b["port"]) if "port" in b else None, weight=w,
                        share=Fraction(w, total) if total else Fraction(0))
            for b, w in zip(backends, weights, strict=True))
        matches = tuple(_httproute_match(m) for m in list_at(rule, ("matches",))
                        if isinstance(m, dict))
        rules.append(RouteRule(index=index, section="http", name=rule.get("name"),
                               matches=matches, destinations=destinations, shadowed_by=None))
    parents = tuple(str(p.get("name")) for p in list_at(document.data, ("spec", "parentRefs"))
                    if isinstance(p, dict))
    return RouteTable(kind="HTTPRoute", name=document.name, hosts=parents, gateways=(),
                      rules=tuple(rules))


# --- DestinationRule -----------------------------------------------------------------------------

@dataclass(frozen=True)
class ConnectionLimits:
    max_connections: int
    max_pending_requests: int
    max_requests: int
    max_retries: int
    max_requests_per_connection: int | None  # None: no limit
    connect_timeout: Decimal
    set_fields: frozenset[str]  # the limits the manifest sets; the rest are Istio's defaults
    endpoints: int | None = None  # pods behind the host in the example set, when known

    @property
    def connections(self) -> int:
        """Connections a client sidecar opens at most (per worker thread). Envoy still opens
        one to an endpoint that has none, past maxConnections, so that requests queued for
        it can be served (envoy: source/common/conn_pool/conn_pool_base.cc); observed by
        the circuit-breaking lab."""
        return max(self.max_connections, self.endpoints or 0)

    @property
    def most_in_flight(self) -> int:
        """Requests one client sidecar lets through at once before it answers 503 itself:
        those on open connections (HTTP/1.1: one each) plus those queued for a connection."""
        return self.connections + self.max_pending_requests


@dataclass(frozen=True)
class Ejection:
    consecutive_5xx: int
    interval: Decimal
    base_ejection_time: Decimal
    max_ejection_percent: int
    set_fields: frozenset[str]
    endpoints: int | None  # pods behind the host in the example set, when known

    @property
    def most_ejected(self) -> int | None:
        """Endpoints that can be out at once. Envoy ejects one more only while the ejected
        share, that one included, stays within maxEjectionPercent."""
        if self.endpoints is None:
            return None
        return self.endpoints * self.max_ejection_percent // 100

    def ejection_time(self, times: int) -> Decimal:
        """How long an endpoint stays out after its n-th ejection (baseEjectionTime x n)."""
        return self.base_ejection_time * times


@dataclass(frozen=True)
class Subset:
    name: str
    labels: dict[str, str]
    endpoints: int | None


@dataclass(frozen=True)
class TrafficPolicy:
    host: str
    name: str
    subsets: tuple[Subset, ...]
    load_balancer: str
    load_balancer_defaulted: bool
    limits: ConnectionLimits | None
    ejection: Ejection | None

    def subset(self, name: str) -> Subset:
        for subset in self.subsets:
            if subset.name == name:
                return subset
        raise LookupError(f"DestinationRule/{self.name} has no subset {name!r}")


def _limits(pool: Any, endpoints: int | None) -> ConnectionLimits | None:
    if not isinstance(pool, dict):
        return None
    tcp: dict[str, Any] = pool["tcp"] if isinstance(pool.get("tcp"), dict) else {}
    http: dict[str, Any] = pool["http"] if isinstance(pool.get("http"), dict) else {}
    fields = {
        "tcp.maxConnections": tcp.get("maxConnections"),
        "http.http1MaxPendingRequests": http.get("http1MaxPendingRequests"),
        "http.http2MaxRequests": http.get("http2MaxRequests"),
        "http.maxRetries": http.get("maxRetries"),
        "http.maxRequestsPerConnection": http.get("maxRequestsPerConnection"),
        "tcp.connectTimeout": tcp.get("connectTimeout"),
    }

    def limit(name: str) -> int:
        # istiod applies a limit only when it is above 0 (cluster_traffic_policy.go).
        value = fields[name]
        return int(value) if value and int(value) > 0 else default.UNLIMITED

    per_connection = fields["http.maxRequestsPerConnection"]
    return ConnectionLimits(
        max_connections=limit("tcp.maxConnections"),
        max_pending_requests=limit("http.http1MaxPendingRequests"),
        max_requests=limit("http.http2MaxRequests"),
        max_retries=limit("http.maxRetries"),
        max_requests_per_connection=int(per_connection) if per_connection else None,
        connect_timeout=(parse_duration(fields["tcp.connectTimeout"])
                         if fields["tcp.connectTimeout"] else default.CONNECT_TIMEOUT),
        set_fields=frozenset(k for k, v in fields.items() if v is not None),
        endpoints=endpoints,
    )


def _ejection(outlier: Any, endpoints: int | None) -> Ejection | None:
    if not isinstance(outlier, dict):
        return None
    return Ejection(
        consecutive_5xx=int(outlier.get("consecutive5xxErrors", default.OUTLIER_CONSECUTIVE_5XX)),
        interval=(parse_duration(outlier["interval"]) if "interval" in outlier
                  else default.OUTLIER_INTERVAL),
        base_ejection_time=(parse_duration(outlier["baseEjectionTime"])
                            if "baseEjectionTime" in outlier else default.OUTLIER_BASE_EJECTION),
        max_ejection_percent=int(outlier.get("maxEjectionPercent")
                                 or default.OUTLIER_MAX_EJECTION_PERCENT),
        set_fields=frozenset(outlier),
        endpoints=endpoints,
    )


def _selects(selector: dict[str, Any], labels: dict[str, Any]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def endpoint_count(host: str, labels: dict[str, str], context: Sequence[Document]) -> int | None:
    """Pods the host's Service selects (and that carry `labels`), summed over the replicas
    of the set's workloads; None when the set has no Service of that short name."""
    name = host.split(".")[0]
    selectors = [get_path(d.data, ("spec", "selector")) for d in context
                 if d.kind == "Service" and d.name == name]
    selectors = [s for s in selectors if isinstance(s, dict)]
    if not selectors:
        return None
    wanted = {**selectors[0], **labels}
    count = 0
    for document in context:
        template = pod_template(document)
        if template is None or not _selects(wanted, template.labels):
            continue
        count += int(get_path(document.data, ("spec", "replicas")) or 1) \
            if document.kind != "Pod" else 1
    return count


def traffic_policy(document: Document, context: Sequence[Document] = ()) -> TrafficPolicy:
    data = document.data
    host = str(get_path(data, ("spec", "host")) or "")
    policy = get_path(data, ("spec", "trafficPolicy")) or {}
    balancer = get_path(policy, ("loadBalancer", "simple"))
    subsets = tuple(
        Subset(name=str(s.get("name")), labels=dict(s.get("labels") or {}),
               endpoints=endpoint_count(host, dict(s.get("labels") or {}), context)
               if context else None)
        for s in list_at(data, ("spec", "subsets")) if isinstance(s, dict))
    endpoints = endpoint_count(host, {}, context) if context else None
    return TrafficPolicy(
        host=host, name=document.name, subsets=subsets,
        load_balancer=str(balancer or default.LOAD_BALANCER),
        load_balancer_defaulted=balancer is None,
        limits=_limits(policy.get("connectionPool"), endpoints),
        ejection=_ejection(policy.get("outlierDetection"), endpoints),
    )


@dataclass(frozen=True)
class IstioFacts:
    routes: RouteTable | None = None
    policy: TrafficPolicy | None = None
    notes: tuple[str, ...] = field(default=())


def istio_facts(document: Document, context: Sequence[Document] = ()) -> IstioFacts | None:
    """The facts of a VirtualService, an HTTPRoute or a DestinationRule; None for other kinds."""
    group = document.api_version.split("/")[0]
    if group == "networking.istio.io" and document.kind == "VirtualService":
        return IstioFacts(routes=route_table(document))
    if group == "gateway.networking.k8s.io" and document.kind == "HTTPRoute":
        return IstioFacts(routes=httproute_table(document))
    if group == "networking.istio.io" and document.kind == "DestinationRule":
        return IstioFacts(policy=traffic_policy(document, context))
    return None
