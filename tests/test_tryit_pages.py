"""Every Try it on every page is data `deepdive tryit` can read (issue 11): each fence of a
Try it section is marked, each output block pins something, and each Try it has a block
to run or says why it cannot run unattended."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from deepdive.tryit.extract import headings, macros_renderer, read_page, try_it_lines
from deepdive.tryit.model import Kind, Page, Problem

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").rglob("*.md"))


@cache
def read(name: str) -> tuple[Page, list[Problem]]:
    return read_page(ROOT / name, name, macros_renderer(ROOT))


@pytest.mark.parametrize("name", PAGES)
def test_the_tool_reads_every_try_it_block(name: str) -> None:
    _, problems = read(name)
    assert not problems, "\n".join(map(str, problems))


@pytest.mark.parametrize("name", PAGES)
def test_every_try_it_section_has_a_block_to_run_or_a_reason(name: str) -> None:
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    sections = set(try_it_lines(lines).values())
    page, _ = read(name)
    covered = {b.section for b in page.blocks if b.kind in {Kind.RUN, Kind.MANUAL}}
    # Section titles in blocks are rendered (macros resolved); compare by their first words.
    rendered = {title.split("{{")[0].strip() for title in sections}
    missing = [t for t in rendered if not any(c.startswith(t) for c in covered)]
    assert not missing, f"{name}: Try it sections without a run or manual block: {missing}"


def test_every_page_with_a_try_it_heading_is_found() -> None:
    with_try_it = {name for name in PAGES
                   if any(title.startswith("Try it") for _, title in
                          headings((ROOT / name).read_text(encoding="utf-8")
                                   .splitlines()).values())}
    with_blocks = {name for name in PAGES if read(name)[0].blocks}
    assert with_try_it <= with_blocks, sorted(with_try_it - with_blocks)
