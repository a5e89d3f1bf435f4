"""A page's Try it blocks as data, and the directive that marks each one in the Markdown.

Each fenced block inside a "Try it" section is preceded by a Jinja comment, which the
macros engine drops, so readers see the page exactly as before:

    {# tryit: run timeout=300 #}            the next ```bash fence: commands, run in order
    {# tryit: output vary=name,age #}       the next ```text fence: what the last run prints
    {# tryit: cleanup #}                    commands always run, also after a failure; the
                                            next fence, or the `kubectl delete ...` code of
                                            the next paragraph ("Clean up with ...")
    {# tryit: manual waits for Ctrl+C #}    a fence that cannot run unattended, and why
    {# tryit: requires metrics-server #}    (anywhere, once) what the page needs in the
                                            cluster besides its own blocks: CI installs
                                            it first. A page path (docs/istio/index.md)
                                            means that page's blocks run first

Options of `run` and `cleanup`: timeout=SECONDS (default 180), exit=N (the status the
block ends with, default 0), stop-after=SECONDS (a command that runs until stopped, such
as `--watch`: interrupted like Ctrl+C after that long, and its output kept),
background=SECONDS (a block the page runs "in a second terminal", such as a
`port-forward` left running: the next blocks start after SECONDS, and it is stopped like
Ctrl+C when the page ends).
Options of `output`: compare=lines|contains, vary=CLASS,... (see compare.VARY_CLASSES),
range=EXPECTED:LOW..HIGH (that number of the expected text may be any number in the
range), order=any (lines in any order), only=1-4,7 (compare only these lines of the
block, counted after the macros, when the page says the others vary), retry=SECONDS
(re-run the command until it succeeds and the output matches; for commands that are
safe to repeat),
same=CLASS,... (where the page shows one varying value twice, the output must show one
value there too, e.g. the same Pod answering every request).
A line `...` in an expected block stands for any number of lines.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

DEFAULT_TIMEOUT = 180
MAX_TIMEOUT = 1200
DIRECTIVE = re.compile(r"^(?P<indent>[ \t]*)\{#-?\s*tryit:\s*(?P<body>.*?)\s*-?#\}\s*$")
# The same directive after the tool's own rewrite (see extract.expose_directives).
EXPOSED = re.compile(r"^(?P<indent>[ \t]*)<!--tryit (?P<index>\d+)-->\s*$")


class Kind(StrEnum):
    RUN = "run"
    OUTPUT = "output"
    CLEANUP = "cleanup"
    MANUAL = "manual"


REQUIRES = re.compile(r"^\s*\{#-?\s*tryit:\s*requires\s+(?P<names>[\w ,./-]+?)\s*-?#\}\s*$")
KNOWN_REQUIREMENTS = frozenset({"metrics-server", "istio", "stern"})


class Compare(StrEnum):
    LINES = "lines"  # every line, in order (or any order), tolerating what varies
    CONTAINS = "contains"  # these lines appear in this order; others may come between


class DirectiveError(ValueError):
    """A directive the tool cannot read: the message says what is wrong."""


@dataclass(frozen=True)
class NumberRange:
    expected: float  # the number as the page shows it (a count, or seconds like 2.104012)
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.expected:g}:{self.low:g}..{self.high:g}"


@dataclass(frozen=True)
class Directive:
    kind: Kind
    timeout: int = DEFAULT_TIMEOUT
    exit: int = 0
    stop_after: int | None = None
    background: int | None = None  # seconds to let it start before the page goes on
    compare: Compare = Compare.LINES
    vary: tuple[str, ...] = ()
    ranges: tuple[NumberRange, ...] = ()
    any_order: bool = False
    retry: int = 0
    only: tuple[int, ...] = ()  # 1-based lines of the block to compare; () is all
    same: tuple[str, ...] = ()  # vary classes whose values must repeat where the page's do
    reason: str = ""

    def describe(self) -> str:
        """The directive's options, as `--list` prints them."""
        if self.kind is Kind.MANUAL:
            return self.reason
        parts: list[str] = []
        if self.kind is Kind.OUTPUT:
            parts.append(self.compare.value)
            if self.vary:
                parts.append("vary=" + ",".join(self.vary))
            parts.extend(f"range={r}" for r in self.ranges)
            if self.any_order:
                parts.append("order=any")
            if self.only:
                parts.append("only=" + ",".join(map(str, self.only)))
            if self.same:
                parts.append("same=" + ",".join(self.same))
            if self.retry:
                parts.append(f"retry={self.retry}s")
        else:
            if self.timeout != DEFAULT_TIMEOUT:
                parts.append(f"timeout={self.timeout}s")
            if self.exit:
                parts.append(f"exit={self.exit}")
            if self.stop_after is not None:
                parts.append(f"stop-after={self.stop_after}s")
            if self.background is not None:
                parts.append(f"background={self.background}s")
        return " ".join(parts)


RUN_OPTIONS = {"timeout", "exit", "stop-after", "background"}
OUTPUT_OPTIONS = {"compare", "vary", "range", "order", "retry", "only", "same"}
ONLY = re.compile(r"^\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*$")
NUMBER = r"-?\d+(?:\.\d+)?"
RANGE = re.compile(rf"^({NUMBER}):({NUMBER})\.\.({NUMBER})$")


def _seconds(name: str, value: str, *, most: int = MAX_TIMEOUT) -> int:
    if not value.isdigit() or not 0 < int(value) <= most:
        raise DirectiveError(f"{name}={value}: a whole number of seconds from 1 to {most}")
    return int(value)


def parse_directive(body: str, vary_classes: frozenset[str]) -> Directive:
    """`run timeout=60` -> Directive; raises DirectiveError with what is wrong."""
    head, _, rest = body.strip().partition(" ")
    try:
        kind = Kind(head)
    except ValueError:
        known = ", ".join(k.value for k in Kind)
        raise DirectiveError(f"unknown directive {head!r} (one of {known})") from None
    if kind is Kind.MANUAL:
        reason = rest.strip()
        if len(reason) < 10:
            raise DirectiveError("manual needs a reason: why the block cannot run unattended")
        return Directive(kind, reason=reason)
    try:
        words = shlex.split(rest)
    except ValueError as error:
        raise DirectiveError(str(error)) from None
    allowed = OUTPUT_OPTIONS if kind is Kind.OUTPUT else RUN_OPTIONS
    options: dict[str, object] = {}
    ranges: list[NumberRange] = []
    for word in words:
        name, equals, value = word.partition("=")
        if not equals or not value:
            raise DirectiveError(f"{word!r}: options are name=value")
        if name not in allowed:
            raise DirectiveError(f"{name!r} is not an option of {kind.value} "
                                 f"(one of {', '.join(sorted(allowed))})")
        if name == "range":
            match = RANGE.match(value)
            if not match:
                raise DirectiveError(f"range={value}: write EXPECTED:LOW..HIGH, e.g. 312:1..100000")
            expected, low, high = (float(g) for g in match.groups())
            if not low <= expected <= high:
                raise DirectiveError(f"range={value}: the page's own {expected:g} is outside it")
            ranges.append(NumberRange(expected, low, high))
            continue
        if name in options:
            raise DirectiveError(f"{name} given twice")
        options[name] = value
    if kind is Kind.OUTPUT:
        return _output_directive(options, ranges, vary_classes)
    stop_after = options.get("stop-after")
    exit_value = str(options.get("exit", "0"))
    if not exit_value.isdigit() or int(exit_value) > 255:
        raise DirectiveError(f"exit={exit_value}: an exit status from 0 to 255")
    background = options.get("background")
    directive = Directive(
        kind,
        timeout=_seconds("timeout", str(options.get("timeout", DEFAULT_TIMEOUT))),
        exit=int(exit_value),
        stop_after=_seconds("stop-after", str(stop_after)) if stop_after is not None else None,
        background=_seconds("background", str(background), most=60)
        if background is not None else None,
    )
    if directive.stop_after is not None and directive.stop_after >= directive.timeout:
        raise DirectiveError("stop-after must be shorter than the timeout")
    if directive.background is not None and (kind is not Kind.RUN or directive.exit
                                             or directive.stop_after is not None):
        raise DirectiveError("background= is for a run block alone (no exit=, no stop-after=)")
    return directive


def _output_directive(options: dict[str, object], ranges: list[NumberRange],
                      vary_classes: frozenset[str]) -> Directive:
    compare_value = str(options.get("compare", Compare.LINES.value))
    try:
        compare = Compare(compare_value)
    except ValueError:
        raise DirectiveError(f"compare={compare_value}: lines or contains") from None
    vary = tuple(v for v in str(options.get("vary", "")).split(",") if v)
    unknown = [v for v in vary if v not in vary_classes]
    if unknown:
        raise DirectiveError(f"vary: unknown {', '.join(unknown)} "
                             f"(one of {', '.join(sorted(vary_classes))})")
    order = str(options.get("order", "page"))
    if order not in {"page", "any"}:
        raise DirectiveError(f"order={order}: page or any")
    retry = _seconds("retry", str(options["retry"]), most=600) if "retry" in options else 0
    only: list[int] = []
    if "only" in options:
        value = str(options["only"])
        if not ONLY.match(value):
            raise DirectiveError(f"only={value}: line numbers of the block, e.g. 1-4,7")
        for part in value.split(","):
            low, _, high = part.partition("-")
            only += range(int(low), int(high or low) + 1)
        if compare is not Compare.CONTAINS:
            raise DirectiveError("only= goes with compare=contains")
    same = tuple(v for v in str(options.get("same", "")).split(",") if v)
    if any(name not in vary for name in same):
        raise DirectiveError("same= names classes that vary= lists")
    return Directive(Kind.OUTPUT, compare=compare, vary=vary, ranges=tuple(ranges),
                     any_order=order == "any", retry=retry, only=tuple(sorted(set(only))),
                     same=same)


@dataclass(frozen=True)
class Block:
    """One marked block of a page, in page order."""

    page: str  # relative to the project root, e.g. docs/kubernetes/pods.md
    line: int  # the source line of the block's first line of content (fence + 1)
    section: str  # the Try it heading it belongs to
    directive: Directive
    text: str  # the commands or the expected output, after the macros
    # The source line of each line of `text` when the macros kept the line count, else None.
    source_lines: tuple[int, ...] | None = None

    @property
    def kind(self) -> Kind:
        return self.directive.kind

    def line_of(self, index: int) -> int:
        """The source line of line `index` (0-based) of the text, or the block's first line."""
        if self.source_lines and 0 <= index < len(self.source_lines):
            return self.source_lines[index]
        return self.line

    @property
    def commands(self) -> list[str]:
        """The block's text as command lines (continuations joined), for the listing."""
        lines: list[str] = []
        for raw in self.text.splitlines():
            if lines and lines[-1].endswith("\\"):
                lines[-1] = lines[-1][:-1].rstrip() + " " + raw.strip()
            elif raw.strip():
                lines.append(raw.strip())
        return lines


@dataclass
class Page:
    path: Path
    name: str  # how reports name it: the path relative to the project root
    blocks: list[Block] = field(default_factory=list)
    requires: tuple[str, ...] = ()  # from `{# tryit: requires ... #}`: tools, then pages

    @property
    def required_pages(self) -> list[str]:
        return [r for r in self.requires if r.endswith(".md")]

    @property
    def runnable(self) -> list[Block]:
        return [b for b in self.blocks if b.kind in {Kind.RUN, Kind.CLEANUP}]

    @property
    def manual(self) -> list[Block]:
        return [b for b in self.blocks if b.kind is Kind.MANUAL]


@dataclass(frozen=True)
class Problem:
    """Something the tool cannot read, or a mismatch it found: `page:line: message`."""

    page: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.message}"
