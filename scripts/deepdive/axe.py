"""axe-core (pinned in package.json, installed by `make setup`) run on pages in Chromium.

The script is injected from node_modules into the page under test, so nothing loads from
another host. Used by the browser tests (tests/browser/test_browser_a11y.py) and by
`python -m deepdive.axe SITE_DIR`, which prints the serious and critical findings by rule.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from deepdive.paths import project_root

# WCAG 2.1 levels A and AA (and the 2.0 ones they include).
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
GRAVE = frozenset({"serious", "critical"})
PALETTES: tuple[Literal["light", "dark"], ...] = ("light", "dark")
WIDTHS = (1280, 390)


def axe_script() -> Path:
    """node_modules/axe-core/axe.min.js, or a clear error if `make setup` has not run."""
    path = project_root() / "node_modules" / "axe-core" / "axe.min.js"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run `make setup` (npm ci installs axe-core)")
    return path


@dataclass(frozen=True)
class Finding:
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def line(self) -> str:
        return f"{self.impact} {self.rule}: {self.help} ({len(self.targets)} nodes: " + \
            ", ".join(self.targets[:3]) + (" ..." if len(self.targets) > 3 else "") + ")"


def run_axe(page: Any) -> list[Finding]:
    """Inject axe-core into a Playwright page (once) and run the WCAG 2.1 A and AA rules."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script()))
    result = page.evaluate(
        """async (tags) => {
            const r = await window.axe.run(document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return r.violations.map(v => ({rule: v.id, impact: v.impact || 'minor', help: v.help,
                targets: v.nodes.map(n => n.target.join(' '))}));
        }""",
        list(WCAG_TAGS),
    )
    return [Finding(rule=v["rule"], impact=v["impact"], help=v["help"], targets=tuple(v["targets"]))
            for v in result]


def grave(findings: Iterable[Finding]) -> list[Finding]:
    """The serious and critical findings."""
    return [f for f in findings if f.impact in GRAVE]


def count_by_rule(findings: Iterable[Finding]) -> Counter[tuple[str, str]]:
    """(impact, rule) -> number of nodes."""
    counts: Counter[tuple[str, str]] = Counter()
    for finding in findings:
        counts[(finding.impact, finding.rule)] += len(finding.targets)
    return counts


def audit_site(site_dir: Path) -> Iterator[tuple[str, str, int, list[Finding]]]:
    """(palette, page, width, findings) for every page in both palettes at both widths."""
    from playwright.sync_api import sync_playwright

    from deepdive.browser import block_outside_requests, launch_chromium, serve_site, site_pages

    with serve_site(site_dir) as served, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for palette in PALETTES:
                for width in WIDTHS:
                    context = browser.new_context(viewport={"width": width, "height": 900},
                                                  color_scheme=palette)
                    block_outside_requests(context)
                    page = context.new_page()
                    for path in site_pages(site_dir):
                        page.goto(served.url(path), wait_until="load")
                        yield palette, path, width, run_axe(page)
                    context.close()
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    site_dir = Path(args[0] if args else "site")
    total: Counter[tuple[str, str]] = Counter()
    for palette, path, width, findings in audit_site(site_dir):
        bad = grave(findings)
        total += count_by_rule(bad)
        for finding in bad:
            print(f"{palette} {width}px /{path}: {finding.line()}")
    print("serious/critical nodes by rule (all pages, both palettes, both widths):")
    for (impact, rule), number in sorted(total.items()):
        print(f"  {impact:8} {rule:28} {number}")
    print(f"  total: {sum(total.values())}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
