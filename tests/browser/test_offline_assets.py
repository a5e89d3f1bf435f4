"""The built HTML references nothing outside the site (no browser needed for this part)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from mkdocs.exceptions import PluginError

from deepdive.assets import find_bundle, page_has_diagram
from deepdive.browser import ServedSite, site_pages

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
}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")
MERMAID_BUNDLE = re.compile(r'[^"\s]*assets/vendor/mermaid-[^"\s]*\.js')


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


def _check_mermaid_loading(site: Path) -> list[str]:
    """Assert only pages with a diagram refer to the (served) bundle; return those pages."""
    with_diagram = []
    for path in site_pages(site):
        page = _page_file(site, path)
        html = page.read_text("utf-8")
        bundles = sorted(set(MERMAID_BUNDLE.findall(html)))
        if page_has_diagram(html):
            with_diagram.append(path)
            assert len(bundles) == 1, f"{path}: has a diagram but refers to {bundles}"
            bundle = urlsplit(urljoin(page.as_uri(), bundles[0])).path
            assert Path(bundle).is_file(), f"{path}: {bundles[0]} is not in the site"
        else:
            assert not bundles, f"{path}: refers to {bundles} without a diagram"
    return with_diagram


def test_mermaid_is_loaded_by_exactly_the_pages_with_a_diagram(built_site: Path) -> None:
    _check_mermaid_loading(built_site)


def test_mermaid_is_served_by_the_site_when_a_page_has_a_diagram(fixture_site: ServedSite) -> None:
    assert "" in _check_mermaid_loading(fixture_site.root)  # its home page has one


def _node_project(root: Path, pinned: str, installed: str | None) -> Path:
    (root / "package.json").write_text(json.dumps({"dependencies": {"mermaid": pinned}}))
    if installed is not None:
        package = root / "node_modules" / "mermaid"
        (package / "dist").mkdir(parents=True)
        (package / "package.json").write_text(json.dumps({"version": installed}))
        (package / "dist" / "mermaid.min.js").write_text("globalThis.mermaid = {};")
    return root


def test_the_build_takes_the_pinned_mermaid_and_names_its_version(tmp_path: Path) -> None:
    bundle = find_bundle(_node_project(tmp_path, "11.17.2", "11.17.2"))
    assert bundle.site_path == "assets/vendor/mermaid-11.17.2.min.js"
    assert bundle.source.read_text() == "globalThis.mermaid = {};"


@pytest.mark.parametrize(
    ("installed", "message"),
    [(None, "run `make setup`"), ("11.0.0", "holds mermaid 11.0.0, package.json pins 11.17.2")],
)
def test_the_build_fails_clearly_without_the_pinned_mermaid(
    tmp_path: Path, installed: str | None, message: str
) -> None:
    with pytest.raises(PluginError, match=re.escape(message)):
        find_bundle(_node_project(tmp_path, "11.17.2", installed))


def test_the_project_pins_one_exact_mermaid_version() -> None:
    root = Path(__file__).resolve().parents[2]
    pinned = json.loads((root / "package.json").read_text())["dependencies"]["mermaid"]
    locked = json.loads((root / "package-lock.json").read_text())["packages"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), "pin an exact version: it names the file"
    assert locked["node_modules/mermaid"]["version"] == pinned


def test_diagram_detection_matches_what_superfences_writes() -> None:
    assert page_has_diagram('<pre class="mermaid"><code>graph LR</code></pre>')
    assert not page_has_diagram("<pre><code>&lt;pre class=&quot;mermaid&quot;&gt;</code></pre>")
