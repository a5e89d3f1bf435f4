"""How `deepdive validate` scales with the size of one example set (a script, not a test).
Run from the repository root:

    .venv/bin/python benchmarks/validate_scale.py [--sizes 10000 20000 40000] [--timeout 300]

For each N it writes N resources into ONE folder (one example set): N/2 Deployments and
N/2 Services, each Service selecting one Deployment's pods by label and naming its port,
100 resources per file. Then it validates the folder in a fresh process for one
Kubernetes version (1.37) and reports resources per CPU-second (user+system time of
that process, so other load on the machine hardly skews it) and its peak RSS (from
wait4). Linear time shows as a steady rate from one N to the next; a rate that halves
when N doubles is quadratic. A run longer than --timeout seconds is stopped and shown
as such, so the script always ends.

Set PYTHONPATH to another copy of the package to measure that copy instead.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PER_FILE = 100

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
spec:
  replicas: 1
  selector:
    matchLabels: {{app: app-{i}}}
  template:
    metadata:
      labels: {{app: app-{i}, tier: t{tier}}}
    spec:
      containers:
        - name: app
          image: registry.k8s.io/pause:3.10
          ports: [{{name: http, containerPort: 8080}}]
          readinessProbe:
            httpGet: {{path: /healthz, port: http}}
"""

SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: app-{i}
spec:
  selector: {{app: app-{i}}}
  ports: [{{name: http, port: 80, targetPort: http}}]
"""


def write_set(folder: Path, resources: int) -> None:
    """resources/2 Deployment + Service pairs, PER_FILE resources a file."""
    documents = []
    for i in range(resources // 2):
        documents += [DEPLOYMENT.format(i=i, tier=i % 10), SERVICE.format(i=i)]
    for start in range(0, len(documents), PER_FILE):
        chunk = documents[start:start + PER_FILE]
        (folder / f"part-{start // PER_FILE:05d}.yaml").write_text("---\n".join(chunk))


def measure(folder: Path, timeout: float) -> tuple[float, float, int, bool]:
    """(wall seconds, CPU seconds, peak RSS in bytes, finished) of one validation."""
    command = [str(BIN / "deepdive"), "validate", str(folder), "--kube-version", "1.37"]
    with tempfile.TemporaryFile() as errors:  # a pipe could fill up while we poll
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errors)
        finished = True
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > timeout:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                finished = False
                break
            time.sleep(0.05)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        if finished and process.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"validation failed (exit {process.returncode}): "
                             f"{errors.read().decode(errors='replace')}")
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss * 1024, finished  # ru_maxrss is in KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 20_000, 40_000])
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds after which a run is stopped (default 300)")
    args = parser.parse_args()
    # Warm the schema cache first, so no run pays for compiling schemas.
    warm = Path(tempfile.mkdtemp(prefix="deepdive-scale-"))
    try:
        write_set(warm, 2)
        measure(warm, args.timeout)
    finally:
        shutil.rmtree(warm)
    print(f"{'resources':>10} {'wall s':>8} {'CPU s':>8} {'res/CPU-s':>10} {'peak RSS MB':>12}")
    for size in args.sizes:
        folder = Path(tempfile.mkdtemp(prefix="deepdive-scale-"))
        try:
            write_set(folder, size)
            wall, cpu, rss, finished = measure(folder, args.timeout)
        finally:
            shutil.rmtree(folder)
        rate = f"{size / cpu:10.0f}" if finished else f"{'<' + format(size / cpu, '.0f'):>10}"
        note = "" if finished else f"  (stopped after {args.timeout:g} s)"
        print(f"{size:>10} {wall:8.1f} {cpu:8.1f} {rate} {rss / 1e6:12.0f}{note}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
