"""Every internal link and anchor of the built site resolves; edit links open the right file.

External links are only listed here (offline); the scheduled external-links workflow
requests them, so a third-party outage never fails a pull request.
"""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest

from deepdive.cli import main
from deepdive.links import check_external, check_site, read_page
from deepdive.links_command import mkdocs_config, render_report

ROOT = Path(__file__).resolve().parent.parent
CONFIG = mkdocs_config(ROOT / "mkdocs.yml")
SITE_URL = str(CONFIG["site_url"])


# --- the real site ------------------------------------------------------------------------


def test_mkdocs_itself_fails_the_build_on_broken_links() -> None:
    """`warn` under `strict: true` aborts the build: the first line of defence."""
    assert CONFIG.get("strict") is True
    links = CONFIG["validation"]["links"]
    assert {links["not_found"], links["anchors"]} <= {"warn"}


def test_every_internal_link_and_anchor_resolves(built_site: Path) -> None:
    report = check_site(built_site, SITE_URL)
    assert report.ok, "broken links in the built site:\n" + render_report(report)
    # Not vacuous: the theme alone links every page to the others and to anchors.
    assert report.pages >= 2
    assert report.internal_links > report.pages
    assert report.fragments > 0
    assert report.into_manifests > 0  # the raw-file links of embedded manifests


def _source_pages() -> list[tuple[str, str]]:
    """(source under docs/, the HTML file MkDocs writes for it with directory URLs)."""
    pairs = []
    for source in sorted((ROOT / "docs").rglob("*.md")):
        relative = PurePosixPath(source.relative_to(ROOT / "docs").as_posix())
        if relative.stem in {"index", "README"}:
            built = relative.parent / "index.html"
        else:
            built = relative.parent / relative.stem / "index.html"
        pairs.append((relative.as_posix(), built.as_posix()))
    return pairs


@pytest.mark.parametrize(("source", "built"), _source_pages(), ids=lambda value: value)
def test_edit_and_view_links_open_the_source(built_site: Path, source: str, built: str) -> None:
    html = (built_site / built).read_text(encoding="utf-8")
    edit = re.findall(r'<a href="([^"]+)" title="Edit this page"', html)
    view = re.findall(r'<a href="([^"]+)" title="View source of this page"', html)
    repo = str(CONFIG["repo_url"]).rstrip("/")
    edit_uri = str(CONFIG["edit_uri"]).strip("/")
    assert edit == [f"{repo}/{edit_uri}/{source}"], f"{built}: edit link {edit}"
    assert view == [f"{repo}/{edit_uri.replace('edit/', 'raw/', 1)}/{source}"], view
    assert edit[0].endswith(f"/docs/{source}") and (ROOT / "docs" / source).is_file()


# --- the checker on a tiny synthetic site ---------------------------------------------------

PAGES = {
    "index.html": """
        <a href="guide/">guide</a> <a href="guide/#setup">setup</a>
        <a href="#top">self</a> <h1 id="top">Top</h1>
        <a href="guide/#nowhere">missing anchor</a>
        <a href="missing/">missing page</a>
        <a href="manifests/app.yaml">raw</a> <a href="manifests/gone.yaml">gone</a>
        <link rel="canonical" href="https://example.test/base/">
        <a href="https://example.test/base/guide/#setup">own site, absolute</a>
        <a href="https://example.test/base/nope/">own site, missing</a>
        <a href="/base/guide/">root-relative</a> <a href="/elsewhere/">outside the base</a>
        <a href="https://docs.example.org/x#part">external</a>
        <a href="https://docs.example.org/x">external again</a>
        <a href="mailto:someone@example.org">mail</a> <img src="img/logo.svg">
    """,
    "guide/index.html": """
        <h2 id="setup">Setup</h2> <a name="legacy"></a>
        <a href="../">home</a> <a href="../#top">home top</a> <a href="#legacy">legacy</a>
        <a href="../../outside.html">escapes</a> <script src="../js/app.js"></script>
    """,
}
FILES = {"manifests/app.yaml": "kind: Pod\n", "img/logo.svg": "<svg/>"}
EXPECTED_BROKEN = {
    ("index.html", "guide/#nowhere"),
    ("index.html", "missing/"),
    ("index.html", "manifests/gone.yaml"),
    ("index.html", "https://example.test/base/nope/"),
    ("index.html", "/elsewhere/"),
    ("guide/index.html", "../../outside.html"),
    ("guide/index.html", "../js/app.js"),
}


@pytest.fixture
def tiny_site(tmp_path: Path) -> Path:
    for name, text in {**PAGES, **FILES}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_checker_reports_exactly_the_broken_links_and_anchors(tiny_site: Path) -> None:
    report = check_site(tiny_site, "https://example.test/base/")
    assert {(p.page, p.url) for p in report.problems} == EXPECTED_BROKEN
    reasons = {p.url: p.reason for p in report.problems}
    assert reasons["guide/#nowhere"] == "no #nowhere on guide/index.html"
    assert reasons["../../outside.html"] == "leaves the site"
    assert report.external == ("https://docs.example.org/x",)
    assert report.into_manifests == 1
    all_links = sum(len(read_page(tiny_site, page).links) for page in PAGES)
    assert report.internal_links == all_links - 3  # two external, one mailto


def test_cli_fails_on_a_broken_site_and_lists_external_links(
    tiny_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site_url = ["--site-url", "https://example.test/base/"]
    assert main(["links", str(tiny_site), *site_url]) == 1
    out = capsys.readouterr().out
    assert "index.html: missing/: no such file in the built site" in out
    assert f"{len(EXPECTED_BROKEN)} broken" in out
    assert main(["links", str(tiny_site), "--external", *site_url]) == 0
    assert capsys.readouterr().out.split() == ["https://docs.example.org/x"]


def test_cli_passes_a_clean_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "index.html").write_text('<a href="#a" id="a">a</a>', encoding="utf-8")
    assert main(["links", str(tmp_path)]) == 0
    assert "0 broken" in capsys.readouterr().out


# --- the external requester, against a server on 127.0.0.1 only ------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:
        if self.path == "/no-head":
            self.send_response(405)
        else:
            self.send_response(200 if self.path in {"/ok", "/no-head"} else 404)
        self.end_headers()

    def do_GET(self) -> None:
        self.send_response(200 if self.path in {"/ok", "/no-head"} else 404)
        self.end_headers()

    def log_message(self, *args: object) -> None:  # keep pytest's output clean
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_external_requests_tell_live_from_dead_links(local_server: str) -> None:
    urls = [f"{local_server}/ok", f"{local_server}/no-head", f"{local_server}/gone"]
    results = {r.url.rsplit("/", 1)[1]: r for r in check_external(urls, workers=2)}
    assert (results["ok"].ok, results["ok"].status) == (True, 200)
    assert (results["no-head"].ok, results["no-head"].status) == (True, 200)
    assert (results["gone"].ok, results["gone"].status) == (False, 404)
