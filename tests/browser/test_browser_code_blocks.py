"""Commands and output as a reader sees them, in Chromium, at desktop and phone widths:
output is labelled and cannot be copied as a command, commands wrap clear of the copy
button, and field names in tables stay whole."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from deepdive.browser import OpenPage, ServedSite

WIDTHS = {"desktop": 1280, "phone": 390}
# A page with output blocks, long commands and tables of field names.
PAGES = ["istio/resilience/", "kubernetes/deployments/"]


def _at_width(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.wait_for_timeout(0)  # let layout settle before measuring


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("path", PAGES)
def test_output_blocks_are_labelled_and_have_no_copy_button(
    site: ServedSite, open_page: OpenPage, path: str, width: int
) -> None:
    page = open_page(site, path).page
    _at_width(page, width)
    found = page.evaluate("""() => Array.from(document.querySelectorAll(
        '.md-typeset .highlight.language-text > pre')).map(pre => ({
          label: getComputedStyle(pre, '::before').content,
          copyVisible: Array.from(pre.querySelectorAll('.md-code__button')).some(
            b => b.getClientRects().length > 0),
        }))""")
    assert found, f"{path} has no output block"
    assert all(block["label"] == '"Output"' for block in found), found
    assert not any(block["copyVisible"] for block in found)
    # commands keep their copy button
    commands = page.locator(".md-typeset .highlight.language-bash .md-code__button")
    assert commands.count() > 0 and commands.first.is_visible()


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_commands_wrap_clear_of_the_copy_button(
    site: ServedSite, open_page: OpenPage, width: int
) -> None:
    page = open_page(site, "istio/resilience/").page
    _at_width(page, width)
    overlaps = page.evaluate("""() => Array.from(document.querySelectorAll(
        '.md-typeset .highlight.language-bash > pre')).flatMap(pre => {
          const code = pre.querySelector('code');
          const button = pre.querySelector('.md-code__button');
          if (!code || !button) return [];
          const lane = button.getBoundingClientRect();
          const scrolls = code.scrollWidth > code.clientWidth + 1;
          // every line box of the command ends left of the button
          const range = document.createRange();
          range.selectNodeContents(code);
          const under = Array.from(range.getClientRects()).some(
            r => r.right > lane.left + 1 && r.bottom > lane.top && r.top < lane.bottom);
          return scrolls || under ? [code.textContent.slice(0, 60)] : [];
        })""")
    assert overlaps == []


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_field_names_in_tables_do_not_break_mid_word(
    site: ServedSite, open_page: OpenPage, width: int
) -> None:
    page = open_page(site, "kubernetes/deployments/").page
    _at_width(page, width)
    broken = page.evaluate("""() => Array.from(document.querySelectorAll(
        '.md-typeset table:not([class]) code')).filter(
          code => !/\\s/.test(code.textContent) && code.getClientRects().length > 1
        ).map(code => code.textContent)""")
    checked = page.locator(".md-typeset table:not([class]) code").count()
    assert checked > 0
    assert broken == []
