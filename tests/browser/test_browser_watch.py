"""Controls for the page checker every browser test relies on (deepdive.browser.PageWatch):
a page that breaks each promise must be reported, and a clean page must not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from deepdive.browser import OpenPage, ServedSite, serve_site

CLEAN = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>clean</title>
</head><body><p>Nothing to see.</p><img src="dot.svg" alt="dot"></body></html>
"""
BROKEN = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>broken</title>
</head><body>
<img src="https://cdn.example.com/logo.png" alt="logo">
<img src="missing.png" alt="missing">
<script>console.error("widget failed to start"); undefinedFunction();</script>
</body></html>
"""
DOT = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>'


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    root = tmp_path_factory.mktemp("watched")
    (root / "clean").mkdir()
    (root / "clean" / "index.html").write_text(CLEAN)
    (root / "clean" / "dot.svg").write_text(DOT)
    (root / "broken").mkdir()
    (root / "broken" / "index.html").write_text(BROKEN)
    with serve_site(root) as served:
        yield served


def test_a_clean_page_has_no_problems(pages: ServedSite, open_page: OpenPage) -> None:
    assert open_page(pages, "clean/").watch.problems() == []


def test_each_broken_promise_is_a_problem(pages: ServedSite, open_page: OpenPage) -> None:
    problems = open_page(pages, "broken/").watch.problems()
    assert "request leaving 127.0.0.1: https://cdn.example.com/logo.png" in problems
    assert "console error: widget failed to start" in problems
    assert any(p.startswith("console error: uncaught: ") and "undefinedFunction" in p
               for p in problems), problems
    assert f"failed load: 404 {pages.url('broken/missing.png')}" in problems


def test_the_outside_request_never_left_the_machine(pages: ServedSite,
                                                     open_page: OpenPage) -> None:
    opened = open_page(pages, "broken/")
    loaded = opened.page.evaluate(
        "[...document.images].filter(i => i.complete && i.naturalWidth > 0).length")
    assert loaded == 0  # the CDN image was refused, not fetched
    assert opened.watch.outside.urls == ["https://cdn.example.com/logo.png"]

