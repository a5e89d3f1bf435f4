"""Which labs exist: the manifest files each run reads, the traffic it sends, and what it
makes slow or failing. Paths are relative to manifests/."""

from __future__ import annotations

from dataclasses import dataclass, field

from deepdive.lab.fields import LabError

HELLO = "istio/sample-app/helloworld.yaml"
VERSIONS = "istio/sample-app/helloworld-versions.yaml"
HTTPBIN = "istio/sample-app/httpbin.yaml"
TCP_ECHO = "istio/sample-app/tcp-echo.yaml"
SUBSETS = "istio/traffic/request-routing/destination-rule.yaml"
T = "istio/traffic/"


@dataclass(frozen=True)
class Misbehave:
    """Make a Deployment's replicas (or one of them) fail or be slow."""

    deployment: str
    replica: int | None = None  # None: every replica, sharing one counter
    fail_always: bool = False
    fail_first: int = 0
    fail_every: int = 0
    fail_status: int = 503


@dataclass(frozen=True)
class Traffic:
    kind: str  # which driver sends it (runner.DRIVERS)
    host: str = "helloworld"  # Host header (a Service's short name, or an outside host)
    port: int = 5000
    path: str = "/hello"
    requests: int = 100
    headers: tuple[tuple[tuple[str, str], ...], ...] = ((),)  # request variants
    misbehave: tuple[Misbehave, ...] = ()


@dataclass(frozen=True)
class Scenario:
    name: str
    files: tuple[str, ...]
    traffic: Traffic


@dataclass(frozen=True)
class Lab:
    name: str
    description: str
    scenarios: tuple[Scenario, ...] = field(default_factory=tuple)

    @property
    def files(self) -> list[str]:
        return list(dict.fromkeys(f for s in self.scenarios for f in s.files))


TESTER = (("end-user", "tester"),)
SPLIT = Traffic("routing", requests=200)

LABS: tuple[Lab, ...] = (
    Lab("request-routing", "header end-user: tester reaches v2, everyone else v1", (
        Scenario("virtual-service", (HELLO, SUBSETS, T + "request-routing/virtual-service.yaml"),
                 Traffic("routing", requests=30,
                         headers=(TESTER, (), (("end-user", "someone"),)))),
        Scenario("httproute", (HELLO, VERSIONS, T + "request-routing/httproute.yaml"),
                 Traffic("routing", requests=30,
                         headers=(TESTER, (), (("end-user", "someone"),)))),
    )),
    Lab("traffic-shifting", "weighted split between v1 and v2, per request", tuple(
        Scenario(f"{kind}-{step}", (HELLO, SUBSETS if kind == "virtual-service" else VERSIONS,
                                    f"{T}traffic-shifting/{kind}-{step}.yaml"), SPLIT)
        for step in ("90-10", "50-50", "v2") for kind in ("virtual-service", "httproute"))),
    Lab("tcp-traffic-shifting", "weighted split of TCP connections between v1 and v2", (
        Scenario("virtual-service-80-20", (TCP_ECHO, T + "tcp-traffic-shifting/destination-rule"
                                           ".yaml", T + "tcp-traffic-shifting/virtual-service"
                                           "-80-20.yaml"),
                 Traffic("tcp-split", host="tcp-echo", port=9000, requests=100)),
    )),
    Lab("fault-injection", "injected delays and aborts, per request share", (
        Scenario("delay", (HELLO, SUBSETS, T + "fault-injection/virtual-service-delay.yaml"),
                 Traffic("delay", requests=24)),
        Scenario("abort", (HELLO, SUBSETS, T + "fault-injection/virtual-service-abort.yaml"),
                 Traffic("abort", requests=200, headers=(TESTER, ()))),
    )),
    Lab("timeouts-retries", "a slow httpbin hits the timeout; a failing one is retried", (
        Scenario("timeout", (HTTPBIN, T + "timeouts-retries/virtual-service-timeout.yaml"),
                 Traffic("timeout", host="httpbin", port=8000, path="/get", requests=4)),
        Scenario("retries", (HTTPBIN, T + "timeouts-retries/virtual-service-retries.yaml"),
                 Traffic("retries", host="httpbin", port=8000, path="/get", requests=4)),
    )),
    Lab("circuit-breaking", "concurrent requests beyond the connection pool get 503s", (
        Scenario("destination-rule", (HTTPBIN, T + "circuit-breaking/destination-rule.yaml"),
                 Traffic("circuit", host="httpbin", port=8000, path="/delay/0.5",
                         requests=12)),
    )),
    Lab("outlier-detection", "a failing httpbin pod is ejected; the others take its traffic", (
        Scenario("destination-rule", (HTTPBIN, T + "outlier-detection/destination-rule.yaml"),
                 Traffic("outlier", host="httpbin", port=8000, path="/get", requests=60,
                         misbehave=(Misbehave("httpbin", replica=0, fail_always=True),))),
    )),
    Lab("mirroring", "v1 answers every request; v2 receives a copy of each", (
        Scenario("virtual-service", (HELLO, SUBSETS, T + "mirroring/virtual-service.yaml"),
                 Traffic("mirror", requests=40)),
    )),
    Lab("ingress", "requests entering through a gateway reach helloworld", (
        Scenario("istio-apis", (HELLO, "istio/ingress/istio-apis/gateway.yaml",
                                "istio/ingress/istio-apis/virtual-service.yaml"),
                 Traffic("ingress", host="example.com", port=80, requests=20)),
        Scenario("gateway-api", (HELLO, "istio/ingress/gateway-api/gateway.yaml",
                                 "istio/ingress/gateway-api/httproute.yaml"),
                 Traffic("ingress", host="example.com", port=80, requests=20)),
    )),
    Lab("egress", "REGISTRY_ONLY blocks unknown hosts; a ServiceEntry lets httpbin.org in", (
        Scenario("registry-only", ("istio/egress/service-entry/service-entry.yaml",
                                   "istio/egress/registry-only/sidecar.yaml"),
                 Traffic("egress", host="httpbin.org", port=80, path="/get", requests=10)),
        Scenario("allow-any", ("istio/egress/service-entry/service-entry.yaml",),
                 Traffic("egress", host="httpbin.org", port=80, path="/get", requests=10)),
    )),
    Lab("observability", "request counts, success rate and latency per version, as a graph", (
        Scenario("telemetry", (HELLO, SUBSETS, T + "traffic-shifting/virtual-service-90-10.yaml",
                               "istio/observability/telemetry.yaml"),
                 Traffic("observability", requests=200,
                         misbehave=(Misbehave("helloworld-v2", fail_every=4),))),
    )),
)


def find(name: str) -> Lab:
    for lab in LABS:
        if lab.name == name:
            return lab
    raise LabError(f"unknown lab {name!r}; `deepdive lab --list` shows the labs: "
                   + ", ".join(lab.name for lab in LABS))
