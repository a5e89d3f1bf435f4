"""MkDocs hook: Mermaid diagrams become inline SVG at build time; no page loads a diagram engine.

A ```mermaid fence stays the only source of a diagram. pymdownx.superfences writes it
as `<pre class="mermaid"><code>...</code></pre>` (mkdocs.yml); this hook collects those
from every page (`on_page_content`, after the macros have filled in numbers), renders
the ones it has not seen with one run of `diagrams.mjs` (Node, the pinned npm
`beautiful-mermaid`) once all pages are read (`on_env`), and puts each SVG in place of
its fence (`on_post_page`). SVGs are cached by the diagram's text, in memory (so
`mkdocs serve` re-renders only a diagram that changed) and on disk.

Colours are the theme's CSS variables (docs/assets/stylesheets/extra.css), so one SVG
follows the light and the dark palette. Each SVG is sized in em so its smallest text is
as large as the page's code text; a wider diagram scrolls sideways in its figure. The
text alternative is Mermaid's accTitle/accDescr when given, else the diagram's labels.

A diagram that cannot be rendered, or whose labels the renderer dropped, stops the
build with one line: the page, the line of its fence and the reason.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

from deepdive.paths import config_root
from deepdive.validate.compiled import cache_root, write_atomically

PACKAGE = "beautiful-mermaid"
SCRIPT = Path(__file__).with_name("diagrams.mjs")
# Bump when what this module does to the renderer's input or output changes.
ADAPTER_VERSION = "2"
# What pymdownx.superfences writes for a ```mermaid fence (custom_fences in mkdocs.yml).
FENCE_HTML = re.compile(r'<pre class="mermaid"><code>(.*?)</code></pre>', re.S)
FENCE_SOURCE = re.compile(r"^[ \t]*(?:`{3,}|~{3,})[ \t]*mermaid\b", re.M)
PLACEHOLDER = "<!--deepdive-diagram:{index}-->"
PLACEHOLDER_RE = re.compile(r"<!--deepdive-diagram:(\d+)-->")
# The code text of .md-typeset is 0.85em (Material); a diagram's smallest text is scaled
# to at least that, relative to the same em.
CODE_EM = 0.85
TIMEOUT_S = 120
log = logging.getLogger("mkdocs.hooks.diagrams")


class DiagramError(PluginError):
    """A diagram the build cannot show: one line, page and line of the fence first."""


# -- The diagram's source: text alternative and the renderer's input ---------------------


@dataclass(frozen=True)
class Prepared:
    text: str  # what the renderer gets
    kind: str  # "flowchart", "sequence", ...
    title: str | None  # accTitle
    description: str | None  # accDescr
    labels: tuple[str, ...]  # labels the SVG must show (content kept)


ACC_LINE = re.compile(r"^\s*(accTitle|accDescr)\s*:\s*(.*?)\s*$")
ACC_BLOCK_START = re.compile(r"^\s*accDescr\s*\{\s*(.*?)\s*$")
AUTONUMBER = re.compile(r"^\s*autonumber\s*$")
ACTOR = re.compile(r"^(\s*)actor(\s+)")
NOTE = re.compile(r"^(\s*note\s+(?:over|left of|right of)\s+[^:]+:)(.*)$", re.I)
MESSAGE = re.compile(
    r"^(?P<head>\s*[^\s:%][^:]*?\s*(?:<<-->>|<<->>|-->>|->>|--\)|-\)|--x|-x|-->|->)"
    r"[+-]?\s*[^:]+?\s*:)(?P<text>.*)$"
)
QUOTED = re.compile(r'"([^"]+)"')
BREAK = re.compile(r"<br\s*/?>", re.I)
KINDS = {
    "graph": "flowchart", "flowchart": "flowchart", "sequenceDiagram": "sequence",
    "stateDiagram": "state", "stateDiagram-v2": "state", "classDiagram": "class",
    "erDiagram": "entity-relationship", "xychart-beta": "chart",
}


def _kind(text: str) -> str:
    for line in text.splitlines():
        words = line.split()
        if words and not words[0].startswith("%%"):
            return KINDS.get(words[0], words[0])
    return "empty"


def _label_parts(label: str) -> list[str]:
    return [" ".join(part.split()) for part in BREAK.split(label) if part.strip()]


def prepare(source: str) -> Prepared:
    """Split accessibility lines off and adapt what the renderer lacks, keeping the content.

    The renderer ignores `autonumber` (the numbers are written into the messages),
    draws a stick figure whose name collides with the first message (an `actor` is
    drawn as a participant box) and sizes a note for one line (its lines are joined).
    """
    kind = _kind(source)
    title = description = None
    lines: list[str] = []
    block: list[str] | None = None
    for line in source.splitlines():
        if block is not None:
            if line.strip().endswith("}"):
                block.append(line.strip()[:-1])
                description = " ".join(" ".join(block).split())
                block = None
            else:
                block.append(line.strip())
            continue
        if match := ACC_BLOCK_START.match(line):
            rest = match.group(1)
            if rest.endswith("}"):
                description = rest[:-1].strip()
            else:
                block = [rest]
            continue
        if match := ACC_LINE.match(line):
            if match.group(1) == "accTitle":
                title = match.group(2)
            else:
                description = match.group(2)
            continue
        lines.append(line)
    labels = [part for label in QUOTED.findall("\n".join(lines)) for part in _label_parts(label)]
    if kind == "sequence":
        lines, sequence_labels = _adapt_sequence(lines)
        labels += sequence_labels
    return Prepared("\n".join(lines) + "\n", kind, title, description, tuple(labels))


def _adapt_sequence(lines: list[str]) -> tuple[list[str], list[str]]:
    numbered = any(AUTONUMBER.match(line) for line in lines)
    adapted: list[str] = []
    labels: list[str] = []
    number = 0
    for line in lines:
        if AUTONUMBER.match(line):
            continue
        line = ACTOR.sub(r"\1participant\2", line)
        if match := NOTE.match(line):
            text = " ".join(_label_parts(match.group(2)))
            line = f"{match.group(1)} {text}"
            labels.append(text)
        elif match := MESSAGE.match(line):
            text = match.group("text").strip()
            if numbered:
                number += 1
                text = f"{number}. {text}"
            line = f"{match.group('head')} {text}"
            labels += _label_parts(text)
        adapted.append(line)
    return adapted, labels


# -- Rendering, cached by text -------------------------------------------------------------

Runner = Callable[[list[dict[str, str]]], list[dict[str, str]]]


def installed_renderer(root: Path) -> tuple[Path, str]:
    """The renderer npm installed, checked to be the version package.json pins."""
    project = json.loads((root / "package.json").read_text(encoding="utf-8"))
    pinned = project["dependencies"][PACKAGE]
    manifest = root / "node_modules" / PACKAGE / "package.json"
    if not manifest.is_file():
        raise PluginError(f"node_modules/{PACKAGE} is missing: run `make setup` (npm ci)")
    installed = json.loads(manifest.read_text(encoding="utf-8"))["version"]
    if installed != pinned:
        raise PluginError(
            f"node_modules holds {PACKAGE} {installed}, package.json pins {pinned}:"
            " run `make setup`"
        )
    return manifest.parent, str(pinned)


def node_runner(script: Path) -> Runner:
    """Render a batch with one Node process."""

    def run(batch: list[dict[str, str]]) -> list[dict[str, str]]:
        node = shutil.which("node")
        if node is None:
            raise PluginError("rendering diagrams needs Node.js (node) on PATH: see README.md")
        try:
            done = subprocess.run(
                [node, str(script)], input=json.dumps(batch), capture_output=True,
                text=True, timeout=TIMEOUT_S, check=False,
            )
        except subprocess.TimeoutExpired:
            raise PluginError(f"{script.name}: no answer within {TIMEOUT_S} s") from None
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise PluginError(f"{script.name} failed: {last}")
        results: list[dict[str, str]] = json.loads(done.stdout)
        return results

    return run


@dataclass
class Renderer:
    """Raw SVGs by diagram text: in memory for the process, on disk across builds."""

    runner: Runner
    tag: str  # renderer version + script digest: part of every cache key
    cache_dir: Path | None = None
    memory: dict[str, str] = field(default_factory=dict)
    rendered: list[str] = field(default_factory=list)  # texts sent to the renderer

    def key(self, text: str) -> str:
        return hashlib.sha256(f"{self.tag}\0{ADAPTER_VERSION}\0{text}".encode()).hexdigest()

    def _from_disk(self, key: str) -> str | None:
        if self.cache_dir is None:
            return None
        path = self.cache_dir / f"{key}.svg"
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            return None

    def render(self, texts: Iterable[str]) -> dict[str, str | Exception]:
        """SVG (or the renderer's error) for each text; only unseen texts reach the runner."""
        out: dict[str, str | Exception] = {}
        missing: dict[str, str] = {}
        for text in texts:
            key = self.key(text)
            svg = self.memory.get(key) or self._from_disk(key)
            if svg is not None:
                self.memory[key] = out[text] = svg
            else:
                missing[key] = text
        if missing:
            self.rendered += missing.values()
            answers = self.runner([{"id": key, "text": text} for key, text in missing.items()])
            for answer in answers:
                text = missing[answer["id"]]
                if "svg" in answer:
                    svg = answer["svg"]
                    self.memory[answer["id"]] = out[text] = svg
                    if self.cache_dir is not None:
                        write_atomically(self.cache_dir / f"{answer['id']}.svg", svg.encode())
                else:
                    out[text] = ValueError(answer.get("error", "no SVG"))
        return out


# -- The SVG put into the page ------------------------------------------------------------

TEXT = re.compile(r"<text\b[^>]*>(.*?)</text>", re.S)
TAG = re.compile(r"<[^>]+>")
FONT_SIZE = re.compile(r'font-size="([\d.]+)"')
ROOT_TAG = re.compile(r"<svg\b[^>]*>")
VIEWBOX = re.compile(r'viewBox="([-\d. ]+)"')
STYLE_ELEMENT = re.compile(r"<style>.*?</style>\s*", re.S)
IDS = re.compile(r'(?<![\w-])id="([^"]+)"')
NODE_BOX = re.compile(
    r'<g class="node" data-id="([^"]+)"[^>]*>\s*<rect x="([-\d.]+)" y="([-\d.]+)"'
    r' width="([\d.]+)" height="([\d.]+)"'
)
SUBGRAPH_ORIGIN = re.compile(r'<g class="subgraph"[^>]*>\s*<rect x="([-\d.]+)" y="([-\d.]+)"')
EDGE = re.compile(
    r'<polyline class="edge" data-from="([^"]+)" data-to="([^"]+)"[^>]*?points="([^"]*)"'
)
EDGE_LABEL = re.compile(r'<g class="edge-label" data-from="([^"]+)" data-to="([^"]+)".*?</g>', re.S)
XY = re.compile(r'\b([xy])="([-\d.]+)"')
TOUCH = 2.0  # SVG units an edge's end may sit off its node's box


def svg_texts(svg: str) -> list[str]:
    return [" ".join(html.unescape(TAG.sub(" ", t)).split()) for t in TEXT.findall(svg)]


def missing_labels(prepared: Prepared, svg: str) -> list[str]:
    """Labels of the source that the SVG does not show (the renderer skips what it cannot parse)."""
    shown = " \n ".join(svg_texts(svg))
    return [label for label in prepared.labels if html.unescape(label) not in shown]


def _caption(prepared: Prepared, svg: str) -> str:
    seen: list[str] = []
    for text in svg_texts(svg):
        if text and text not in seen:
            seen.append(text)
    return f"{prepared.kind.capitalize()} diagram. Its labels, in order: " + "; ".join(seen) + "."


Box = tuple[float, float, float, float]


def _touches(point: tuple[float, float], box: Box) -> bool:
    x, y, width, height = box
    return (x - TOUCH <= point[0] <= x + width + TOUCH
            and y - TOUCH <= point[1] <= y + height + TOUCH)


def _points(text: str) -> list[tuple[float, float]]:
    pairs = [pair.split(",") for pair in text.split()]
    return [(float(x), float(y)) for x, y in pairs]


def place_nested_edges(svg: str) -> str:
    """Move each edge drawn in its subgraph's frame to where its nodes are.

    beautiful-mermaid 1.1.3 draws an edge between nodes of two nested subgraphs (Pod curl
    to Pod helloworld inside Data plane) relative to the subgraph that holds both, without
    adding that subgraph's position: the line and its label land elsewhere. An edge whose
    ends miss its nodes is shifted by the one subgraph origin that makes both ends meet.
    """
    boxes: dict[str, Box] = {
        m.group(1): (float(m.group(2)), float(m.group(3)), float(m.group(4)), float(m.group(5)))
        for m in NODE_BOX.finditer(svg)
    }
    origins = [(float(x), float(y)) for x, y in SUBGRAPH_ORIGIN.findall(svg)]
    shifts: dict[tuple[str, str], tuple[float, float]] = {}

    def edge(match: re.Match[str]) -> str:
        source, target, text = match.groups()
        if source not in boxes or target not in boxes:
            return match.group(0)
        points = _points(text)
        if not points or (_touches(points[0], boxes[source])
                          and _touches(points[-1], boxes[target])):
            return match.group(0)
        for dx, dy in origins:
            if (_touches((points[0][0] + dx, points[0][1] + dy), boxes[source])
                    and _touches((points[-1][0] + dx, points[-1][1] + dy), boxes[target])):
                shifts[(source, target)] = (dx, dy)
                moved = " ".join(f"{x + dx:g},{y + dy:g}" for x, y in points)
                return match.group(0).replace(f'points="{text}"', f'points="{moved}"')
        return match.group(0)

    svg = EDGE.sub(edge, svg)

    def label(match: re.Match[str]) -> str:
        shift = shifts.get((match.group(1), match.group(2)))
        if shift is None:
            return match.group(0)
        offset = {"x": shift[0], "y": shift[1]}
        return XY.sub(lambda m: f'{m.group(1)}="{float(m.group(2)) + offset[m.group(1)]:g}"',
                      match.group(0))

    return EDGE_LABEL.sub(label, svg)


def figure(raw_svg: str, prepared: Prepared, prefix: str) -> str:
    """The page's markup for one diagram: an accessible, themed SVG sized in em."""
    svg = place_nested_edges(STYLE_ELEMENT.sub("", raw_svg))  # colours: extra.css
    # Every id gets the diagram's prefix, so markers and nodes never collide with the
    # page's anchors or another diagram on the same page.
    names = set(IDS.findall(svg))
    svg = IDS.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    for name in names:
        svg = svg.replace(f"url(#{name})", f"url(#{prefix}-{name})")
    # The renderer draws its start marker facing forwards; at the start of a line it must
    # face back along the line, as the end marker does at the end.
    svg = svg.replace('<polygon points="8 0, 0 2.5, 8 5"', '<polygon points="0 0, 8 2.5, 0 5"')
    svg = svg.replace('refX="1" refY="2.5" orient="auto-start-reverse"',
                      'refX="7" refY="2.5" orient="auto-start-reverse"')
    box = VIEWBOX.search(svg)
    if box is None:
        raise ValueError("the renderer gave an SVG without a viewBox")
    _, _, width, height = (float(n) for n in box.group(1).split())
    smallest = min((float(size) for size in FONT_SIZE.findall(svg)), default=16.0)
    scale = CODE_EM / smallest  # em per SVG unit
    title = prepared.title or f"{prepared.kind.capitalize()} diagram"
    description = prepared.description or _caption(prepared, raw_svg)
    root = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{box.group(1)}"'
        f' class="deepdive-diagram__svg" role="img"'
        f' aria-labelledby="{prefix}-title {prefix}-desc"'
        f' data-min-font-size="{smallest:g}"'
        f' style="width: {width * scale + 0.001:.3f}em; height: {height * scale + 0.001:.3f}em">'
        f'<title id="{prefix}-title">{html.escape(title)}</title>'
        f'<desc id="{prefix}-desc">{html.escape(description)}</desc>'
    )
    svg = ROOT_TAG.sub(lambda _: root, svg, count=1)
    return (
        f'<figure class="deepdive-diagram" id="{prefix}">'
        f'<div class="deepdive-diagram__scroll" tabindex="0" role="group"'
        f' aria-label="{html.escape(title)} (scrolls sideways when wider than the page)">'
        f"{svg}</div></figure>"
    )


# -- The hook -------------------------------------------------------------------------------


@dataclass
class Diagram:
    page: str  # docs/... path, for messages
    line: int  # of the fence in the page's source, 1-based (0: unknown)
    source: str
    prepared: Prepared


@dataclass
class _Build:
    renderer: Renderer | None = None
    diagrams: dict[str, list[Diagram]] = field(default_factory=dict)  # by page src_uri
    figures: dict[str, list[str]] = field(default_factory=dict)  # markup, by page src_uri


_build = _Build()


def fence_lines(markdown: str) -> list[int]:
    """1-based line numbers of the ```mermaid fences of a page's source."""
    return [markdown.count("\n", 0, match.start()) + 1 for match in FENCE_SOURCE.finditer(markdown)]


def renderer_tag(root: Path) -> str:
    """What a drawn SVG depends on besides its text, for the cache key: the renderer's pinned
    version, a digest of the script that drives it and of the npm lock (which pins the
    renderer's own dependencies)."""
    _, version = installed_renderer(root)
    digest = hashlib.sha256()
    for path in (SCRIPT, root / "package-lock.json"):
        digest.update(path.read_bytes() if path.is_file() else b"")
        digest.update(b"\0")
    return f"{PACKAGE}-{version}-{digest.hexdigest()[:16]}"


def _renderer(config: Mapping[str, Any]) -> Renderer:
    if _build.renderer is None:
        _build.renderer = Renderer(
            runner=node_runner(SCRIPT), tag=renderer_tag(config_root(config)),
            cache_dir=cache_root() / "diagrams",
        )
    return _build.renderer


def on_pre_build(config: Any) -> None:
    # `mkdocs serve` rebuilds in the same process: the pages start afresh, the renderer's
    # cache stays, so only a diagram whose text changed is drawn again.
    _build.diagrams, _build.figures = {}, {}


def on_page_content(html_text: str, page: Any, config: Any, files: Any) -> str:
    """Swap each diagram fence for a placeholder, remembering its page and line."""
    if '<pre class="mermaid">' not in html_text:
        return html_text
    docs = Path(config["docs_dir"])
    src = Path(page.file.abs_src_path) if page.file.abs_src_path else docs / page.file.src_path
    lines = fence_lines(src.read_text(encoding="utf-8")) if src.is_file() else []
    try:
        shown = src.resolve().relative_to(config_root(config)).as_posix()
    except ValueError:
        shown = str(src)
    found: list[Diagram] = []

    def swap(match: re.Match[str]) -> str:
        source = html.unescape(match.group(1))
        index = len(found)
        line = lines[index] if index < len(lines) else 0
        found.append(Diagram(shown, line, source, prepare(source)))
        return PLACEHOLDER.format(index=index)

    content = FENCE_HTML.sub(swap, html_text)
    _build.diagrams[page.file.src_uri] = found
    return content


def on_env(env: Any, config: Any, files: Any) -> Any:
    """Render every diagram of the build that the cache lacks, in one run."""
    diagrams = [d for page in _build.diagrams.values() for d in page]
    if not diagrams:
        return env
    renderer = _renderer(config)
    before, started = len(renderer.rendered), time.perf_counter()
    svgs = renderer.render(dict.fromkeys(d.prepared.text for d in diagrams))
    if drawn := len(renderer.rendered) - before:
        log.info("Diagrams: drew %d of %d in %.2f s (the rest from the cache)",
                 drawn, len(svgs), time.perf_counter() - started)
    for uri, found in _build.diagrams.items():
        _build.figures[uri] = [
            _figure(diagram, svgs[diagram.prepared.text], index)
            for index, diagram in enumerate(found)
        ]
    return env


def _figure(diagram: Diagram, result: str | Exception, index: int) -> str:
    where = f"{diagram.page}:{diagram.line}" if diagram.line else diagram.page
    if isinstance(result, Exception):
        raise DiagramError(f"{where}: the Mermaid diagram cannot be rendered: {result}")
    if dropped := missing_labels(diagram.prepared, result):
        raise DiagramError(
            f"{where}: the Mermaid diagram renders without "
            + ", ".join(repr(label) for label in dropped)
            + " (a line the renderer cannot read?)"
        )
    try:
        return figure(result, diagram.prepared, f"diagram-{index + 1}")
    except ValueError as error:
        raise DiagramError(f"{where}: the Mermaid diagram cannot be rendered: {error}") from None


def on_post_page(output: str, page: Any, config: Any) -> str:
    figures = _build.figures.get(page.file.src_uri)
    if not figures:
        return output
    return PLACEHOLDER_RE.sub(lambda match: figures[int(match.group(1))], output)
