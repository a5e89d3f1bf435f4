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
