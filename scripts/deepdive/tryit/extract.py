"""Read a page's Try it blocks back from its Markdown, in page order.

The directives are Jinja comments, which the macros engine would drop. So the tool first
turns each one into a numbered HTML comment (`expose_directives`), renders the page through
the same macros as the site build (manifest paths and computed outputs resolved), and then
finds each numbered comment and the fence or paragraph after it. Source line numbers come
from the directive's own line, which the rendering cannot move.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from deepdive.tryit.compare import VARY_CLASSES, pinned_problem
from deepdive.tryit.model import (
    DIRECTIVE,
    EXPOSED,
    KNOWN_REQUIREMENTS,
    REQUIRES,
    Block,
    Directive,
    DirectiveError,
    Kind,
    Page,
    Problem,
    parse_directive,
)

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.+?)\s*(?:\{[^}]*\})?\s*$")
TRY_IT = re.compile(r"^Try it\b")
# Commands in the inline code of a clean-up paragraph ("Clean up with `kubectl delete ...`"):
# the spans that delete, uninstall or remove a label; other code in the paragraph is prose.
INLINE_CODE = re.compile(r"`([^`]+)`")
CLEANUP_COMMAND = re.compile(r"^(?:kubectl|istioctl|kind|helm)\s(?:.*\s)?(?:delete|uninstall)\s"
                             r"|^kubectl\s+label\s.*\S-$")
RUNNABLE_LANGUAGES = {"bash", "sh", "shell", "console"}
# Jinja's raw tags may sit between a directive and its fence (a command with `{{`).
RAW_TAG = re.compile(r"^\s*\{%-?\s*(?:raw|endraw)\s*-?%\}\s*$")

Renderer = Callable[[Path, str], str]


@dataclass(frozen=True)
class SourceDirective:
    line: int  # 1-based line of the directive in the source
    directive: Directive | None
    error: str | None


@dataclass(frozen=True)
class Fence:
    start: int  # 0-based index of the opening line
    end: int  # 0-based index of the closing line (or len(lines) if unclosed)
    indent: str
    language: str
    body: list[str]


def scan_fences(lines: list[str]) -> Iterator[Fence]:
    """Every fenced block of a Markdown text, outermost only, with its language."""
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        indent, fence = match.group("indent"), match.group("fence")
        info = match.group("info").strip()
        language = info.strip("{} ").split()[0].lstrip(".") if info.strip("{} ") else ""
        # A closing fence may follow a Jinja tag on its line: `{% endfor %}```.
        jinja_tags = r"(?:\{%[^%]*%\}\s*)*"
        close = re.compile(rf"^[ \t]*{jinja_tags}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        end = index + 1
        while end < len(lines) and not close.match(lines[end]):
            end += 1
        body = [_dedent(line, indent) for line in lines[index + 1:end]]
        yield Fence(index, end, indent, language, body)
        index = end + 1


def _dedent(line: str, indent: str) -> str:
    return line[len(indent):] if line.startswith(indent) else line.lstrip(" \t")


def headings(lines: list[str]) -> dict[int, tuple[int, str]]:
    """0-based line -> (level, title) of every ATX heading outside fences."""
    inside = {i for fence in scan_fences(lines) for i in range(fence.start, fence.end + 1)}
    found = {}
    for number, line in enumerate(lines):
        match = HEADING.match(line)
        if match and number not in inside:
            found[number] = (len(match.group("hashes")), match.group("title"))
    return found


def try_it_lines(lines: list[str]) -> dict[int, str]:
    """0-based line -> the Try it heading whose section holds it (heading excluded)."""
    marks = headings(lines)
    section: dict[int, str] = {}
    current: tuple[int, str] | None = None
    for number in range(len(lines)):
        if number in marks:
            level, title = marks[number]
            if current and level <= current[0]:
                current = None
            if TRY_IT.match(title):
                current = (level, title)
            continue
        if current:
            section[number] = current[1]
    return section


def source_directives(lines: list[str]) -> list[SourceDirective]:
    found = []
    for number, line in enumerate(lines, start=1):
        match = DIRECTIVE.match(line)
        if not match or REQUIRES.match(line):
            continue
        try:
            found.append(SourceDirective(number, parse_directive(match.group("body"),
                                                                 VARY_CLASSES), None))
        except DirectiveError as error:
            found.append(SourceDirective(number, None, str(error)))
    return found


def expose_directives(lines: list[str]) -> list[str]:
    """The source with directive number N as `<!--tryit N-->`, which the macros keep."""
    exposed, count = [], 0
    for line in lines:
        match = DIRECTIVE.match(line)
        if match and not REQUIRES.match(line):
            exposed.append(f"{match.group('indent')}<!--tryit {count}-->")
            count += 1
        else:
            exposed.append(line)
    return exposed


def unmarked_fences(name: str, lines: list[str]) -> list[Problem]:
    """Fences inside a Try it section with no directive on the line before (blank lines
    between are allowed): the tool could not tell what they are."""
    sections = try_it_lines(lines)
    problems = []
    for fence in scan_fences(lines):
        if fence.start not in sections or fence.language == "mermaid":
            continue
        before = fence.start - 1
        while before >= 0 and (not lines[before].strip() or RAW_TAG.match(lines[before])):
            before -= 1
        if before < 0 or not DIRECTIVE.match(lines[before]):
            problems.append(Problem(name, fence.start + 1,
                                    f"a ```{fence.language or '(no language)'} fence in "
                                    f"{sections[fence.start]!r} has no tryit directive"))
    return problems


def read_page(path: Path, name: str, render: Renderer | None = None) -> tuple[Page, list[Problem]]:
    """A page's blocks and what the tool cannot read in it (empty when all is well)."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    problems = unmarked_fences(name, lines)
    directives = source_directives(lines)
    problems += [Problem(name, d.line, d.error) for d in directives if d.error]
    exposed = "\n".join(expose_directives(lines)) + "\n"
    rendered = render(path, exposed) if render else exposed
    rendered_lines = rendered.splitlines()
    requires: list[str] = []
    for number, line in enumerate(lines, start=1):
        wanted = REQUIRES.match(line)
        if wanted:
            names = wanted.group("names").replace(",", " ").split()
            unknown = sorted(n for n in set(names) - KNOWN_REQUIREMENTS if not n.endswith(".md"))
            if unknown:
                problems.append(Problem(name, number, f"requires: unknown {', '.join(unknown)} "
                                        f"(one of {', '.join(sorted(KNOWN_REQUIREMENTS))}, "
                                        "or a page such as docs/istio/index.md)"))
            requires += [n for n in names if n not in unknown and n not in requires]
    page = Page(path, name, requires=tuple(requires))
    sections = _rendered_sections(rendered_lines)
    fences = {fence.start: fence for fence in scan_fences(rendered_lines)}
    seen: set[int] = set()
    for number, line in enumerate(rendered_lines):
        match = EXPOSED.match(line)
        if not match:
            continue
        index = int(match.group("index"))
        if index >= len(directives) or index in seen:
            problems.append(Problem(name, 1, "a tryit directive inside a Jinja loop or macro: "
                                             "put it on its own line in the page"))
            continue
        seen.add(index)
        found = directives[index]
        if found.directive is None:
            continue
        block, problem = _block_after(name, found, rendered_lines, number, fences,
                                      lines, sections.get(number, ""))
        if problem:
            problems.append(problem)
        if block:
            page.blocks.append(block)
    missing = [d for i, d in enumerate(directives) if i not in seen]
    problems += [Problem(name, d.line, "this directive did not survive the macros "
                                       "(inside a Jinja condition?)") for d in missing]
    problems += _order_problems(page)
    return page, problems


def _rendered_sections(lines: list[str]) -> dict[int, str]:
    marks = headings(lines)
    section: dict[int, str] = {}
    current = ""
    for number in range(len(lines)):
        if number in marks:
            current = marks[number][1]
        section[number] = current
    return section


def _block_after(name: str, found: SourceDirective, rendered: list[str], number: int,
                 fences: dict[int, Fence], source: list[str],
                 section: str) -> tuple[Block | None, Problem | None]:
    directive = found.directive
    assert directive is not None
    following = number + 1
    while following < len(rendered) and not rendered[following].strip():
        following += 1
    source_fence = _source_fence_after(source, found.line)
    fence = fences.get(following)
    if fence is None:
        if directive.kind is not Kind.CLEANUP:
            return None, Problem(name, found.line, f"{directive.kind.value}: no fence follows")
        paragraph = []
        while following < len(rendered) and rendered[following].strip():
            paragraph.append(rendered[following])
            following += 1
        commands = [code for code in INLINE_CODE.findall(" ".join(paragraph))
                    if CLEANUP_COMMAND.match(code)]
        if not commands:
            return None, Problem(name, found.line, "cleanup: neither a fence nor a paragraph "
                                                   "with `kubectl delete ...` code follows")
        return Block(name, found.line + 1, section, directive, "\n".join(commands) + "\n"), None
    text = "\n".join(fence.body) + ("\n" if fence.body else "")
    source_lines: tuple[int, ...] | None = None
    if source_fence is not None and source_fence.end - source_fence.start - 1 == len(fence.body):
        source_lines = tuple(range(source_fence.start + 2, source_fence.end + 1))
    line = source_fence.start + 2 if source_fence else found.line + 1
    block = Block(name, line, section, directive, text, source_lines)
    if directive.kind in {Kind.RUN, Kind.CLEANUP} and fence.language not in RUNNABLE_LANGUAGES:
        return None, Problem(name, line, f"{directive.kind.value}: the fence is "
                                         f"```{fence.language}, not a shell block")
    if directive.kind is Kind.OUTPUT:
        problem = pinned_problem(directive, text)
        if problem:
            return None, Problem(name, line, problem)
    return block, None


def _source_fence_after(lines: list[str], directive_line: int) -> Fence | None:
    """The source fence right after the directive on `directive_line` (1-based)."""
    index = directive_line  # 0-based index of the line after the directive
    while index < len(lines) and (not lines[index].strip() or RAW_TAG.match(lines[index])):
        index += 1
    if index < len(lines) and FENCE.match(lines[index]):
        fence = next(scan_fences(lines[index:]), None)
        if fence is not None:
            return Fence(fence.start + index, fence.end + index, fence.indent, fence.language,
                         fence.body)
    return None


def _order_problems(page: Page) -> list[Problem]:
    """An output block compares what the last command printed: one must come before it."""
    problems = []
    last: Kind | None = None
    for block in page.blocks:
        if block.kind is Kind.OUTPUT and last not in {Kind.RUN, Kind.MANUAL, Kind.OUTPUT}:
            problems.append(Problem(page.name, block.line,
                                    "output: no run block before it to compare with"))
        last = block.kind
    return problems


# --- rendering through the site's macros ------------------------------------------------

@cache
def _mkdocs(config_file: str) -> tuple[Any, Any, Any]:
    """The loaded mkdocs config, the macros plugin after on_config, and the files."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files

    config = load_config(config_file)
    config.plugins.on_startup(command="build", dirty=False)
    config = config.plugins.on_config(config)
    return config, config.plugins["macros"], get_files(config)


def macros_renderer(root: Path) -> Renderer:
    """Render a page's Markdown as the site build does before Markdown runs (macros only)."""
    def render(path: Path, markdown: str) -> str:
        from mkdocs.structure.pages import Page as MkdocsPage

        if not (root / "mkdocs.yml").is_file():
            return markdown  # not a site (tests): no macros
        config, macros, files = _mkdocs(str(root / "mkdocs.yml"))
        docs = Path(config["docs_dir"]).resolve()
        try:
            source = path.resolve().relative_to(docs).as_posix()
        except ValueError:
            return markdown  # a page outside docs/ (tests): no macros
        file = files.get_file_from_path(source)
        if file is None:
            return markdown
        page = MkdocsPage(None, file, config)
        page.read_source(config)  # front matter into page.meta, as the build does
        return str(macros.on_page_markdown(_strip_front_matter(markdown), page=page,
                                           config=config, files=files))
    return render


def _strip_front_matter(markdown: str) -> str:
    """The text the build gives the macros: without the YAML front matter, whose lines
    are blanked so that line numbers stay those of the file."""
    if not markdown.startswith("---\n"):
        return markdown
    end = markdown.find("\n---\n", 4)
    if end < 0:
        return markdown
    head = markdown[: end + 5]
    return "\n" * head.count("\n") + markdown[end + 5:]
