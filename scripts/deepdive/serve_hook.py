"""MkDocs hook: during `mkdocs serve`, a manifest that fails validation shows in the browser.

The build gate (deepdive.validate.buildcheck) stops a build on an invalid manifest. On its
own, `mkdocs serve` then keeps the last good pages, never reloads the browser, and buries
the findings in a traceback. This hook wraps serve's rebuild: when it fails on the
manifests, every page of the last good build gets a banner listing the findings, the
browsers reload to show it, and the terminal shows the findings alone (no traceback, no
macros chatter). Saving a fixed manifest rebuilds the site, which drops the banner and
reloads the browsers again.
`mkdocs build` is unaffected: an invalid manifest still fails it.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from deepdive.validate import buildcheck

log = logging.getLogger("mkdocs.deepdive")
BANNER_ID = "deepdive-serve-errors"
_BANNER = re.compile(rf'<div id="{BANNER_ID}".*?<!--/{BANNER_ID}-->', re.DOTALL)
_BODY = re.compile(r"<body\b[^>]*>")


def banner(errors: list[str], summary: str) -> str:
    """The banner's HTML: the findings, and what to do."""
    items = "".join(f"<li><code>{html.escape(line)}</code></li>" for line in errors)
    return (
        f'<div id="{BANNER_ID}" role="alert" style="position:sticky;top:0;z-index:10;'
        "margin:0;padding:0.8rem 1.2rem;background:#fff3f3;color:#5a0000;"
        'border-bottom:0.25rem solid #b00020;font:0.75rem/1.5 system-ui,sans-serif">'
        '<h2 style="margin:0 0 0.4rem;font-size:0.9rem;color:#5a0000">'
        "manifests/ has errors: this is the last good build</h2>"
        f'<ul style="margin:0 0 0.4rem 1rem;padding:0">{items}</ul>'
        f"<p style=\"margin:0\">{html.escape(summary)}. Fix the file and save: "
        "this page reloads.</p></div>"
        f"<!--/{BANNER_ID}-->"
    )


def show_errors(site_dir: Path, errors: list[str], summary: str) -> int:
    """Put the banner at the top of every page in site_dir; the number of pages changed."""
    text = banner(errors, summary)
    changed = 0
    for page in site_dir.rglob("*.html"):
        content = _BANNER.sub("", page.read_text(encoding="utf-8"))
        match = _BODY.search(content)
        if match is None:
            continue
        page.write_text(content[: match.end()] + text + content[match.end():], encoding="utf-8")
        changed += 1
    return changed


def print_errors(pages: int) -> None:
    """MkDocs has printed the findings (the build gate's error) already: say where they show."""
    log.info(f"The findings above show at the top of every page ({pages}); save the fixed "
             "file and the pages reload.")


def on_startup(command: str, dirty: bool) -> None:
    if command == "serve":
        # The macros plugin reports every build at INFO; while serving that only hides
        # what matters.
        logging.getLogger("mkdocs.plugins.mkdocs_macros").setLevel(logging.WARNING)


def on_serve(server: Any, config: Any, builder: Callable[..., None]) -> Any:
    rebuild: Callable[[], None] = server.builder
    site_dir = Path(server.root)

    def checked_rebuild() -> None:
        try:
            rebuild()
        except Exception:
            errors = list(buildcheck.last_errors)
            if not errors:
                raise  # not a manifest error: mkdocs reports it as before
            print_errors(show_errors(site_dir, errors, buildcheck.last_summary))
            # returning normally lets mkdocs reload the browsers

    server.builder = checked_rebuild
    return server
