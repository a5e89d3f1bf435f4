"""Links in a built site: every internal link and anchor must resolve; external ones are listed.

It reads the HTML that MkDocs wrote, so it checks what readers get: the theme's links, the
macro's raw-file links into manifests/, heading anchors and code-line anchors alike.
Nothing here touches the network except `request_status`, which only the scheduled
external-links workflow (and a test against a server on 127.0.0.1) calls.
"""

from __future__ import annotations

import posixpath
import urllib.error
import urllib.request
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# The attribute of each tag that makes the browser fetch or navigate somewhere.
LINK_ATTRIBUTE = {
    "a": "href",
    "link": "href",
    "area": "href",
    "img": "src",
    "script": "src",
    "iframe": "src",
    "source": "src",
    "video": "src",
    "audio": "src",
}
WEB_SCHEMES = {"http", "https"}


@dataclass(frozen=True)
class HtmlPage:
    path: str  # relative to the site root, with forward slashes
    links: tuple[str, ...]  # every link as written, in document order
    anchors: frozenset[str]  # every id (and <a name>) a #fragment can point at


@dataclass(frozen=True)
class LinkProblem:
    page: str
    url: str
    reason: str


@dataclass(frozen=True)
class LinkReport:
    pages: int
    internal_links: int  # internal links checked (including same-page #fragments)
    fragments: int  # of those, how many carry a #fragment that was checked
    into_manifests: int  # of those, how many point into manifests/
    problems: tuple[LinkProblem, ...]
    external: tuple[str, ...]  # unique external URLs, fragment removed, sorted

    @property
    def ok(self) -> bool:
        return not self.problems


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.anchors: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        if "id" in values:
            self.anchors.add(values["id"])
        if tag == "a" and "name" in values:
            self.anchors.add(values["name"])
        attribute = LINK_ATTRIBUTE.get(tag)
        if attribute and attribute in values:
            self.links.append(values[attribute].strip())

    handle_startendtag = handle_starttag


def read_page(site: Path, relative: str) -> HtmlPage:
    parser = _PageParser()
    parser.feed((site / relative).read_text(encoding="utf-8", errors="replace"))
    parser.close()
    return HtmlPage(path=relative, links=tuple(parser.links), anchors=frozenset(parser.anchors))


def site_files(site: Path) -> set[str]:
    return {path.relative_to(site).as_posix() for path in site.rglob("*") if path.is_file()}


class _Resolver:
    """Turns a link found on a page into a file of the site (or a reason it is not one)."""

    def __init__(self, files: set[str], site_url: str) -> None:
        self.files = files
        self.dirs = {posixpath.dirname(f) for f in files}
        self.dirs |= {parent for d in list(self.dirs) for parent in _parents(d)}
        self.site_url = site_url.rstrip("/") + "/" if site_url else ""
        self.base_path = urlsplit(self.site_url).path or "/"

    def is_external(self, url: str) -> bool:
        parts = urlsplit(url)
        if self.site_url and url.startswith(self.site_url):
            return False  # the published site itself: check the file here instead
        return parts.scheme in WEB_SCHEMES or (not parts.scheme and bool(parts.netloc))

    def is_ignored(self, url: str) -> bool:
        """mailto:, tel:, data:, javascript: and the like lead nowhere to check."""
        scheme = urlsplit(url).scheme
        return bool(scheme) and scheme not in WEB_SCHEMES

    def target(self, page: str, url: str) -> tuple[str | None, str]:
        """(site file the link opens, "") or (None, why it does not resolve)."""
        # A link to the published site (the canonical URL) has its path under base_path.
        path = unquote(urlsplit(url).path)
        if not path:
            return page, ""
        if path.startswith("/"):
            if not path.startswith(self.base_path):
                return None, f"absolute path outside the site's base {self.base_path}"
            joined = path[len(self.base_path) :]
        else:
            joined = posixpath.join(posixpath.dirname(page), path)
        wants_dir = path.endswith("/")
        normal = posixpath.normpath(joined) if joined else "."
        if normal == ".." or normal.startswith("../"):
            return None, "leaves the site"
        normal = "" if normal == "." else normal
        if not wants_dir and normal in self.files:
            return normal, ""
        index = posixpath.join(normal, "index.html") if normal else "index.html"
        if (wants_dir or normal in self.dirs or not normal) and index in self.files:
            return index, ""
        return None, "no such file in the built site"


def _parents(directory: str) -> Iterable[str]:
    while directory:
        directory = posixpath.dirname(directory)
        yield directory


def check_site(site: Path, site_url: str = "") -> LinkReport:
    """Resolve every internal link and #fragment of every HTML page; list external links."""
    files = site_files(site)
    resolver = _Resolver(files, site_url)
    pages = {path: read_page(site, path) for path in sorted(files) if path.endswith(".html")}
    problems: list[LinkProblem] = []
    external: set[str] = set()
    internal = fragments = into_manifests = 0
    for page in pages.values():
        for url in page.links:
            if not url or resolver.is_ignored(url):
                continue
            if resolver.is_external(url):
                external.add(url.split("#", 1)[0])
                continue
            internal += 1
            target, reason = resolver.target(page.path, url)
            if target is None:
                problems.append(LinkProblem(page.path, url, reason))
                continue
            if target.startswith("manifests/"):
                into_manifests += 1
            fragment = unquote(urlsplit(url).fragment)
            if fragment and target in pages:
                fragments += 1
                if fragment not in pages[target].anchors:
                    problems.append(LinkProblem(page.path, url, f"no #{fragment} on {target}"))
    return LinkReport(
        pages=len(pages),
        internal_links=internal,
        fragments=fragments,
        into_manifests=into_manifests,
        problems=tuple(problems),
        external=tuple(sorted(external)),
    )


@dataclass(frozen=True)
class ExternalResult:
    url: str
    status: int | None  # the final HTTP status, None when no answer came
    error: str = ""

    @property
    def ok(self) -> bool:
        # 429 means "slow down", not "gone": do not fail the check for it.
        return self.status is not None and (self.status < 400 or self.status == 429)


USER_AGENT = "deepdive-link-check (+https://github.com/k8s-istio-deepdive/deepdive)"


def request_status(url: str, timeout: float = 20.0) -> ExternalResult:
    """One external URL's status: HEAD first, GET when the server refuses HEAD."""
    status: int | None = None
    error = ""
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return ExternalResult(url, response.status)
        except urllib.error.HTTPError as failure:
            status, error = failure.code, str(failure.reason)
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as failure:
            status, error = None, str(getattr(failure, "reason", failure))
    return ExternalResult(url, status, error)


def check_external(urls: Iterable[str], workers: int = 8) -> list[ExternalResult]:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(request_status, urls))
