"""What the page-weight savings (issue 13) may and may not change in a built page."""

from __future__ import annotations

import re
from pathlib import Path

from deepdive.compact_html import compact_html
from deepdive.embed import shown_exactly

CODE = (
    '<div class="language-yaml highlight"><pre><span></span><code>'
    '<span class="nt">kind</span><span class="p">:</span><span class="w"> </span>'
    '<span class="l l-Scalar l-Scalar-Plain">Pod</span>\n</code></pre></div>'
)


def _text(html_text: str) -> str:
    return re.sub(r"<[^>]+>", "", html_text)


def test_code_blocks_lose_whitespace_spans_and_compound_classes_but_not_text() -> None:
    compacted = compact_html(CODE)
    assert '<span class="w">' not in compacted
    assert '<span class="l">Pod</span>' in compacted
    assert '<span class="nt">kind</span><span class="p">:</span> ' in compacted
    assert _text(compacted) == _text(CODE)


def test_prose_outside_code_blocks_is_left_alone() -> None:
    prose = '<p><span class="w"> </span><span class="l l-Scalar">x</span></p>'
    assert compact_html(prose + CODE).startswith(prose)


def test_the_built_site_ships_no_whitespace_spans(built_site: Path) -> None:
    pages = list(built_site.rglob("index.html"))
    assert pages
    assert not [p for p in pages if '<span class="w">' in p.read_text("utf-8")]


def test_a_code_block_shows_a_file_exactly_only_when_its_text_is_the_bytes() -> None:
    assert shown_exactly(b"apiVersion: v1\nkind: Pod\n")
    for inexact in (
        b"apiVersion: v1\n\n",  # a trailing blank line
        b"apiVersion: v1",  # no final newline
        b"\napiVersion: v1\n",  # a leading blank line
        b"a: b\r\n",  # CRLF
        b"# a\ttab\n",  # a tab
        b"a: b \n",  # trailing space on the last line
        b"\xff\n",  # not UTF-8
    ):
        assert not shown_exactly(inexact), inexact
