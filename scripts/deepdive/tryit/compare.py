"""Expected output against what a command printed, tolerating only what is declared to vary.

In the spirit of istio.io's checks (istio/istio.io tests/util/verify.sh: `__cmp_like`
lets elapsed times, IPs and the part of a name after a dash differ, `__cmp_elided` reads a
`...` line as any lines, `_verify_lines` looks for given lines, `__verify_with_retry`
runs the command again until it matches), with the tolerances named per block instead of
always on, so that a block keeps what its reader relies on:

- each class in `vary` replaces what matches its pattern with a placeholder, in the
  expected and the actual text alike (`web-7d9c8b6f5-x2kqp` -> `web-<hash>-<id>`);
- `range=312:1..100000` lets the expected number 312 be any number from 1 to 100000
  (seconds too: `range=2.104012:2..2.9`);
- `same=name`: where the page shows one varying value twice, the output must too;
- runs of spaces count as one (kubectl widens columns to fit the values).

Blank lines are ignored; a line `...` stands for any number of lines, and a line ending
in ` ...` for any line that begins like it. `only=` compares the listed lines of the
block and no others. Everything else must be equal: a wrong restart count, a status, a
line out of order or missing is a mismatch.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from deepdive.tryit.model import Compare, Directive, NumberRange

# The alphabet of generated name suffixes: k8s.io/apimachinery/pkg/util/rand (alphanums,
# used by SafeEncodeString for pod-template-hash and by the name generator): no vowels
# and no 0, 1 or 3, so real words are left alone ("istio-proxy", "kube-root-ca").
SUFFIX = "[bcdfghjklmnpqrstvwxz2456789]"
MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
CLOCK = r"\d{1,2}:\d{2}:\d{2}(?:\.\d+)?"

# Order matters within a class (longest form first) and between classes (time before ip,
# since a clock looks like an IPv6 address).
VARY_PATTERNS: dict[str, list[tuple[re.Pattern[str], str]]] = {
    # Generated names: Deployment Pods (<rs hash>-<5>), ReplicaSets (<hash>) and Pods of
    # DaemonSets, Jobs and generateName (<5>).
    "name": [
        (re.compile(rf"(?<=[a-z0-9])-{SUFFIX}{{6,10}}-{SUFFIX}{{5}}(?![\w-])"), "-<hash>-<id>"),
        (re.compile(rf"(?<=[a-z0-9])-{SUFFIX}{{5}}(?![\w-])"), "-<id>"),
        (re.compile(rf"(?<=[a-z0-9])-{SUFFIX}{{6,10}}(?![\w-])"), "-<hash>"),
    ],
    # Times and dates: RFC 1123 (kubectl describe), RFC 3339, klog headers, clocks.
    "time": [
        (re.compile(rf"{DAY}, \d{{1,2}} {MONTH} \d{{4}} {CLOCK}(?: [+-]\d{{4}}| [A-Z]{{3}})?"),
         "<time>"),
        (re.compile(rf"\d{{4}}-\d{{2}}-\d{{2}}[T ]{CLOCK}(?:Z|[+-]\d{{2}}:?\d{{2}})?"), "<time>"),
        (re.compile(rf"\b[IWEF]\d{{4}} {CLOCK}"), "<time>"),
        (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "<time>"),
        (re.compile(rf"(?<![\w:.]){CLOCK}(?![\w:])"), "<time>"),
    ],
    # Ages and durations: 12s, 3m2s, 5d, 0.52s, 850ms (also inside "(2s ago)").
    "age": [
        (re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:ms|µs|s|m|h|d|y)(?:\d+(?:\.\d+)?(?:ms|s|m|h))*"
                    r"(?![\w.])"), "<age>"),
    ],
    # Addresses: IPv4 (with an optional /prefix), IPv6 with at least two groups. Loopback
    # addresses and the documentation ranges (RFC 5737), which only a manifest can have
    # written, stay pinned.
    "ip": [
        (re.compile(r"(?<![\w.])(?!127\.|192\.0\.2\.|198\.51\.100\.|203\.0\.113\.)"
                    r"(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?(?![\w.])"), "<ip>"),
        (re.compile(r"(?<![\w:])(?:[0-9a-f]{1,4}:){2,7}(?::|[0-9a-f]{1,4})(?![\w:])"), "<ip>"),
    ],
    # Resource use as `kubectl top` prints it: millicores, bytes, percentages.
    "usage": [
        (re.compile(r"(?<![\w./])\d+(?:m|Ki|Mi|Gi|%)(?![\w.])"), "<usage>"),
    ],
    # Ports Kubernetes picks: NodePorts (30000-32767) and ephemeral client ports.
    "port": [
        (re.compile(r"(?<=:)\d{4,5}(?!\d)"), "<port>"),
        (re.compile(r"(?<![\w.:])3[0-2]\d{3}(?![\w.])"), "<port>"),
    ],
    # A Pod's phase or waiting reason just after it was created, which depends on how fast
    # the node is: Pending, ContainerCreating, PodInitializing, Running.
    "phase": [
        (re.compile(r"\b(?:Pending|ContainerCreating|PodInitializing|Running)\b"), "<phase>"),
    ],
    # The HTTP version a hop used, where the page says it depends on the client.
    "http": [
        (re.compile(r"\bHTTP/(?:1\.0|1\.1|2|3)\b"), "<http>"),
    ],
    # Every number (last, after the other classes): for one-line JSON such as a Prometheus
    # answer, where timestamps and rates vary and the structure is what the page shows.
    "number": [
        (re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w])"), "<n>"),
    ],
    # An image that cannot be pulled shows one reason, then the other, in turn.
    "pull": [
        (re.compile(r"\b(?:ErrImagePull|ImagePullBackOff)\b"), "<pull>"),
    ],
    # Release versions that depend on the kind release or the tools: v1.37.0, 2.1.4-rc.1.
    "version": [
        (re.compile(r"(?<![\w.])v?\d+\.\d+\.\d+(?:[-+][\w.]+)?(?![\w.])"), "<version>"),
    ],
    # Digests, container IDs and UIDs.
    "id": [
        (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uid>"),
        (re.compile(r"(?<![\w])[0-9a-f]{12,64}(?![\w])"), "<hex>"),
    ],
}
# Not a pattern: comma-separated lists (`8080,9090`) whose order varies are sorted.
SETS = "sets"
VARY_CLASSES = frozenset(VARY_PATTERNS) | {SETS}
# The order classes apply in, whatever order a directive names them.
APPLY_ORDER = ["id", "time", "name", "ip", "version", "port", "usage", "age", "phase",
               "pull", "http", "number"]
PLACEHOLDER = re.compile(
    r"<(?:hash|id|time|age|ip|usage|port|uid|hex|version|phase|pull|http|n)>")
NUMBER_TOKEN = re.compile(r"^(\D*?)(-?\d+(?:\.\d+)?)(\D*)$")


def normalize(line: str, vary: tuple[str, ...]) -> str:
    """The line with every declared varying part replaced and spaces collapsed."""
    for name in APPLY_ORDER:
        if name in vary:
            for pattern, placeholder in VARY_PATTERNS[name]:
                line = pattern.sub(placeholder, line)
    tokens = line.split()
    if SETS in vary:
        tokens = [",".join(sorted(t.split(","))) if "," in t else t for t in tokens]
    return " ".join(tokens)


def varying_values(line: str, name: str) -> list[str]:
    """What the class `name` replaces in a line, in the order it replaces it."""
    found = []
    for pattern, placeholder in VARY_PATTERNS.get(name, []):
        found += [m.group(0) for m in pattern.finditer(line)]
        line = pattern.sub(placeholder, line)
    return found


ELLIPSIS = {"...", "…"}


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def _expected(directive: Directive, text: str) -> list[tuple[int, str]]:
    """The expected lines to compare, with their index in the block's text."""
    chosen = set(directive.only)
    return [(i, line.rstrip()) for i, line in enumerate(text.splitlines())
            if line.strip() and (not chosen or i + 1 in chosen)]


def _token_matches(expected: str, actual: str, ranges: tuple[NumberRange, ...]) -> bool:
    if expected == actual:
        return True
    want, got = NUMBER_TOKEN.match(expected), NUMBER_TOKEN.match(actual)
    if not want or not got or want.group(1, 3) != got.group(1, 3):
        return False
    value = float(got.group(2))
    return any(r.expected == float(want.group(2)) and r.low <= value <= r.high for r in ranges)


def line_matches(expected: str, actual: str, directive: Directive) -> bool:
    """Whether one actual line is what one expected line promises. An expected line that
    ends in ` ...` (a long line the page cuts short) promises only its beginning."""
    want = normalize(expected, directive.vary).split(" ")
    got = normalize(actual, directive.vary).split(" ")
    if len(want) > 1 and want[-1] in ELLIPSIS:
        want = want[:-1]
        got = got[:len(want)]
    return len(want) == len(got) and all(
        _token_matches(w, g, directive.ranges) for w, g in zip(want, got, strict=True))


def pinned_problem(directive: Directive, expected: str) -> str | None:
    """Why an output directive pins nothing, or None. A block must keep at least one word
    that is neither a placeholder nor a ranged number, and each range must be used."""
    lines = [line for _, line in _expected(directive, expected) if line.strip() not in ELLIPSIS]
    if not lines:
        return "output: the block is empty, so there is nothing to compare"
    if directive.only and max(directive.only) > len(expected.splitlines()):
        return f"output: only= names line {max(directive.only)}, the block has fewer"
    ranged = {r.expected for r in directive.ranges}
    literal = False
    numbers: set[float] = set()
    for line in lines:
        for token in normalize(line, directive.vary).split(" "):
            number = NUMBER_TOKEN.match(token)
            if number:
                numbers.add(float(number.group(2)))
            if PLACEHOLDER.fullmatch(token) or (number and float(number.group(2)) in ranged
                                                and not number.group(1) + number.group(3)):
                continue
            literal = True
    if not literal:
        return "output: every word of the block varies, so the comparison would accept anything"
    unused = sorted(ranged - numbers)
    if unused:
        shown = ", ".join(f"{n:g}" for n in unused)
        return f"output: range for {shown}, which the block does not show"
    return None


@dataclass(frozen=True)
class Mismatch:
    """One difference: the expected line (index into the block's text lines, counting
    blank lines, or None for output the page does not show) and what came instead."""

    index: int | None
    expected: str | None
    actual: str | None
    note: str = ""

    def message(self) -> str:
        want = f"{_show(self.expected)}" if self.expected is not None else "nothing more"
        got = f"{_show(self.actual)}" if self.actual is not None else "nothing"
        return f"expected {want} got {got}" + (f" ({self.note})" if self.note else "")


def _show(line: str) -> str:
    return repr(" ".join(line.split()))


def compare(directive: Directive, expected: str, actual: str) -> list[Mismatch]:
    """Every difference between a block's expected output and a command's actual output."""
    numbered = _expected(directive, expected)
    got = _lines(actual)
    pairs: Pairs = []
    if directive.compare is Compare.CONTAINS or directive.any_order:
        numbered = [(i, line) for i, line in numbered if line.strip() not in ELLIPSIS]
    if directive.any_order:
        found = _any_order(directive, numbered, got, pairs,
                           extra=directive.compare is Compare.LINES)
    elif directive.compare is Compare.CONTAINS:
        found = _contains(directive, numbered, got, pairs)
    else:
        found = _in_order(directive, numbered, got, pairs)
    return found + _inconsistent(directive, pairs)


# (index in the block, expected line, the actual line it matched)
Pairs = list[tuple[int, str, str]]


def _inconsistent(directive: Directive, pairs: Pairs) -> list[Mismatch]:
    """With same=CLASS: a value the page shows twice must be one value in the output too
    (the same Pod answering every request), though not the page's value."""
    mismatches = []
    for name in directive.same:
        seen: dict[str, tuple[str, int]] = {}
        for index, want, got in sorted(pairs):
            for value, actual in zip(varying_values(want, name), varying_values(got, name),
                                     strict=False):
                first = seen.setdefault(value, (actual, index))
                if first[0] != actual:
                    mismatches.append(Mismatch(index, want, got,
                                               f"not the same {name} as {first[0]!r}"))
                    break
    return mismatches


def _contains(directive: Directive, expected: list[tuple[int, str]],
              got: list[str], pairs: Pairs) -> list[Mismatch]:
    mismatches, start = [], 0
    for index, line in expected:
        found = next((k for k in range(start, len(got))
                      if line_matches(line, got[k], directive)), None)
        if found is None:
            close = difflib.get_close_matches(line, got[start:], n=1, cutoff=0.0)
            mismatches.append(Mismatch(index, line, close[0] if close else None))
        else:
            pairs.append((index, line, got[found]))
            start = found + 1
    return mismatches


def _any_order(directive: Directive, expected: list[tuple[int, str]],
               got: list[str], pairs: Pairs, extra: bool) -> list[Mismatch]:
    left = list(got)
    missing = []
    for index, line in expected:
        found = next((k for k, g in enumerate(left) if line_matches(line, g, directive)), None)
        if found is None:
            missing.append((index, line))
        else:
            pairs.append((index, line, left.pop(found)))
    mismatches = [Mismatch(i, line, left[n] if n < len(left) else None)
                  for n, (i, line) in enumerate(missing)]
    if extra:  # compare=lines: output the page does not show is a mismatch too
        anchor = expected[-1][0] if expected else None
        mismatches += [Mismatch(anchor, None, line) for line in left[len(missing):]]
    return mismatches


def _in_order(directive: Directive, expected: list[tuple[int, str]],
              got: list[str], pairs: Pairs) -> list[Mismatch]:
    """Align the two as a longest common subsequence; each gap is a mismatch, except the
    output an expected `...` stands for."""
    if any(line.strip() in ELLIPSIS for _, line in expected):
        return _with_ellipsis(directive, expected, got, pairs)
    n, m = len(expected), len(got)
    match = [[line_matches(expected[i][1], got[j], directive) for j in range(m)]
             for i in range(n)]
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best[i][j] = (best[i + 1][j + 1] + 1 if match[i][j]
                          else max(best[i + 1][j], best[i][j + 1]))
    mismatches: list[Mismatch] = []
    i = j = 0
    gap_expected: list[tuple[int, str]] = []
    gap_got: list[str] = []

    def close_gap() -> None:
        # Output the page does not show is reported at the next expected line (or the last).
        anchor = expected[i][0] if i < n else (expected[-1][0] if expected else None)
        for k in range(max(len(gap_expected), len(gap_got))):
            index, line = gap_expected[k] if k < len(gap_expected) else (anchor, None)
            mismatches.append(Mismatch(index, line, gap_got[k] if k < len(gap_got) else None))
        gap_expected.clear()
        gap_got.clear()

    while i < n or j < m:
        if i < n and j < m and match[i][j] and best[i][j] == best[i + 1][j + 1] + 1:
            close_gap()
            pairs.append((expected[i][0], expected[i][1], got[j]))
            i, j = i + 1, j + 1
        elif j < m and (i == n or best[i][j + 1] > best[i + 1][j]):
            gap_got.append(got[j])
            j += 1
        else:
            gap_expected.append(expected[i])
            i += 1
    close_gap()
    return mismatches


def _with_ellipsis(directive: Directive, expected: list[tuple[int, str]],
                   got: list[str], pairs: Pairs) -> list[Mismatch]:
    """The parts between `...` lines match in order: the first part at the start, the
    last one at the end, each one between from the first place its first line matches."""
    parts: list[list[tuple[int, str]]] = [[]]
    for index, line in expected:
        if line.strip() in ELLIPSIS:
            parts.append([])
        else:
            parts[-1].append((index, line))
    mismatches: list[Mismatch] = []
    start = 0
    for number, part in enumerate(parts):
        if not part:
            continue
        place: int | None = 0
        if number > 0 and number == len(parts) - 1:
            place = max(start, len(got) - len(part))  # the block ends with this part
        elif number > 0:
            place = next((k for k in range(start, len(got))
                          if line_matches(part[0][1], got[k], directive)), None)
        if place is None:
            mismatches.append(Mismatch(part[0][0], part[0][1], None))
            return mismatches
        end = len(got) if number == len(parts) - 1 else place + len(part)
        mismatches += _in_order(directive, part, got[place:end], pairs)
        start = end
    return mismatches
