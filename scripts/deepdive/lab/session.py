"""Run a lab: for each scenario, build the mesh, start a Run, drive the traffic, report."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from deepdive.lab import translate
from deepdive.lab.catalog import Lab, Scenario
from deepdive.lab.envoy import envoy_binary
from deepdive.lab.report import Check, LabResult, ScenarioResult
from deepdive.lab.runner import Run, load_mesh
from deepdive.lab.traffic import DRIVERS, Driver

OUTSIDE = ("outside.example",)  # a server outside the mesh, for the passthrough checks


def preview_config(root: Path, scenario: Scenario) -> translate.Json:
    """The Envoy configuration a scenario runs with, without running it: endpoints get
    placeholder ports (a run gives each pod a port the OS picks)."""
    mesh = load_mesh(root, scenario)
    endpoints = {pod.name: ("127.0.0.1", pod.port) for pod in mesh.pods}
    endpoints |= {s.host: ("127.0.0.1", 8080) for s in mesh.services if s.external}
    return translate.bootstrap(mesh, endpoints)


def run_scenario(root: Path, lab: Lab, scenario: Scenario, envoy: Path | None = None,
                 on_check: Callable[[Check], None] = lambda _c: None) -> ScenarioResult:
    started = time.monotonic()
    mesh = load_mesh(root, scenario)
    result = ScenarioResult(lab=lab.name, scenario=scenario.name,
                            files=[f"manifests/{f}" for f in scenario.files])
    externals = OUTSIDE if scenario.traffic.kind == "egress" else ()
    with Run(mesh, envoy or envoy_binary(), misbehave=scenario.traffic.misbehave,
             externals=externals) as run:
        DRIVERS[scenario.traffic.kind](Driver(run, mesh, scenario.traffic, result, started,
                                              on_check))
    result.seconds = time.monotonic() - started
    return result


def run_lab(root: Path, lab: Lab, envoy: Path | None = None,
            on_check: Callable[[Check], None] = lambda _c: None,
            on_scenario: Callable[[ScenarioResult], None] = lambda _s: None) -> LabResult:
    result = LabResult(lab.name, lab.description)
    for scenario in lab.scenarios:
        result.scenarios.append(run_scenario(root, lab, scenario, envoy, on_check))
        on_scenario(result.scenarios[-1])
    return result
