"""Results as data, and their renderings: a terminal table and JSON."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Check:
    """One expectation from the manifests, and what the run observed."""

    what: str
    expected: Any
    observed: Any
    ok: bool
    note: str = ""


@dataclass
class ScenarioResult:
    lab: str
    scenario: str
    files: list[str]
    checks: list[Check] = field(default_factory=list)
    seconds: float = 0.0
    first_result_seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. observability's metrics

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks) and bool(self.checks)


@dataclass
class LabResult:
    name: str
    description: str
    scenarios: list[ScenarioResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.scenarios)


def binomial(count: int, total: int, share: float, sigmas: float = 4.0) -> tuple[bool, str]:
    """Is `count` out of `total` within `sigmas` binomial standard deviations of `share`?"""
    mean = total * share
    sd = math.sqrt(total * share * (1 - share))
    slack = max(sigmas * sd, 0.5)
    return abs(count - mean) <= slack, f"{mean:.1f} ± {slack:.1f} of {total}"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_fmt(v)}" for k, v in value.items())
    return str(value)


def render_text(results: list[LabResult]) -> str:
    lines = []
    for lab in results:
        for scenario in lab.scenarios:
            lines.append(f"{lab.name} / {scenario.scenario}  ({scenario.seconds:.1f}s)  "
                         + ("ok" if scenario.ok else "FAILED"))
            lines.append("  files: " + ", ".join(scenario.files))
            width = max((len(c.what) for c in scenario.checks), default=10)
            for check in scenario.checks:
                mark = "ok " if check.ok else "BAD"
                note = f"  ({check.note})" if check.note else ""
                lines.append(f"  {mark} {check.what:<{width}}  expected {_fmt(check.expected)}"
                             f"  observed {_fmt(check.observed)}{note}")
            for key, value in scenario.extra.items():
                if isinstance(value, str) and "\n" in value:
                    lines.append(f"  {key}:")
                    lines += ["    " + line for line in value.splitlines()]
    return "\n".join(lines) + "\n"


def result_data(lab: LabResult) -> dict[str, Any]:
    """One lab's result as JSON-ready data (what --json prints, and what --record keeps)."""
    data = {"lab": lab.name, "description": lab.description, "ok": lab.ok,
            "scenarios": [{**asdict(s), "ok": s.ok} for s in lab.scenarios]}
    return dict(json.loads(json.dumps(data, default=str)))


def render_json(results: list[LabResult]) -> str:
    return json.dumps([result_data(lab) for lab in results], indent=2) + "\n"
