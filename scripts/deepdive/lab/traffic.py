"""The traffic each kind of lab sends, and the checks of what it observed against what the
manifests declare (every expected number comes from the mesh model, none is typed here)."""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from deepdive.facts import istio_defaults as default
from deepdive.lab import expect, observe
from deepdive.lab.catalog import Traffic
from deepdive.lab.fields import LabError
from deepdive.lab.mesh import Mesh, cluster_name, fqdn, seconds
from deepdive.lab.report import Check, ScenarioResult, binomial
from deepdive.lab.runner import Run
from deepdive.lab.translate import cluster_stat
from deepdive.lab.workloads import Behaviour

VERSION = re.compile(r"Hello version: (\S+),")


@dataclass
class Reply:
    status: int
    body: str
    seconds: float


def get(port: int, host: str, path: str, headers: dict[str, str] | None = None,
        timeout: float = 15.0) -> Reply:
    start = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": host, **(headers or {})})
        answer = connection.getresponse()
        body = answer.read().decode(errors="replace")
        return Reply(answer.status, body, time.monotonic() - start)
    finally:
        connection.close()


def concurrently(count: int, call: Callable[[int], Reply]) -> list[Reply]:
    """`count` calls started together (a barrier), each in its own thread."""
    barrier = threading.Barrier(count)

    def one(index: int) -> Reply:
        barrier.wait(timeout=10)
        return call(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


class Driver:
    def __init__(self, run: Run, mesh: Mesh, traffic: Traffic, result: ScenarioResult,
                 started: float, on_check: Callable[[Check], None]) -> None:
        self.run, self.mesh, self.traffic, self.result = run, mesh, traffic, result
        self.started, self.on_check = started, on_check

    def check(self, what: str, expected: object, observed: object, ok: bool,
              note: str = "") -> None:
        check = Check(what, expected, observed, ok, note)
        if not self.result.checks:
            self.result.first_result_seconds = time.monotonic() - self.started
        self.result.checks.append(check)
        self.on_check(check)

    @property
    def host(self) -> str:
        return fqdn(self.traffic.host, "default")

    def http_port(self) -> int:
        return self.run.port(f"0.0.0.0_{self.traffic.port}")

    def stat(self, name: str) -> int:
        return self.run.stats().get(name, 0)

    def shares(self, what: str, counts: Counter[str], total: int,
               expected: dict[str, float]) -> None:
        for version in sorted(set(expected) | set(counts)):
            share = expected.get(version, 0.0)
            ok, note = binomial(counts[version], total, share)
            self.check(f"{what}share of {version or 'pods'}", round(share, 4),
                       round(counts[version] / total, 4), ok, note)


def routing(d: Driver, all_ok: bool = True) -> None:
    """Per variant of headers: each version's share, within 4 sigma of the weights."""
    port = d.http_port()
    for variant in d.traffic.headers:
        headers = dict(variant)
        expected = expect.version_shares(d.mesh, d.host, d.traffic.path, headers)
        counts: Counter[str] = Counter()
        statuses: Counter[int] = Counter()
        for _ in range(d.traffic.requests):
            reply = get(port, f"{d.traffic.host}:{d.traffic.port}", d.traffic.path, headers)
            statuses[reply.status] += 1
            found = VERSION.search(reply.body)
            if found:
                counts[found.group(1)] += 1
        label = ", ".join(f"{k}: {v}" for k, v in variant) or "no header"
        if all_ok:
            d.check(f"[{label}] answered 200", d.traffic.requests, statuses[200],
                    statuses[200] == d.traffic.requests)
            d.shares(f"[{label}] ", counts, d.traffic.requests, expected)


def tcp_split(d: Driver) -> None:
    """One line per connection; the answer's prefix names the version that served it."""
    port = d.run.port(f"{d.host}_{d.traffic.port}")
    prefixes = {pod.args[1]: pod.labels.get("version", "") for pod in d.mesh.pods
                if pod.app == "tcp-echo" and len(pod.args) > 1}
    counts: Counter[str] = Counter()
    for index in range(d.traffic.requests):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
            connection.sendall(f"hello {index}\n".encode())
            line = connection.makefile("rb").readline().decode()
        counts[prefixes.get(line.split(" ")[0], "?")] += 1
    expected = expect.tcp_shares(d.mesh, d.traffic.host, d.traffic.port)
    d.shares("connections: ", counts, d.traffic.requests, expected)


def delay(d: Driver) -> None:
    rule = expect.first_rule(d.mesh, d.host, d.traffic.path, {})
    if rule is None or rule.fault is None or rule.fault.delay is None:
        raise LabError("the delay lab needs a VirtualService rule with fault.delay")
    wait, share = seconds(rule.fault.delay), (rule.fault.delay_percent or 0) / 100
    port = d.http_port()
    replies = concurrently(d.traffic.requests, lambda _i: get(
        port, f"{d.traffic.host}:{d.traffic.port}", d.traffic.path, timeout=wait + 10))
    delayed = [r for r in replies if r.seconds >= wait * 0.95]
    ok, note = binomial(len(delayed), len(replies), share)
    d.check("share of delayed requests", share, round(len(delayed) / len(replies), 4), ok,
            note)
    longest_fast = max((r.seconds for r in replies if r not in delayed), default=0.0)
    d.check("delayed requests wait fixedDelay (s)", wait,
            round(min((r.seconds for r in delayed), default=0.0), 3),
            all(wait * 0.95 <= r.seconds < wait + 1.5 for r in delayed) and longest_fast < 1.0,
            f"others answered within {longest_fast:.3f}s")
    injected = d.stat(f"http.outbound_0.0.0.0_{d.traffic.port}.fault.delays_injected")
    d.check("Envoy's fault.delays_injected", len(delayed), injected, injected == len(delayed))


def abort(d: Driver) -> None:
    port = d.http_port()
    total_aborted = 0
    for variant in d.traffic.headers:
        headers = dict(variant)
        rule = expect.first_rule(d.mesh, d.host, d.traffic.path, headers)
        fault = rule.fault if rule else None
        share = (fault.abort_percent or 0) / 100 if fault and fault.abort_status else 0.0
        status = fault.abort_status if fault and fault.abort_status else 503
        replies = [get(port, f"{d.traffic.host}:{d.traffic.port}", d.traffic.path, headers)
                   for _ in range(d.traffic.requests)]
        aborted = sum(1 for r in replies if r.status == status and "Hello" not in r.body)
        total_aborted += aborted
        ok, note = binomial(aborted, len(replies), share)
        label = ", ".join(f"{k}: {v}" for k, v in variant) or "no header"
        d.check(f"[{label}] share of {status} aborts", share,
                round(aborted / len(replies), 4), ok, note)
    injected = d.stat(f"http.outbound_0.0.0.0_{d.traffic.port}.fault.aborts_injected")
    d.check("Envoy's fault.aborts_injected", total_aborted, injected, injected == total_aborted)


def timeout(d: Driver) -> None:
    rule = expect.first_rule(d.mesh, d.host, "/", {})
    if rule is None or not rule.timeout:
        raise LabError("the timeout lab needs a VirtualService rule with a timeout")
    limit = seconds(rule.timeout)
    port = d.http_port()
    slow, fast = f"/delay/{limit + 1:g}", f"/delay/{limit / 4:g}"
    replies = concurrently(4, lambda i: get(port, f"{d.traffic.host}:{d.traffic.port}",
                                            slow if i % 2 == 0 else fast, timeout=limit + 10))
    slow_replies, fast_replies = replies[0::2], replies[1::2]
    d.check(f"GET {slow} answers 504 after the timeout (s)", limit,
            round(max(r.seconds for r in slow_replies), 3),
            all(r.status == 504 and limit * 0.95 <= r.seconds < limit + 0.9
                for r in slow_replies), f"statuses {[r.status for r in slow_replies]}")
    d.check(f"GET {fast} answers 200", 200, [r.status for r in fast_replies],
            all(r.status == 200 for r in fast_replies))
    cluster = cluster_name(rule.destinations[0][0].port, "", d.host)
    timeouts = d.stat(cluster_stat(cluster, "upstream_rq_timeout"))
    d.check("Envoy's upstream_rq_timeout", len(slow_replies), timeouts,
            timeouts == len(slow_replies))


def retries(d: Driver) -> None:
    rule = expect.first_rule(d.mesh, d.host, "/", {})
    if rule is None or rule.retries is None:
        raise LabError("the retries lab needs a VirtualService rule with retries")
    attempts = rule.retries.attempts
    on_5xx = any(w in str(rule.retries.retry_on) for w in ("5xx", "gateway-error", "503"))
    retried = attempts if on_5xx else 0
    port = d.http_port()
    servers = [s for s in d.run.servers.values() if s.pod.app == "httpbin"]
    cluster = cluster_name(rule.destinations[0][0].port, "", d.host)
    def one_request(behaviour: Behaviour) -> tuple[Reply, int]:
        """Every replica behaves alike (one shared counter); the reply and the tries seen."""
        for server in servers:
            server.behaviour = behaviour
        before = sum(s.requests for s in servers)
        reply = get(port, f"{d.traffic.host}:{d.traffic.port}", d.traffic.path)
        return reply, sum(s.requests for s in servers) - before

    # 1. The replicas fail the first `attempts` requests between them: the last try wins.
    reply, tries = one_request(Behaviour(fail_first=retried))
    d.check(f"failing {retried} times, then answering: status", 200, reply.status,
            reply.status == 200)
    d.check("tries the workloads saw (1 + retries)", 1 + retried, tries, tries == 1 + retried)
    # 2. Failing for ever: the caller gets the 503 after 1 + attempts tries.
    reply, tries = one_request(Behaviour(fail_always=True))
    d.check("always failing: tries before the caller sees 503", 1 + retried, tries,
            tries == 1 + retried and reply.status == 503, f"status {reply.status}")
    stats = d.run.stats()
    retry_count = stats.get(cluster_stat(cluster, "upstream_rq_retry"), 0)
    d.check("Envoy's upstream_rq_retry", 2 * retried, retry_count, retry_count == 2 * retried)
    d.check("per-try timeout in the route (s)", rule.retries.per_try_timeout,
            _route_field(d, "per_try_timeout"), True, "configured; not timed here")


def _route_field(d: Driver, key: str) -> object:
    for listener in d.run.config["static_resources"]["listeners"]:
        text = json.dumps(listener)
        found = re.search(rf'"{key}": "([^"]+)"', text)
        if found:
            return found.group(1)
    return None


def circuit(d: Driver) -> None:
    rule = d.mesh.destination_rules.get(d.host)
    pool = (rule.policy.get("connectionPool") or {}) if rule else {}
    connections = int((pool.get("tcp") or {}).get("maxConnections", default.UNLIMITED))
    pending = int((pool.get("http") or {}).get("http1MaxPendingRequests", default.UNLIMITED))
    port = d.http_port()
    n = d.traffic.requests
    # Envoy keeps one connection per endpoint even past max_connections (its connection
    # pools are per host): with more pods than maxConnections, that many can be active.
    service = d.mesh.service(d.host)
    pods = len(d.mesh.pods_for(service, {})) if service else 1
    capacity = max(connections, pods) + pending
    replies = concurrently(n, lambda _i: get(port, f"{d.traffic.host}:{d.traffic.port}",
                                             d.traffic.path))
    ok = sum(1 for r in replies if r.status == 200)
    rejected = sum(1 for r in replies if r.status == 503)
    d.check(f"{n} at once: answered, at most max(maxConnections, {pods} pods) + "
            "http1MaxPendingRequests", min(n, capacity), ok, 1 <= ok <= capacity)
    d.check("503 overflow", max(0, n - capacity), rejected,
            rejected >= n - capacity and ok + rejected == n)
    overflow = d.stat(cluster_stat(cluster_name(d.traffic.port, "", d.host),
                                   "upstream_rq_pending_overflow"))
    d.check("Envoy's upstream_rq_pending_overflow", rejected, overflow, overflow == rejected)


def outlier(d: Driver) -> None:
    rule = d.mesh.destination_rules.get(d.host)
    detection = (rule.policy.get("outlierDetection") or {}) if rule else {}
    errors = int(detection.get("consecutive5xxErrors", default.OUTLIER_CONSECUTIVE_5XX))
    port = d.http_port()
    cluster = cluster_name(d.traffic.port, "", d.host)
    failing = [s for s in d.run.servers.values() if s.behaviour.fail_always]
    ejected_stat = cluster_stat(cluster, "outlier_detection.ejections_enforced_consecutive_5xx")
    failures = 0
    for _ in range(d.traffic.requests):
        reply = get(port, f"{d.traffic.host}:{d.traffic.port}", d.traffic.path)
        failures += reply.status >= 500
        if d.stat(ejected_stat) >= 1:
            break
    bad = sum(s.requests for s in failing)
    d.check("requests the failing pod took before ejection", errors, bad,
            errors <= bad <= errors + 1)
    ejected = d.stat(ejected_stat)
    d.check("ejections (consecutive 5xx)", 1, ejected, ejected == 1)
    before = bad
    after = [get(port, f"{d.traffic.host}:{d.traffic.port}", d.traffic.path)
             for _ in range(30)]
    moved = sum(s.requests for s in failing) - before
    d.check("after ejection: requests to the failing pod", 0, moved, moved == 0)
    d.check("after ejection: answered 200", len(after), sum(r.status == 200 for r in after),
            all(r.status == 200 for r in after))


def mirror(d: Driver) -> None:
    rule = expect.first_rule(d.mesh, d.host, d.traffic.path, {})
    if rule is None or rule.mirror is None:
        raise LabError("the mirroring lab needs a VirtualService rule with mirror")
    port = d.http_port()
    n = d.traffic.requests
    counts: Counter[str] = Counter()
    for _ in range(n):
        found = VERSION.search(get(port, f"{d.traffic.host}:{d.traffic.port}",
                                   d.traffic.path).body)
        counts[found.group(1) if found else "?"] += 1
    d.shares("answers: ", counts, n, expect.version_shares(d.mesh, d.host, d.traffic.path,
                                                             {}))
    service = d.mesh.service(rule.mirror.host)
    labels = d.mesh.subset_labels(rule.mirror.host, rule.mirror.subset) or {}
    targets = [d.run.servers[p.name] for p in d.mesh.pods_for(service, labels)] \
        if service else []
    share = (rule.mirror_percent or 100.0) / 100
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and sum(s.requests for s in targets) < n * share:
        time.sleep(0.05)
    copies = sum(s.requests for s in targets)
    ok, note = binomial(copies, n, share)
    d.check(f"copies seen by the mirror ({rule.mirror.subset or rule.mirror.host})",
            round(n * share, 1), copies, ok, note)


def ingress(d: Driver) -> None:
    gateway = d.mesh.gateways[0]
    port = d.run.port(f"{gateway.gateway}/0.0.0.0_{gateway.port}")
    for path in (d.traffic.path, "/not-routed"):
        rule = expect.first_rule(d.mesh, d.traffic.host, path, {}, gateway=gateway.gateway)
        replies = [get(port, d.traffic.host, path) for _ in range(d.traffic.requests)]
        if rule is None:
            d.check(f"GET {path} through the gateway: no route, 404", 404,
                    sorted({r.status for r in replies}), all(r.status == 404 for r in replies))
            continue
        reached = sum(1 for r in replies if r.status == 200 and VERSION.search(r.body))
        hosts = sorted({dest.host for dest, _w in rule.destinations})
        d.check(f"GET {path} through the gateway reaches {', '.join(hosts)}",
                d.traffic.requests, reached, reached == d.traffic.requests)


def egress(d: Driver) -> None:
    port = d.http_port()
    known = get(port, d.traffic.host, d.traffic.path)
    served_by = json.loads(known.body).get("hostname") if known.status == 200 else None
    d.check(f"GET http://{d.traffic.host}{d.traffic.path} (ServiceEntry) reaches its stand-in",
            d.traffic.host, served_by, served_by == d.traffic.host)
    outside = d.run.servers["outside.example"]
    address = "{}:{}".format(*outside.address)
    unknown = get(port, "outside.example", "/get", {"x-envoy-original-dst-host": address})
    policy = d.mesh.outbound_policy
    expected = 502 if policy == "REGISTRY_ONLY" else 200
    d.check(f"unknown host outside.example under {policy}", expected, unknown.status,
            unknown.status == expected,
            "block_all: direct 502" if policy == "REGISTRY_ONLY" else "PassthroughCluster")


def observability(d: Driver) -> None:
    routing(d, all_ok=False)  # some answers fail on purpose: the metrics below count them
    time.sleep(0.5)  # two stats flushes: the latency histograms are merged
    metrics = observe.from_prometheus(d.run.admin_get("/stats/prometheus"))
    ours = {k: v for k, v in metrics.items() if k.host == d.host}
    expected = expect.version_shares(d.mesh, d.host, d.traffic.path, {})
    failing = {m.deployment: m.fail_every for m in d.traffic.misbehave}
    total = sum(m.requests for m in ours.values())
    for key, m in sorted(ours.items(), key=lambda kv: kv[0].subset):
        version = key.subset
        every = next((n for dep, n in failing.items() if dep.endswith(version)), 0)
        rate = 1 - 1 / every if every else 1.0
        ok, note = binomial(m.requests, total, expected.get(version, 0.0))
        d.check(f"{key.subset}: share of requests (istio_requests_total)",
                round(expected.get(version, 0.0), 4), round(m.requests / total, 4), ok, note)
        if m.requests:
            d.check(f"{key.subset}: success rate", round(rate, 3),
                    round(m.success / m.requests, 3),
                    abs(m.success / m.requests - rate) <= 1.5 / m.requests + 0.02 * (rate < 1))
    d.result.extra["metrics"] = observe.table(ours)
    d.result.extra["promql"] = observe.promql(d.traffic.host)
    d.result.extra["svg"] = observe.graph_svg("curl", ours)
    if d.mesh.access_log:
        requests = d.traffic.requests * len(d.traffic.headers)
        logged, deadline = 0, time.monotonic() + 3  # Envoy flushes its log every second
        while logged < requests and time.monotonic() < deadline:
            time.sleep(0.1)
            logged = sum(1 for line in d.run.access_log().splitlines() if '"GET ' in line)
        d.check("access log lines (Telemetry: envoy provider)", requests, logged,
                logged == requests)


DRIVERS: dict[str, Callable[[Driver], None]] = {
    "routing": routing, "tcp-split": tcp_split, "delay": delay, "abort": abort,
    "timeout": timeout, "retries": retries, "circuit": circuit, "outlier": outlier,
    "mirror": mirror, "ingress": ingress, "egress": egress, "observability": observability,
}
