"""Every page, opened in Chromium: no console error, no failed load, nothing off 127.0.0.1."""

from __future__ import annotations

from deepdive.browser import OpenPage, ServedSite, site_pages


def _problems_per_page(served: ServedSite, open_page: OpenPage) -> dict[str, list[str]]:
    problems = {}
    for path in site_pages(served.root):
        opened = open_page(served, path)
        if found := opened.watch.problems():
            problems[path or "/"] = found
        opened.page.context.close()
    return problems


def test_every_page_loads_cleanly_and_only_from_the_site(
    site: ServedSite, open_page: OpenPage
) -> None:
    assert len(site_pages(site.root)) > 1
    assert _problems_per_page(site, open_page) == {}


def test_a_page_with_a_diagram_and_tabs_loads_cleanly_and_only_from_the_site(
    fixture_site: ServedSite, open_page: OpenPage
) -> None:
    """The diagram is already SVG in the page: no diagram engine is fetched, from the site or
    from unpkg.com (where Material would fetch Mermaid for a fence left to the browser)."""
    opened = open_page(fixture_site, "")
    page = opened.page
    assert opened.watch.problems() == []
    assert page.locator("figure.deepdive-diagram svg").count() == 1
    scripts = page.evaluate(
        "performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => /\\.m?js(\\?|$)/.test(n))"
    )
    assert scripts and all(url.startswith(fixture_site.base_url) for url in scripts), scripts
    assert not [url for url in scripts if "mermaid" in url.lower()], scripts
    assert page.evaluate("typeof window.mermaid") == "undefined"
