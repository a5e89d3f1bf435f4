"""`deepdive links [SITE]`: check a built site's internal links; list or request external ones."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from deepdive.paths import project_root

if TYPE_CHECKING:  # imported when run: `deepdive validate` need not load urllib
    from deepdive.links import ExternalResult, LinkReport


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "links",
        help="check every internal link and anchor of a built site; list external links",
        description=(
            "Check that every internal link and #anchor of a built site resolves (exit 1 if "
            "not). --external lists the external links instead (offline); --check-external "
            "requests each of them (network: the scheduled external-links workflow uses it)."
        ),
    )
    parser.add_argument("site", nargs="?", type=Path, default=Path("site"), metavar="SITE_DIR")
    parser.add_argument(
        "--site-url",
        default=None,
        help="the published URL (default: site_url of mkdocs.yml); links to it are internal",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--external", action="store_true", help="list external links, one a line")
    mode.add_argument(
        "--check-external", action="store_true", help="request every external link (network)"
    )
    parser.set_defaults(run=run)


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without importing what its !!python/name tags point at."""


_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *_: None)
_ConfigLoader.add_multi_constructor("!", lambda *_: None)


def mkdocs_config(path: Path) -> dict[str, Any]:
    loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=_ConfigLoader)
    return loaded if isinstance(loaded, dict) else {}


def configured_site_url() -> str:
    config = project_root() / "mkdocs.yml"
    return str(mkdocs_config(config).get("site_url") or "") if config.is_file() else ""


def render_report(report: LinkReport) -> str:
    lines = [f"{p.page}: {p.url}: {p.reason}" for p in report.problems]
    lines.append(
        f"{report.pages} pages, {report.internal_links} internal links "
        f"({report.fragments} with an anchor, {report.into_manifests} into manifests/), "
        f"{len(report.problems)} broken, {len(report.external)} external"
    )
    return "\n".join(lines)


def render_external(results: list[ExternalResult]) -> str:
    lines = [
        f"{r.url}: {r.status if r.status is not None else 'no answer'} {r.error}".rstrip()
        for r in results
        if not r.ok
    ]
    lines.append(f"{len(results)} external links, {sum(not r.ok for r in results)} failing")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from deepdive.links import check_external, check_site  # urllib: only when asked for

    site: Path = args.site
    if not (site / "index.html").is_file():
        print(f"deepdive links: {site}: no built site here (run `make build`)", file=sys.stderr)
        return 2
    site_url = configured_site_url() if args.site_url is None else args.site_url
    report = check_site(site, site_url)
    if args.external:
        print("\n".join(report.external))
        return 0
    if args.check_external:
        results = check_external(report.external)
        print(render_external(results))
        return 0 if all(r.ok for r in results) else 1
    print(render_report(report))
    return 0 if report.ok else 1
