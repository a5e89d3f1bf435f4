"""What the manifest macro puts around a file: the exact bytes for the copy button (only when
the code block is not already exactly the file), the `kubectl apply` lines and the highlighted
lines of a near-copy. Written to kill the mutants `make mutation` found surviving in embed.py."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from deepdive.embed import load_embed, shown_exactly

CONFIG = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "manifests" / "demo"
    folder.mkdir(parents=True)
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("data", "exact"), [
    (b"a: 1\n", True),
    (b"a: 1\nb: 2\n", True),
    (b"a: 1", False),  # no final newline
    (b"a: 1\n\n", False),  # a blank line at the end
    (b"\na: 1\n", False),  # a blank line at the start
    (b"a: 1 \n", False),  # trailing space on the last line
    (b"a: 1\r\n", False),
    (b"a:\t1\n", False),
    (b"\n", False),
    (b"\xff: 1\n", False),  # not UTF-8
    (b"a: \xc3\xa9\n", True),  # UTF-8 is fine
])
def test_shown_exactly(data: bytes, exact: bool) -> None:
    assert shown_exactly(data) is exact


def test_the_copy_button_carries_the_bytes_only_when_the_block_differs(project: Path) -> None:
    folder = project / "manifests" / "demo"
    (folder / "spaced.yaml").write_bytes(CONFIG.encode() + b"\n")  # a blank line at the end
    spaced = load_embed(project / "manifests", "demo/spaced.yaml")
    assert spaced.copy_base64 == base64.urlsafe_b64encode(CONFIG.encode() + b"\n").decode()
    assert f' data-copy-base64="{spaced.copy_base64}">Raw file</a>' in spaced.markdown("")
    plain = load_embed(project / "manifests", "demo/config.yaml")
    assert plain.copy_base64 is None
    assert 'class="manifest-raw">Raw file</a>' in plain.markdown("")


def test_the_apply_lines_with_and_without_a_site_url(project: Path) -> None:
    embed = load_embed(project / "manifests", "demo/config.yaml")
    assert embed.url("https://example.org/deepdive/") == (
        "https://example.org/deepdive/manifests/demo/config.yaml")
    text = embed.markdown("../", with_facts=False, site_url="https://example.org/deepdive")
    assert text.endswith(
        "```bash\nkubectl apply -f https://example.org/deepdive/manifests/demo/config.yaml\n"
        "# or, from a clone of the repository:\n"
        "# kubectl apply -f manifests/demo/config.yaml\n```\n")
    assert text.startswith(f'````yaml title="manifests/demo/config.yaml"\n{CONFIG}````\n\n')
    assert embed.markdown("", with_facts=False, with_apply=False).endswith(
        "{ .manifest-links }\n")


def test_highlighted_lines_and_yml_files(project: Path) -> None:
    folder = project / "manifests" / "demo"
    (folder / "other.yml").write_text(CONFIG.replace("fast", "slow"), encoding="utf-8")
    other = load_embed(project / "manifests", "demo/other.yml")
    base = load_embed(project / "manifests", "demo/config.yaml")
    assert other.changed_lines(base) == [6]
    assert 'hl_lines="6"' in other.markdown("", highlight=other.changed_lines(base))
    (folder / "long-a.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
                                        "data:\n" + "  x: y\n" * 300, encoding="utf-8")
    (folder / "long-b.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
                                        "data:\n" + "  x: y\n" * 150 + "  x: z\n"
                                        + "  x: y\n" * 149, encoding="utf-8")
    long_a = load_embed(project / "manifests", "demo/long-a.yaml")
    long_b = load_embed(project / "manifests", "demo/long-b.yaml")
    assert long_b.changed_lines(long_a) == [155]  # difflib's "junk" rule would hide it
