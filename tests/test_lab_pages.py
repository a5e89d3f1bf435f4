"""Lab results on the pages come from a real run of the current manifests and lab code:
every lab is shown, a recording is checked against the digest of its inputs, and a stale,
missing or failed recording stops the build."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from deepdive.lab.catalog import LABS, find
from deepdive.lab_results import (
    RESULTS,
    LabResultError,
    RecordedLab,
    inputs_digest,
    read_recorded,
    write_recorded,
)
from test_site import MANIFESTS, ROOT, build, project_copy  # noqa: F401 - a fixture

ISTIO = ROOT / "docs" / "istio"


def test_every_lab_is_shown_on_an_istio_page(built_site: Path) -> None:
    titles = set()
    for page in (built_site / "istio").rglob("index.html"):
        titles |= set(re.findall(r"Lab: ([a-z-]+), on a real Envoy", page.read_text("utf-8")))
    assert titles == {lab.name for lab in LABS}


def test_every_lab_block_links_to_its_generated_envoy_configuration(built_site: Path) -> None:
    """The configuration is a published file, not a collapsed block on the page; the link
    resolves and the file is the Envoy bootstrap's static resources for that lab."""
    linked: set[str] = set()
    for page in (built_site / "istio").rglob("index.html"):
        links = re.findall(r'<a [^>]*class="lab-config-link"[^>]*>', page.read_text("utf-8"))
        for href in (re.search(r'href="([^"]+)"', link).group(1) for link in links):
            target = (page.parent / href).resolve()
            assert target.is_file(), f"{page}: {href}"
            config = yaml.safe_load(target.read_text("utf-8"))
            assert config["listeners"] and config["clusters"], href
            linked.add(target.parent.name)
    assert linked == {lab.name for lab in LABS}


def test_every_recorded_lab_is_fresh_and_as_declared() -> None:
    for lab in LABS:
        recorded = read_recorded(lab.name, inputs_digest(lab.files, MANIFESTS), ROOT)
        assert [s["scenario"] for s in recorded.scenarios] == [s.name for s in lab.scenarios]
        assert all(s["ok"] for s in recorded.scenarios)


def test_shown_shares_are_the_recorded_observations(built_site: Path) -> None:
    """The page prints what the run observed, not what the manifests declare."""
    recorded = read_recorded("traffic-shifting",
                             inputs_digest(find("traffic-shifting").files, MANIFESTS), ROOT)
    text = (built_site / "istio" / "traffic-management" / "index.html").read_text("utf-8")
    for scenario in recorded.scenarios:
        for check in scenario["checks"]:
            if "share" in check["what"]:
                assert f"{check['observed'] * 100:.1f}%" in text, check


def _record(folder: Path, lab: str, digest: str, ok: bool = True) -> None:
    write_recorded(RecordedLab(name=lab, digest=digest, recorded_at="2026-11-27",
                               envoy_version="1.40.0",
                               result={"lab": lab, "ok": ok, "scenarios": []}),
                   folder / RESULTS)


def test_read_recorded_refuses_what_it_cannot_vouch_for(tmp_path: Path) -> None:
    with pytest.raises(LabResultError, match="no recorded run"):
        read_recorded("mirroring", "abc", tmp_path)
    _record(tmp_path, "mirroring", "abc")
    assert read_recorded("mirroring", "abc", tmp_path).envoy_version == "1.40.0"
    with pytest.raises(LabResultError, match="stale"):
        read_recorded("mirroring", "def", tmp_path)
    _record(tmp_path, "mirroring", "abc", ok=False)
    with pytest.raises(LabResultError, match="did not behave"):
        read_recorded("mirroring", "abc", tmp_path)
    (tmp_path / RESULTS / "mirroring.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(LabResultError, match="unreadable"):
        read_recorded("mirroring", "abc", tmp_path)


def test_the_digest_follows_the_manifests_and_the_lab_code(tmp_path: Path) -> None:
    files = find("mirroring").files
    copy = tmp_path / "manifests"
    for name in files:
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_bytes((MANIFESTS / name).read_bytes())
    before = inputs_digest(files, copy)
    assert before == inputs_digest(files, MANIFESTS)
    (copy / files[-1]).write_text((copy / files[-1]).read_text("utf-8") + "# edit\n", "utf-8")
    assert inputs_digest(files, copy) != before


@pytest.mark.parametrize("change", ["manifest", "missing", "failed"])
def test_a_stale_missing_or_failed_recording_fails_the_build(project_copy: Path,  # noqa: F811
                                                             change: str) -> None:
    results = project_copy / RESULTS / "mirroring.json"
    if change == "manifest":  # the page's manifest changed after the run was recorded
        vs = project_copy / "manifests" / "istio" / "traffic" / "mirroring" / \
            "virtual-service.yaml"
        vs.write_text(vs.read_text("utf-8").replace("value: 100", "value: 50"), "utf-8")
        expected = "stale"
    elif change == "missing":
        results.unlink()
        expected = "no recorded run"
    else:
        data = json.loads(results.read_text("utf-8"))
        data["result"]["ok"] = False
        results.write_text(json.dumps(data), "utf-8")
        expected = "did not behave"
    result = build(project_copy, "Nothing here.")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "lab-results/mirroring.json" in output and expected in output
    assert "make lab-record" in output
    assert "Traceback" not in output
