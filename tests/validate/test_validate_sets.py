"""Example sets: a folder plus the dependencies its example-set.txt declares."""

from __future__ import annotations

from pathlib import Path

from deepdive.validate.engine import Validator

SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - {name: http, port: 80, targetPort: 8080}
"""
POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
    - name: web
      image: registry.k8s.io/pause:3.10
      ports: [{containerPort: 8080}]
"""


def test_a_service_finds_pods_only_through_a_declared_dependency(
    tmp_path: Path, validator: Validator
) -> None:
    (tmp_path / "apps").mkdir()
    (tmp_path / "apps" / "pod.yaml").write_text(POD)
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "web.yaml").write_text(SERVICE)
    alone = validator.run([tmp_path / "services"])
    assert [f.rule for f in alone.findings] == ["service-selects-nothing"]
    (tmp_path / "services" / "example-set.txt").write_text("# pods live elsewhere\n../apps\n")
    assert validator.run([tmp_path / "services"]).findings == []


def test_dependencies_give_context_but_are_not_reported(
    tmp_path: Path, validator: Validator
) -> None:
    (tmp_path / "apps").mkdir()
    (tmp_path / "apps" / "pod.yaml").write_text(POD.replace("pause:3.10", "pause"))
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "web.yaml").write_text(SERVICE)
    (tmp_path / "services" / "example-set.txt").write_text("../apps/pod.yaml\n")
    assert validator.run([tmp_path / "services"]).findings == []  # the bare image is not ours
    both = validator.run([tmp_path])
    assert [f.rule for f in both.findings] == ["image-unpinned"]


def test_missing_dependency_is_reported(tmp_path: Path, validator: Validator) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    (tmp_path / "example-set.txt").write_text("\n../nowhere  # gone\n")
    [finding] = validator.run([tmp_path]).findings
    assert (finding.rule, finding.line) == ("set-dependency-missing", 2)
    assert finding.file.endswith("example-set.txt") and "../nowhere" in finding.message


def test_subfolders_are_separate_sets(tmp_path: Path, validator: Validator) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "web.yaml").write_text(SERVICE)
    assert [f.rule for f in validator.run([tmp_path]).findings] == ["service-selects-nothing"]


def test_a_dependency_folder_that_cannot_be_listed_is_reported(
    tmp_path: Path, validator: Validator, monkeypatch
) -> None:
    import os

    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "web.yaml").write_text(SERVICE)
    (tmp_path / "app" / "example-set.txt").write_text("# pods\n../pods\n")
    (tmp_path / "pods").mkdir()
    real_scandir = os.scandir

    def scandir(path=".", *args, **kwargs):  # root reads any folder: refuse one by hand
        if os.fspath(path) == str(tmp_path / "pods"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    found = [(f.rule, f.line, f.message) for f in validator.run([tmp_path / "app"]).findings]
    assert ("set-dependency-missing", 2, "../pods cannot be listed: Permission denied") in found
