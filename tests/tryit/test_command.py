"""`deepdive tryit` on the command line: listing, the CI matrix, the images to pull, and the
pages a page needs run first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deepdive.cli import main
from deepdive.tryit.command import manifest_images, read_pages, with_required_pages


def test_list_names_every_page_and_its_manual_blocks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tryit", "--list"]) == 0
    out = capsys.readouterr().out
    assert "docs/kubernetes/pods.md  (" in out
    assert "MANUAL   istioctl dashboard opens a browser" in out
    assert " pages, " in out.rstrip().splitlines()[-1]


def test_the_ci_matrix_lists_runnable_pages_with_what_they_need(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tryit", "--pages-json"]) == 0
    matrix = {entry["page"]: entry["requires"] for entry in json.loads(capsys.readouterr().out)}
    assert matrix["docs/kubernetes/extras.md"] == ["stern"]
    assert matrix["docs/istio/envoy.md"] == ["istio"]  # pages it needs run with it, not in CI
    assert "docs/kubernetes/index.md" not in matrix  # the set-up page has no Try it


def test_images_are_every_container_image_of_the_manifests() -> None:
    images = manifest_images(Path(__file__).resolve().parents[2])
    assert "busybox:1.37.0" in images and images == sorted(set(images))
    assert all(":" in image for image in images)


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_page_s_required_pages_run_first_and_once(tmp_path: Path) -> None:
    block = "## Try it: x\n\n{# tryit: run #}\n```bash\necho x\n```\n"
    base = write(tmp_path, "docs/base.md", block)
    one = write(tmp_path, "docs/one.md", "{# tryit: requires docs/base.md #}\n" + block)
    two = write(tmp_path, "docs/two.md", "{# tryit: requires istio docs/base.md #}\n" + block)
    pages, problems = read_pages(tmp_path, [one, two])
    ordered, problems = with_required_pages(tmp_path, pages, problems)
    assert problems == []
    assert [p.name for p in ordered] == ["docs/base.md", "docs/one.md", "docs/two.md"]
    assert ordered[2].requires == ("istio", "docs/base.md")
    assert base.is_file()


def test_a_missing_or_circular_required_page_is_reported(tmp_path: Path) -> None:
    block = "## Try it: x\n\n{# tryit: run #}\n```bash\necho x\n```\n"
    a = write(tmp_path, "docs/a.md", "{# tryit: requires docs/b.md #}\n" + block)
    write(tmp_path, "docs/b.md", "{# tryit: requires docs/a.md docs/gone.md #}\n" + block)
    pages, problems = read_pages(tmp_path, [a])
    _, problems = with_required_pages(tmp_path, pages, problems)
    messages = sorted(p.message for p in problems)
    assert messages == ["requires docs/a.md, which requires it",
                        "requires docs/gone.md: no such page"]


def test_a_page_whose_requirement_is_missing_is_not_run(
        tmp_path: Path, fake_kubectl: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PATH", f"{fake_kubectl.parent / 'bin'}")  # no stern anywhere
    page = write(tmp_path, "page.md", "{# tryit: requires stern #}\n## Try it: x\n\n"
                 "{# tryit: run #}\n```bash\necho should not run\n```\n")
    assert main(["tryit", str(page), "--transcript", str(tmp_path / "t.txt")]) == 1
    out = capsys.readouterr().out
    assert "not run: it requires stern on PATH" in out
    assert "should not run" not in (tmp_path / "t.txt").read_text()
