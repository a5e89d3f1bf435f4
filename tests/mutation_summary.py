"""Kill ratio per module of a `make mutation` run, read from mutmut's meta files.

Run from the folder mutmut ran in (build/mutation): `python ../../tests/mutation_summary.py`.
A mutant counts as killed when a test failed or timed out on it; "no tests" and "survived"
are not killed. Exits 1 when a module given with --min is below that percentage.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

KILLED = {1, 3, 36, 24, -24, 152, 255, 37}  # test failure, pytest error, timeouts, type check
SURVIVED = {0}
NO_TESTS = {5, 33}


def summarize(mutants: Path) -> dict[str, Counter[str]]:
    by_module: dict[str, Counter[str]] = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        module = meta.relative_to(mutants).as_posix().removesuffix(".meta").removeprefix("src/")
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        counts = by_module.setdefault(module, Counter())
        for code in codes.values():
            if code is None:
                counts["not checked"] += 1
            elif code in KILLED:
                counts["killed"] += 1
            elif code in SURVIVED:
                counts["survived"] += 1
            elif code in NO_TESTS:
                counts["no tests"] += 1
            else:
                counts["other"] += 1
    return by_module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mutants", type=Path, default=Path("mutants"))
    parser.add_argument("--min", type=float, default=0.0, help="fail below this %% killed")
    args = parser.parse_args(argv)
    by_module = summarize(args.mutants)
    total: Counter[str] = Counter()
    below = []
    print(f"{'module':<44} {'killed':>7} {'checked':>8} {'ratio':>7}  survived/no tests")
    for module, counts in by_module.items():
        checked = counts["killed"] + counts["survived"] + counts["no tests"] + counts["other"]
        if not checked:
            continue
        total += counts
        ratio = 100 * counts["killed"] / checked
        below += [module] if ratio < args.min else []
        print(f"{module:<44} {counts['killed']:>7} {checked:>8} {ratio:>6.1f}%"
              f"  {counts['survived']}/{counts['no tests']}")
    checked = total["killed"] + total["survived"] + total["no tests"] + total["other"]
    if checked:
        print(f"{'total':<44} {total['killed']:>7} {checked:>8} "
              f"{100 * total['killed'] / checked:>6.1f}%")
    if below:
        print(f"below {args.min:g} % killed: {', '.join(below)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
