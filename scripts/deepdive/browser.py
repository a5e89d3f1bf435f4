"""The built site as readers get it: served on 127.0.0.1, opened in Debian's Chromium.

Shared by the browser tests (tests/browser/) and the page-weight benchmark
(benchmarks/page_weight.py). Playwright drives the system browser through
`executable_path`; nothing here ever downloads a browser.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Response,
    Route,
)

LOOPBACK = "127.0.0.1"
CHROMIUM = Path(os.environ.get("DEEPDIVE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = (
    "--no-sandbox",  # CI runs as root in a container
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    # Anything not on loopback goes to a dead proxy: even a request the page
    # routing missed cannot leave the machine.
    "--proxy-server=http://127.0.0.1:9",
)
# Schemes a page may use without a network request.
INLINE_SCHEMES = frozenset({"data", "blob", "about", "javascript"})


class _SiteHandler(SimpleHTTPRequestHandler):
    """Static files like a static host serves them; manifests show as text."""

    extensions_map = {  # noqa: RUF012 (the base class declares it a plain dict)
        **SimpleHTTPRequestHandler.extensions_map,
        ".yaml": "text/yaml; charset=utf-8",
        ".yml": "text/yaml; charset=utf-8",
    }

    def log_message(self, format: str, *args: object) -> None:
        pass  # tests report what matters; the access log is noise


@dataclass(frozen=True)
class ServedSite:
    root: Path
    base_url: str  # "http://127.0.0.1:<port>/"

    def url(self, path: str) -> str:
        """The absolute URL of a site path such as "kubernetes/pods/"."""
        return urljoin(self.base_url, path)

    def path_of(self, url: str) -> str:
        """The site path of an absolute URL on this server."""
        return urlsplit(url).path.lstrip("/")


@contextmanager
def serve_site(root: Path) -> Iterator[ServedSite]:
    """Serve a directory on 127.0.0.1 (a free port) until the block ends."""
    handler = functools.partial(_SiteHandler, directory=str(root))
    server = ThreadingHTTPServer((LOOPBACK, 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield ServedSite(root=root, base_url=f"http://{LOOPBACK}:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def site_pages(root: Path) -> list[str]:
    """Every page of a built site as a site path: "" for home, "kubernetes/pods/" and so on."""
    pages = []
    for html in sorted(root.rglob("*.html")):
        relative = html.relative_to(root).as_posix()
        if relative == "404.html" or relative.startswith("assets/"):
            continue
        pages.append(relative.removesuffix("index.html"))
    return pages


def is_local(url: str) -> bool:
    """True for URLs that never leave the machine: 127.0.0.1 or inline data."""
    parts = urlsplit(url)
    return parts.scheme in INLINE_SCHEMES or parts.hostname == LOOPBACK


def chromium_available() -> bool:
    return CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)


def launch_chromium(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))


@dataclass
class OutsideRequests:
    """Requests for anything off 127.0.0.1: recorded, then refused."""

    urls: list[str] = field(default_factory=list)

    def handle(self, route: Route) -> None:
        url = route.request.url
        if is_local(url):
            route.fallback()
        else:
            self.urls.append(url)
            route.abort("blockedbyclient")


def block_outside_requests(context: BrowserContext) -> OutsideRequests:
    """Route every request of a browser context through an OutsideRequests recorder."""
    outside = OutsideRequests()
    context.route("**/*", outside.handle)
    return outside


@dataclass
class PageWatch:
    """What went wrong while a page was open: console errors, failed loads, outside requests."""

    outside: OutsideRequests
    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def on_page_error(self, error: Exception) -> None:
        self.console_errors.append(f"uncaught: {error}")

    def on_response(self, response: Response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")

    def problems(self) -> list[str]:
        return (
            [f"request leaving 127.0.0.1: {url}" for url in self.outside.urls]
            + [f"console error: {text}" for text in self.console_errors]
            + [f"failed load: {line}" for line in self.failed]
        )


@dataclass
class OpenedPage:
    page: Page
    watch: PageWatch


def watch_page(page: Page, outside: OutsideRequests) -> PageWatch:
    """Start recording a page's console errors and failed loads."""
    watch = PageWatch(outside=outside)
    page.on("console", watch.on_console)
    page.on("pageerror", watch.on_page_error)
    page.on("response", watch.on_response)
    return watch


# The open_page fixture: open_page(site, path, color_scheme="light", init_script="",
# wait_until="networkidle").
OpenPage = Callable[..., OpenedPage]
