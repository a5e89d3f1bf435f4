"""The guard: Try it blocks run only against the kind cluster the set-up page creates, or a
context named on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepdive.cli import main
from deepdive.paths import project_root
from deepdive.tryit.guard import GuardError, choose_context, expected_context, kind_cluster_name


def test_the_cluster_name_comes_from_the_set_up_page() -> None:
    root = project_root()
    assert kind_cluster_name(root) == "deepdive"
    assert expected_context(root) == "kind-deepdive"


def test_a_page_without_the_create_line_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "docs" / "kubernetes").mkdir(parents=True)
    (tmp_path / "docs" / "kubernetes" / "index.md").write_text("kind create cluster\n")
    with pytest.raises(GuardError, match="kind create cluster --name"):
        kind_cluster_name(tmp_path)


def test_the_kind_context_is_accepted(fake_kubectl: Path) -> None:
    assert choose_context(project_root(), None).context == "kind-deepdive"


def test_another_context_is_refused(fake_kubectl: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_CONTEXT", "gke_prod_europe-west1_main")
    with pytest.raises(GuardError, match="refusing"):
        choose_context(project_root(), None)


def test_the_cli_refuses_and_runs_nothing(fake_kubectl: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FAKE_CONTEXT", "prod")
    page = tmp_path / "page.md"
    page.write_text("## Try it: x\n\n{# tryit: run #}\n```bash\nkubectl delete ns default\n```\n",
                    encoding="utf-8")
    assert main(["tryit", str(page)]) == 2
    assert "'prod', not 'kind-deepdive'" in capsys.readouterr().err
    assert fake_kubectl.read_text().splitlines() == ["config current-context"]


def test_an_explicit_context_is_pinned_for_every_command(fake_kubectl: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_CONTEXT", "prod")
    page = tmp_path / "page.md"
    page.write_text("## Try it: x\n\n{# tryit: run #}\n```bash\ngrep current-context "
                    "\"$KUBECONFIG\"\n```\n\n{# tryit: output #}\n```text\n"
                    "current-context: kind-other\n```\n", encoding="utf-8")
    monkeypatch.setenv("FAKE_CONTEXT", "kind-other")
    assert main(["tryit", str(page), "--context", "kind-other",
                 "--transcript", str(tmp_path / "t")]) == 0
    calls = fake_kubectl.read_text().splitlines()
    assert "config current-context" not in calls  # named explicitly: no guess
    assert calls[0].startswith("config view --raw --minify --flatten --context kind-other")


def test_no_kubectl_is_a_refusal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GuardError, match="not on PATH"):
        choose_context(project_root(), None)
