"""The one loader: manifest files -> documents with their source positions.

Everything that reads a manifest (the validator, the facts, the page macros,
the labs) goes through `load_file`, so they can never disagree about what a
file says or where a field sits in it.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based


@dataclass
class Document:
    """One YAML document of a manifest file."""

    path: Path
    index: int  # 0-based position among the file's documents
    data: Any
    node: yaml.Node | None = field(repr=False, default=None)
    # True when the data is plain JSON-like YAML: string keys, none repeated, no explicit
    # tags or merge keys (the common case; the validator then skips re-checking it).
    plain: bool = field(repr=False, default=False)

    @property
    def position(self) -> Position:
        return position_of(self.node, ())

    @property
    def kind(self) -> str:
        return str(self.data.get("kind", "")) if isinstance(self.data, dict) else ""

    @property
    def api_version(self) -> str:
        return str(self.data.get("apiVersion", "")) if isinstance(self.data, dict) else ""

    @property
    def name(self) -> str:
        if not isinstance(self.data, dict):
            return ""
        metadata = self.data.get("metadata")
        return str(metadata.get("name", "")) if isinstance(metadata, dict) else ""

    def locate(self, path: FieldPath) -> Position:
        """Where a field is in the file; the nearest existing parent if it is absent."""
        return position_of(self.node, path)

    def locate_key(self, path: FieldPath) -> Position:
        """Like locate, but a mapping field points at its key (`replica:`), not its value."""
        return position_of(self.node, path, at_key=True)


@dataclass
class ManifestFile:
    path: Path
    text: str
    documents: list[Document]


class ManifestError(ValueError):
    """A file that cannot be read as YAML manifests, with where and why."""

    def __init__(self, path: Path, line: int, column: int, message: str) -> None:
        super().__init__(f"{path}:{line}:{column}: {message}")
        self.path, self.line, self.column, self.message = path, line, column, message


def load_file(path: Path) -> ManifestFile:
    """Parse every document of a file, keeping each one's node tree for positions."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a FIFO would block the read for ever
            raise ManifestError(path, 1, 1, "not a regular file")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ManifestError(path, 1, 1, f"not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise ManifestError(path, 1, 1, error.strerror or str(error)) from None
    return load_text(path, text)


def load_text(path: Path, text: str) -> ManifestFile:
    """Parse YAML text that came from `path` (the validator reads the bytes itself), as
    kubectl reads it: sigs.k8s.io/yaml, go-yaml v2's YAML 1.1 (validate/goyaml.py), so a
    page's facts, a lab and the validator see the same values (`y` a boolean, `1e2` the
    number 100). A .json file keeps JSON's escapes, and its tabs read as spaces."""
    # Imported here: goyaml builds on this module's Document and errors.
    from deepdive.validate.goyaml import documents

    return ManifestFile(path=path, text=text, documents=list(documents(path, text)))


def nesting_error(path: Path, root: yaml.Node) -> ManifestError:
    """Too deep to build: the error points at the deepest node, not the document."""
    deepest, depth = deepest_node(root)
    mark = deepest.start_mark
    return ManifestError(path, mark.line + 1, mark.column + 1,
                         f"YAML: nesting is too deep ({depth} levels)")


def deepest_node(root: yaml.Node) -> tuple[yaml.Node, int]:
    """The most deeply nested node of a tree, and its depth (without recursing)."""
    deepest, most = root, 1
    stack, seen = [(root, 1)], set()
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if depth > most:
            deepest, most = node, depth
        if isinstance(node, yaml.MappingNode):
            stack += [(value, depth + 1) for _key, value in node.value]
        elif isinstance(node, yaml.SequenceNode):
            stack += [(item, depth + 1) for item in node.value]
    return deepest, most


def iter_manifest_files(root: Path) -> Iterator[Path]:
    """Every YAML file under a folder, in a stable order."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in {".yaml", ".yml"}:
            yield path


def position_of(node: yaml.Node | None, path: FieldPath, at_key: bool = False) -> Position:
    """Walk a node tree along a field path; stop at the deepest node that exists."""
    if node is None:
        return Position(1, 1)
    current = node
    for index, step in enumerate(path):
        child = _child(current, step)
        if child is None:
            break
        if at_key and index == len(path) - 1 and isinstance(current, yaml.MappingNode):
            key = next(k for k, v in current.value if v is child)
            mark = key.start_mark
            return Position(mark.line + 1, mark.column + 1)
        current = child
    mark = current.start_mark
    return Position(mark.line + 1, mark.column + 1)


def json_key(key: Any) -> str:
    """A mapping key as it reaches the API server after YAML -> JSON."""
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


_STR = "tag:yaml.org,2002:str"


def _key_text(key: yaml.ScalarNode) -> str:
    """The JSON name of a key written `~`, `yes` or `0x10` ("null", "true", "16"), decoded
    as go-yaml decodes it."""
    if key.tag == _STR:
        return str(key.value)
    from deepdive.validate.goyaml import plain_scalar  # goyaml builds on this module

    try:
        return json_key(plain_scalar(key.value)[1])
    except (yaml.YAMLError, ValueError, TypeError, IndexError):
        return str(key.value)


def _child(node: yaml.Node, step: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        wanted = str(step)
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == wanted:
                return value
        # Findings name keys as JSON does; only an unusual key needs constructing.
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.tag != _STR and _key_text(key) == wanted:
                return value
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
        return node.value[step]
    return None
