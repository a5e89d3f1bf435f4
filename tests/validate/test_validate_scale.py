"""Large inputs: a big plain file is validated in bounded memory, findings keep their exact
line and column after the engine has dropped the parsed documents, bombs are still refused.
Each test writes the small (or generated) manifests it needs."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from test_validate_properties import rule_kinds, shaped

from deepdive.validate import engine
from deepdive.validate.compact import compact
from deepdive.validate.engine import Validator
from deepdive.validate.rules import CHECKS, SetContext
from deepdive.validate.rules.context import is_per_resource
from deepdive.validate.sets import example_set
from deepdive.validate.yamlcheck import MAX_FILE_BYTES, check_file

ROOT = Path(__file__).resolve().parents[2]

APP = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
spec:
  selector:
    matchLabels: {{app: app-{i}}}
  template:
    metadata:
      labels: {{app: app-{i}}}
    spec:
      containers:
        - name: app
          image: registry.k8s.io/pause:3.10
          ports: [{{name: http, containerPort: 8080}}]
---
apiVersion: v1
kind: Service
metadata:
  name: app-{i}
spec:
  selector: {{app: app-{i}}}
  ports: [{{name: http, port: 80, targetPort: http}}]
"""
APP_LINES = APP.count("\n")


def apps(count: int, start: int = 0) -> str:
    return "---\n".join(APP.format(i=i) for i in range(start, start + count))


def found(report: engine.Report) -> list[tuple[str, int, int]]:
    return [(f.rule, f.line, f.column) for f in report.findings]


def test_a_file_over_the_old_2_mib_limit_is_validated_to_its_last_line(
        validator: Validator, tmp_path: Path) -> None:
    """kubeconform validates one file of 100,000 resources; 2 MiB is no longer a limit.
    A Service at the end selecting nothing is found at its own line."""
    count = 5000  # pairs: about 2.3 MB
    text = apps(count) + "---\n" + APP.format(i="last").replace(
        "  selector: {app: app-last}", "  selector: {app: nobody}")
    assert 2 * 1024 * 1024 < len(text) < MAX_FILE_BYTES
    (tmp_path / "big.yaml").write_text(text)
    report = validator.run([tmp_path / "big.yaml"])
    service_line = count * (APP_LINES + 1) + APP_LINES - 1
    assert found(report) == [("service-selects-nothing", service_line, 3)]
    assert report.resources == 2 * count + 2


def test_a_bomb_in_a_large_file_is_one_finding_naming_file_and_line(
        validator: Validator, tmp_path: Path) -> None:
    bomb = ('a: &a ["x","x","x","x","x","x","x","x","x","x"]\n'
            + "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n"
                      for p, c in zip("abcdef", "bcdefg", strict=True)))
    text = apps(50) + "---\n" + bomb + "---\n" + apps(1, start=50)
    (tmp_path / "mixed.yaml").write_text(text)
    report = validator.run([tmp_path])
    bomb_line = 50 * (APP_LINES + 1) + 1
    [finding] = report.findings
    assert (finding.rule, finding.line) == ("yaml-alias-bomb", bomb_line)
    assert finding.file.endswith("mixed.yaml") and "\n" not in finding.message
    assert report.resources == 102  # the documents around it are still checked


def test_deep_nesting_in_a_large_file_is_one_finding(validator: Validator,
                                                     tmp_path: Path) -> None:
    text = apps(20) + "---\nkey: " + "[" * 3000 + "]" * 3000 + "\n"
    (tmp_path / "deep.yaml").write_text(text)
    [finding] = validator.run([tmp_path]).findings
    assert finding.rule == "yaml-syntax" and finding.line == 20 * (APP_LINES + 1) + 1
    assert "nesting" in finding.message


def test_a_syntax_error_late_in_a_file_drops_what_came_before(validator: Validator,
                                                              tmp_path: Path) -> None:
    """kubectl applies nothing of a file it cannot parse: the early documents are read (and
    checked) before the error is reached, but only the error is reported."""
    text = apps(300).replace("image: registry.k8s.io/pause:3.10", "image: pause", 1) \
        + "---\nbroken: [\n"
    (tmp_path / "late.yaml").write_text(text)
    report = validator.run([tmp_path])
    assert [f.rule for f in report.findings] == ["yaml-syntax"]
    assert report.resources == 0


def test_per_resource_findings_keep_positions_across_chunks(validator: Validator,
                                                            tmp_path: Path) -> None:
    """Per-resource rules run on chunks of engine.CHUNK resources while the file is read."""
    pairs = engine.CHUNK + 10
    text = apps(pairs)
    lines = text.split("\n")
    target = (pairs - 3) * (APP_LINES + 1) + 13  # the image line of a late Deployment
    assert lines[target].endswith("pause:3.10")
    lines[target] = lines[target].replace("pause:3.10", "pause:latest")
    (tmp_path / "chunks.yaml").write_text("\n".join(lines))
    assert found(validator.run([tmp_path])) == [("image-unpinned", target + 1, 11)]


def test_cross_reference_positions_survive_compaction(validator: Validator,
                                                      tmp_path: Path) -> None:
    """Cross-reference findings come from resources whose parse was dropped: the document is
    parsed again for the position, in a List, after non-ASCII text, and in a file that the
    slower go-yaml escape reader had to read."""
    listed = ("apiVersion: v1\nkind: List\nitems:\n"
              "  - apiVersion: v1\n    kind: Service\n    metadata: {name: a, annotations: "
              "{note: \"é \\' ü\"}}\n    spec: {selector: {app: none}, ports: [{port: 80}]}\n")
    (tmp_path / "list.yaml").write_text(apps(2) + "---\n" + listed)
    first_item = 2 * (APP_LINES + 1) + 7
    assert found(validator.run([tmp_path])) == [("service-selects-nothing", first_item, 12)]


def test_json_positions_survive_compaction(validator: Validator, tmp_path: Path) -> None:
    text = ('{\n\t"apiVersion": "v1",\n\t"kind": "Service",\n\t"metadata": {"name": "s"},\n'
            '\t"spec": {"selector": {"app": "x"}, "ports": [{"port": 80}]}\n}\n')
    (tmp_path / "s.json").write_text(text)
    assert found(validator.run([tmp_path])) == [("service-selects-nothing", 5, 11)]


def _cross(resources: list) -> set[tuple[str, str, int, int, str]]:
    context = SetContext(members=resources, resources=resources)
    return {(f.rule, f.file, f.line, f.column, f.message) for check in CHECKS
            if not is_per_resource(check) for f in check(context)}


@pytest.mark.usefixtures("crds_available")
@pytest.mark.parametrize("root", ["manifests", "tests/corpus"])
def test_compact_resources_give_the_cross_reference_rules_what_they_read(root: str) -> None:
    """compact.py keeps only the fields the cross-reference rules read: over every example
    set of the site and of the test corpus, the rules find the same on both forms."""
    folders = sorted({path.parent for path in (ROOT / root).rglob("*.yaml")})
    compared = 0
    for folder in folders:
        files = example_set(folder, str(folder)).files
        full = [r for file in files for r in check_file(file).resources]
        assert _cross(full) == _cross([compact(r) for r in full]), folder
        compared += len(full)
    assert compared > 50


def test_every_check_is_classified() -> None:
    """The engine runs apiserver* checks and @per_resource ones file by file, the others
    once per example set."""
    names = {check.__name__: is_per_resource(check) for check in CHECKS
             if check.__module__.endswith((".kubernetes", ".istio"))}
    assert names["check_images"] and names["check_probes"] and names["check_selectors"]
    assert not names["check_services"] and not names["check_destinations"]
    assert all(is_per_resource(check) for check in CHECKS if ".apiserver" in check.__module__)


PEAK = """
import re, sys
from pathlib import Path
from deepdive.validate.engine import Validator
report = Validator(["1.37"]).run([Path(sys.argv[1])])
assert report.errors == 0, report.findings[:3]
status = Path("/proc/self/status").read_text()
print(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_memory_grows_with_the_index_not_with_parsed_documents(tmp_path: Path) -> None:
    """A parsed document with its node tree costs about 15 KB; what the engine keeps per
    resource until its set is checked is a tenth of that. Measured as the peak RSS of a
    fresh process (VmHWM: its own, not inherited from this one) at two sizes."""
    def peak(pairs: int) -> int:
        folder = tmp_path / str(pairs)
        folder.mkdir()
        (folder / "apps.yaml").write_text(apps(pairs))
        result = subprocess.run([sys.executable, "-c", PEAK, str(folder)], cwd=ROOT,
                                capture_output=True, text=True, check=True)
        return int(result.stdout.split()[-1]) * 1024

    small, large = peak(500), peak(4500)
    per_resource = (large - small) / 8000
    assert per_resource < 4000, f"{per_resource:.0f} bytes of peak RSS per resource"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_positions_count_lines_as_libyaml_does(validator: Validator, tmp_path: Path,
                                               newline: str) -> None:
    """A line separator (U+2028) inside a quoted string starts a new line for libyaml, and
    so does every kind of newline: the lines found again for a finding must agree."""
    first = ('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n'
             'data: {note: "one\u2028two"}\n')
    service = ("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"
               "spec:\n  selector: {app: none}\n  ports: [{port: 80}]\n")
    text = (first + "---\n" + service).replace("\n", newline)
    (tmp_path / "lines.yaml").write_bytes(text.encode())
    assert found(validator.run([tmp_path])) == [("service-selects-nothing", 11, 3)]


@pytest.mark.usefixtures("crds_available")
@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(rule_kinds, shaped, st.sampled_from(["web", "db", "reviews"])),
                min_size=1, max_size=5))
def test_compact_resources_agree_on_any_rule_shaped_input(documents: list) -> None:
    """The same, on generated resources built from the field names the rules read."""
    payload = [{"apiVersion": api, "kind": kind,
                "metadata": {"name": name, "labels": {"app": name}}, "spec": spec}
               for (api, kind), spec, name in documents]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input.yaml"
        path.write_text(yaml.safe_dump_all(payload))
        full = check_file(path).resources
        assert _cross(full) == _cross([compact(r) for r in full])
