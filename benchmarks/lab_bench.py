"""Lab timings: time to first result and total per lab, and the latency Envoy adds.

    .venv/bin/python benchmarks/lab_bench.py [--requests N]

The latency is measured on the request-routing lab's helloworld v1: N sequential GETs over
one keep-alive connection straight to the workload, then N through Envoy's listener (its
route, cluster and default retry policy), and the difference of the percentiles. Figures, not
a timed test: they depend on the machine.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import time
from pathlib import Path

from deepdive.lab.catalog import LABS
from deepdive.lab.envoy import envoy_binary
from deepdive.lab.runner import Run, load_mesh
from deepdive.lab.session import run_scenario

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed_gets(port: int, host: str, path: str, count: int) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    out = []
    try:
        for _ in range(count):
            start = time.perf_counter()
            connection.request("GET", path, headers={"Host": host})
            answer = connection.getresponse()
            answer.read()
            out.append((time.perf_counter() - start) * 1000)
            assert answer.status == 200, answer.status
    finally:
        connection.close()
    return out


def envoy_latency(requests: int) -> None:
    lab = next(lab for lab in LABS if lab.name == "request-routing")
    mesh = load_mesh(ROOT, lab.scenarios[0])
    with Run(mesh, envoy_binary()) as run:
        server = next(s for s in run.servers.values() if s.pod.labels.get("version") == "v1")
        port = run.port("0.0.0.0_5000")
        timed_gets(server.address[1], "helloworld:5000", "/hello", 50)  # warm up
        timed_gets(port, "helloworld:5000", "/hello", 50)
        direct = timed_gets(server.address[1], "helloworld:5000", "/hello", requests)
        through = timed_gets(port, "helloworld:5000", "/hello", requests)
    print(f"\nlatency over {requests} sequential keep-alive GETs (ms):")
    print(f"  {'':<14}{'p50':>8}{'p99':>8}{'mean':>8}")
    for name, values in (("direct", direct), ("through Envoy", through)):
        print(f"  {name:<14}{percentile(values, 0.5):>8.3f}{percentile(values, 0.99):>8.3f}"
              f"{statistics.fmean(values):>8.3f}")
    print(f"  {'Envoy adds':<14}{percentile(through, 0.5) - percentile(direct, 0.5):>8.3f}"
          f"{percentile(through, 0.99) - percentile(direct, 0.99):>8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    envoy = envoy_binary()
    print(f"{'lab':<22}{'scenarios':>10}{'first result s':>16}{'total s':>10}")
    grand = time.monotonic()
    for lab in LABS:
        started = time.monotonic()
        first = None
        for scenario in lab.scenarios:
            result = run_scenario(ROOT, lab, scenario, envoy)
            if first is None:
                first = result.first_result_seconds
            assert result.ok, f"{lab.name}/{scenario.name} did not behave as declared"
        print(f"{lab.name:<22}{len(lab.scenarios):>10}{first or 0:>16.2f}"
              f"{time.monotonic() - started:>10.2f}")
    print(f"{'all labs':<22}{sum(len(lab.scenarios) for lab in LABS):>10}{'':>16}"
          f"{time.monotonic() - grand:>10.2f}")
    envoy_latency(min(args.requests, 20000))


if __name__ == "__main__":
    main()
