"""The same site built by Zensical (Material for MkDocs' successor) against the MkDocs build.

Material for MkDocs is in maintenance mode and MkDocs 2 drops plugins, so this test keeps
an eye on the way out: Zensical reads our mkdocs.yml as it is, into a temporary copy of
the project. The page list and every page's manifest blocks must be the same; every
other difference is recorded in zensical-report.md in the session's artifacts folder
(DEEPDIVE_TEST_ARTIFACTS; a temporary one unless set) and in this test's output,
and a difference of a kind not listed in KNOWN_DIFFERENCES fails the test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from deepdive.links import check_site
from deepdive.links_command import mkdocs_config

ROOT = Path(__file__).resolve().parent.parent
# What the Zensical build needs from the checkout (manifests/ for the macros).
PROJECT_PARTS = ("docs", "manifests", "overrides", "lab-results")  # what the build reads

# Zensical's mkdocs-macros shim gives define_env() an env.conf without "config_file_path",
# which deepdive/macros.py reads to find manifests/; the copy of mkdocs.yml supplies it.
CONFIG_SHIM = "\n# Added by tests/test_zensical.py (see CONFIG_SHIM)\nconfig_file_path: {path}\n"

# Differences that are known and accepted for now, by kind (see the report for details).
KNOWN_DIFFERENCES = {
    "config-shim": "macros.py needs env.conf['config_file_path'], which Zensical does not set",
    "files-only-in-mkdocs": "files MkDocs writes and Zensical does not (its search index, "
    "plugin/hook output such as manifests/ copied by on_post_build)",
    "files-only-in-zensical": "files Zensical writes and MkDocs does not (its own theme assets)",
    "broken-links-in-zensical": "internal links that do not resolve in the Zensical build",
    "heading-ids": "headings whose id differs between the two builds",
    "admonitions": "pages whose number of admonitions differs",
    "diagrams-left-to-the-browser": "diagram pages where the Mermaid fence is left for the "
    "theme to draw (the diagrams hook did not turn it into SVG): the theme's bundle then loads "
    "Mermaid from unpkg.com, a third-party request",
}

FILENAME = re.compile(r'<span class="filename">([^<]*)</span>')
HEADING_ID = re.compile(r"<h[1-6][^>]*\sid=\"([^\"]+)\"")
ADMONITION = re.compile(r'<div class="admonition[ "]')


@dataclass(frozen=True)
class Difference:
    kind: str
    detail: str


@dataclass(frozen=True)
class SiteShape:
    """What a reader sees of a build, reduced to what two generators should agree on."""

    files: frozenset[str]
    pages: tuple[str, ...]  # HTML pages, sorted
    manifest_blocks: dict[str, tuple[str, ...]]  # page -> titles of its manifest blocks
    heading_ids: dict[str, frozenset[str]]
    admonitions: dict[str, int]
    diagrams_left_to_the_browser: tuple[str, ...]  # a diagram engine would draw them


def shape_of(site: Path) -> SiteShape:
    files = frozenset(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    pages = tuple(sorted(f for f in files if f.endswith(".html")))
    texts = {page: (site / page).read_text(encoding="utf-8") for page in pages}
    return SiteShape(
        files=files,
        pages=pages,
        manifest_blocks={
            page: tuple(t for t in FILENAME.findall(text) if t.startswith("manifests/"))
            for page, text in texts.items()
        },
        heading_ids={page: frozenset(HEADING_ID.findall(text)) for page, text in texts.items()},
        admonitions={page: len(ADMONITION.findall(text)) for page, text in texts.items()},
        diagrams_left_to_the_browser=tuple(
            page for page, text in texts.items() if 'class="mermaid"' in text
        ),
    )


def compare(mkdocs: SiteShape, zensical: SiteShape) -> list[Difference]:
    found: list[Difference] = []
    for page in sorted(set(mkdocs.pages) ^ set(zensical.pages)):
        side = "mkdocs" if page in mkdocs.pages else "zensical"
        found.append(Difference(f"page-only-in-{side}", page))
    for page in sorted(set(mkdocs.pages) & set(zensical.pages)):
        ours, theirs = mkdocs.manifest_blocks[page], zensical.manifest_blocks[page]
        if ours != theirs:
            found.append(Difference("manifest-blocks", f"{page}: {ours} != {theirs}"))
        missing = sorted(mkdocs.heading_ids[page] - zensical.heading_ids[page])
        extra = sorted(zensical.heading_ids[page] - mkdocs.heading_ids[page])
        if missing or extra:
            found.append(
                Difference("heading-ids", f"{page}: only MkDocs {missing}, only Zensical {extra}")
            )
        if mkdocs.admonitions[page] != zensical.admonitions[page]:
            found.append(
                Difference(
                    "admonitions",
                    f"{page}: {mkdocs.admonitions[page]} != {zensical.admonitions[page]}",
                )
            )
    if zensical.diagrams_left_to_the_browser:
        pages = ", ".join(zensical.diagrams_left_to_the_browser)
        found.append(Difference("diagrams-left-to-the-browser", pages))
    for side, files in (
        ("mkdocs", mkdocs.files - zensical.files),
        ("zensical", zensical.files - mkdocs.files),
    ):
        non_pages = sorted(f for f in files if not f.endswith(".html"))
        if non_pages:
            found.append(Difference(f"files-only-in-{side}", _summarise(non_pages)))
    return found


def _summarise(paths: list[str]) -> str:
    """Files grouped by top folder, e.g. '3 in manifests/ (manifests/a.yaml, ...)'."""
    groups = Counter(p.split("/", 1)[0] + ("/" if "/" in p else "") for p in paths)
    parts = []
    for group, count in sorted(groups.items()):
        examples = [p for p in paths if p.startswith(group)][:2]
        parts.append(f"{count} in {group} (e.g. {', '.join(examples)})")
    return "; ".join(parts)


def render_report(
    differences: list[Difference], mkdocs: SiteShape, zensical: SiteShape, version: str
) -> str:
    blocks = sum(len(b) for b in mkdocs.manifest_blocks.values())
    lines = [
        "# Zensical build compared with the MkDocs build",
        "",
        f"- Zensical {version}; {len(mkdocs.pages)} MkDocs pages, {len(zensical.pages)} "
        f"Zensical pages; {blocks} manifest blocks in the MkDocs build.",
        f"- Page lists equal: {set(mkdocs.pages) == set(zensical.pages)}.",
        "",
        "| kind | detail |",
        "| --- | --- |",
    ]
    lines += [f"| {d.kind} | {d.detail.replace('|', '/')} |" for d in differences]
    return "\n".join(lines) + "\n"


def _missing_tool(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this cannot be skipped)")
    pytest.skip(reason)


def build_with_zensical(project: Path) -> tuple[Path, str]:
    """Copy what the site needs into `project`, build it there; (site dir, version)."""
    executable = Path(sys.executable).parent / "zensical"
    if not executable.is_file():
        _missing_tool("zensical is not installed: run `make setup`")
    for part in PROJECT_PARTS:
        if (ROOT / part).is_dir():
            shutil.copytree(ROOT / part, project / part)
    config = project / "mkdocs.yml"
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config.write_text(text + CONFIG_SHIM.format(path=config), encoding="utf-8")
    result = subprocess.run(
        [str(executable), "build", "--clean", "--config-file", str(config)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    assert result.returncode == 0, f"Zensical build failed:\n{result.stderr[-4000:]}"
    version = subprocess.run(
        [str(executable), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return project / "site", version


def test_zensical_builds_the_same_pages_and_manifest_blocks(
    built_site: Path, tmp_path: Path, artifacts_dir: Path
) -> None:
    zensical_site, version = build_with_zensical(tmp_path / "project")
    mkdocs, zensical = shape_of(built_site), shape_of(zensical_site)

    differences = [Difference("config-shim", KNOWN_DIFFERENCES["config-shim"])]
    differences += compare(mkdocs, zensical)
    site_url = str(mkdocs_config(ROOT / "mkdocs.yml")["site_url"])
    broken = check_site(zensical_site, site_url).problems
    if broken:
        raw = [p for p in broken if "manifests/" in p.url]
        sample = ", ".join(f"{p.page}: {p.url}" for p in broken[:2])
        detail = f"{len(broken)}, {len(raw)} of them raw-file links into manifests/ (e.g. {sample})"
        differences.append(Difference("broken-links-in-zensical", detail))

    report = render_report(differences, mkdocs, zensical, version)
    (artifacts_dir / "zensical-report.md").write_text(report, encoding="utf-8")
    print(report)  # shown with `pytest -s` or on failure

    assert mkdocs.pages == zensical.pages, report
    assert sum(len(b) for b in mkdocs.manifest_blocks.values()) > 0, "no manifest block to compare"
    unexpected = [d for d in differences if d.kind not in KNOWN_DIFFERENCES]
    assert unexpected == [], "differences of an unexpected kind:\n" + report


def test_comparison_reports_missing_pages_and_changed_manifest_blocks() -> None:
    def shape(pages: dict[str, tuple[str, ...]]) -> SiteShape:
        return SiteShape(
            files=frozenset(pages),
            pages=tuple(sorted(pages)),
            manifest_blocks=pages,
            heading_ids={p: frozenset() for p in pages},
            admonitions={p: 0 for p in pages},
            diagrams_left_to_the_browser=(),
        )

    ours = shape({"index.html": ("manifests/a.yaml",), "b/index.html": ()})
    theirs = shape({"index.html": ()})
    assert compare(ours, theirs) == [
        Difference("page-only-in-mkdocs", "b/index.html"),
        Difference("manifest-blocks", "index.html: ('manifests/a.yaml',) != ()"),
    ]
