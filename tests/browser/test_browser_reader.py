"""What a reader does on the site, in Chromium: search, copy, tabs, raw files, palette.

Diagrams: tests/browser/test_browser_diagrams.py."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from deepdive.browser import OpenPage, ServedSite, site_pages

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_MS = 15_000
MANIFEST_BLOCKS = ".highlight:has(+ p.manifest-links)"


def _html(served: ServedSite, path: str) -> str:
    return (served.root / path / "index.html").read_text("utf-8")


def _pages_containing(served: ServedSite, marker: str) -> list[str]:
    return [path for path in site_pages(served.root) if marker in _html(served, path)]


def test_search_for_headless_opens_the_services_page(site: ServedSite, open_page: OpenPage) -> None:
    page = open_page(site, "").page
    page.locator("input.md-search__input").click()
    page.keyboard.type("headless")
    services = page.locator('.md-search-result__list a[href*="kubernetes/services/"]').first
    expect(services).to_be_visible(timeout=TIMEOUT_MS)
    services.click()
    page.wait_for_url(re.compile(r"/kubernetes/services/"), timeout=TIMEOUT_MS)
    assert site.path_of(page.url) == "kubernetes/services/"
    expect(page.locator("article h1")).to_contain_text("Services")


INDEX_REQUESTED = (
    "performance.getEntriesByType('resource')"
    ".some(entry => entry.name.endsWith('search/search_index.json'))"
)


def test_search_index_is_fetched_only_once_search_is_used(
    site: ServedSite, open_page: OpenPage
) -> None:
    """A reader who only reads never downloads the site-wide search index."""
    page = open_page(site, "kubernetes/pods/").page
    # open_page returns once the network is idle: an eager request would have been made.
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.readyState") == "complete"
    assert page.evaluate(INDEX_REQUESTED) is False
    page.locator("input.md-search__input").click()
    page.keyboard.type("QoS")
    expect(page.locator(".md-search-result__list a").first).to_be_visible(timeout=TIMEOUT_MS)
    assert page.evaluate(INDEX_REQUESTED) is True


# Opens the content tabs and <details> around an element, as a reader would to see it.
REVEAL = """element => {
  for (let panel = element.closest('.tabbed-block'); panel;
       panel = panel.parentElement.closest('.tabbed-block')) {
    const index = [...panel.parentElement.children].indexOf(panel);
    panel.closest('.tabbed-set').querySelector(':scope > .tabbed-labels').children[index].click();
  }
  for (let details = element.closest('details'); details;
       details = details.parentElement.closest('details')) {
    details.open = true;
  }
}"""


def _clipboard_after_copy(page: Page, block_index: int) -> str:
    page.evaluate("navigator.clipboard.writeText('')")
    block = page.locator(MANIFEST_BLOCKS).nth(block_index)
    block.evaluate(REVEAL)
    block.hover()
    block.locator("button[data-clipboard-target]").click()
    copied = page.wait_for_function(
        "async () => (await navigator.clipboard.readText()) || null", timeout=TIMEOUT_MS
    )
    return str(copied.json_value())


def test_copy_button_on_a_manifest_copies_the_exact_file(
    site: ServedSite, fixture_site: ServedSite, open_page: OpenPage
) -> None:
    """Every manifest of the site (copied from its code block) and the fixture page's, whose
    bytes the block cannot show (copied from the base64 on its raw link)."""
    pages = [(site, ROOT, path) for path in _pages_containing(site, 'class="manifest-raw"')]
    assert pages, "no page shows a manifest"
    assert 'data-copy-base64="' in (fixture_site.root / "index.html").read_text("utf-8")
    pages.append((fixture_site, fixture_site.root.parent, ""))  # the project copy it was built from
    copied = 0
    for served, project, path in pages:
        page = open_page(served, path, wait_until="load").page
        raw_links = page.locator(f"{MANIFEST_BLOCKS} + p.manifest-links a.manifest-raw")
        for index in range(raw_links.count()):
            href = raw_links.nth(index).evaluate("a => a.href")
            expected = (project / served.path_of(href)).read_bytes()
            clipboard = _clipboard_after_copy(page, index)
            assert clipboard.encode("utf-8") == expected, f"{path}: copy of {href}"
            copied += 1
        page.context.close()
    assert copied > 0


def test_raw_file_link_serves_the_manifest(site: ServedSite, open_page: OpenPage) -> None:
    path = _pages_containing(site, 'class="manifest-raw"')[0]
    page = open_page(site, path).page
    link = page.locator("a.manifest-raw").first
    href = link.evaluate("a => a.href")
    with page.expect_navigation():
        link.click()
    assert page.url == href
    expected = (ROOT / site.path_of(href)).read_text("utf-8")
    assert page.locator("body").inner_text() == expected
    response = page.request.get(href)
    assert response.ok
    assert response.body() == (ROOT / site.path_of(href)).read_bytes()


def _check_tabs_switch(page: Page) -> int:
    """Click the second label of every tab set; its panel shows and the first one hides."""
    tab_sets = page.locator(".tabbed-set")
    for index in range(tab_sets.count()):
        tab_set = tab_sets.nth(index)
        labels = tab_set.locator(":scope > .tabbed-labels > label")
        panels = tab_set.locator(":scope > .tabbed-content > .tabbed-block")
        assert labels.count() >= 2 and panels.count() == labels.count()
        expect(panels.nth(0)).to_be_visible()
        expect(panels.nth(1)).to_be_hidden()
        labels.nth(1).click()
        expect(panels.nth(1)).to_be_visible()
        expect(panels.nth(0)).to_be_hidden()
        labels.nth(0).click()
        expect(panels.nth(0)).to_be_visible()
    return tab_sets.count()


def test_content_tabs_switch(
    site: ServedSite, fixture_site: ServedSite, open_page: OpenPage
) -> None:
    """Every tab set of the site, plus the fixture page's (so the test never runs empty)."""
    targets = [(site, path) for path in _pages_containing(site, 'class="tabbed-set')]
    targets.append((fixture_site, ""))
    for served, path in targets:
        page = open_page(served, path).page
        assert _check_tabs_switch(page) > 0, f"{path}: no tab set found"
        page.context.close()


def _scheme_and_background(page: Page) -> tuple[str, str]:
    return page.evaluate(
        "[document.body.getAttribute('data-md-color-scheme'),"
        " getComputedStyle(document.body).backgroundColor]"
    )


def test_light_dark_toggle_switches_the_palette(site: ServedSite, open_page: OpenPage) -> None:
    page = open_page(site, "", color_scheme="light").page
    toggle = page.locator('[data-md-component="palette"] label:not([hidden])')
    light = _scheme_and_background(page)
    assert light[0] == "default"
    toggle.click()
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
    dark = _scheme_and_background(page)
    assert dark[1] != light[1], "the background did not change"
    page.reload()
    assert _scheme_and_background(page) == dark, "the choice is not remembered"
    toggle.click()
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "default")
    assert _scheme_and_background(page) == light
