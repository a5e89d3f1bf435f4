"""Accessibility in Chromium: axe-core (pinned in package.json, injected from node_modules:
nothing loads from another host) runs the WCAG 2.1 A and AA rules on every page of the
built site, in the light and dark palettes, at desktop and phone widths, and no serious or
critical finding may remain. Controls prove the check can fail. Keyboard tests: copy
buttons, content tabs and the palette toggle are reached with Tab, show a visible outline,
and work; the "Copied" confirmation is in a live region."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Literal

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from deepdive.axe import Finding, grave, run_axe
from deepdive.browser import OpenPage, ServedSite, block_outside_requests, site_pages

Palette = Literal["light", "dark"]
COMBOS = [("light", 1280), ("light", 390), ("dark", 1280), ("dark", 390)]


@pytest.fixture(scope="module", params=COMBOS, ids=[f"{p}-{w}px" for p, w in COMBOS])
def combo_page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    """One context per palette and width, one page reused for every path."""
    palette, width = request.param
    context: BrowserContext = browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=palette)
    block_outside_requests(context)
    try:
        yield context.new_page()
    finally:
        context.close()


def grave_findings(page: Page, url: str, prepare: Callable[[Page], None] | None = None
                   ) -> list[Finding]:
    """The serious and critical axe findings of one page, after `prepare` if given."""
    page.goto(url, wait_until="load")
    if prepare is not None:
        prepare(page)
    return grave(run_axe(page))


def test_no_serious_or_critical_axe_findings(site: ServedSite, combo_page: Page) -> None:
    paths = site_pages(site.root)
    assert len(paths) > 10
    found = {f"/{path}": [f.line() for f in grave_findings(combo_page, site.url(path))]
             for path in paths}
    found = {path: lines for path, lines in found.items() if lines}
    assert found == {}


def _low_contrast_text(page: Page) -> None:
    page.evaluate("""() => {
        const p = document.createElement('p');
        p.textContent = 'Deliberately faint text for the axe control.';
        p.style.color = '#c8c8c8'; p.style.backgroundColor = '#ffffff';
        document.querySelector('.md-content article').prepend(p);
    }""")


def _links_without_underline(page: Page) -> None:
    page.add_style_tag(content=".md-typeset a { text-decoration: none !important; }")


@pytest.mark.parametrize(("prepare", "rule"), [
    (_low_contrast_text, "color-contrast"),
    (_links_without_underline, "link-in-text-block"),
], ids=["low-contrast", "links-by-colour-only"])
def test_axe_control_fails(site: ServedSite, browser: Browser,
                           prepare: Callable[[Page], None], rule: str) -> None:
    """The same check finds a deliberately inaccessible page: it can fail."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    try:
        block_outside_requests(context)
        page = context.new_page()
        clean = grave_findings(page, site.url("kubernetes/pods/"))
        assert clean == []
        broken = grave_findings(page, site.url("kubernetes/pods/"), prepare)
        assert rule in {f.rule for f in broken}, broken
    finally:
        context.close()


# --- keyboard ---------------------------------------------------------------------------

def _tab_to(page: Page, selector: str, limit: int = 300) -> None:
    """Press Tab until the focused element matches selector."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => !!document.activeElement?.matches(s)", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


def _outline(page: Page, selector_js: str) -> dict[str, str | float]:
    """The outline of an element chosen by a JS expression on the focused element `el`, and
    its contrast with the background it is drawn on (the nearest opaque one)."""
    return page.evaluate(f"""() => {{
        const el = document.activeElement;
        const target = {selector_js};
        const style = getComputedStyle(target);
        const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
        const lum = ([r, g, b]) => [r, g, b].map(v => v / 255).map(
            v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
            .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
        let node = target, bg = [255, 255, 255];
        while (node && node.nodeType === 1) {{
            const c = rgb(getComputedStyle(node).backgroundColor);
            if (c.length >= 3 && (c.length === 3 || c[3] > 0.9)) {{ bg = c; break; }}
            node = node.parentElement;
        }}
        const a = lum(rgb(style.outlineColor)), b = lum(bg);
        return {{style: style.outlineStyle, width: style.outlineWidth, color: style.outlineColor,
                 contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)}};
    }}""")


def _visible(outline: dict[str, str | float]) -> bool:
    """A solid-enough outline, at least 2 px wide, at 3:1 against its background (WCAG 1.4.11)."""
    width = float(str(outline["width"]).removesuffix("px"))
    return (outline["style"] not in ("none", "") and width >= 2
            and float(outline["contrast"]) >= 3)


def test_copy_button_by_keyboard(site: ServedSite, open_page: OpenPage) -> None:
    page = open_page(site, "kubernetes/pods/").page
    _tab_to(page, ".md-code__button[data-clipboard-target]")
    assert _visible(_outline(page, "el")), _outline(page, "el")
    dialog = page.locator(".md-dialog")
    assert dialog.get_attribute("aria-live") == "polite"
    assert dialog.get_attribute("role") == "status"
    page.keyboard.press("Enter")
    page.wait_for_function("() => /copied/i.test(document.querySelector('.md-dialog').textContent)")
    assert page.evaluate("() => navigator.clipboard.readText()").strip()


def test_content_tabs_by_keyboard(fixture_site: ServedSite, open_page: OpenPage) -> None:
    page = open_page(fixture_site, "").page
    _tab_to(page, ".tabbed-set > input")
    label = "el.parentElement.querySelector(`label[for='${el.id}']`)"
    first = _outline(page, label)
    assert _visible(first), first
    page.keyboard.press("ArrowRight")
    assert page.evaluate(
        "() => document.activeElement.matches('.tabbed-set > input:nth-of-type(2)')")
    assert page.evaluate("() => document.activeElement.checked")
    assert _visible(_outline(page, label))
    assert page.locator(".tabbed-block").nth(1).is_visible()


def test_palette_toggle_by_keyboard(site: ServedSite, open_page: OpenPage) -> None:
    page = open_page(site, "").page
    assert page.evaluate("() => document.body.dataset.mdColorScheme") == "default"
    _tab_to(page, "input.md-option")
    label = "document.querySelector(`label[for]:not([hidden]).md-header__button[for^='__palette']`)"
    outline = _outline(page, label)
    assert _visible(outline), outline
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.body.dataset.mdColorScheme === 'slate'")


def test_scrolling_tables_take_focus_on_phones(site: ServedSite, open_page: OpenPage) -> None:
    page = open_page(site, "kubernetes/pods/").page
    page.set_viewport_size({"width": 390, "height": 900})
    page.wait_for_function("""() => Array.from(document.querySelectorAll('.md-typeset__scrollwrap'))
        .some(w => w.scrollWidth > w.clientWidth + 1 && w.tabIndex === 0)""")
    _tab_to(page, ".md-typeset__scrollwrap[tabindex='0']")
    assert _visible(_outline(page, "el"))
