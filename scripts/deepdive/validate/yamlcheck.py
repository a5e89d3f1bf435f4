"""Read one manifest file defensively: bytes -> YAML documents -> resources, or findings.

Every way a file can be unusable (unreadable, too large, binary, not UTF-8, broken YAML,
tabs, duplicate keys, an alias bomb, a document that is no resource) becomes a finding
with a position; nothing here raises on bad input.
"""

from __future__ import annotations

import base64
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from deepdive.manifests import (
    Document,
    FieldPath,
    ManifestError,
    Position,
    json_key,
    nesting_error,
)
from deepdive.validate.findings import Finding, Severity, field_path
from deepdive.validate.goyaml import GoDocument, documents, mapping_nodes

# Files are read whole (though checked document by document): 64 MiB holds about 200,000
# small resources and keeps a run's memory bounded. Bombs are refused by what they expand to.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_EXPANDED_NODES = 200_000  # per document, aliases expanded: beyond this it is a bomb


class Locatable(Protocol):
    """Where fields are in a file: a parsed Document, or compact.LinesDocument."""

    def locate_key(self, path: FieldPath) -> Position: ...


@dataclass(slots=True)  # a large set keeps 100,000 of these: no per-instance dict
class Resource:
    """One Kubernetes object: a document, or one item of a `List` document."""

    file: str  # as displayed in findings
    document: Locatable
    prefix: FieldPath  # () for a document, ("items", n) for a List item
    data: dict[str, Any]

    # Read once at creation: rules ask for these thousands of times.
    kind: str = field(init=False)
    api_version: str = field(init=False)
    group: str = field(init=False)
    name: str = field(init=False)
    namespace: str = field(init=False)
    # The pod template as (path, labels, spec), () for none, None when not yet looked for
    # (rules.context.template_of looks; the compact form carries it, with little spec).
    pod_template: tuple[Any, ...] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        # The same few kinds, versions and namespaces recur: one string each, not one per
        # resource.
        self.kind = sys.intern(str(self.data.get("kind", "")))
        self.api_version = sys.intern(str(self.data.get("apiVersion", "")))
        self.group = sys.intern(self.api_version.rpartition("/")[0])
        metadata = self.data.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        self.name = str(metadata.get("name", ""))
        self.namespace = sys.intern(str(metadata.get("namespace") or ""))

    def moved(self, document: Locatable, data: dict[str, Any],
              pod_template: tuple[Any, ...]) -> Resource:
        """The same resource with other data and another source of positions (the compact
        form keeps a part of the data): its names are copied, not read again."""
        copy = object.__new__(Resource)
        copy.file, copy.document, copy.prefix, copy.data = self.file, document, self.prefix, data
        copy.kind, copy.api_version, copy.group = self.kind, self.api_version, self.group
        copy.name, copy.namespace = self.name, self.namespace
        copy.pod_template = pod_template
        return copy

    @property
    def label(self) -> str:
        """Kind/name, or Kind/generateName* (messages only: built when asked)."""
        if self.name:
            return f"{self.kind}/{self.name}"
        metadata = self.data.get("metadata")
        generate = metadata.get("generateName") if isinstance(metadata, dict) else None
        return f"{self.kind}/{generate}*" if isinstance(generate, str) else f"{self.kind}/"

    def finding(self, path: FieldPath, rule: str, message: str, **extra: Any) -> Finding:
        position = self.document.locate_key((*self.prefix, *path))
        return Finding(
            file=self.file,
            line=position.line,
            column=position.column,
            rule=rule,
            message=message,
            resource=self.label,
            field=field_path(path),
            **extra,
        )


@dataclass
class CheckedFile:
    path: Path
    display: str
    raw: bytes = b""  # UTF-8, without a byte order mark
    resources: list[Resource] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # The text cannot be read as YAML: `findings` hold only why, and whatever scan_file
    # yielded before must be dropped (kubectl applies nothing of a file it cannot parse).
    broken: bool = False

    @property
    def text(self) -> str:
        """The file's text (decoded when asked: exception comments, error context)."""
        return self.raw.decode("utf-8")


def check_file(path: Path, display: str | None = None) -> CheckedFile:
    """Everything yamlcheck can say about one file, every resource kept."""
    checked = CheckedFile(path=path, display=display or str(path))
    resources = list(scan_file(checked))
    if not checked.broken:
        checked.resources = resources
    return checked


def scan_file(checked: CheckedFile) -> Iterator[Resource]:
    """The resources of a file, each as soon as its document is parsed (so a caller can
    check and drop them one by one); findings go to `checked.findings`."""
    raw = _read_bytes(checked)
    if raw is None:
        return
    # The parser reads the bytes themselves (a str would be copied to UTF-8 once more).
    checked.raw = raw
    tabs = _leading_tab_lines(raw) if checked.path.suffix != ".json" else set()
    try:
        for document in documents(checked.path, raw):
            if tabs and document.node is not None:
                tabs -= _block_scalar_lines(document.node)
            yield from _document_resources(checked, document)
    except ManifestError as error:
        checked.broken = True
        tab_line = _tab_line_near(checked.text, error.line) \
            if checked.path.suffix != ".json" else 0
        if tab_line:
            checked.findings = [_file_finding(checked, tab_line, 1, "yaml-tab", _TAB_MESSAGE)]
        else:
            checked.findings = [
                _file_finding(checked, error.line, error.column, "yaml-syntax", error.message)
            ]
        return
    checked.findings += [_file_finding(checked, number, 1, "yaml-tab", _TAB_MESSAGE)
                         for number in sorted(tabs)]


_TAB_MESSAGE = "tab character in indentation; YAML indents with spaces only"


def _file_finding(checked: CheckedFile, line: int, column: int, rule: str, message: str) -> Finding:
    return Finding(file=checked.display, line=line, column=column, rule=rule, message=message)


def _read_bytes(checked: CheckedFile) -> bytes | None:
    try:
        status = checked.path.stat()
        if not stat.S_ISREG(status.st_mode):
            # A FIFO or device would block the read (or never end): only files are manifests.
            checked.findings.append(_file_finding(checked, 1, 1, "file-unreadable",
                                                  "not a regular file"))
            return None
        size = status.st_size
        if size > MAX_FILE_BYTES:
            checked.findings.append(_file_finding(
                checked, 1, 1, "file-too-large",
                f"{size} bytes is over the {MAX_FILE_BYTES} byte limit for a manifest file "
                "(split it into several files)",
            ))
            return None
        raw = checked.path.read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        checked.findings.append(_file_finding(checked, 1, 1, "file-unreadable", reason))
        return None
    if b"\0" in raw:
        line = raw[: raw.index(b"\0")].count(b"\n") + 1
        checked.findings.append(_file_finding(
            checked, line, 1, "file-binary", "binary content (NUL byte); not a YAML text file"
        ))
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 byte order mark
    try:
        raw.decode("utf-8")  # checked, not kept: the parser reads the bytes
        return raw
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        checked.findings.append(_file_finding(
            checked, line, column, "file-not-utf8",
            f"not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start})",
        ))
        return None


def decode(raw: bytes) -> str | None:
    """UTF-8 text without its byte order mark, as scan_file reads it; None for other bytes."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # slicing beats the utf-8-sig codec 10x
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _leading_tab(line: str) -> bool:
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    return "\t" in indent and bool(line.strip())


def _tab_line_near(text: str, line: int) -> int:
    """The tab-indented line a parse error points at (or the line before), else 0."""
    lines = text.splitlines()
    for candidate in (line, line - 1, line + 1):
        if 1 <= candidate <= len(lines) and _leading_tab(lines[candidate - 1]):
            return candidate
    return 0


def _leading_tab_lines(raw: bytes) -> set[int]:
    """1-based lines indented with a tab; most files hold no tab at all."""
    if b"\t" not in raw:
        return set()
    # splitlines() breaks lines where libyaml does (\r, \r\n, NEL, LS, PS as well as \n).
    return {number for number, line in enumerate(raw.decode("utf-8").splitlines(), start=1)
            if _leading_tab(line)}


def _block_scalar_lines(root: yaml.Node) -> set[int]:
    """1-based lines inside block scalars, where a tab is content, not indentation."""
    inside: set[int] = set()
    for node in _walk(root):
        if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            inside.update(range(node.start_mark.line + 2, node.end_mark.line + 2))
    return inside


def _walk(root: yaml.Node | None) -> Iterator[yaml.Node]:
    """Each node once, aliases not followed twice (so a bomb costs nothing here)."""
    seen: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack += [key, value]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def expanded_size(root: yaml.Node) -> int:
    """Nodes a reader of the data would visit, aliases expanded; memoised, so a bomb is
    measured without being expanded. A recursive alias counts as infinitely large."""
    cap = MAX_EXPANDED_NODES + 1
    sizes: dict[int, int] = {}
    visiting: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if children_done:
            visiting.discard(id(node))
            total = 1 + sum(sizes[id(child)] for child in _children(node))
            sizes[id(node)] = min(total, cap)
            continue
        if id(node) in visiting:
            return cap  # an alias inside its own anchor: endless when expanded
        visiting.add(id(node))
        stack.append((node, True))
        stack += [(child, False) for child in _children(node) if id(child) not in sizes]
    return sizes[id(root)]


def _duplicate_keys(root: yaml.Node) -> Iterator[tuple[yaml.Node, str, int]]:
    """Repeated keys in any mapping; each mapping is visited once, even when aliased."""
    for mapping in mapping_nodes(root):
        first_line: dict[str, int] = {}
        for key, _ in mapping.value:
            if type(key) is not yaml.ScalarNode:
                continue
            if key.value in first_line and key.value != "<<":
                yield key, key.value, first_line[key.value]
            else:
                first_line.setdefault(key.value, key.start_mark.line + 1)


def _document_resources(checked: CheckedFile, document: Document) -> list[Resource]:
    """The resources of one document; its findings go to `checked.findings`."""
    resources: list[Resource] = []
    checked.findings += _document_findings(checked, document, resources)
    return resources


def _document_findings(checked: CheckedFile, document: Document,
                       resources: list[Resource]) -> list[Finding]:
    node = document.node
    if node is None or document.data is None:
        return []  # an empty document or comments only: nothing to check
    # Only an alias (`*name`) to a collection can expand a document; most have none.
    aliased = document.aliased if isinstance(document, GoDocument) else True
    if aliased and expanded_size(node) > MAX_EXPANDED_NODES:
        line = node.start_mark.line + 1
        return [_file_finding(
            checked, line, 1, "yaml-alias-bomb",
            f"document {document.index + 1} expands to over {MAX_EXPANDED_NODES} nodes "
            "through aliases; refusing to read it",
        )]
    if document.plain:  # string keys, none repeated: nothing to re-check or convert
        return _resource_findings(checked, document, (), document.data, resources)
    findings = [
        _file_finding(
            checked, key.start_mark.line + 1, key.start_mark.column + 1, "yaml-duplicate-key",
            f"duplicate key {name!r} (first at line {first}); YAML parsers keep only one",
        )
        for key, name, first in _duplicate_keys(node)
    ]
    try:
        data = json_like(document.data)
    except RecursionError:
        error = nesting_error(checked.path, node)
        return [_file_finding(checked, error.line, error.column, "yaml-syntax", error.message)]
    findings += _resource_findings(checked, document, (), data, resources)
    return findings


def _resource_findings(
    checked: CheckedFile, document: Document, prefix: FieldPath, data: Any,
    resources: list[Resource],
) -> list[Finding]:
    """Check that `data` is a resource; expand `List`; register the resources found."""
    if type(data) is dict:  # the common case first: a named resource, nothing to say
        kind, metadata = data.get("kind"), data.get("metadata")
        if type(kind) is str and kind and kind != "List" and type(metadata) is dict \
                and type(data.get("apiVersion")) is str and data["apiVersion"] \
                and type(metadata.get("name")) is str and metadata["name"]:
            resources.append(
                Resource(file=checked.display, document=document, prefix=prefix, data=data))
            return []

    def at(path: FieldPath, rule: str, message: str) -> Finding:
        position = document.locate_key((*prefix, *path))
        return _file_finding(checked, position.line, position.column, rule, message)

    what = f"document {document.index + 1}" if not prefix else f"item {field_path(prefix)}"
    if not isinstance(data, dict):
        return [at((), "yaml-not-mapping",
                   f"{what} is a {_type_name(data)}, not a mapping with apiVersion and kind")]
    findings = []
    for key in ("apiVersion", "kind"):
        value = data.get(key)
        if not isinstance(value, str) or not value:
            problem = "is missing" if value is None else "must be a non-empty string"
            findings.append(at((key,), "yaml-missing-field", f"{what}: {key} {problem}"))
    if data.get("kind") == "List" and data.get("apiVersion") == "v1":
        items = data.get("items")
        if not isinstance(items, list):
            return [*findings, at(("items",), "yaml-missing-field",
                                  f"{what}: a List needs an items sequence")]
        for index, item in enumerate(items):
            findings += _resource_findings(checked, document, (*prefix, "items", index), item,
                                           resources)
        return findings
    metadata = data.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    generate = metadata.get("generateName") if isinstance(metadata, dict) else None
    generated = (not isinstance(name, str) or not name) and isinstance(generate, str) \
        and bool(generate)
    if (not isinstance(name, str) or not name) and not generated:
        path: FieldPath = ("metadata", "name") if isinstance(metadata, dict) else ("metadata",)
        findings.append(at(path, "yaml-missing-field", f"{what}: metadata.name is missing"))
    if not findings:
        resources.append(
            Resource(file=checked.display, document=document, prefix=prefix, data=data)
        )
        if generated:
            # Valid for `kubectl create`, which lets the API server append a suffix; but
            # `kubectl apply` needs a name to find the object again, and refuses it.
            position = document.locate_key((*prefix, "metadata", "generateName"))
            findings.append(Finding(
                file=checked.display, line=position.line, column=position.column,
                rule="generate-name",
                message=f'{what}: generateName "{generate}" without a name: create it with '
                        "`kubectl create` (the API server appends a random suffix); "
                        "`kubectl apply` refuses a resource without a name",
                severity=Severity.WARNING))
    return findings


def _type_name(value: Any) -> str:
    """The value's kind in YAML's words (a mapping never reaches here)."""
    names = {list: "sequence", str: "string", int: "number", float: "number", bool: "boolean",
             type(None): "null"}
    return names.get(type(value), type(value).__name__)


def json_like(value: Any) -> Any:
    """The data as the API server sees it after YAML -> JSON: string keys, no bytes."""
    if isinstance(value, dict):
        return {json_key(key): json_like(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_like(item) for item in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, (set, frozenset)):
        return {json_key(key): None for key in value}
    return value

