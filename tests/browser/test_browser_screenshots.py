"""Screenshots for review, two pages in two palettes: in the session's artifacts folder
(DEEPDIVE_TEST_ARTIFACTS=test-artifacts keeps them in test-artifacts/screenshots/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepdive.browser import OpenPage, ServedSite, site_pages

PREFERRED_MANIFEST_PAGE = "kubernetes/pods/"
SCHEMES = {"light": "default", "dark": "slate"}  # browser preference -> Material's scheme


def _manifest_page(served: ServedSite) -> str:
    pages = [
        path
        for path in site_pages(served.root)
        if 'class="manifest-raw"' in (served.root / path / "index.html").read_text("utf-8")
    ]
    assert pages, "no page shows a manifest"
    return PREFERRED_MANIFEST_PAGE if PREFERRED_MANIFEST_PAGE in pages else pages[0]


@pytest.mark.parametrize("which", ["home", "manifest"])
def test_screenshots_in_both_palettes(which: str, site: ServedSite, open_page: OpenPage,
                                      artifacts_dir: Path) -> None:
    path = "" if which == "home" else _manifest_page(site)
    screenshots = artifacts_dir / "screenshots"
    screenshots.mkdir(parents=True, exist_ok=True)
    shots = {}
    for preference, scheme in SCHEMES.items():
        page = open_page(site, path, color_scheme=preference).page
        assert page.get_attribute("body", "data-md-color-scheme") == scheme
        target = screenshots / f"{which}-{preference}.png"
        page.screenshot(path=str(target), full_page=True)
        shots[preference] = target.read_bytes()
        page.context.close()
    assert shots["light"] != shots["dark"]
