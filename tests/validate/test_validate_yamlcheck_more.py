"""yamlcheck's findings as `deepdive validate` prints them (file:line:column: severity
rule: message), at their boundaries: the byte and node limits, where a tab counts as
indentation, which keys repeat, what is no resource, and the Resource each document makes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from deepdive.manifests import Position
from deepdive.validate import yamlcheck
from deepdive.validate.findings import Severity
from deepdive.validate.yamlcheck import (
    MAX_EXPANDED_NODES,
    MAX_FILE_BYTES,
    Resource,
    check_file,
    decode,
    expanded_size,
    json_like,
)

HEAD = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"  # lines 1-4
TAB = "tab character in indentation; YAML indents with spaces only"


def printed(tmp_path: Path, content: str | bytes, name: str = "x.yaml") -> list[str]:
    """The findings for a file of this content, as `deepdive validate` prints them."""
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return [f"{f.file}:{f.line}:{f.column}: {f.severity} {f.rule}: {f.message}"
            for f in check_file(path, name).findings]


def labels(tmp_path: Path, content: str, name: str = "x.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(content)
    return [resource.label for resource in check_file(path).resources]


# --- bytes: size, readability, NUL, UTF-8 ----------------------------------------------

def test_the_size_limit_is_64_mib_inclusive(tmp_path: Path) -> None:
    """The size is read from the file system: a sparse file of exactly the limit is read
    (and, being NULs, is binary); one byte more is refused unread."""
    assert MAX_FILE_BYTES == 64 * 1024 * 1024
    at_limit, over = tmp_path / "at.yaml", tmp_path / "over.yaml"
    for path, size in ((at_limit, MAX_FILE_BYTES), (over, MAX_FILE_BYTES + 1)):
        with path.open("wb") as file:
            file.truncate(size)
    assert [(f.rule, f.line, f.column) for f in check_file(at_limit).findings] == [
        ("file-binary", 1, 1)]
    [finding] = check_file(over, "over.yaml").findings
    assert (finding.file, finding.line, finding.column, finding.rule, finding.message) == (
        "over.yaml", 1, 1, "file-too-large",
        "67108865 bytes is over the 67108864 byte limit for a manifest file "
        "(split it into several files)")


def test_a_missing_file_says_why(tmp_path: Path) -> None:
    assert printed_missing(tmp_path) == [
        "gone.yaml:1:1: error file-unreadable: No such file or directory"]


def printed_missing(tmp_path: Path) -> list[str]:
    checked = check_file(tmp_path / "gone.yaml", "gone.yaml")
    assert checked.resources == [] and checked.raw == b""
    return [f"{f.file}:{f.line}:{f.column}: {f.severity} {f.rule}: {f.message}"
            for f in checked.findings]


def test_an_error_without_a_reason_is_named_by_its_type(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(HEAD)

    def fail(self: Path) -> bytes:
        raise PermissionError  # no errno, no strerror

    monkeypatch.setattr(Path, "read_bytes", fail)
    assert [(f.rule, f.line, f.column, f.message) for f in check_file(path).findings] == [
        ("file-unreadable", 1, 1, "PermissionError")]


def test_a_folder_is_not_a_regular_file(tmp_path: Path) -> None:
    (tmp_path / "dir.yaml").mkdir()
    assert printed_dir(tmp_path) == ["dir.yaml:1:1: error file-unreadable: not a regular file"]


def printed_dir(tmp_path: Path) -> list[str]:
    checked = check_file(tmp_path / "dir.yaml", "dir.yaml")
    return [f"{f.file}:{f.line}:{f.column}: {f.severity} {f.rule}: {f.message}"
            for f in checked.findings]


@pytest.mark.parametrize(("content", "line"), [
    (b"\0", 1),
    (b"a: 1\n\n\0\n", 3),
    (b"a: 1\nb: 2\0\n\0", 2),  # the first NUL
])
def test_a_nul_byte_is_binary_at_its_line(tmp_path: Path, content: bytes, line: int) -> None:
    assert printed(tmp_path, content) == [
        f"x.yaml:{line}:1: error file-binary: binary content (NUL byte); not a YAML text file"]


@pytest.mark.parametrize(("content", "where"), [
    (b"\xe9: 1\n", "1:1: error file-not-utf8: not UTF-8 text (byte 0xe9 at offset 0)"),
    (b"\n\xe9\n", "2:1: error file-not-utf8: not UTF-8 text (byte 0xe9 at offset 1)"),
    (b"a: 1\nbb: \xe9\n", "2:5: error file-not-utf8: not UTF-8 text (byte 0xe9 at offset 9)"),
    (b"a: 1\nb: \xc3\xa9\n\nc: \xff\xfe\n",
     "4:4: error file-not-utf8: not UTF-8 text (byte 0xff at offset 15)"),
    # the byte order mark is not counted: offsets are in the text after it
    (b"\xef\xbb\xbfa: \x80\n", "1:4: error file-not-utf8: not UTF-8 text (byte 0x80 at offset 3)"),
])
def test_a_byte_that_is_not_utf8_is_pinned(tmp_path: Path, content: bytes, where: str) -> None:
    assert printed(tmp_path, content) == [f"x.yaml:{where}"]


def test_a_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + HEAD.encode())
    checked = check_file(path)
    assert checked.findings == []
    assert checked.raw == HEAD.encode()
    assert checked.text == HEAD
    assert [r.label for r in checked.resources] == ["ConfigMap/x"]
    assert checked.display == str(path)  # shown as given when no display name is passed
    # positions count from the first line after the mark
    assert printed(tmp_path, b"\xef\xbb\xbf" + HEAD.encode() + b"data: [a\n") == [
        "x.yaml:6:1: error yaml-syntax: YAML: did not find expected ',' or ']'"]


@pytest.mark.parametrize(("raw", "text"), [
    (b"a: 1\n", "a: 1\n"),
    (b"\xef\xbb\xbfa: \xc3\xa9\n", "a: \xe9\n"),
    (b"\xef\xbb\xbf", ""),
    (b"a: \xe9\n", None),
    (b"\xef\xbb", None),  # half a mark is no mark
])
def test_decode_reads_as_scan_file_does(raw: bytes, text: str | None) -> None:
    assert decode(raw) == text


# --- tabs ------------------------------------------------------------------------------

@pytest.mark.parametrize(("content", "lines"), [
    # tab-indented lines inside a flow collection parse: each is named, in order
    (HEAD + "data: {a: b,\n\tc: d,\n \t e: f,\n  g: h}\n", [6, 7]),
    # a tab after the indentation, a blank line of a tab, a tab inside quotes: no finding
    (HEAD + "data: {a:\tb,\n\t\n  c: 'd\te'}\n", []),
    # \r alone ends a line as libyaml reads it
    (HEAD + "data: {a: b,\r\tc: d}\n", [6]),
])
def test_tab_indented_lines_of_a_valid_file(tmp_path: Path, content: str,
                                            lines: list[int]) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(content.encode())
    checked = check_file(path, "x.yaml")
    assert [f"{f.file}:{f.line}:{f.column}: {f.severity} {f.rule}: {f.message}"
            for f in checked.findings] == [f"x.yaml:{line}:1: error yaml-tab: {TAB}"
                                           for line in lines]
    # a tab is an error, but the file parses: its resources are checked as well
    assert [r.label for r in checked.resources] == ["ConfigMap/x"]


@pytest.mark.parametrize(("content", "lines"), [
    # the first and last lines of block scalars, literal and folded: content, not indentation
    (HEAD + "data:\n  s: |2\n    \tfirst\n    \tlast\n  t: >2\n    \tfirst\n    \tlast\n", []),
    # before an alias met twice (the walk goes on past nodes it has seen)
    (HEAD + "data:\n  s: |2\n    \tx\n  a: &x v\n  b: *x\n", []),
    # in a sequence, and as a mapping key
    (HEAD + "data:\n  l:\n  - |2\n     \tx\n  ? |2\n     \tkey\n  : v\n", []),
    # the line right after a block scalar is indentation again, and the lines before it
    (HEAD + "data:\n  f: {a: b,\n\tc: d}\n  s: |\n    x\n", [7]),
    (HEAD + "data: {a: b,\n\tc: d}\nmore:\n  s: |\n    x\n", [6]),
    (HEAD + "data:\n  s: |\n    first\n  f: {a: b,\n\tc: d}\n", [9]),
    (HEAD + "data:\n  s: |\n    first\n\n  f: {a: b,\n\tc: d}\n", [10]),
])
def test_tabs_in_block_scalars_are_content(tmp_path: Path, content: str,
                                           lines: list[int]) -> None:
    assert printed(tmp_path, content) == [f"x.yaml:{line}:1: error yaml-tab: {TAB}"
                                          for line in lines]


def test_a_recursive_alias_in_a_file_with_tabs_is_a_bomb_not_a_hang(tmp_path: Path) -> None:
    assert printed(tmp_path, "a: &a [*a, {b: c,\n\td: e}]\n") == [
        "x.yaml:1:1: error yaml-alias-bomb: document 1 expands to over 200000 nodes "
        "through aliases; refusing to read it",
        f"x.yaml:2:1: error yaml-tab: {TAB}",
    ]


@pytest.mark.parametrize(("content", "finding"), [
    # the parse error's line is tab-indented
    ("\tkey: v\n", f"1:1: error yaml-tab: {TAB}"),
    (HEAD + "data:\n\tkey: v\n", f"6:1: error yaml-tab: {TAB}"),
    # the line before it is (the error is found on the next line)
    ("x: 1\n\tz: 3\na: b: c\n", f"2:1: error yaml-tab: {TAB}"),
    # the line after it is
    ("x: 1\na: b: c\n\ty: 2\n", f"3:1: error yaml-tab: {TAB}"),
    # the error's own line wins over the one before
    ("x: 1\n\tz: 3\n\ta: b: c\n", f"2:1: error yaml-tab: {TAB}"),
    # a tab two lines away is not the cause; line 0 is not the last line
    ("a: b: c\nx: 1\n\ty: 2\n",
     "1:5: error yaml-syntax: YAML: mapping values are not allowed in this context"),
    ("a: b: c\nx: 1\n\t# note\n",
     "1:5: error yaml-syntax: YAML: mapping values are not allowed in this context"),
    ("x: {a: b,\n\tc: d,\n  e: f}\nbad: b: c\n",
     "4:7: error yaml-syntax: YAML: mapping values are not allowed in this context"),
])
def test_a_parse_error_near_a_tab_is_the_tab(tmp_path: Path, content: str,
                                             finding: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(content)
    checked = check_file(path, "x.yaml")
    assert [f"{f.file}:{f.line}:{f.column}: {f.severity} {f.rule}: {f.message}"
            for f in checked.findings] == [f"x.yaml:{finding}"]
    assert checked.broken and checked.resources == []


def test_a_json_file_may_indent_with_tabs(tmp_path: Path) -> None:
    good = '{"apiVersion": "v1",\n\t"kind": "ConfigMap",\n\t"metadata": {"name": "j"}}\n'
    assert printed(tmp_path, good, "x.json") == []
    assert labels(tmp_path, good, "x.json") == ["ConfigMap/j"]
    # a parse error next to a tab is a syntax error there, not a tab
    assert printed(tmp_path, good.replace("}}", "}"), "x.json") == [
        "x.json:4:1: error yaml-syntax: YAML: did not find expected ',' or '}'"]
    # the same text in a .yaml file: kubectl's YAML reader wants no tabs
    assert printed(tmp_path, good, "x.yaml") == [
        f"x.yaml:2:1: error yaml-tab: {TAB}", f"x.yaml:3:1: error yaml-tab: {TAB}"]
    assert printed(tmp_path, good.replace("}}", "}"), "x.yaml") == [
        f"x.yaml:3:1: error yaml-tab: {TAB}"]


def test_a_broken_file_keeps_no_resource(tmp_path: Path) -> None:
    """kubectl applies nothing of a file it cannot parse: the first document is dropped too,
    and what was found in it; the parse error is all that is said."""
    path = tmp_path / "x.yaml"
    path.write_text(HEAD + "  name: x\n---\n" + HEAD + "data: [a\n")
    checked = check_file(path, "x.yaml")
    assert checked.broken and checked.resources == []
    assert [(f.rule, f.line) for f in checked.findings] == [("yaml-syntax", 12)]


# --- alias bombs -----------------------------------------------------------------------

def _expanding(extra: int) -> str:
    # a: 100 nodes; b: 1 + 1998 x 100; c: 1 + extra; the mappings, keys and names: 14
    return (HEAD + "data:\n"
            f"  a: &a [{', '.join(['x'] * 99)}]\n"
            f"  b: [{', '.join(['*a'] * 1998)}]\n"
            f"  c: [{', '.join(['y'] * extra)}]\n")


def test_a_document_of_exactly_the_node_limit_is_read(tmp_path: Path) -> None:
    assert MAX_EXPANDED_NODES == 200_000
    assert expanded_size(yaml.compose(_expanding(84))) == 200_000
    assert printed(tmp_path, _expanding(84)) == []
    assert expanded_size(yaml.compose(_expanding(85))) == 200_001
    assert printed(tmp_path, _expanding(85)) == [
        "x.yaml:1:1: error yaml-alias-bomb: document 1 expands to over 200000 nodes "
        "through aliases; refusing to read it"]


def test_a_bomb_is_pinned_to_its_document(tmp_path: Path) -> None:
    content = HEAD + "---\n# the bomb\n" + _expanding(85).replace("name: x", "name: bomb")
    assert printed(tmp_path, content) == [
        "x.yaml:7:1: error yaml-alias-bomb: document 2 expands to over 200000 nodes "
        "through aliases; refusing to read it"]
    assert labels(tmp_path, content) == ["ConfigMap/x"]


def test_a_bomb_in_a_document_that_is_not_plain(tmp_path: Path) -> None:
    """A tag makes the document go through PyYAML's constructor; it is measured all the same."""
    content = _expanding(85).replace("name: x", "name: !!str x")
    assert printed(tmp_path, content) == [
        "x.yaml:1:1: error yaml-alias-bomb: document 1 expands to over 200000 nodes "
        "through aliases; refusing to read it"]


def test_expanded_size_caps_what_it_counts() -> None:
    node = yaml.compose(_expanding(85))
    assert expanded_size(node) == MAX_EXPANDED_NODES + 1
    recursive = yaml.compose("a: &a [x, *a]\n")
    assert expanded_size(recursive) == MAX_EXPANDED_NODES + 1
    # an alias used twice is counted twice; a scalar alias counts once per use
    assert expanded_size(yaml.compose("a: &s x\nb: *s\nc: [*s, *s]\n")) == 1 + 3 + 1 + 1 + 3


# --- duplicate keys --------------------------------------------------------------------

def test_duplicate_keys_everywhere_each_mapping_once(tmp_path: Path) -> None:
    content = (HEAD + "data:\n  a: 1\n  a: 2\n  b: {c: 1, c: 2}\n  l:\n  - {d: 1, d: 1}\n"
               "  m: &m {f: 1, f: 2}\n  n: *m\n  o: [*m]\n  <<: {g: 1}\n  <<: {h: 1}\n"
               "  a: 3\n")
    duplicate = "error yaml-duplicate-key: duplicate key"
    assert printed(tmp_path, content) == [
        f"x.yaml:7:3: {duplicate} 'a' (first at line 6); YAML parsers keep only one",
        f"x.yaml:16:3: {duplicate} 'a' (first at line 6); YAML parsers keep only one",
        f"x.yaml:11:16: {duplicate} 'f' (first at line 11); YAML parsers keep only one",
        f"x.yaml:10:12: {duplicate} 'd' (first at line 10); YAML parsers keep only one",
        f"x.yaml:8:13: {duplicate} 'c' (first at line 8); YAML parsers keep only one",
    ]
    # the resource is still checked (and found): a repeated key is not a parse error
    assert labels(tmp_path, content) == ["ConfigMap/x"]


def test_a_repeated_key_in_an_aliased_sequence_is_named_once(tmp_path: Path) -> None:
    content = HEAD + "data:\n  s: &s [{a: 1, a: 2}]\n  t: *s\n  u: [*s]\n"
    assert printed(tmp_path, content) == [
        "x.yaml:6:17: error yaml-duplicate-key: duplicate key 'a' (first at line 6); "
        "YAML parsers keep only one"]


def test_duplicate_keys_of_every_document(tmp_path: Path) -> None:
    one = HEAD.replace("name: x", "name: x\n  name: x")
    content = one + "---\n" + one.replace("x", "z")
    assert printed(tmp_path, content) == [
        "x.yaml:5:3: error yaml-duplicate-key: duplicate key 'name' (first at line 4); "
        "YAML parsers keep only one",
        "x.yaml:11:3: error yaml-duplicate-key: duplicate key 'name' (first at line 10); "
        "YAML parsers keep only one",
    ]
    assert labels(tmp_path, content) == ["ConfigMap/x", "ConfigMap/z"]


def test_too_deep_for_json_is_a_syntax_error_at_the_deepest_node(tmp_path: Path) -> None:
    """A document the constructor builds (a repeated key sends it there) but that is too
    deep to convert: one finding at the deepest node, the repeated key not reported."""
    content = HEAD + "data:\n  a: 1\n  a: 2\n  deep: " + "[" * 600 + "]" * 600 + "\n"
    path = tmp_path / "x.yaml"
    path.write_text(content + "---\n" + HEAD.replace("name: x", "name: other"))
    checked = check_file(path, "x.yaml")
    assert [f"{f.file}:{f.line}:{f.column}: {f.severity} {f.rule}: {f.message}"
            for f in checked.findings] == [
        "x.yaml:8:608: error yaml-syntax: YAML: nesting is too deep (602 levels)"]
    assert [r.label for r in checked.resources] == ["ConfigMap/other"]


# --- documents that are no resource ---------------------------------------------------

def test_documents_that_are_not_mappings(tmp_path: Path) -> None:
    content = "---\nplain text\n---\n42\n---\n1.5\n---\ntrue\n---\n[1]\n---\n# empty\n---\n~\n"
    assert printed(tmp_path, content) == [
        "x.yaml:2:1: error yaml-not-mapping: document 1 is a string, not a mapping with "
        "apiVersion and kind",
        "x.yaml:4:1: error yaml-not-mapping: document 2 is a number, not a mapping with "
        "apiVersion and kind",
        "x.yaml:6:1: error yaml-not-mapping: document 3 is a number, not a mapping with "
        "apiVersion and kind",
        "x.yaml:8:1: error yaml-not-mapping: document 4 is a boolean, not a mapping with "
        "apiVersion and kind",
        "x.yaml:10:1: error yaml-not-mapping: document 5 is a sequence, not a mapping with "
        "apiVersion and kind",
    ]


@pytest.mark.parametrize(("content", "found"), [
    ("kind: ConfigMap\nmetadata:\n  name: a\n",
     ["1:1: error yaml-missing-field: document 1: apiVersion is missing"]),
    ("apiVersion: ''\nkind: 5\nmetadata:\n  name: a\n",
     ["1:1: error yaml-missing-field: document 1: apiVersion must be a non-empty string",
      "2:1: error yaml-missing-field: document 1: kind must be a non-empty string"]),
    ("apiVersion: ~\nkind: []\nmetadata: {name: a}\n",
     ["1:1: error yaml-missing-field: document 1: apiVersion is missing",
      "2:1: error yaml-missing-field: document 1: kind must be a non-empty string"]),
    ("apiVersion: v1\nkind: 5\nmetadata: {name: a}\n",
     ["2:1: error yaml-missing-field: document 1: kind must be a non-empty string"]),
    ("apiVersion: ''\nkind: Pod\nmetadata: {name: a}\n",
     ["1:1: error yaml-missing-field: document 1: apiVersion must be a non-empty string"]),
    ("apiVersion: 1\nkind: Pod\nmetadata: {name: a}\n",
     ["1:1: error yaml-missing-field: document 1: apiVersion must be a non-empty string"]),
    ("apiVersion: v1\nkind: Pod\nmetadata: {name: 0}\n",
     ["3:12: error yaml-missing-field: document 1: metadata.name is missing"]),
    ("apiVersion: v1\nkind: ''\nmetadata: {name: a}\n",
     ["2:1: error yaml-missing-field: document 1: kind must be a non-empty string"]),
    ("apiVersion: v1\nmetadata: {name: a}\n",
     ["1:1: error yaml-missing-field: document 1: kind is missing"]),
    ("apiVersion: 1\nkind: ConfigMap\nmetadata: {name: a}\n",
     ["1:1: error yaml-missing-field: document 1: apiVersion must be a non-empty string"]),
    # metadata that is no mapping points at metadata, a missing one at the document
    ("apiVersion: v1\nkind: ConfigMap\nmetadata: []\n",
     ["3:1: error yaml-missing-field: document 1: metadata.name is missing"]),
    ("apiVersion: v1\nkind: ConfigMap\n",
     ["1:1: error yaml-missing-field: document 1: metadata.name is missing"]),
    ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {}\n",
     ["4:3: error yaml-missing-field: document 1: metadata.name is missing"]),
    ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ''\n  generateName: ''\n",
     ["4:3: error yaml-missing-field: document 1: metadata.name is missing"]),
    ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 5\n",
     ["4:3: error yaml-missing-field: document 1: metadata.name is missing"]),
    ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: 5\n",
     ["4:3: error yaml-missing-field: document 1: metadata.name is missing"]),
    # every problem of a document at once, the second document counted
    ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nmetadata: {}\n",
     ["5:1: error yaml-missing-field: document 2: apiVersion is missing",
      "5:1: error yaml-missing-field: document 2: kind is missing",
      "5:11: error yaml-missing-field: document 2: metadata.name is missing"]),
])
def test_missing_fields(tmp_path: Path, content: str, found: list[str]) -> None:
    assert printed(tmp_path, content) == [f"x.yaml:{where}" for where in found]
    assert len(labels(tmp_path, content)) == (1 if "---" in content else 0)


def test_a_name_is_enough_and_each_document_is_a_resource(tmp_path: Path) -> None:
    content = (HEAD + "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n"
               "  namespace: prod\n---\napiVersion: v1\nkind: Job\nmetadata:\n  name: j\n"
               "  generateName: ignored-\n")
    assert printed(tmp_path, content) == []
    assert labels(tmp_path, content) == ["ConfigMap/x", "Deployment/d", "Job/j"]


def test_generate_name_without_a_name_is_a_warning(tmp_path: Path) -> None:
    content = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: ''\n  generateName: gen-\n"
    assert printed(tmp_path, content) == [
        'x.yaml:5:3: warning generate-name: document 1: generateName "gen-" without a name: '
        "create it with `kubectl create` (the API server appends a random suffix); "
        "`kubectl apply` refuses a resource without a name"]
    assert labels(tmp_path, content) == ["Job/gen-*"]
    [finding] = check_file(tmp_path / "x.yaml").findings
    assert finding.severity is Severity.WARNING


def test_list_items_are_resources_and_findings(tmp_path: Path) -> None:
    content = (
        "apiVersion: v1\nkind: List\nitems:\n- ~\n- 3\n- x\n- true\n- [a]\n"
        "- kind: ConfigMap\n  metadata: {name: b}\n"
        "- apiVersion: v1\n  kind: List\n  items:\n  - {apiVersion: v1, kind: ConfigMap}\n"
        "  - {apiVersion: v1, kind: ConfigMap, metadata: {name: inner}}\n"
        "- apiVersion: v1\n  kind: Job\n  metadata: {generateName: g-}\n"
        "- {apiVersion: v1, kind: ConfigMap, metadata: {name: last}}\n"
    )
    what = "not a mapping with apiVersion and kind"
    assert printed(tmp_path, content) == [
        f"x.yaml:4:3: error yaml-not-mapping: item items[0] is a null, {what}",
        f"x.yaml:5:3: error yaml-not-mapping: item items[1] is a number, {what}",
        f"x.yaml:6:3: error yaml-not-mapping: item items[2] is a string, {what}",
        f"x.yaml:7:3: error yaml-not-mapping: item items[3] is a boolean, {what}",
        f"x.yaml:8:3: error yaml-not-mapping: item items[4] is a sequence, {what}",
        "x.yaml:9:3: error yaml-missing-field: item items[5]: apiVersion is missing",
        "x.yaml:14:5: error yaml-missing-field: item items[6].items[0]: metadata.name is "
        "missing",
        'x.yaml:18:14: warning generate-name: item items[7]: generateName "g-" without a '
        "name: create it with `kubectl create` (the API server appends a random suffix); "
        "`kubectl apply` refuses a resource without a name",
    ]
    path = tmp_path / "x.yaml"
    checked = check_file(path)
    assert [(r.label, r.prefix) for r in checked.resources] == [
        ("ConfigMap/inner", ("items", 6, "items", 1)), ("Job/g-*", ("items", 7)),
        ("ConfigMap/last", ("items", 8))]
    finding = checked.resources[0].finding(("metadata", "name"), "r", "m")
    assert (finding.line, finding.column, finding.field) == (15, 50, "metadata.name")


@pytest.mark.parametrize(("content", "found"), [
    ("apiVersion: v1\nkind: List\n",
     ["1:1: error yaml-missing-field: document 1: a List needs an items sequence"]),
    ("apiVersion: v1\nkind: List\nitems: {}\n",
     ["3:1: error yaml-missing-field: document 1: a List needs an items sequence"]),
    ("kind: List\nitems: []\n",  # no apiVersion: no List, and no name either
     ["1:1: error yaml-missing-field: document 1: apiVersion is missing",
      "1:1: error yaml-missing-field: document 1: metadata.name is missing"]),
    ("apiVersion: v1\nkind: List\nitems: []\n", []),  # an empty List, nothing in it
    # a named List is unpacked all the same
    ("apiVersion: v1\nkind: List\nmetadata: {name: l}\nitems: [{kind: Pod}]\n",
     ["4:9: error yaml-missing-field: item items[0]: apiVersion is missing",
      "4:9: error yaml-missing-field: item items[0]: metadata.name is missing"]),
])
def test_a_list_needs_items(tmp_path: Path, content: str, found: list[str]) -> None:
    assert printed(tmp_path, content) == [f"x.yaml:{where}" for where in found]
    assert labels(tmp_path, content) == []


def test_a_list_of_another_api_version_is_a_resource(tmp_path: Path) -> None:
    """Only v1 List is unpacked by kubectl; another apiVersion is an object of kind List."""
    content = ("apiVersion: example.com/v2\nkind: List\nmetadata: {name: l, generateName: g-}\n"
               "items: [1]\n")  # named, so generateName is not used: no warning
    assert printed(tmp_path, content) == []
    assert labels(tmp_path, content) == ["List/l"]
    assert printed(tmp_path, "apiVersion: v2\nkind: List\nitems: []\n") == [
        "x.yaml:1:1: error yaml-missing-field: document 1: metadata.name is missing"]


# --- the data as the API server receives it -------------------------------------------

def test_keys_and_sets_as_json(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(HEAD + "data: {yes: a, ~: b, 3: c, !!binary aGk=: d, no: e}\n"
                    "binaryData: {x: !!binary aGk=}\nextra: !!set {a, yes}\n"
                    "list: [{1: x}, [{2: z}]]\n")
    [resource] = check_file(path).resources
    assert resource.data["data"] == {"true": "a", "null": "b", "3": "c", "hi": "d",
                                     "false": "e"}
    assert resource.data["binaryData"] == {"x": "hi"}
    assert resource.data["extra"] == {"a": None, "true": None}
    assert resource.data["list"] == [{"1": "x"}, [{"2": "z"}]]


def test_json_like_encodes_bytes_and_frozensets() -> None:
    assert json_like({b"k": [b"hi", frozenset({True})], 1: (2,)}) == {
        "b'k'": ["aGk=", {"true": None}], "1": (2,)}


# --- Resource --------------------------------------------------------------------------

class Fixed:
    """A stand-in document: every field at the same place."""

    def __init__(self) -> None:
        self.asked: list[tuple] = []

    def locate_key(self, path: tuple) -> Position:
        self.asked.append(path)
        return Position(line=7, column=9)


def test_resource_reads_its_names_once() -> None:
    resource = Resource(file="f.yaml", document=Fixed(), prefix=(), data={
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "prod"}})
    assert (resource.kind, resource.api_version, resource.group, resource.name,
            resource.namespace, resource.pod_template) == (
        "Deployment", "apps/v1", "apps", "web", "prod", None)
    core = Resource(file="f.yaml", document=Fixed(), prefix=(), data={
        "apiVersion": "v1", "kind": 5, "metadata": {"name": 7, "namespace": None}})
    assert (core.kind, core.api_version, core.group, core.name, core.namespace) == (
        "5", "v1", "", "7", "")
    empty = Resource(file="f.yaml", document=Fixed(), prefix=(), data={"metadata": "x"})
    assert (empty.kind, empty.api_version, empty.group, empty.name, empty.namespace) == (
        "", "", "", "", "")
    assert Resource(file="f", document=Fixed(), prefix=(), data={
        "apiVersion": "a.example/b/v1"}).group == "a.example/b"


@pytest.mark.parametrize(("metadata", "label"), [
    ({"name": "web"}, "Job/web"),
    ({"name": "web", "generateName": "g-"}, "Job/web"),
    ({"generateName": "g-"}, "Job/g-*"),
    ({"generateName": 5}, "Job/"),
    ({}, "Job/"),
    ("text", "Job/"),
])
def test_resource_label(metadata: object, label: str) -> None:
    resource = Resource(file="f", document=Fixed(), prefix=(),
                        data={"kind": "Job", "metadata": metadata})
    assert resource.label == label


def test_resource_finding_points_at_its_field() -> None:
    document = Fixed()
    resource = Resource(file="f.yaml", document=document, prefix=("items", 2),
                        data={"kind": "Pod", "metadata": {"name": "p"}})
    finding = resource.finding(("spec", "containers", 0, "image"), "some-rule", "a message",
                               severity=Severity.WARNING)
    assert document.asked == [("items", 2, "spec", "containers", 0, "image")]
    assert (finding.file, finding.line, finding.column, finding.rule, finding.message,
            finding.resource, finding.field, finding.severity) == (
        "f.yaml", 7, 9, "some-rule", "a message", "Pod/p", "spec.containers[0].image",
        Severity.WARNING)
    assert resource.finding((), "r", "m").severity is Severity.ERROR


def test_a_moved_resource_keeps_its_names() -> None:
    resource = Resource(file="f.yaml", document=Fixed(), prefix=("items", 1), data={
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "prod"}})
    other = Fixed()
    moved = resource.moved(other, {"kept": True}, ("template",))
    assert (moved.file, moved.document, moved.prefix, moved.data, moved.pod_template) == (
        "f.yaml", other, ("items", 1), {"kept": True}, ("template",))
    assert (moved.kind, moved.api_version, moved.group, moved.name, moved.namespace) == (
        "Deployment", "apps/v1", "apps", "web", "prod")


def test_check_file_through_the_validator(tmp_path: Path, validator) -> None:
    """The same findings reach `deepdive validate`."""
    path = tmp_path / "x.yaml"
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {}\n")
    report = validator.run([path])
    assert [(f.line, f.column, f.rule, f.message) for f in report.findings] == [
        (4, 3, "yaml-missing-field", "document 1: metadata.name is missing")]
    assert report.findings[0].file.endswith("/x.yaml")


def test_the_limits_are_module_settings(monkeypatch, tmp_path: Path) -> None:
    """Lowered in tests, the limits apply as set: the message names the limit in force."""
    monkeypatch.setattr(yamlcheck, "MAX_EXPANDED_NODES", 10)
    assert printed(tmp_path, "a: &a [1, 2, 3]\nb: [*a, *a]\n") == [
        "x.yaml:1:1: error yaml-alias-bomb: document 1 expands to over 10 nodes through "
        "aliases; refusing to read it"]
    # without an alias (to a collection) a document is not measured: 21 nodes are fine
    assert printed(tmp_path, HEAD + "data: {a: b, c: d, e: f}\nsame: &s x\nagain: *s\n") == []
