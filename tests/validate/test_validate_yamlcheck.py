"""Reading files defensively: every unusable file is one finding with a position."""

from __future__ import annotations

from pathlib import Path

from deepdive.validate import yamlcheck
from deepdive.validate.yamlcheck import check_file, expanded_size


def write(tmp_path: Path, text: str, name: str = "x.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def rules(path: Path) -> list[tuple[str, int]]:
    return [(f.rule, f.line) for f in check_file(path).findings]


def test_too_large_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(yamlcheck, "MAX_FILE_BYTES", 100)
    path = write(tmp_path, "# padding\n" * 20)
    [finding] = check_file(path).findings
    assert (finding.rule, finding.line) == ("file-too-large", 1)
    assert "200 bytes" in finding.message


def test_unreadable_file(tmp_path: Path) -> None:
    folder = tmp_path / "folder.yaml"
    folder.mkdir()  # a directory where a file is expected: reading it fails
    assert rules(folder) == [("file-unreadable", 1)]


def test_empty_and_comment_only_files_are_fine(tmp_path: Path) -> None:
    assert rules(write(tmp_path, "")) == []
    assert rules(write(tmp_path, "# only a comment\n---\n---\n")) == []


def test_recursive_alias_is_a_bomb(tmp_path: Path) -> None:
    assert rules(write(tmp_path, "a: &a [*a]\n")) == [("yaml-alias-bomb", 1)]


def test_expanded_size_counts_aliases_without_expanding() -> None:
    import yaml

    node = yaml.compose("a: &a [1, 2]\nb: [*a, *a]\n")
    # mapping + 2 keys + a (1 seq + 2 scalars) + b (1 seq + 2 x a)
    assert expanded_size(node) == 1 + 2 + 3 + (1 + 2 * 3)


def test_tab_inside_a_block_scalar_is_content(tmp_path: Path) -> None:
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\n"
            "data:\n  make: |\n    all:\n    \techo hi\n")
    assert rules(write(tmp_path, text)) == []


def test_tab_indentation_after_valid_yaml(tmp_path: Path) -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\ndata: {a: b,\n\tc: d}\n"
    assert ("yaml-tab", 6) in rules(write(tmp_path, text))


def test_dates_stay_strings_as_the_api_server_reads_them(tmp_path: Path) -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\ndata:\n  since: 2024-01-01\n"
    [resource] = check_file(write(tmp_path, text)).resources
    assert resource.data["data"]["since"] == "2024-01-01"


def test_non_string_keys_become_strings(tmp_path: Path) -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\ndata:\n  80: x\n  on: z\n"
    [resource] = check_file(write(tmp_path, text)).resources
    assert resource.data["data"] == {"80": "x", "true": "z"}


def test_list_items_become_resources_with_their_positions(tmp_path: Path) -> None:
    text = (
        "apiVersion: v1\nkind: List\nitems:\n"
        "  - {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n"
        "  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: b\n"
    )
    checked = check_file(write(tmp_path, text))
    assert [r.label for r in checked.resources] == ["ConfigMap/a", "ConfigMap/b"]
    finding = checked.resources[1].finding(("metadata", "name"), "r", "m")
    assert (finding.line, finding.field) == (8, "metadata.name")


def test_deep_nesting_is_a_finding(tmp_path: Path) -> None:
    path = write(tmp_path, "[" * 5000 + "]" * 5000 + "\n")
    [finding] = check_file(path).findings
    assert finding.rule in ("yaml-syntax", "yaml-not-mapping")


def test_a_fifo_is_reported_not_read(tmp_path: Path, validator) -> None:
    """Reading a named pipe blocks until a writer comes: it must be a finding, not a hang."""
    import os
    import signal

    class Blocked(Exception):  # not an OSError, which the reader would catch
        pass

    def give_up(*_: object) -> None:
        raise Blocked("the validator blocked reading a FIFO")

    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    previous = signal.signal(signal.SIGALRM, give_up)
    signal.alarm(5)
    try:
        assert rules(fifo) == [("file-unreadable", 1)]
        for report in (validator.run([tmp_path]), validator.run([fifo])):
            assert [(f.rule, f.message) for f in report.findings] == [
                ("file-unreadable", "not a regular file")]
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_folder_that_cannot_be_listed_is_reported(tmp_path: Path, validator, monkeypatch) -> None:
    """os.walk skips what it cannot list unless asked; a silent skip would pass bad files."""
    import os

    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "bad.yaml").write_text("not: [valid\n")
    real_scandir = os.scandir

    def scandir(path=".", *args, **kwargs):  # root can read any folder: refuse one by hand
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(locked))
        return real_scandir(path, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    report = validator.run([tmp_path])
    assert [(f.rule, f.file.endswith("locked"), f.message) for f in report.findings] == [
        ("file-unreadable", True, "cannot list this folder: Permission denied")]
