"""Diagrams in Chromium: inline SVG drawn at build time, legible, themed, and no engine loaded.

Every ```mermaid fence of every page (and of the fixture page, so the test never runs
empty) is checked in both palettes at 1280 and 390 px: it is an SVG in the page with a
text alternative, its smallest text is drawn at least as large as the page's code text,
a diagram wider than the page scrolls inside its figure (the page itself does not),
its text takes the palette's colour, and nothing on the page is a diagram engine. The
last test shows each check failing on a doctored page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from deepdive.browser import OpenPage, ServedSite, site_pages
from deepdive.diagrams import fence_lines

WIDTHS = (1280, 390)
SCHEMES = ("light", "dark")
REPORT = """() => {
  const article = document.querySelector('.md-content .md-typeset');
  const probe = document.createElement('code');
  probe.textContent = 'kubectl';
  article.append(probe);
  const codePx = parseFloat(getComputedStyle(probe).fontSize);
  probe.remove();
  return {
    codePx,
    fg: getComputedStyle(article).color,
    pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
    engine: [
      typeof window.mermaid !== 'undefined' ? 'window.mermaid' : '',
      ...performance.getEntriesByType('resource').map(e => e.name).filter(n => /mermaid/i.test(n)),
      ...[...document.querySelectorAll('pre.mermaid, div.mermaid, script[src*="mermaid"]')]
        .map(e => e.outerHTML.slice(0, 60)),
    ].filter(Boolean),
    diagrams: [...document.querySelectorAll('figure.deepdive-diagram')].map(figure => {
      const scroll = figure.querySelector('.deepdive-diagram__scroll');
      const svg = figure.querySelector('svg');
      const texts = [...svg.querySelectorAll('text')];
      // As rendered: the font size times the scale from the viewBox to the screen.
      const sizes = texts.map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
      const box = svg.getBoundingClientRect();
      const main = texts.find(t => t.getAttribute('fill') === 'var(--_text)');
      const overflowX = getComputedStyle(scroll).overflowX;
      const ids = (svg.getAttribute('aria-labelledby') || '').split(' ').filter(Boolean);
      return {
        inline: svg.parentElement === scroll && svg instanceof SVGSVGElement,
        width: box.width,
        height: box.height,
        texts: texts.length,
        smallestPx: Math.min(...sizes),
        reachable: box.width <= scroll.clientWidth + 1
          || (['auto', 'scroll'].includes(overflowX)
              && scroll.scrollWidth >= Math.floor(box.width)),
        textColor: main ? getComputedStyle(main).fill : null,
        role: svg.getAttribute('role'),
        alternative: ids.map(id => document.getElementById(id)?.textContent || '').join(' | '),
        labelledBy: ids.length,
      };
    }),
  };
}"""


def _source(served: ServedSite, path: str) -> Path:
    docs = served.root.parent / "docs" if (served.root.parent / "docs").is_dir() else None
    if docs is None:  # the real build sits in a temporary folder: its sources are the checkout's
        docs = Path(__file__).resolve().parents[2] / "docs"
    page = path.rstrip("/")
    if not page:
        return docs / "index.md"
    return docs / f"{page}.md" if (docs / f"{page}.md").is_file() else docs / page / "index.md"


def _fences(served: ServedSite, path: str) -> int:
    return len(fence_lines(_source(served, path).read_text(encoding="utf-8")))


def diagram_problems(report: dict[str, Any], expected: int) -> list[str]:
    """What a reader would find wrong with the page's diagrams; empty when all is well."""
    problems = [f"a diagram engine is on the page: {found}" for found in report["engine"]]
    if len(report["diagrams"]) != expected:
        problems.append(f"{len(report['diagrams'])} inline diagrams, the source has {expected}")
    if report["pageOverflow"] > 0:
        problems.append(f"the page scrolls sideways by {report['pageOverflow']} px")
    for number, diagram in enumerate(report["diagrams"], start=1):
        where = f"diagram {number}"
        if not diagram["inline"] or diagram["texts"] == 0 or diagram["width"] < 50:
            problems.append(f"{where} is not an inline SVG with text: {diagram}")
            continue
        if diagram["smallestPx"] < report["codePx"] - 0.01:
            problems.append(
                f"{where}: text drawn at {diagram['smallestPx']:.1f} px, smaller than the"
                f" code text ({report['codePx']:.1f} px)"
            )
        if not diagram["reachable"]:
            problems.append(f"{where} is wider than the page and cannot be scrolled into view")
        if diagram["textColor"] != report["fg"]:
            problems.append(
                f"{where}: text is {diagram['textColor']}, the palette's text is {report['fg']}"
            )
        if diagram["role"] != "img" or diagram["labelledBy"] != 2 or "| " not in diagram[
            "alternative"
        ] or diagram["alternative"].startswith(" |") or diagram["alternative"].endswith("| "):
            problems.append(f"{where} has no title and description for screen readers")
    return problems


def _check(page: Page, expected: int) -> dict[int, list[str]]:
    found = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        found[width] = diagram_problems(page.evaluate(REPORT), expected)
    return found


def test_every_diagram_is_inline_legible_and_themed_at_both_widths(
    site: ServedSite, fixture_site: ServedSite, open_page: OpenPage
) -> None:
    targets = [(site, p) for p in site_pages(site.root) if _fences(site, p)]
    targets.append((fixture_site, ""))
    assert len(targets) > 1, "no page of the site has a diagram: only the fixture is checked"
    problems = {}
    colours: dict[str, set[str]] = {scheme: set() for scheme in SCHEMES}
    for served, path in targets:
        for scheme in SCHEMES:
            opened = open_page(served, path, color_scheme=scheme)
            for width, found in _check(opened.page, _fences(served, path)).items():
                if found:
                    problems[f"{path or '/'} {scheme} {width}px"] = found
            colours[scheme].add(opened.page.evaluate(REPORT)["diagrams"][0]["textColor"])
            assert opened.watch.problems() == [], path
            opened.page.context.close()
    assert problems == {}
    assert colours["light"].isdisjoint(colours["dark"]), colours


def test_the_fixture_diagram_shows_its_labels_and_its_caption(
    fixture_site: ServedSite, open_page: OpenPage
) -> None:
    page = open_page(fixture_site, "").page
    svg = page.locator("figure.deepdive-diagram svg")
    assert [t.strip() for t in svg.locator("text").all_text_contents()] == [
        "Client", "Service", "Pod"
    ]
    assert svg.locator("desc").text_content() == (
        "Flowchart diagram. Its labels, in order: Client; Service; Pod."
    )


_STYLE = """document.addEventListener('DOMContentLoaded', () => {
  const style = document.createElement('style');
  style.textContent = %r;
  document.head.append(style);
});"""
_SCROLL = " .md-typeset .deepdive-diagram__scroll { overflow-x: %s !important }"
_WIDE = ".md-typeset .deepdive-diagram__svg { width: 2000px !important; height: 900px !important }"


@pytest.mark.parametrize(
    ("init_script", "expected"),
    [
        (_STYLE % ".md-typeset .deepdive-diagram__svg { width: 4em !important }",
         "smaller than the code text"),
        (_STYLE % (_WIDE + _SCROLL % "hidden"), "cannot be scrolled into view"),
        (_STYLE % (_WIDE + _SCROLL % "visible"), "the page scrolls sideways"),
        (_STYLE % ".md-typeset .deepdive-diagram__svg { --_text: #808080 !important }",
         "the palette's text is"),
        ("window.mermaid = {};", "a diagram engine is on the page"),
        ("document.addEventListener('DOMContentLoaded', () => document.querySelector("
         "'article').insertAdjacentHTML('beforeend', '<pre class=\"mermaid\">graph LR</pre>'));",
         "a diagram engine is on the page"),
        ("document.addEventListener('DOMContentLoaded', () => document.querySelectorAll("
         "'figure.deepdive-diagram desc').forEach(d => d.remove()));",
         "no title and description"),
        ("document.addEventListener('DOMContentLoaded', () => document.querySelectorAll("
         "'figure.deepdive-diagram').forEach(f => f.remove()));",
         "0 inline diagrams"),
    ],
    ids=["tiny", "clipped", "page-overflow", "fixed-colour", "engine", "fence-left", "no-desc",
         "missing"],
)
def test_each_diagram_check_fails_on_a_doctored_page(
    fixture_site: ServedSite, open_page: OpenPage, init_script: str, expected: str
) -> None:
    page = open_page(fixture_site, "", init_script=init_script).page
    found = _check(page, 1)
    assert any(expected in problem for problem in found[390]), found
    control = open_page(fixture_site, "").page  # the same checks pass on the page as built
    assert _check(control, 1) == {1280: [], 390: []}
