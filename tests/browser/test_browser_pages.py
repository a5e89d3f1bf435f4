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
    """Mermaid comes from the site itself, never from unpkg.com as Material would fetch it."""
    opened = open_page(fixture_site, "")
    page = opened.page
    page.wait_for_function("document.querySelector('script[src*=\"mermaid\"]')")
    page.wait_for_load_state("networkidle")
    assert opened.watch.problems() == []
    mermaid_src = page.evaluate("document.querySelector('script[src*=\"mermaid\"]').src")
    assert mermaid_src.startswith(fixture_site.base_url)
    assert page.evaluate("typeof mermaid.mermaidAPI") == "object", "the real engine is loaded"
