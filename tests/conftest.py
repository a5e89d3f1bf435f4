"""Shared fixtures: the project's folders and one strict build of the site per test run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MANIFESTS = ROOT / "manifests"
DOCS = ROOT / "docs"

# Tests run offline: the CRDs come from ../shared/schemas when DEEPDIVE_SCHEMA_DIR is unset
# (as .ci/run does), and nothing may download them (tests that need them skip instead).
if not os.environ.get("DEEPDIVE_SCHEMA_DIR") and (ROOT.parent / "shared" / "schemas").is_dir():
    os.environ["DEEPDIVE_SCHEMA_DIR"] = str(ROOT.parent / "shared" / "schemas")
os.environ.setdefault("DEEPDIVE_OFFLINE", "1")


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
