"""Recorded lab runs for the pages: what a real run on Envoy observed, with a digest of what
produced it, so that a page can never show the result of other manifests or another
translator.

`deepdive lab --record DIR` writes one file per lab; the page macro `lab(name)` reads it
back and fails the build when the file is missing or its digest no longer matches the lab's
manifest files and the lab package's code.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deepdive.paths import project_root

RESULTS = "lab-results"
LAB_PACKAGE = Path(__file__).resolve().parent / "lab"
# Code outside the package that shapes what a lab generates: Istio's defaults table.
LAB_INPUTS = (Path(__file__).resolve().parent / "facts" / "istio_defaults.py",)


class LabResultError(Exception):
    """A page asks for a lab result that is missing, unreadable or stale."""


def inputs_digest(manifest_files: list[str], manifests_root: Path) -> str:
    """sha256 over the lab's manifest files, every module of the lab package (translator,
    workloads, traffic, checks) and Istio's defaults table: change any of them and the
    recorded result is stale."""
    digest = hashlib.sha256()
    sources = [(f"manifests/{name}", manifests_root / name) for name in sorted(manifest_files)]
    sources += [(f"lab/{path.name}", path) for path in sorted(LAB_PACKAGE.glob("*.py"))]
    sources += [(f"{path.parent.name}/{path.name}", path) for path in LAB_INPUTS]
    for label, path in sources:
        data = path.read_bytes()
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


@dataclass(frozen=True)
class RecordedLab:
    name: str
    digest: str
    recorded_at: str
    envoy_version: str
    result: dict[str, Any]  # one lab of `deepdive lab --json`

    @property
    def scenarios(self) -> list[dict[str, Any]]:
        return list(self.result.get("scenarios", []))

    def scenario(self, name: str) -> dict[str, Any]:
        for scenario in self.scenarios:
            if scenario.get("scenario") == name:
                return scenario
        raise LabResultError(f"lab {self.name} recorded no scenario {name!r}")


def results_file(name: str, root: Path | None = None) -> Path:
    return (root or project_root()) / RESULTS / f"{name}.json"


def write_recorded(recorded: RecordedLab, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{recorded.name}.json"
    data = {"lab": recorded.name, "digest": recorded.digest,
            "recorded_at": recorded.recorded_at, "envoy_version": recorded.envoy_version,
            "result": recorded.result}
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read_recorded(name: str, expected_digest: str, root: Path | None = None) -> RecordedLab:
    """The recorded run of a lab, checked against the digest of its current inputs."""
    path = results_file(name, root)
    shown = f"{RESULTS}/{name}.json"
    again = f"run `make lab-record` (or `deepdive lab {name} --record {RESULTS}`)"
    if not path.is_file():
        raise LabResultError(f"{shown}: no recorded run of lab {name}; {again}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        recorded = RecordedLab(name=str(data["lab"]), digest=str(data["digest"]),
                               recorded_at=str(data["recorded_at"]),
                               envoy_version=str(data["envoy_version"]),
                               result=dict(data["result"]))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise LabResultError(f"{shown}: unreadable ({error}); {again}") from None
    if recorded.name != name:
        raise LabResultError(f"{shown}: records lab {recorded.name!r}, not {name!r}; {again}")
    if recorded.digest != expected_digest:
        raise LabResultError(f"{shown}: stale, its manifests or the lab code changed since "
                             f"it was recorded; {again}")
    if not recorded.result.get("ok"):
        raise LabResultError(f"{shown}: the recorded run did not behave as the manifests "
                             f"declare; fix it, then {again}")
    return recorded
