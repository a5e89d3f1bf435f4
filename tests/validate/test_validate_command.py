"""`deepdive validate` as a reader runs it: lines, summary, JSON, exit codes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from deepdive.cli import main

LINE = re.compile(
    r"^(?P<file>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning) "
    r"(?P<rule>[a-z0-9-]+)(?: (?P<resource>\S+/\S+))?(?: (?P<field>\S+))?: (?P<message>.+)$"
)
BAD = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replica: 2
"""


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_clean_folder_exits_zero_with_a_summary(tmp_path: Path, capsys) -> None:
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n")
    code, out, _ = run(["validate", str(tmp_path)], capsys)
    assert code == 0
    assert re.fullmatch(
        r"1 files, 1 resources, Kubernetes 1\.35, 1\.36, 1\.37: 0 errors, 0 warnings, "
        r"0 exceptions, \d+\.\d\ds\n", out)


def test_errors_exit_one_with_one_line_each(tmp_path: Path, capsys) -> None:
    (tmp_path / "d.yaml").write_text(BAD)
    code, out, _ = run(["validate", "--kube-version", "1.37", str(tmp_path / "d.yaml")], capsys)
    assert code == 1
    *lines, summary = out.splitlines()
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    unknown = next(m for m in parsed if m and m["rule"] == "schema-unknown-field")
    replica = BAD.splitlines().index("  replica: 2") + 1
    assert (unknown["line"], unknown["column"], unknown["resource"], unknown["field"]) == (
        str(replica), "3", "Deployment/web", "spec.replica")
    assert "Kubernetes 1.37: 3 errors" in summary


def test_json_output(tmp_path: Path, capsys) -> None:
    (tmp_path / "d.yaml").write_text(BAD)
    code, out, _ = run(["validate", "--format", "json", str(tmp_path)], capsys)
    payload = json.loads(out)
    assert code == 1 and payload["summary"]["errors"] == 3
    assert payload["summary"]["kubernetes_versions"] == ["1.35", "1.36", "1.37"]
    spec, replica = (BAD.splitlines().index(line) + 1 for line in ("spec:", "  replica: 2"))
    assert sorted((f["line"], f["rule"], f["severity"]) for f in payload["findings"]) == [
        (spec, "schema-violation", "error"),  # spec: lacks selector
        (spec, "schema-violation", "error"),  # ... and template
        (replica, "schema-unknown-field", "error"),
    ]


def test_missing_path_is_one_line(tmp_path: Path, capsys) -> None:
    code, out, err = run(["validate", str(tmp_path / "nope")], capsys)
    assert code == 1 and err == ""
    expected = f"{tmp_path / 'nope'}:1:1: error path-not-found: no such file or directory"
    assert out.splitlines()[0] == expected


def test_usage_errors_exit_two(capsys) -> None:
    code, _, err = run(["validate", "--kube-version", "1.12"], capsys)
    assert code == 2 and "1.12" in err
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", "--format", "xml"])
    assert exit_info.value.code == 2


def test_default_path_is_manifests_and_the_command_is_installed() -> None:
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-m", "deepdive.cli", "validate"], cwd=root, capture_output=True,
        text=True, env={**os.environ}, check=False)
    assert "Traceback" not in result.stderr
    last = result.stdout.splitlines()[-1]
    files = len([p for p in (root / "manifests").rglob("*") if p.suffix in (".yaml", ".yml")])
    assert last.startswith(f"{files} files, ")


def test_a_newline_in_a_key_or_file_name_keeps_each_finding_on_one_line(
    tmp_path: Path, capsys
) -> None:
    cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  "x\\ny\\u2028z": 1\n'
    (tmp_path / "odd\nname.yaml").write_text(cm)
    code, out, _ = run(["validate", str(tmp_path)], capsys)
    *lines, _summary = out.splitlines()
    assert code == 1 and len(lines) == 1
    assert lines[0].endswith('metadata.x\\ny\\u2028z: unknown field "x\\ny\\u2028z"')
    assert "odd\\nname.yaml:5:3:" in lines[0]
