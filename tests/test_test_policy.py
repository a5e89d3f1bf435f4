"""The rules tests/conftest.py sets for every run, each with a control that must fire:
a skip with CI set fails unless listed with a reason; every session gets its own empty cache;
Hypothesis has no deadline and, in CI, reproducible examples."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from deepdive.validate.compiled import cache_root

ROOT = Path(__file__).resolve().parent.parent

SKIPPING = """import pytest

def test_runs():
    pass

def test_skips():
    pytest.skip("no widget here")

@pytest.fixture
def missing():
    pytest.skip("fixture cannot be had")

def test_needs_fixture(missing):
    pass
"""


def copy_conftest_modules(folder: Path) -> None:
    """What tests/conftest.py imports from beside it."""
    shutil.copy(ROOT / "tests" / "session_cache.py", folder / "session_cache.py")


def run_pytest(folder: Path, ci: bool, allowed: str = "") -> subprocess.CompletedProcess[str]:
    """pytest over a folder holding a copy of tests/conftest.py and one test file."""
    conftest = (ROOT / "tests" / "conftest.py").read_text(encoding="utf-8")
    if allowed:
        conftest = conftest.replace("CI_ALLOWED_SKIPS: dict[str, str] = {}",
                                    f"CI_ALLOWED_SKIPS: dict[str, str] = {allowed}")
    (folder / "conftest.py").write_text(conftest, encoding="utf-8")
    copy_conftest_modules(folder)
    (folder / "test_sample.py").write_text(SKIPPING, encoding="utf-8")
    env = {key: value for key, value in os.environ.items()
           if key not in ("CI", "PYTEST_ADDOPTS", "HYPOTHESIS_PROFILE")}
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA", str(folder)],
        cwd=folder, capture_output=True, text=True, env=env, check=False,
    )


def test_without_ci_a_skip_is_a_skip(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, ci=False)
    assert result.returncode == 0, result.stdout
    assert "1 passed, 2 skipped" in result.stdout


def test_with_ci_every_skip_fails(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, ci=True)
    assert result.returncode == 1, result.stdout
    assert "1 failed, 1 passed, 1 error" in result.stdout
    assert "skipped with CI set: Skipped: no widget here" in result.stdout
    assert "skipped with CI set: Skipped: fixture cannot be had" in result.stdout


def test_with_ci_a_listed_skip_stays_a_skip(tmp_path: Path) -> None:
    allowed = "{'test_sample.py::test_skips': 'no widget exists in CI'}"
    result = run_pytest(tmp_path, ci=True, allowed=allowed)
    assert "1 passed, 1 skipped, 1 error" in result.stdout, result.stdout
    assert "fixture cannot be had" in result.stdout


def test_the_ci_list_has_a_reason_for_every_entry() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("root_conftest", ROOT / "tests" / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert all(isinstance(reason, str) and len(reason.split()) >= 3
               for reason in module.CI_ALLOWED_SKIPS.values())


def test_the_session_has_its_own_empty_cache() -> None:
    """Not ~/.cache/deepdive: whatever a run finds there was compiled by this run."""
    folder = cache_root()
    assert folder == Path(os.environ["DEEPDIVE_CACHE_DIR"])
    assert folder != Path.home() / ".cache" / "deepdive"
    assert folder.name.startswith("deepdive-test-cache-")
    assert Path(os.environ.get("TMPDIR", "/tmp")).resolve() in folder.resolve().parents


def test_two_sessions_never_share_a_cache(tmp_path: Path) -> None:
    probe = tmp_path / "test_probe.py"
    probe.write_text("import os\n\ndef test_show():\n"
                     "    print('CACHE=' + os.environ['DEEPDIVE_CACHE_DIR'])\n")
    shutil.copy(ROOT / "tests" / "conftest.py", tmp_path / "conftest.py")
    copy_conftest_modules(tmp_path)
    env = {key: value for key, value in os.environ.items()
           if key != "DEEPDIVE_TEST_SHARED_CACHE"}  # only `make mutation` shares one
    folders = []
    for _ in range(2):
        out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p",
                              "no:cacheprovider", str(probe)], cwd=tmp_path, env=env,
                             capture_output=True, text=True, check=True).stdout
        [line] = [line for line in out.splitlines() if line.startswith("CACHE=")]
        folders.append(line.removeprefix("CACHE="))
    assert folders[0] != folders[1]
    assert not any(Path(folder).exists() for folder in folders)  # removed at the end


def test_hypothesis_has_no_deadline_and_ci_is_reproducible() -> None:
    assert settings.default.deadline is None
    ci = settings.get_profile("ci")
    assert ci.deadline is None and ci.derandomize and ci.database is None
    if os.environ.get("CI") and not os.environ.get("HYPOTHESIS_PROFILE"):
        assert settings.default.derandomize


@pytest.mark.parametrize("variable", ["", "chosen"])
def test_artifacts_go_to_a_temporary_folder_unless_asked(tmp_path: Path, variable: str) -> None:
    probe = tmp_path / "test_probe.py"
    probe.write_text("def test_show(artifacts_dir):\n"
                     "    (artifacts_dir / 'report.md').write_text('x')\n"
                     "    print('ARTIFACTS=' + str(artifacts_dir))\n")
    shutil.copy(ROOT / "tests" / "conftest.py", tmp_path / "conftest.py")
    copy_conftest_modules(tmp_path)
    env = {key: value for key, value in os.environ.items() if key != "DEEPDIVE_TEST_ARTIFACTS"}
    if variable:
        env["DEEPDIVE_TEST_ARTIFACTS"] = str(tmp_path / variable)
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
                          str(probe)], cwd=tmp_path, capture_output=True, text=True, env=env,
                         check=True).stdout
    [line] = [line for line in out.splitlines() if line.startswith("ARTIFACTS=")]
    folder = Path(line.removeprefix("ARTIFACTS="))
    if variable:
        assert folder == tmp_path / variable and (folder / "report.md").is_file()
    else:
        assert tmp_path not in folder.parents and ROOT not in folder.parents
