"""`deepdive facts FILE`: what a contributor runs to see what a page will compute."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepdive.cli import main
from deepdive.facts.document import document_facts
from deepdive.manifests import load_file

ROOT = Path(__file__).resolve().parent.parent
BURSTABLE = ROOT / "manifests" / "kubernetes" / "pods" / "qos-burstable.yaml"


def test_prints_the_computed_qos_class(capsys: pytest.CaptureFixture[str]) -> None:
    expected = document_facts(load_file(BURSTABLE).documents[0]).qos
    assert expected is not None
    assert main(["facts", str(BURSTABLE)]) == 0
    assert f'QoS class: {expected.qos_class}"' in capsys.readouterr().out


def test_bad_values_give_one_line_with_file_line_and_resource(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = tmp_path / "bad.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec: {containers: []}\n"
        "---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
        "spec: {replicas: -2}\n",
        encoding="utf-8",
    )
    assert main(["facts", str(manifest)]) == 1
    errors = capsys.readouterr().err.strip().splitlines()
    assert errors == [f"deepdive facts: {manifest}:6:1: Deployment/web: "
                      "replicas -2 is not a whole number of pods"]


@pytest.mark.parametrize("content", [b"\xff\xfe\x00binary", b"key: [unclosed\n"])
def test_unreadable_files_give_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    manifest = tmp_path / "broken.yaml"
    manifest.write_bytes(content)
    assert main(["facts", str(manifest)]) == 1
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith(f"deepdive facts: {manifest}:")


ODD_STATEFULSET = ("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\n"
                   "spec: {template: {spec: {containers: [{name: c, ports: 5}]}}}\n")


def test_a_shape_the_facts_do_not_expect_is_one_line_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Facts read YAML nobody validated yet; whatever error a shape provokes deep inside
    (once `ports: 5` raised TypeError), the command prints one line, not a traceback."""
    def unexpected(_: object) -> None:
        raise TypeError("'int' object is not iterable")

    monkeypatch.setattr("deepdive.facts.document.document_facts", unexpected)
    manifest = tmp_path / "odd.yaml"
    manifest.write_text(ODD_STATEFULSET)
    assert main(["facts", str(manifest)]) == 1
    [error] = capsys.readouterr().err.strip().splitlines()
    assert error.startswith(f"deepdive facts: {manifest}:1:1: StatefulSet/db: cannot compute")


def test_ports_that_are_not_a_list_do_not_stop_the_facts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = tmp_path / "odd.yaml"
    manifest.write_text(ODD_STATEFULSET)
    assert main(["facts", str(manifest)]) == 0
    assert capsys.readouterr().err == ""


def test_a_fifo_is_refused_not_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import os
    import signal

    class Blocked(Exception):  # not an OSError, which the loader would catch
        pass

    def give_up(*_: object) -> None:
        raise Blocked("deepdive facts blocked reading a FIFO")

    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)  # reading it would wait for a writer for ever
    previous = signal.signal(signal.SIGALRM, give_up)
    signal.alarm(5)
    try:
        assert main(["facts", str(fifo)]) == 1
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert capsys.readouterr().err == f"deepdive facts: {fifo}:1:1: not a regular file\n"
