"""The loader's positions: a field path finds the line of its key, however it is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepdive.manifests import load_text

TEXT = """apiVersion: v1
kind: ConfigMap
metadata:
  name: odd
data:
  plain: a
  ~: b
  yes: c
  0x10: d
  1.5: e
"""


@pytest.mark.parametrize(("json_name", "written"), [
    ("plain", "plain"), ("null", "~"), ("true", "yes"), ("16", "0x10"), ("1.5", "1.5"),
])
def test_keys_are_found_by_the_name_json_gives_them(json_name: str, written: str) -> None:
    [document] = load_text(Path("odd.yaml"), TEXT).documents
    line = next(number for number, text in enumerate(TEXT.splitlines(), start=1)
                if text.startswith(f"  {written}:"))
    position = document.locate_key(("data", json_name))
    assert (position.line, position.column) == (line, 3)


def test_a_missing_field_points_at_its_nearest_parent() -> None:
    [document] = load_text(Path("odd.yaml"), TEXT).documents
    assert document.locate(("data", "absent")).line == TEXT.splitlines().index("  plain: a") + 1


@pytest.mark.parametrize("before", ["", "  <<: {a: b}\n"])  # fast builder, PyYAML's own
def test_a_number_too_long_for_int_is_a_manifest_error_at_its_line(before: str) -> None:
    from deepdive.manifests import ManifestError

    text = f"data:\n{before}  n: {'1' * 5000}\n"
    with pytest.raises(ManifestError) as raised:
        load_text(Path("long.yaml"), text)
    assert (raised.value.line, raised.value.column) == (text.count("\n"), 6)
    assert "5000 characters" in raised.value.message


@pytest.mark.parametrize(("value", "message"), [
    # go-yaml v2 resolve.go's message for an explicit tag the text does not fit (PyYAML
    # raised IndexError, KeyError, AttributeError and ValueError on these).
    ('!!float ""', "cannot decode !!null `` as a !!float"),
    ('!!bool ""', "cannot decode !!null `` as a !!bool"),
    ("!!timestamp x", "cannot decode !!str `x` as a !!timestamp"),
    ("!!timestamp 2024-99-99", "cannot decode !!str `2024-99-99` as a !!timestamp"),
    ("!!timestamp 2024-01-02 25:00:00", "cannot decode !!str `2024-01-02 25:00:00` as a "
                                        "!!timestamp"),
])
def test_a_scalar_its_tag_cannot_read_is_a_manifest_error_at_its_position(
    value: str, message: str
) -> None:
    from deepdive.manifests import ManifestError

    with pytest.raises(ManifestError) as raised:
        load_text(Path("tagged.yaml"), f"data:\n  a: {value}\n")
    assert (raised.value.line, raised.value.column, raised.value.message) == (
        2, 6, f"YAML: {message}")


@pytest.mark.parametrize(("value", "expected"), [
    ("!!timestamp 2024-1-2", "2024-1-2"),  # what go-yaml's parseTimestamp accepts stays text
    ('!!timestamp "2024-01-02T10:00:00Z"', "2024-01-02T10:00:00Z"),
    ("!!binary aGk=", "hi"),  # a Go string, sent as JSON text, not bytes
    ("y", True),  # YAML 1.1 as go-yaml v2 reads it: the page facts and the validator agree
    ("1e2", 100),
])
def test_every_reader_sees_what_kubectl_sends(value: str, expected: object) -> None:
    [document] = load_text(Path("t.yaml"), f"data:\n  a: {value}\n").documents
    assert document.data == {"data": {"a": expected}}
