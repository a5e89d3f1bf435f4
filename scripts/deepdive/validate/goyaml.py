"""Read YAML as kubectl reads it, one document at a time.

kubectl turns YAML into JSON with sigs.k8s.io/yaml, which parses with its fork of go-yaml
v2 (sigs.k8s.io/yaml/goyaml.v2, from gopkg.in/yaml.v2 v2.4.0). Where go-yaml and PyYAML
disagree, this module follows go-yaml:

- plain scalars resolve as resolve.go's `resolve` does: `y`, `Y`, `n`, `N` are booleans
  too; `1e2`, `1.5e3` and `08` are numbers (`yamlStyleFloat`, then `strconv.ParseFloat`);
  `0o17` and `0B101` are integers (`strconv.ParseInt` with base 0); there are no
  sexagesimal numbers (`1:20` is a string), and `=` is a plain string (PyYAML's
  `!!value` tag, which its safe loader cannot even construct);
- a number is what the API server receives after `json.Marshal`: a float with an integral
  value is sent as an integer (`1e2` -> 100), and NaN or infinity cannot be sent at all;
- double-quoted escapes are those of scannerc.go's `yaml_parser_scan_flow_scalar`: `\\'`
  is an apostrophe, and `\\/` is an error (libyaml and PyYAML accept it, go-yaml does not).

A `.json` file, or any text starting with `{` (apimachinery's YAMLOrJSONDecoder sniffs the
same way), is read as JSON by kubectl: the escape rules do not apply to it.
"""

from __future__ import annotations

import datetime
import math
import operator
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from deepdive.manifests import Document, ManifestError, nesting_error

STR, NULL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:null"
BOOL, INT, FLOAT = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
MERGE = "tag:yaml.org,2002:merge"
MAP, SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"

# resolve.go's resolveMap: the spellings looked up before any number parsing.
_KNOWN: dict[str, tuple[str, Any]] = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"),
                    (BOOL, True)),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off",
                     "OFF"), (BOOL, False)),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), (NULL, None)),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), (FLOAT, math.nan)),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), (FLOAT, math.inf)),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), (FLOAT, -math.inf)),
    "<<": (MERGE, "<<"),
}
# strconv.ParseInt(s, 0, 64): an optional sign, then 0x / 0o / 0b, a leading 0 (octal) or
# decimal digits (resolve.go has removed underscores first).
_GO_INT = re.compile(r"([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)\Z")
_BASES = {"x": 16, "X": 16, "o": 8, "O": 8, "b": 2, "B": 2}
# resolve.go's yamlStyleFloat; a scalar starting with "." goes to strconv.ParseFloat as is,
# which for a decimal wants digits and no underscores.
_YAML_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_DOT_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?\Z")
_INT64, _UINT64 = 2**63, 2**64
_DIGITS = re.compile(r"[-+]?[0-9]+\Z")
_TOO_LONG = 4000


def _go_int(plain: str) -> int | None:
    match = _GO_INT.match(plain) if len(plain) <= 67 else None  # longer cannot fit 64 bits
    if match is None:
        return None
    sign, digits = match.groups()
    if len(digits) > 1 and digits[0] == "0":
        base = _BASES.get(digits[1], 8)
        value = int(digits[2:] if base != 8 or digits[1] in "oO" else digits[1:], base)
    else:
        value = int(digits)
    value = -value if sign == "-" else value
    if -_INT64 <= value < _INT64 or (not sign and 0 <= value < _UINT64):
        return value  # ParseInt, else ParseUint (which takes no sign)
    return None


def as_sent(value: float) -> int | float:
    """A float as the API server receives it from json.Marshal: integral values below 1e21
    are written without a fraction, so they arrive as integers."""
    if value.is_integer() and abs(value) < 1e21:
        return int(value)
    return value


def plain_scalar(text: str) -> tuple[str, Any]:
    """(tag, value) of an unquoted scalar, as go-yaml v2's resolve() reads it."""
    known = _KNOWN.get(text)
    if known is not None:
        return known
    hint = text[0]
    if hint == ".":
        return (FLOAT, as_sent(float(text))) if _DOT_FLOAT.match(text) else (STR, text)
    if hint in "+-0123456789":
        # A timestamp (2024-01-01) resolves as one, but decoded into interface{} go-yaml v2
        # keeps its text: a string either way, like every text that is no number below.
        plain = text.replace("_", "")
        if len(plain) > _TOO_LONG and _DIGITS.match(plain):
            return INT, None  # _scalar refuses it (see there)
        number = _go_int(plain)
        if number is not None:
            return INT, number
        if _YAML_STYLE_FLOAT.match(plain):
            value = float(plain)
            if not math.isinf(value):  # strconv.ParseFloat fails out of range
                return FLOAT, as_sent(value)
    return STR, text


_TAGS: dict[str, str] = {}
# First characters of every plain scalar that is not a string (resolve.go's resolveTable,
# and "" for the empty scalar, which is null).
_MAY_RESOLVE = frozenset("+-0123456789.yYnNtTfFoO~<") | {""}


def _plain_tag(text: str) -> str:
    tag = _TAGS.get(text)
    if tag is None:
        if len(_TAGS) > 50_000:
            _TAGS.clear()
        tag = _TAGS[text] = plain_scalar(text)[0]
    return tag


class _GoResolver:
    """Tags for scalars by go-yaml's rules; collections keep their standard tags."""

    # libyaml's composer calls these around every node for PyYAML's path resolvers, which
    # nothing here uses: C built-ins that ignore their arguments cost a tenth of the parse
    # less than the Python no-ops they replace.
    descend_resolver = staticmethod(operator.is_)
    ascend_resolver = staticmethod(tuple)

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        # Called from libyaml for every node: the commonest answer (a plain word) first.
        if kind is yaml.ScalarNode:
            if not implicit[0] or value[:1] not in _MAY_RESOLVE:
                return STR
            return _TAGS.get(value) or _plain_tag(value)
        return MAP if kind is yaml.MappingNode else SEQ


_CBase: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FastLoader(_GoResolver, _CBase):
    """libyaml's parser (ten times faster) with go-yaml's scalar resolution."""


class _EscapeLoader(_GoResolver, yaml.SafeLoader):  # type: ignore[misc]
    """PyYAML's own parser, whose escape table can be changed: go-yaml reads `\\'` as an
    apostrophe and has no `\\/`. Slower, so used only for texts holding either."""

    ESCAPE_REPLACEMENTS = {  # type: ignore[misc]  # noqa: RUF012 (read as a class attribute)
        **{k: v for k, v in yaml.SafeLoader.ESCAPE_REPLACEMENTS.items() if k != "/"},
        "'": "'",
    }


@dataclass
class GoDocument(Document):
    # Whether an alias refers to a collection (only then can the document expand, and a
    # bomb check is worth its time); unknown, so True, for documents that are not plain.
    aliased: bool = True


def is_json(path: Path, text: str | bytes) -> bool:
    """Whether kubectl reads the text as JSON: a .json file, or text starting with `{`."""
    if isinstance(text, bytes):
        return path.suffix == ".json" or text.lstrip(b" \t\r\n")[:1] == b"{"
    return path.suffix == ".json" or text.lstrip(" \t\r\n")[:1] == "{"


def _loader(text: str | bytes, json: bool) -> Any:
    """libyaml, unless an escape go-yaml reads its own way occurs (then PyYAML's reader, on
    decoded text); libyaml reads UTF-8 bytes without a copy."""
    if isinstance(text, bytes):
        if json or (b"\\'" not in text and b"\\/" not in text):
            return _FastLoader(text)
        text = text.decode("utf-8")
    if json or ("\\'" not in text and "\\/" not in text):
        return _FastLoader(text)
    return _EscapeLoader(text)


def documents(path: Path, text: str | bytes) -> Iterator[GoDocument]:
    """Each document of a text (UTF-8 bytes without a byte order mark, or str) as it is
    parsed, nothing kept between documents, read as go-yaml reads it. Raises
    ManifestError, with the line, for text kubectl cannot read."""
    json = is_json(path, text)
    if path.suffix == ".json":  # JSON may indent with tabs (see manifests.load_text)
        text = text.replace("\t", " ") if isinstance(text, str) else text.replace(b"\t", b" ")
    loader = _loader(text, json)
    index = 0
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            try:
                data, plain, aliased = construct(node)
            except RecursionError:
                raise nesting_error(path, node) from None
            yield GoDocument(path=path, index=index, data=data, node=node, plain=plain,
                             aliased=aliased)
            index += 1
    except RecursionError:
        raise ManifestError(path, 1, 1, "YAML: nesting is too deep") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ManifestError(path, line, column, f"YAML: {_problem(error)}") from None
    except yaml.YAMLError as error:
        raise ManifestError(path, 1, 1, f"YAML: {error}") from None
    finally:
        loader.dispose()


def first_document(path: Path, text: str) -> yaml.Node | None:
    """The node tree of the first document of a text (to find positions again)."""
    return next((document.node for document in documents(path, text)), None)


def _problem(error: yaml.MarkedYAMLError) -> str:
    problem = str(error.problem or error)
    if "unknown escape character '/'" in problem:
        return ('"\\/" is not an escape in the YAML kubectl reads (go-yaml refuses it, '
                'though JSON and libyaml accept it): write "/" alone')
    return problem


# --- construction --------------------------------------------------------------------


def _scalar(node: yaml.Node) -> Any:
    """A bool, int, float or null scalar, plain or explicitly tagged (`!!int "12"`), as
    go-yaml decodes it; an explicit tag the text does not fit fails as in resolve.go."""
    tag, value = plain_scalar(node.value)
    if tag == INT and value is None:
        # go-yaml would read these digits as a string (no int64 or float64 holds them), which
        # no integer field accepts; Python refuses to convert them at all. Say what it is.
        raise ConstructorError(None, None, f"a number of {len(node.value)} characters is too "
                               "long to read", node.start_mark)
    if tag != node.tag and not (node.tag == FLOAT and tag == INT):
        raise ConstructorError(None, None, f"cannot decode {_short(tag)} `{node.value}` as a "
                               f"{_short(node.tag)}", node.start_mark)
    if isinstance(value, float) and not math.isfinite(value):
        raise ConstructorError(None, None, f"{node.value} has no JSON form, so kubectl "
                               "cannot send this document (json: unsupported value)",
                               node.start_mark)
    return value


def _short(tag: str) -> str:
    return "!!" + tag.rsplit(":", 1)[-1]


_SCALAR_TAGS = frozenset((BOOL, INT, FLOAT, NULL))


class _Slow(Exception):
    """A node the fast builder leaves to the constructor (merge keys, tags, repeated or
    non-string keys)."""


MAX_DEPTH = 500  # manifests nest some tens of levels; far deeper is an attack or a mistake


def _build(node: yaml.Node, shared: dict[int, Any], depth: int = 0) -> Any:
    """Plain JSON-like documents, several times faster than PyYAML's constructor; aliases
    stay shared (as PyYAML keeps them), so a bomb is not expanded here. Deeper than
    MAX_DEPTH raises RecursionError, which the reader reports at the deepest node."""
    kind = type(node)
    if kind is yaml.ScalarNode:
        if node.tag == STR:
            return node.value
        if node.tag in _SCALAR_TAGS:
            return _scalar(node)
        raise _Slow
    if id(node) in shared:
        shared[_ALIASED] = True  # a collection met twice: an alias (see construct)
        return shared[id(node)]
    if depth > MAX_DEPTH:
        raise RecursionError
    if kind is yaml.MappingNode and node.tag == MAP:
        mapping: dict[Any, Any] = {}
        shared[id(node)] = mapping
        for key, value in node.value:
            if type(key) is not yaml.ScalarNode or key.tag != STR or key.value in mapping:
                raise _Slow
            if type(value) is yaml.ScalarNode and value.tag == STR:
                mapping[key.value] = value.value  # the commonest leaf, inline
            else:
                mapping[key.value] = _build(value, shared, depth + 1)
        return mapping
    if kind is yaml.SequenceNode and node.tag == SEQ:
        items: list[Any] = []
        shared[id(node)] = items
        for item in node.value:
            if type(item) is yaml.ScalarNode and item.tag == STR:
                items.append(item.value)
            else:
                items.append(_build(item, shared, depth + 1))
        return items
    raise _Slow


class _GoConstructor(SafeConstructor):
    """PyYAML's safe constructor (merge keys, `!!binary`, ...) with go-yaml's scalars."""

    def construct_go_scalar(self, node: yaml.ScalarNode) -> Any:
        return _scalar(node)

    def construct_merge_text(self, node: yaml.ScalarNode) -> Any:
        return node.value  # `<<` as a value, not a key: go-yaml keeps the text

    def construct_go_binary(self, node: yaml.ScalarNode) -> Any:
        """`!!binary`: go-yaml decodes the base64 into a Go string, which JSON encoding sends
        as text (invalid UTF-8 becoming U+FFFD), not as bytes."""
        data = self.construct_yaml_binary(node)
        return data.decode("utf-8", errors="replace")

    def construct_go_timestamp(self, node: yaml.ScalarNode) -> Any:
        """An explicit `!!timestamp`: resolve.go accepts the text only if parseTimestamp
        reads it (a date, or a date and time), and fails as for any tag that does not fit.
        The text is kept: the API server receives a string either way."""
        if not _is_timestamp(node.value):
            raise ConstructorError(None, None, f"cannot decode !!str `{node.value}` as a "
                                   "!!timestamp", node.start_mark)
        return node.value


# (typeshed wants a Loader class here; a constructor alone serves PyYAML as well)
for _tag in _SCALAR_TAGS:
    _GoConstructor.add_constructor(  # type: ignore[type-var]
        _tag, _GoConstructor.construct_go_scalar)
_GoConstructor.add_constructor(  # type: ignore[type-var]
    MERGE, _GoConstructor.construct_merge_text)
_GoConstructor.add_constructor(  # type: ignore[type-var]
    "tag:yaml.org,2002:timestamp", _GoConstructor.construct_go_timestamp)
_GoConstructor.add_constructor(  # type: ignore[type-var]
    "tag:yaml.org,2002:binary", _GoConstructor.construct_go_binary)

# go-yaml v2 resolve.go allowedTimestampFormats: "2006-1-2T15:4:5.999999999Z07:00" (and
# with a lower-case t), "2006-1-2 15:4:5.999999999" and "2006-1-2", read by Go's time.Parse.
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})"
    r"|[ ](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d{1,9})?)?")


def _is_timestamp(text: str) -> bool:
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return False
    year, month, day = (int(part) for part in match.group(1, 2, 3))
    clock = [int(part) for part in (match.group(4, 5, 6) if match.group(4) else
                                    match.group(7, 8, 9)) if part is not None]
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return not clock or (clock[0] < 24 and clock[1] < 60 and clock[2] < 60)


_ALIASED = 0  # a key of _build's `shared` that no object's id can be


def construct(node: yaml.Node) -> tuple[Any, bool, bool]:
    """The document's data; whether it is plain (string keys, none repeated, no tags or
    merge keys), which spares the validator re-checking it; whether it may hold aliases."""
    shared: dict[int, Any] = {}
    try:
        return _build(node, shared), True, _ALIASED in shared
    except _Slow:
        pass
    constructor = _GoConstructor()
    # PyYAML merges `<<` by rewriting each mapping node's pairs in place; the duplicate-key
    # check and finding positions read the nodes afterwards and must see them as written
    # (else a key that overrides a merged one looks repeated).
    as_written = [(mapping, list(mapping.value)) for mapping in mapping_nodes(node)]
    try:
        return constructor.construct_document(node), False, True
    except (ValueError, IndexError, KeyError, AttributeError, OverflowError, TypeError) as error:
        # What PyYAML's constructors raise instead of a YAMLError (a bad `!!binary`, ...).
        raise ConstructorError(None, None, f"a value cannot be read: {error}",
                               node.start_mark) from error
    finally:
        for mapping, pairs in as_written:
            mapping.value = pairs


def mapping_nodes(root: yaml.Node) -> list[yaml.MappingNode]:
    """Every mapping node under `root`, each once (aliases share nodes)."""
    found: dict[int, yaml.MappingNode] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            if id(node) in found:
                continue
            found[id(node)] = node
            stack += [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    return list(found.values())
