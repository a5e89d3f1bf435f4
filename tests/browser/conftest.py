"""Browser fixtures: the built site on 127.0.0.1, opened in Debian's Chromium.

The browser tests skip (with the reason) only where no Chromium is installed and
the CI variable is unset; in CI a missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from deepdive.browser import (
    CHROMIUM,
    OpenedPage,
    OpenPage,
    ServedSite,
    block_outside_requests,
    chromium_available,
    launch_chromium,
    serve_site,
    watch_page,
)

ROOT = Path(__file__).resolve().parents[2]
VIEWPORT = {"width": 1280, "height": 900}
# Appended to the home page of a throwaway copy of the project, so tabs and
# diagrams are exercised even while no page of the real site has them.
FIXTURE_PAGE_EXTRA = """

## Browser fixture

=== "First tab"

    The first panel.

=== "Second tab"

    The second panel.

```mermaid
graph LR
  client[Client] --> service[Service] --> pod[Pod]
```

{{ manifest("fixture/copy-exact.yaml", facts=False, apply=False) }}
"""
# A manifest whose code block cannot show its exact bytes (a tab, a trailing blank
# line): the copy button must still copy the file (embed.py puts it on the raw link).
FIXTURE_MANIFEST = (
    "# the fixture page's manifest:\tit ends with a blank line\n"
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: copy-exact\ndata:\n  key: value\n\n"
)
COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "site", "test-artifacts", ".*_cache", "__pycache__",
    ".hypothesis", ".cache", "*.egg-info",
)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not chromium_available():
        reason = (
            f"no Chromium at {CHROMIUM}: install Debian's `chromium` package "
            "(apt-get install chromium) to run the browser tests"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, so the browser tests may not be skipped")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = launch_chromium(playwright)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def site(built_site: Path) -> Iterator[ServedSite]:
    """The strictly built site, served on 127.0.0.1."""
    with serve_site(built_site) as served:
        yield served


def _build(project: Path, site_dir: Path) -> None:
    """Build without --strict: the real build (built_site) judges the content; this one
    only has to exercise the theme, so another page's broken link must not stop it."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(site_dir)],
        cwd=project, capture_output=True, text=True, env=env, check=False,
    )
    assert result.returncode == 0, f"fixture build failed:\n{result.stderr[-4000:]}"


def copy_project(project: Path) -> Path:
    """A throwaway copy of the project (node_modules linked, not copied)."""
    shutil.copytree(ROOT, project, ignore=COPY_IGNORE, symlinks=True)
    if (ROOT / "node_modules").is_dir():
        (project / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
    return project


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """A copy of the project whose home page also has content tabs and a Mermaid diagram."""
    project = copy_project(tmp_path_factory.mktemp("fixture-project") / "project")
    home = project / "docs" / "index.md"
    home.write_text(home.read_text(encoding="utf-8") + FIXTURE_PAGE_EXTRA, encoding="utf-8")
    (project / "manifests" / "fixture").mkdir()
    (project / "manifests" / "fixture" / "copy-exact.yaml").write_text(FIXTURE_MANIFEST)
    site_dir = project / "site"
    _build(project, site_dir)
    with serve_site(site_dir) as served:
        yield served


@pytest.fixture
def open_page(browser: Browser) -> Iterator[OpenPage]:
    """Open a site path in a fresh browser context (light or dark), watching for problems."""
    contexts = []

    def opener(
        served: ServedSite,
        path: str,
        color_scheme: str = "light",
        init_script: str = "",
        wait_until: str = "networkidle",
    ) -> OpenedPage:
        context = browser.new_context(
            viewport=VIEWPORT,
            color_scheme=color_scheme,
            permissions=["clipboard-read", "clipboard-write"],
        )
        contexts.append(context)
        outside = block_outside_requests(context)
        if init_script:
            context.add_init_script(init_script)
        page = context.new_page()
        watch = watch_page(page, outside)
        page.goto(served.url(path), wait_until=wait_until)
        return OpenedPage(page=page, watch=watch)

    yield opener
    for context in contexts:
        context.close()
