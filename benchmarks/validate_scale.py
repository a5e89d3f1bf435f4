"""How `deepdive validate` scales: time and memory for large inputs (a script, not a test;
`make test` does not run it). Run from the repository root:

    .venv/bin/python benchmarks/validate_scale.py [--resources 100000] [--kv-resources 1000]

It writes N resources (default 100,000: N/2 Deployments and N/2 Services, each Service
selecting one Deployment's pods by label and naming its port, so the cross-reference rules
have work to do) in three layouts, and validates each in a fresh process for one
Kubernetes version (1.37):

- `one file`: all N in a single file (one example set);
- `100 files`: N/100 a file, in one folder (one example set of N);
- `100 folders`: one file of N/100 in each of 100 folders (100 example sets).

For each it reports resources per CPU-second (user+system time of the child process, so
other load on the machine hardly skews it; also without the CPU time of starting up) and
peak RSS (ru_maxrss of that child, from wait4). `--linearity` repeats each layout at N/4
and N/2: linear time shows as a steady rate, a rate that halves when N doubles is
quadratic.

kubernetes-validate (the PyPI package, CLI in .venv) manages some tens of resources per
second, so it runs on the first --kv-resources resources of the same input (the same
documents, in one file), in the same run; the ratio compares resources per CPU-second.
A run longer than --timeout seconds is stopped and shown as such, so the script always
ends. Set PYTHONPATH to another copy of the package to measure that copy instead.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PARTS = 100  # files of the `100 files` layout, folders of the `100 folders` layout
GOAL_RATE, GOAL_RSS = 10_000, 300e6

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


def write(path: Path, start: int, resources: int) -> None:
    """resources/2 Deployment + Service pairs, numbered from start, written as they are
    made: on Linux a child's ru_maxrss starts from its parent's peak, so this script must
    never hold a large input in memory itself."""
    with path.open("w") as out:
        for i in range(start, start + resources // 2):
            out.write(f"{'---' if i > start else '# generated'}\n"
                      f"{DEPLOYMENT.format(i=i, tier=i % 10)}---\n{SERVICE.format(i=i)}")


def one_file(root: Path, resources: int) -> Path:
    write(root / "all.yaml", 0, resources)
    return root


def many_files(root: Path, resources: int) -> Path:
    each = resources // PARTS
    for part in range(PARTS):
        write(root / f"part-{part:03d}.yaml", part * each, each)
    return root


def many_folders(root: Path, resources: int) -> Path:
    each = resources // PARTS
    for part in range(PARTS):
        folder = root / f"set-{part:03d}"
        folder.mkdir()
        write(folder / "apps.yaml", part * each, each)
    return root


LAYOUTS: dict[str, Callable[[Path, int], Path]] = {
    "one file": one_file, "100 files": many_files, "100 folders": many_folders,
}


@dataclass
class Run:
    wall: float
    cpu: float
    rss: int  # bytes
    finished: bool


def measure(command: list[str], timeout: float, valid: tuple[int, ...] = (0,)) -> Run:
    """Wall and CPU seconds and peak RSS of one child process."""
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
        wall = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        if finished and code not in valid:
            errors.seek(0)
            raise SystemExit(f"{command[0]} failed (exit {code}): "
                             f"{errors.read().decode(errors='replace')[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(wall, cpu, usage.ru_maxrss * 1024, finished)  # ru_maxrss is in KiB on Linux


def ours(path: Path, timeout: float) -> Run:
    return measure([str(BIN / "deepdive"), "validate", str(path), "--kube-version", "1.37"],
                   timeout)


def theirs(path: Path, timeout: float) -> Run:
    return measure([str(BIN / "kubernetes-validate"), "--strict", "--quiet", "-k", "1.37.0",
                    str(path)], timeout)


def row(label: str, resources: int, run: Run, timeout: float, startup: float) -> str:
    """One line; the last rate leaves out the CPU time of starting up (Python, imports,
    schemas from the cache), measured on a run of two resources."""
    rate = resources / run.cpu if run.cpu else float("inf")
    steady = resources / max(run.cpu - startup, 1e-9)
    shown = f"{rate:12,.0f}" if run.finished else f"{'<' + format(rate, ',.0f'):>12}"
    note = "" if run.finished else f"  (stopped after {timeout:g} s)"
    return (f"{label:<22} {resources:>9,} {run.wall:8.1f} {run.cpu:8.1f} {shown} "
            f"{steady:12,.0f} {run.rss / 1e6:9.0f}{note}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, default=100_000,
                        help="resources per layout (default 100000; rounded to pairs)")
    parser.add_argument("--kv-resources", type=int, default=1000,
                        help="resources given to kubernetes-validate (0: skip it)")
    parser.add_argument("--linearity", action="store_true",
                        help="also run each layout at N/4 and N/2")
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="seconds after which a run is stopped (default 600)")
    args = parser.parse_args()
    total = max(args.resources // (2 * PARTS), 1) * 2 * PARTS
    scratch = Path(tempfile.mkdtemp(prefix="deepdive-scale-"))
    try:
        tiny = one_file(Path(tempfile.mkdtemp(dir=scratch)), 2)
        ours(tiny, args.timeout)  # fill the schema cache
        startup = min(ours(tiny, args.timeout).cpu for _ in range(3))
        their_rate = 0.0
        print(f"{'':<22} {'resources':>9} {'wall s':>8} {'CPU s':>8} {'res/CPU-s':>12} "
              f"{'w/o start':>12} {'peak MB':>9}")
        if args.kv_resources:
            sample = min(args.kv_resources, total) // 2 * 2
            folder = one_file(Path(tempfile.mkdtemp(dir=scratch)), sample)
            kv = theirs(folder / "all.yaml", args.timeout)
            kv_startup = min(theirs(tiny / "all.yaml", args.timeout).cpu for _ in range(2))
            their_rate = sample / kv.cpu if kv.finished else 0.0
            print(row("kubernetes-validate", sample, kv, args.timeout, kv_startup), flush=True)
        sizes = [total // 4, total // 2, total] if args.linearity else [total]
        for name, write in LAYOUTS.items():
            for size in sizes:
                size = max(size // (2 * PARTS), 1) * 2 * PARTS
                folder = write(Path(tempfile.mkdtemp(dir=scratch)), size)
                run = ours(folder, args.timeout)
                shutil.rmtree(folder)
                line = row(f"deepdive, {name}", size, run, args.timeout, startup)
                if their_rate and run.finished:
                    line += f"  {size / run.cpu / their_rate:,.0f}x kubernetes-validate"
                print(line, flush=True)
        print(f"goals: at least {GOAL_RATE:,} resources per CPU-second for one Kubernetes "
              f"version, peak RSS under {GOAL_RSS / 1e6:.0f} MB, a steady rate as N grows")
    finally:
        shutil.rmtree(scratch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
