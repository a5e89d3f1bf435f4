"""The manifest macro: what it loads, what it refuses, and the Markdown it renders."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from deepdive import macros
from deepdive.embed import EmbedError, fact_kinds, load_embed, page_prefix

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: demo
spec:
  containers:
    - name: app
      image: nginx:1.29.3
      ports:
        - containerPort: 80
      resources:
        limits: {cpu: 500m, memory: 128Mi}
      livenessProbe:
        httpGet: {path: /, port: 80}
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 10
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: app
          image: nginx:1.29.3
          ports:
            - containerPort: 80
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - port: 80
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "mkdocs.yml").write_text("site_name: test\n", encoding="utf-8")
    folder = tmp_path / "manifests" / "demo"
    folder.mkdir(parents=True)
    (folder / "pod.yaml").write_text(POD, encoding="utf-8")
    (folder / "web.yaml").write_text(DEPLOYMENT + "---\n" + SERVICE, encoding="utf-8")
    (folder / "no-newline.yaml").write_text(SERVICE.rstrip("\n"), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("url", "prefix"),
    [("", ""), ("/", ""), ("kubernetes/", "../"), ("kubernetes/pods/", "../../"),
     ("a/b/c/", "../../../")],
)
def test_page_prefix_climbs_to_the_site_root(url: str, prefix: str) -> None:
    assert page_prefix(url) == prefix


def test_load_embed_keeps_the_path_and_text(project: Path) -> None:
    embed = load_embed(project / "manifests", "demo/pod.yaml")
    assert embed.relative == "demo/pod.yaml"
    assert embed.repo_path == "manifests/demo/pod.yaml"
    assert embed.loaded.text == POD


@pytest.mark.parametrize(
    ("relative", "message"),
    [
        ("demo/missing.yaml", "does not exist"),
        ("../mkdocs.yml", "under manifests/"),
        ("/etc/hostname", "under manifests/"),
        ("demo/pod.json", "under manifests/"),
        ("demo/../demo/pod.yaml", "under manifests/"),
    ],
)
def test_load_embed_refuses_paths(project: Path, relative: str, message: str) -> None:
    with pytest.raises(EmbedError, match=message):
        load_embed(project / "manifests", relative)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [x\n", r"bad\.yaml:\d+:\d+: YAML"),
        ("", "no YAML document"),
        ("kind: Pod\nmetadata:\n  name: x\n", "lacks apiVersion"),
        ("apiVersion: v1\nmetadata:\n  name: x\n", "lacks kind"),
        ("apiVersion: v1\nkind: Pod\n", "lacks metadata.name"),
        (SERVICE + "---\n- just a list\n", "document 2 lacks apiVersion, kind"),
    ],
)
def test_load_embed_refuses_bad_files(project: Path, content: str, message: str) -> None:
    (project / "manifests" / "demo" / "bad.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(EmbedError, match=message):
        load_embed(project / "manifests", "demo/bad.yaml")


def test_markdown_shows_file_link_apply_and_facts(project: Path) -> None:
    text = load_embed(project / "manifests", "demo/pod.yaml").markdown("../../")
    assert text.startswith(f'````yaml title="manifests/demo/pod.yaml"\n{POD}````\n')
    assert 'href="../../manifests/demo/pod.yaml"' in text
    assert "```bash\nkubectl apply -f manifests/demo/pod.yaml\n```" in text
    # limits only: requests default to them, so Guaranteed
    assert '!!! info "QoS class: Guaranteed"' in text
    assert '!!! info "Probe timeline"' in text


def test_markdown_without_facts_or_apply(project: Path) -> None:
    embed = load_embed(project / "manifests", "demo/pod.yaml")
    text = embed.markdown("", with_facts=False, with_apply=False)
    assert "kubectl apply" not in text
    assert "!!!" not in text
    assert 'href="manifests/demo/pod.yaml"' in text


def test_markdown_has_facts_for_every_document(project: Path) -> None:
    text = load_embed(project / "manifests", "demo/web.yaml").markdown("")
    assert '!!! info "QoS class: BestEffort"' in text
    assert '!!! info "Rollout bounds: 10 replicas"' in text
    # 25% of 10: 3 surge (up), 2 unavailable (down)
    assert "at most **13** pods exist" in text
    assert "at least **8** stay available" in text


def test_markdown_ends_the_code_block_on_its_own_line(project: Path) -> None:
    text = load_embed(project / "manifests", "demo/no-newline.yaml").markdown("")
    assert "    - port: 80\n````" in text


def test_facts_by_name(project: Path) -> None:
    embed = load_embed(project / "manifests", "demo/web.yaml")
    assert embed.facts().kind == "Deployment"
    assert embed.facts("web").kind == "Deployment"  # the first resource with that name
    assert embed.facts().rollout is not None
    with pytest.raises(EmbedError, match="no resource named"):
        embed.facts("nothing")


# --- the mkdocs-macros module, driven by a stand-in for its env ----------------------------

class FakeEnv:
    def __init__(self, project: Path, site: Path, page_url: str) -> None:
        self.conf = {"config_file_path": str(project / "mkdocs.yml"), "site_dir": str(site)}
        self.page = SimpleNamespace(url=page_url)
        self.macros: dict[str, Any] = {}
        self.variables: dict[str, Any] = {}

    def macro(self, function: Any, name: str | None = None) -> Any:
        self.macros[name or function.__name__] = function
        return function


def test_macros_render_relative_to_the_page(project: Path, tmp_path: Path) -> None:
    env = FakeEnv(project, tmp_path / "site", "kubernetes/pods/")
    macros.define_env(env)
    text = env.macros["manifest"]("demo/pod.yaml")
    assert 'href="../../manifests/demo/pod.yaml"' in text
    assert env.macros["manifest_path"]("demo/pod.yaml") == "manifests/demo/pod.yaml"
    assert str(env.macros["facts"]("demo/pod.yaml").qos.qos_class) == "Guaranteed"
    assert env.macros["facts"]("demo/pod.yaml").probe("livenessProbe").act_after_failure.latest \
        == 31
    with pytest.raises(EmbedError):
        env.macros["manifest"]("demo/missing.yaml")
    with pytest.raises(EmbedError):
        env.macros["manifest_path"]("demo/missing.yaml")


def test_post_build_serves_manifests_as_files(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "manifests").mkdir(parents=True)
    (site / "manifests" / "stale.yaml").write_text("old", encoding="utf-8")
    macros.on_post_build(FakeEnv(project, site, ""))
    assert (site / "manifests" / "demo" / "pod.yaml").read_bytes() == (
        project / "manifests" / "demo" / "pod.yaml"
    ).read_bytes()
    assert not (site / "manifests" / "stale.yaml").exists()


# --- the facts boxes' wording ---------------------------------------------------------------

def _rollout_text(spec: dict[str, Any]) -> str:
    from deepdive.facts.markdown import rollout_markdown
    from deepdive.facts.rollout import rollout_bounds

    return "\n".join(rollout_markdown(rollout_bounds(spec)))


def test_rollout_box_says_rounded_only_for_percentages() -> None:
    text = _rollout_text({"replicas": 3, "strategy": {"rollingUpdate": {"maxSurge": 2,
                                                                         "maxUnavailable": 0}}})
    assert "maxSurge `2` → 2 pods\n" in text
    assert "rounded" not in text
    assert "at most **5** pods exist (old and new), and at least **3** stay available" in text
    assert "terminating are not counted" in text


def test_rollout_box_fencepost_and_singulars() -> None:
    text = _rollout_text({"strategy": {"rollingUpdate": {"maxSurge": 0,
                                                         "maxUnavailable": "25%"}}})
    assert '"Rollout bounds: 1 replica"' in text
    assert "allows 1 pod unavailable" in text
    assert "at most **1**" in text and "at least **0**" in text


def test_recreate_box() -> None:
    text = _rollout_text({"replicas": 4, "strategy": {"type": "Recreate"}})
    assert '"Rollout: Recreate, 4 replicas"' in text
    assert "**4**" in text and "**0**" in text


def test_qos_box_marks_requests_copied_from_limits(project: Path) -> None:
    text = load_embed(project / "manifests", "demo/pod.yaml").markdown("")
    assert "| `app` | 500m (from limit) | 500m | 128Mi (from limit) | 128Mi |" in text


def test_facts_can_be_chosen_by_name() -> None:
    assert fact_kinds(True) == ("qos", "rollout", "probes", "routes", "policy")
    assert fact_kinds(False) == ()
    assert fact_kinds("probes, qos") == ("probes", "qos")
    with pytest.raises(EmbedError, match="unknown latency"):
        fact_kinds("probes,latency")


def test_a_near_copy_highlights_only_what_differs(tmp_path: Path) -> None:
    base = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: blue\n"
            "data:\n  colour: blue\n  size: large\n")
    (tmp_path / "blue.yaml").write_text(base, encoding="utf-8")
    (tmp_path / "green.yaml").write_text(
        base.replace("blue", "green") + "  extra: added\n", encoding="utf-8")
    green = load_embed(tmp_path, "green.yaml")
    blue = load_embed(tmp_path, "blue.yaml")
    assert green.changed_lines(blue) == [4, 6, 8]  # name, colour, and the added line
    assert blue.changed_lines(blue) == []
    block = green.markdown("", with_facts=False, with_apply=False, highlight=[4, 6, 8])
    assert block.startswith('````yaml title="manifests/green.yaml" hl_lines="4 6 8"\n')
