"""Shared fixtures and the rules every test run follows.

- one strict build of the site per run (`built_site`);
- a fresh, empty cache folder per session (DEEPDIVE_CACHE_DIR, which the package honours), so
  no schema compiled or diagram drawn by an earlier run (or by other code) can hide a change;
- Hypothesis profiles: "ci" (no deadline, derandomized, no example database) when CI is set,
  "dev" (no deadline) otherwise; HYPOTHESIS_PROFILE picks another;
- files a test leaves for people to look at (screenshots, reports) go to `artifacts_dir`: a
  temporary folder, or the folder DEEPDIVE_TEST_ARTIFACTS names (opt-in, e.g. test-artifacts);
- with CI set, a skipped test is a failure unless CI_ALLOWED_SKIPS lists it with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Generator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

from session_cache import SHARED_CACHE_VARIABLE, session_cache_folder

ROOT = Path(__file__).resolve().parent.parent
MANIFESTS = ROOT / "manifests"
DOCS = ROOT / "docs"

# Tests run offline: the CRDs come from ../shared/schemas when DEEPDIVE_SCHEMA_DIR is unset
# (as .ci/run does), and nothing may download them (tests that need them skip instead).
if not os.environ.get("DEEPDIVE_SCHEMA_DIR") and (ROOT.parent / "shared" / "schemas").is_dir():
    os.environ["DEEPDIVE_SCHEMA_DIR"] = str(ROOT.parent / "shared" / "schemas")
os.environ.setdefault("DEEPDIVE_OFFLINE", "1")

ARTIFACTS_VARIABLE = "DEEPDIVE_TEST_ARTIFACTS"

# Test ids (or a prefix of them, e.g. a file) that may skip with CI set, each with the reason.
# Empty: in CI every test runs. Add an entry only with a reason a reviewer accepts, and say it
# in the README too.
CI_ALLOWED_SKIPS: dict[str, str] = {}

# No wall-clock deadline anywhere (a slow CI machine is not a bug). In CI the examples are
# derived from each test's name, so a run is reproducible and never flaky between reruns.
# Hypothesis's example database, which replays failures, lives with the opt-in artifacts.
_EXAMPLES = os.environ.get(ARTIFACTS_VARIABLE)
settings.register_profile(
    "dev", deadline=None, suppress_health_check=[HealthCheck.too_slow],
    database=DirectoryBasedExampleDatabase(str(Path(_EXAMPLES) / "hypothesis")) if _EXAMPLES
    else None,
)
settings.register_profile(
    "ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True,
    database=None, print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE")
                      or ("ci" if os.environ.get("CI") else "dev"))


def pytest_configure(config: pytest.Config) -> None:
    """A fresh cache folder for this session (restored in pytest_unconfigure)."""
    folder = session_cache_folder()
    config.stash[_CACHE_KEY] = (folder, os.environ.get("DEEPDIVE_CACHE_DIR"))
    os.environ["DEEPDIVE_CACHE_DIR"] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    folder, before = config.stash.get(_CACHE_KEY, (None, None))
    if folder is None:
        return
    if folder != os.environ.get(SHARED_CACHE_VARIABLE):
        shutil.rmtree(folder, ignore_errors=True)
    if before is None:
        os.environ.pop("DEEPDIVE_CACHE_DIR", None)
    else:
        os.environ["DEEPDIVE_CACHE_DIR"] = before


_CACHE_KEY = pytest.StashKey[tuple[str, str | None]]()


def allowed_skip(nodeid: str) -> str | None:
    """The reason CI_ALLOWED_SKIPS gives for skipping this test in CI, if any."""
    return next((reason for prefix, reason in CI_ALLOWED_SKIPS.items()
                 if nodeid == prefix or nodeid.startswith((f"{prefix}::", f"{prefix}["))),
                None)


def _fail_skip_in_ci(report: pytest.TestReport | pytest.CollectReport) -> None:
    if not os.environ.get("CI") or not report.skipped or hasattr(report, "wasxfail"):
        return
    if allowed_skip(report.nodeid) is not None:
        return
    reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = (f"skipped with CI set: {reason}\n(a test may skip in CI only when "
                       "tests/conftest.py CI_ALLOWED_SKIPS lists it with the reason)")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    _fail_skip_in_ci(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    report = yield
    _fail_skip_in_ci(report)
    return report


@pytest.fixture(scope="session")
def artifacts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where a test leaves files for people: DEEPDIVE_TEST_ARTIFACTS if set, else a temporary
    folder (never the checkout unless asked: `DEEPDIVE_TEST_ARTIFACTS=test-artifacts`)."""
    chosen = os.environ.get(ARTIFACTS_VARIABLE)
    if chosen:
        folder = Path(chosen).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("artifacts")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built with `mkdocs build --strict`, once for the whole run."""
    site = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, f"strict build failed:\n{result.stderr[-4000:]}"
    return site
