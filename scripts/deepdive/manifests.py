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
    """Parse YAML text that came from `path` (the validator reads the bytes itself).
    JSON is YAML, but for one thing: JSON may indent with tabs. A raw tab cannot occur
    inside a JSON string (it must be escaped), so in a .json file every tab is
    whitespace and reads as a space, column for column."""
    if path.suffix == ".json":
        text = text.replace("\t", " ")
    documents: list[Document] = []
    try:
        for index, node in enumerate(_compose_all(text)):
            try:
                data, plain = _construct(node)
            except RecursionError:
                raise nesting_error(path, node) from None
            documents.append(
                Document(path=path, index=index, data=data, node=node, plain=plain)
            )
    except RecursionError:
        raise ManifestError(path, 1, 1, "YAML: nesting is too deep") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ManifestError(path, line, column, f"YAML: {error.problem or error}") from None
    except yaml.YAMLError as error:
        raise ManifestError(path, 1, 1, f"YAML: {error}") from None
    return ManifestFile(path=path, text=text, documents=documents)


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


def _without_timestamps(base: Any) -> dict[str, list[tuple[str, Any]]]:
    # Kubernetes reads `2024-01-01` as a string, not a date: keep the YAML the cluster sees.
    return {
        first: [(tag, regexp) for tag, regexp in resolvers if not tag.endswith(":timestamp")]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }


# libyaml's parser when PyYAML has it (about ten times faster), the pure-Python one otherwise.
_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):
    yaml_implicit_resolvers = _without_timestamps(_Base)

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        # A plain scalar's tag depends on its text alone (no path resolvers here), and the
        # same texts recur across manifests: remember them instead of re-running regexes.
        if kind is yaml.ScalarNode and implicit[0]:
            tag = _PLAIN_TAGS.get(value)
            if tag is None:
                if len(_PLAIN_TAGS) > 50_000:
                    _PLAIN_TAGS.clear()
                tag = _PLAIN_TAGS[value] = super().resolve(kind, value, implicit)
            return tag
        return str(super().resolve(kind, value, implicit))


_PLAIN_TAGS: dict[str, str] = {}


def _compose_all(text: str) -> Iterator[yaml.Node]:
    loader = _Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                yield node
    finally:
        loader.dispose()


# What PyYAML's constructors raise, instead of a YAMLError, for a scalar they cannot read:
# int() refusing over 4300 digits, an empty `!!float` or `!!bool`, a bad `!!timestamp`.
_UNREADABLE = (ValueError, IndexError, KeyError, AttributeError, OverflowError)


def _unreadable_scalar(node: yaml.Node) -> str:
    if len(node.value) > 4000:
        return f"a number of {len(node.value)} characters is too long to read"
    return f"{node.value!r} is not a valid {node.tag.rsplit(':', 1)[-1]}"


def _construct(node: yaml.Node) -> tuple[Any, bool]:
    """The document's data, and whether the fast path built it (see Document.plain)."""
    try:
        return _build(node, {}), True
    except (_SlowPath, RecursionError, TypeError):
        pass  # merge keys, tags, repeated or non-string keys, recursion: PyYAML's own way
    loader = _Loader("")
    try:
        return loader.construct_document(node), False
    except _UNREADABLE as error:
        _build_scalars(node)  # raises the same error, at the scalar's position
        raise yaml.constructor.ConstructorError(
            None, None, f"a value cannot be read: {error}", node.start_mark) from error
    finally:
        loader.dispose()


def _build_scalars(root: yaml.Node) -> None:
    """Construct every standard scalar of a tree, aliases visited once: the first that
    cannot be read raises, at its own position."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack += [child for pair in node.value for child in pair]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
        elif node.tag.startswith("tag:yaml.org,2002:"):
            try:
                _SCALARS.construct_object(node, deep=True)
            except _UNREADABLE as error:
                raise yaml.constructor.ConstructorError(
                    None, None, _unreadable_scalar(node), node.start_mark) from error


class _SlowPath(Exception):
    """A node the fast builder leaves to PyYAML's constructor."""


_STR, _NULL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:null"
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_SCALARS = _Loader("")  # constructs int, float and bool scalars exactly as PyYAML does


def _build(node: yaml.Node, shared: dict[int, Any]) -> Any:
    """PyYAML's safe construction for plain manifests, several times faster: strings and
    nulls directly, other scalars through PyYAML, aliases kept shared as PyYAML does."""
    kind = type(node)
    if kind is yaml.ScalarNode:
        if node.tag == _STR:
            return node.value
        if node.tag == _NULL:
            return None
        if node.tag.startswith("tag:yaml.org,2002:") and node.tag[18:] in ("int", "float",
                                                                          "bool"):
            try:
                return _SCALARS.construct_object(node, deep=True)
            except _UNREADABLE as error:
                raise yaml.constructor.ConstructorError(
                    None, None, _unreadable_scalar(node), node.start_mark) from error
        raise _SlowPath
    if id(node) in shared:
        return shared[id(node)]
    if kind is yaml.MappingNode and node.tag == _MAP:
        mapping: dict[Any, Any] = {}
        shared[id(node)] = mapping
        for key, value in node.value:
            if type(key) is not yaml.ScalarNode or key.tag != _STR or key.value in mapping:
                raise _SlowPath
            # Inline the commonest leaf, a plain string, to save a call per field.
            if type(value) is yaml.ScalarNode and value.tag == _STR:
                mapping[key.value] = value.value
            else:
                mapping[key.value] = _build(value, shared)
        return mapping
    if kind is yaml.SequenceNode and node.tag == _SEQ:
        items: list[Any] = []
        shared[id(node)] = items
        items.extend(_build(item, shared) for item in node.value)
        return items
    raise _SlowPath


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


def _key_text(key: yaml.ScalarNode) -> str:
    """The JSON name of a key written `~`, `yes` or `0x10` ("null", "true", "16")."""
    if key.tag == _STR:
        return str(key.value)
    try:
        return json_key(_SCALARS.construct_object(key, deep=True))
    except (yaml.YAMLError, ValueError, TypeError):
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
