"""A Markdown extension that gives admonitions and the computed facts boxes their structure.

Every admonition becomes a note named by its title (`role="note"`, `aria-labelledby` on the
title's id), so a screen reader can list and find it. The tables inside the facts boxes
(deepdive.facts.markdown, titled like FACT_TITLES) get a caption (the box's title, read by
screen readers, hidden on screen where the title already shows), column headers with
`scope="col"`, and their first column turned into row headers: it names each row
(a container, a probe setting, a rule, a subset, a limit).

Enabled in mkdocs.yml as `deepdive.a11y_markdown`.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from typing import Any

from markdown import Extension, Markdown  # type: ignore[import-untyped]
from markdown.treeprocessors import Treeprocessor  # type: ignore[import-untyped]

from deepdive.facts.markdown import FACT_TITLES

HIDDEN = "deepdive-visually-hidden"


def _classes(element: etree.Element) -> list[str]:
    return (element.get("class") or "").split()


def _text(element: etree.Element) -> str:
    return "".join(element.itertext()).strip()


class _NotesProcessor(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        number = 0
        for box in root.iter("div"):
            if "admonition" not in _classes(box):
                continue
            title = next((child for child in box if child.tag == "p"
                          and "admonition-title" in _classes(child)), None)
            if title is None:
                continue
            number += 1
            if not title.get("id"):
                title.set("id", f"deepdive-note-{number}")
            box.set("role", "note")
            box.set("aria-labelledby", title.get("id", ""))
            if _text(title).startswith(FACT_TITLES):
                self._fact_tables(box, _text(title))

    def _fact_tables(self, box: etree.Element, title: str) -> None:
        tables = [t for t in box.iter("table")]
        for table in tables:
            head_cells = [c for row in table.iter("tr") for c in row if c.tag == "th"]
            first = _text(head_cells[0]) if head_cells else ""
            caption_text = title + (f" ({first})" if len(tables) > 1 and first else "")
            context = self._context(box, table)
            if context:
                caption_text += f", {context}"
            caption = etree.Element("caption", {"class": HIDDEN})
            caption.text = caption_text
            table.insert(0, caption)
            for cell in head_cells:
                cell.set("scope", "col")
            for body in table.iter("tbody"):
                for row in body.iter("tr"):
                    cells = list(row)
                    if cells and cells[0].tag == "td":
                        cells[0].tag = "th"
                        cells[0].set("scope", "row")

    @staticmethod
    def _context(box: etree.Element, table: etree.Element) -> str:
        """The "Container `x`:" line right before a table, as "container x"."""
        children = list(box)
        if table not in children:
            return ""
        at = children.index(table)
        before = children[at - 1] if at > 0 else None
        if before is not None and before.tag == "p":
            text = _text(before)
            if text.startswith("Container ") and text.endswith(":"):
                return "c" + text[1:-1]
        return ""


class A11yExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(_NotesProcessor(md), "deepdive_notes", 4)


def makeExtension(**kwargs: Any) -> A11yExtension:
    return A11yExtension(**kwargs)
