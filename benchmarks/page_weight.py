"""Page weight: what each page of the built site costs a reader, measured in Chromium.

    .venv/bin/python benchmarks/page_weight.py              # builds the site into a temp dir
    .venv/bin/python benchmarks/page_weight.py --site site  # measures an existing build
    make bench

Every page is opened cold (a fresh browser context, empty cache) from the site
served on 127.0.0.1. For each page: requests, bytes transferred (headers and
bodies, as the local server sends them: uncompressed), the same bodies gzipped
(what a static host with compression such as GitHub Pages would send), and the
time from navigation start to the end of the load event (median of --runs).
Everything a page transfers counts, the search index included: the site holds that
request back until the reader opens search, so the "index KB" column should read 0.

Goals (issue 13): every page, so the median and the largest, under 400 KB before
search is used; every load event under 1 s. With --check the exit status is 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from playwright.sync_api import Browser, Request, sync_playwright

from deepdive.browser import ServedSite, is_local, launch_chromium, serve_site, site_pages

ROOT = Path(__file__).resolve().parent.parent
SEARCH_INDEX = "search/search_index.json"
GOAL_PAGE_BYTES = 400 * 1000  # every page, not only the median
GOAL_LOAD_MS = 1000.0
LOAD_EVENT_END_MS = (
    "(() => { const n = performance.getEntriesByType('navigation')[0];"
    " return n.loadEventEnd - n.startTime; })()"
)


@dataclass(frozen=True)
class Transfer:
    url: str
    bytes: int  # headers + body as sent
    gzip_bytes: int  # the body gzipped, as a compressing host would send it


@dataclass(frozen=True)
class PageWeight:
    path: str
    transfers: tuple[Transfer, ...]
    load_ms: float  # median over the runs
    diagrams_ms: float | None  # until every diagram's SVG is laid out (median), if any
    outside: tuple[str, ...]  # requests that tried to leave 127.0.0.1

    @property
    def bytes(self) -> int:
        return sum(t.bytes for t in self.transfers)

    @property
    def gzip_bytes(self) -> int:
        return sum(t.gzip_bytes for t in self.transfers)

    @property
    def search_index_bytes(self) -> int:
        return sum(t.bytes for t in self.transfers if t.url.endswith(SEARCH_INDEX))


@dataclass(frozen=True)
class Summary:
    median_bytes: float
    max_bytes: int
    median_gzip_bytes: float
    median_load_ms: float
    max_load_ms: float
    outside: int

    @property
    def goals_met(self) -> bool:
        return (
            self.max_bytes < GOAL_PAGE_BYTES
            and self.max_load_ms < GOAL_LOAD_MS
            and self.outside == 0
        )


def summarize(pages: list[PageWeight]) -> Summary:
    return Summary(
        median_bytes=statistics.median(p.bytes for p in pages),
        max_bytes=max(p.bytes for p in pages),
        median_gzip_bytes=statistics.median(p.gzip_bytes for p in pages),
        median_load_ms=statistics.median(p.load_ms for p in pages),
        max_load_ms=max(p.load_ms for p in pages),
        outside=sum(len(p.outside) for p in pages),
    )


def _gzip_size(served: ServedSite, url: str) -> int:
    relative = unquote(served.path_of(url.split("#")[0].split("?")[0]))
    file = served.root / relative
    if file.is_dir() or not relative:
        file = file / "index.html"
    return len(gzip.compress(file.read_bytes(), compresslevel=6)) if file.is_file() else 0


def _diagram_count(served: ServedSite, path: str) -> int:
    html = (served.root / path / "index.html").read_text("utf-8")
    return html.count('<figure class="deepdive-diagram"')  # inline SVG, drawn at build time


@dataclass(frozen=True)
class _Run:
    transfers: tuple[Transfer, ...]
    load_ms: float
    diagrams_ms: float | None
    outside: list[str]


def _load(browser: Browser, served: ServedSite, path: str, diagrams: int) -> _Run:
    """One cold load: a fresh context, so nothing comes from the cache."""
    context = browser.new_context()
    try:
        page = context.new_page()
        finished: list[Request] = []
        outside: list[str] = []
        page.on("requestfinished", lambda request: finished.append(request))
        page.on("request", lambda r: None if is_local(r.url) else outside.append(r.url))
        page.goto(served.url(path), wait_until="load")
        diagrams_ms = None
        if diagrams:  # the SVG is in the HTML: laid out with the page, no engine to wait for
            page.wait_for_function(
                "n => [...document.querySelectorAll('figure.deepdive-diagram svg')]"
                ".filter(svg => svg.getBoundingClientRect().width > 0).length === n",
                arg=diagrams,
            )
            diagrams_ms = float(page.evaluate("performance.now()"))
        page.wait_for_load_state("networkidle")
        load_ms = float(page.evaluate(LOAD_EVENT_END_MS))
        transfers = tuple(_transfer(served, request) for request in finished)  # context open
        return _Run(transfers, load_ms, diagrams_ms, outside)
    finally:
        context.close()


def measure_page(browser: Browser, served: ServedSite, path: str, runs: int) -> PageWeight:
    diagrams = _diagram_count(served, path)
    loads = [_load(browser, served, path, diagrams) for _ in range(runs)]
    drawn = [run.diagrams_ms for run in loads if run.diagrams_ms is not None]
    return PageWeight(
        path=path,
        transfers=loads[0].transfers,
        load_ms=statistics.median(run.load_ms for run in loads),
        diagrams_ms=statistics.median(drawn) if drawn else None,
        outside=tuple(dict.fromkeys(url for run in loads for url in run.outside)),
    )


def _transfer(served: ServedSite, request: Request) -> Transfer:
    sizes = request.sizes()
    sent = sizes["responseHeadersSize"] + sizes["responseBodySize"]
    return Transfer(url=request.url, bytes=sent, gzip_bytes=_gzip_size(served, request.url))


def measure_site(site_dir: Path, runs: int) -> list[PageWeight]:
    with serve_site(site_dir) as served, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            measure_page(browser, served, "", 1)  # warm up the browser process, not counted
            return [measure_page(browser, served, path, runs) for path in site_pages(site_dir)]
        finally:
            browser.close()


def _kb(value: float) -> str:
    return f"{value / 1000:8.1f}"


def render(pages: list[PageWeight], summary: Summary) -> str:
    lines = [
        f"{'page':<34} {'reqs':>4} {'KB sent':>8} {'KB gzip':>8} {'index KB':>8} "
        f"{'load ms':>8} {'diagrams ms':>11}",
    ]
    for page in pages:
        drawn = f"{page.diagrams_ms:11.0f}" if page.diagrams_ms is not None else f"{'-':>11}"
        lines.append(
            f"{page.path or '/':<34} {len(page.transfers):>4} {_kb(page.bytes)} "
            f"{_kb(page.gzip_bytes)} {_kb(page.search_index_bytes)} {page.load_ms:8.0f} {drawn}"
        )
    lines += [
        "",
        f"median page: {summary.median_bytes / 1000:.1f} KB sent "
        f"({summary.median_gzip_bytes / 1000:.1f} KB gzipped); "
        f"largest: {summary.max_bytes / 1000:.1f} KB",
        f"load event: median {summary.median_load_ms:.0f} ms, max {summary.max_load_ms:.0f} ms",
        f"requests leaving 127.0.0.1: {summary.outside}",
        f"goals (every page < {GOAL_PAGE_BYTES // 1000} KB before search, every load < "
        f"{GOAL_LOAD_MS:.0f} ms, nothing off-site): {'met' if summary.goals_met else 'MISSED'}",
        "('index KB': the part of 'KB sent' that is the search index; the site fetches it only",
        " once the reader opens search, so a page that is only read should show 0.",
        " 'diagrams ms': until every diagram (inline SVG, drawn at build time) is laid out.)",
    ]
    return "\n".join(lines)


def build_site(target: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(target)],
        cwd=ROOT, env=env, check=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build one now)")
    parser.add_argument("--runs", type=int, default=3, help="loads per page for the timing")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="page-weight-") as scratch:
        site_dir = args.site
        if site_dir is None:
            site_dir = Path(scratch) / "site"
            build_site(site_dir)
        pages = measure_site(site_dir.resolve(), args.runs)
    summary = summarize(pages)
    print(render(pages, summary))
    return 1 if args.check and not summary.goals_met else 0


if __name__ == "__main__":
    sys.exit(main())
