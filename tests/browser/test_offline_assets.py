"""The built HTML references nothing outside the site (no browser needed for this part).

Diagrams are inline SVG drawn when the site is built: no page refers to a diagram engine."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from deepdive.browser import ServedSite, site_pages
from deepdive.diagrams import fence_lines

# Attributes through which a page makes the browser fetch something by itself.
FETCHING = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "link": ("href",),  # stylesheets, icons, preconnect, preload
    "image": ("href", "xlink:href"),  # inside inline SVG
    "use": ("href", "xlink:href"),
    "feimage": ("href", "xlink:href"),
}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")
CSS_IMPORT = re.compile(r"@import\s+(?:url\(\s*)?['\"]?([^'\")\s;]+)")
INLINE_STYLE = re.compile(r"<style[^>]*>(.*?)</style>|\sstyle=\"([^\"]*)\"", re.S)
ENGINE = re.compile(r'<script[^>]*src="[^"]*mermaid[^"]*"|class="mermaid"|window\.mermaid', re.I)
DIAGRAM = '<figure class="deepdive-diagram"'
DOCS = Path(__file__).resolve().parents[2] / "docs"


class _Fetches(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and values.get("rel") in ("canonical", "alternate", "prev", "next"):
            return  # navigation hints, never fetched
        for name in FETCHING.get(tag, ()):
            value = values.get(name)
            if value:
                self.urls += [part.strip().split(" ")[0] for part in value.split(",")]


def _fetches(html: str) -> _Fetches:
    parser = _Fetches()
    parser.feed(html)
    return parser


def _page_file(site: Path, path: str) -> Path:
    return site / path / "index.html" if path.endswith("/") or not path else site / path


def _is_remote(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.netloc) or parts.scheme not in ("", "data")


def test_no_page_fetches_from_another_host(built_site: Path) -> None:
    remote = {}
    for path in site_pages(built_site):
        urls = _fetches(_page_file(built_site, path).read_text("utf-8")).urls
        if found := [u for u in urls if _is_remote(u)]:
            remote[path or "/"] = found
    assert not remote, f"pages that would load from another host: {remote}"


def test_no_stylesheet_imports_from_another_host(built_site: Path) -> None:
    """Fonts and images referenced by CSS (e.g. Google Fonts) come from the site too."""
    remote = {}
    for css in built_site.rglob("*.css"):
        if found := [u for u in CSS_URL.findall(css.read_text("utf-8")) if _is_remote(u)]:
            remote[css.relative_to(built_site).as_posix()] = found
    assert not remote, f"stylesheets that would load from another host: {remote}"


def test_no_inline_style_imports_from_another_host(built_site: Path) -> None:
    """An inline SVG's <style> could @import a web font (the renderer writes one; it is cut)."""
    remote = {}
    for path in site_pages(built_site):
        html = _page_file(built_site, path).read_text("utf-8")
        css = " ".join(a or b for a, b in INLINE_STYLE.findall(html))
        urls = CSS_URL.findall(css) + CSS_IMPORT.findall(css)
        if found := [u for u in urls if _is_remote(u)]:
            remote[path or "/"] = found
    assert not remote, f"inline styles that would load from another host: {remote}"


def _source(docs: Path, path: str) -> Path:
    page = path.rstrip("/")
    if not page:
        return docs / "index.md"
    return docs / f"{page}.md" if (docs / f"{page}.md").is_file() else docs / page / "index.md"


def _check_diagrams(site: Path, docs: Path) -> list[str]:
    """Each page shows one inline SVG per ```mermaid fence of its source, and no page refers
    to a diagram engine; return the pages with a diagram."""
    with_diagram = []
    for path in site_pages(site):
        html = _page_file(site, path).read_text("utf-8")
        fences = len(fence_lines(_source(docs, path).read_text("utf-8")))
        shown = html.count(DIAGRAM)
        assert shown == fences, f"{path}: {shown} inline diagrams, {fences} fences in its source"
        engine = ENGINE.findall(html)
        assert not engine, f"{path}: refers to a diagram engine: {engine}"
        if fences:
            with_diagram.append(path)
    engines = [p.name for p in site.rglob("*") if "mermaid" in p.name.lower()]
    assert not engines, f"the site ships a diagram engine: {engines}"
    return with_diagram


def test_every_diagram_is_inline_svg_and_no_page_loads_an_engine(built_site: Path) -> None:
    assert _check_diagrams(built_site, DOCS), "no page of the site has a diagram"


def test_the_fixture_page_diagram_is_inline_svg(fixture_site: ServedSite) -> None:
    assert "" in _check_diagrams(fixture_site.root, fixture_site.root.parent / "docs")


def test_the_engine_check_catches_a_page_left_to_the_browser() -> None:
    """The control for the check above: what Material would hand to Mermaid in the browser."""
    assert ENGINE.search('<pre class="mermaid"><code>graph LR</code></pre>')
    assert ENGINE.search('<script src="../assets/vendor/mermaid-11.17.2.min.js"></script>')
    assert not ENGINE.search('<figure class="deepdive-diagram"><svg role="img"></svg></figure>')
    assert CSS_IMPORT.findall("@import url('https://fonts.googleapis.com/css2?family=Inter');") == [
        "https://fonts.googleapis.com/css2?family=Inter"
    ]
