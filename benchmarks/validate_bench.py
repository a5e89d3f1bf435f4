"""Benchmark `deepdive validate` (a script, not a test). Run from the repository root:

    .venv/bin/python benchmarks/validate_bench.py [--resources 10000] [--kv-files 100]

1. manifests/ for Kubernetes 1.35, 1.36 and 1.37, as a fresh process (cold start):
   with the schema cache of earlier runs, and with an empty cache (first run ever).
2. A generated corpus of valid manifests: resources per CPU-second (= per core; the
   validator is single-threaded), for one and for three Kubernetes versions.
3. The kubernetes-validate CLI (strict, 1.37) on the same generated files, side by side:
   on the first --kv-files files by default (it manages ~50 resources/s), --kv-files 0
   for all of them.
CPU time is the child's user+system time, so other load on the machine hardly skews it.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import RESOURCES_PER_FILE, write_corpus

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
VERSIONS = ["--kube-version", "1.35", "--kube-version", "1.36", "--kube-version", "1.37"]


@dataclass
class Timing:
    wall: float
    cpu: float
    returncode: int


def timed(command: list[str], env: dict[str, str] | None = None) -> Timing:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env or dict(os.environ),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode not in (0, 1):
        sys.exit(f"{command[0]} failed: {result.stderr.decode()[-2000:]}")
    return Timing(wall, cpu, result.returncode)


def in_process_rate(folder: Path, total: int) -> float:
    """Resources per CPU-second of a run inside this process, best of three."""
    from deepdive.validate.engine import Validator

    validator = Validator(["1.37"])
    validator.run([folder])  # schemas loaded, caches warm
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        report = validator.run([folder])
        best = min(best, time.process_time() - started)
        assert report.errors == 0, "the generated corpus must be valid"
    return total / best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--kv-files", type=int, default=100,
                        help="files given to the kubernetes-validate CLI (0: all)")
    args = parser.parse_args()
    deepdive = [str(BIN / "deepdive"), "validate"]

    print("## manifests/, Kubernetes 1.35 + 1.36 + 1.37, fresh process")
    timed([*deepdive, "manifests", *VERSIONS])  # make sure the cache is filled
    warm = [timed([*deepdive, "manifests", *VERSIONS]) for _ in range(5)]
    print(f"cold start, schema cache present: median {statistics.median(t.wall for t in warm):.2f}s"
          f" wall, {statistics.median(t.cpu for t in warm):.2f}s CPU (5 runs)")
    with tempfile.TemporaryDirectory() as cache:
        first = timed([*deepdive, "manifests", *VERSIONS],
                      {**os.environ, "DEEPDIVE_CACHE_DIR": cache})
    print(f"first run ever, empty cache: {first.wall:.2f}s wall, {first.cpu:.2f}s CPU")

    with tempfile.TemporaryDirectory() as folder:
        files = write_corpus(Path(folder), args.resources)
        total = len(files) * RESOURCES_PER_FILE
        print(f"\n## generated corpus: {total} resources in {len(files)} files")
        timed([*deepdive, folder, "--kube-version", "1.37"])  # compile once
        ours: dict[str, Timing] = {}
        for label, versions in (("1.37", ["--kube-version", "1.37"]), ("1.35-1.37", VERSIONS)):
            ours[label] = timed([*deepdive, folder, *versions])
            timing = ours[label]
            print(f"deepdive validate, Kubernetes {label}: {timing.wall:.2f}s wall, "
                  f"{timing.cpu:.2f}s CPU -> {total / timing.cpu:,.0f} resources/s per core")
        steady = in_process_rate(Path(folder), total)
        print(f"deepdive validate in one process (startup excluded), Kubernetes 1.37: "
              f"{steady:,.0f} resources/s per core")
        sample = files if args.kv_files == 0 else files[: args.kv_files]
        sample_resources = len(sample) * RESOURCES_PER_FILE
        theirs = {
            version: timed([str(BIN / "kubernetes-validate"), "--strict", "--quiet",
                            "-k", f"{version}.0", *map(str, sample)])
            for version in ("1.35", "1.36", "1.37")
        }
        their_rate = sample_resources / theirs["1.37"].cpu
        their_rate_all = sample_resources / sum(t.cpu for t in theirs.values())
        print(f"kubernetes-validate CLI --strict -k 1.37.0 on {sample_resources} of the same "
              f"resources: {theirs['1.37'].wall:.2f}s wall, {theirs['1.37'].cpu:.2f}s CPU -> "
              f"{their_rate:,.0f} resources/s per core; once per version 1.35-1.37: "
              f"{their_rate_all:,.0f} resources/s per core")
        print(f"ratio per core, Kubernetes 1.37: {total / ours['1.37'].cpu / their_rate:,.0f}x "
              f"whole process, {steady / their_rate:,.0f}x steady state; "
              f"Kubernetes 1.35-1.37 (one run of ours, three of theirs): "
              f"{total / ours['1.35-1.37'].cpu / their_rate_all:,.0f}x whole process")
    return 0


if __name__ == "__main__":
    sys.exit(main())
