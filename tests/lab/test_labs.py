"""Every lab runs on a real Envoy, and what it observes matches what its manifests declare.

The expected numbers come from the manifests (weights, percentages, limits), computed by
deepdive.lab.expect; the drivers check shares within 4 binomial standard deviations.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from deepdive.lab import runner
from deepdive.lab.catalog import LABS
from deepdive.lab.session import run_scenario

from .conftest import ROOT

SCENARIOS = [(lab, s) for lab in LABS for s in lab.scenarios]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: f"{p[0].name}/{p[1].name}")
def test_lab_behaves_as_its_manifests_declare(scenario: Any, envoy: Path) -> None:
    lab, chosen = scenario
    result = run_scenario(ROOT, lab, chosen, envoy)
    assert result.checks, "a lab without checks proves nothing"
    bad = [f"{c.what}: expected {c.expected}, observed {c.observed} {c.note}"
           for c in result.checks if not c.ok]
    assert not bad, "\n".join(bad)
    assert result.first_result_seconds < 3.0 or chosen.traffic.kind in ("delay", "timeout")
    assert not runner._LIVE, "an Envoy outlived its lab"


def test_the_expectations_come_from_the_manifests(envoy: Path) -> None:
    """traffic-shifting's expected shares are the manifest's weights, normalised."""
    lab = next(lab for lab in LABS if lab.name == "traffic-shifting")
    chosen = next(s for s in lab.scenarios if s.name == "virtual-service-90-10")
    result = run_scenario(ROOT, lab, chosen, envoy)
    shares = {c.what: c.expected for c in result.checks if "share of" in c.what}
    assert shares == {"[no header] share of v1": 0.9, "[no header] share of v2": 0.1}


def test_no_envoy_survives_an_exception(envoy: Path) -> None:
    lab = next(lab for lab in LABS if lab.name == "egress")
    mesh = runner.load_mesh(ROOT, lab.scenarios[0])
    pid = 0
    with pytest.raises(RuntimeError, match="boom"), runner.Run(mesh, envoy) as run:
        pid = run.pids()[0]
        assert alive(pid)
        raise RuntimeError("boom")
    assert pid and not alive(pid)
    assert not runner._LIVE
    assert not run.servers


def test_no_envoy_survives_ctrl_c(envoy: Path) -> None:
    lab = next(lab for lab in LABS if lab.name == "egress")
    mesh = runner.load_mesh(ROOT, lab.scenarios[0])
    pid = 0
    with pytest.raises(KeyboardInterrupt), runner.Run(mesh, envoy) as run:
        pid = run.pids()[0]
        raise KeyboardInterrupt
    assert pid and not alive(pid)


def test_a_failing_start_leaves_nothing_running(envoy: Path, tmp_path: Path) -> None:
    """Envoy refusing its configuration: one-line error, servers stopped, no process."""
    fake = tmp_path / "envoy"
    fake.write_text("#!/bin/sh\necho 'bad config: no such field' >&2\nexit 1\n")
    fake.chmod(0o755)
    lab = next(lab for lab in LABS if lab.name == "egress")
    mesh = runner.load_mesh(ROOT, lab.scenarios[0])
    run = runner.Run(mesh, fake)
    with pytest.raises(runner.LabError, match="envoy rejected the generated configuration"):
        run.__enter__()
    assert not run.servers and not runner._LIVE
