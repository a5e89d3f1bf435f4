"""What the manifest macro puts around a file: the exact bytes for the copy button (only when
the code block is not already exactly the file), the `kubectl apply` lines and the highlighted
lines of a near-copy. Written to kill the mutants `make mutation` found surviving in embed.py."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from deepdive.embed import EmbedError, fact_kinds, load_embed, shown_exactly

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


def test_document_by_kind_and_name_and_what_is_missing(project: Path) -> None:
    folder = project / "manifests" / "demo"
    (folder / "pair.yaml").write_text(
        CONFIG + "---\n" + CONFIG.replace("settings", "other"), encoding="utf-8")
    embed = load_embed(project / "manifests", "demo/pair.yaml")
    assert embed.document("ConfigMap").name == "settings"
    assert embed.document("ConfigMap", "other").name == "other"
    with pytest.raises(EmbedError) as missing:
        embed.document("Secret")
    assert str(missing.value) == "manifests/demo/pair.yaml: no Secret"
    with pytest.raises(EmbedError) as unnamed:
        embed.document("ConfigMap", "nothing")
    assert str(unnamed.value) == "manifests/demo/pair.yaml: no ConfigMap named 'nothing'"
    with pytest.raises(EmbedError) as of_kind:
        embed.facts("settings", kind="Secret")
    assert str(of_kind.value) == "manifests/demo/pair.yaml: no Secret named 'settings'"
    with pytest.raises(EmbedError) as any_kind:
        embed.facts("nothing")
    assert str(any_kind.value) == "manifests/demo/pair.yaml: no resource named 'nothing'"


def test_unknown_facts_are_named_with_the_choices() -> None:
    with pytest.raises(EmbedError) as error:
        fact_kinds("probes, latency,speed")
    assert str(error.value) == (
        "facts='probes, latency,speed': unknown latency, speed; choose from "
        "qos, rollout, probes, routes, policy, or True / False")


def test_a_document_that_is_a_string_lacks_every_field(project: Path) -> None:
    """A scalar document is no mapping: its text is not searched for the field names."""
    folder = project / "manifests" / "demo"
    (folder / "text.yaml").write_text(CONFIG + "---\napiVersion kind name\n", encoding="utf-8")
    with pytest.raises(EmbedError) as error:
        load_embed(project / "manifests", "demo/text.yaml")
    assert str(error.value) == (
        "manifests/demo/text.yaml:8: document 2 lacks apiVersion, kind, metadata.name")


def test_the_apply_url_trims_only_slashes(project: Path) -> None:
    embed = load_embed(project / "manifests", "demo/config.yaml")
    assert embed.url("https://example.org/TeX//") == (
        "https://example.org/TeX/manifests/demo/config.yaml")


DESTINATION_SET = """\
apiVersion: v1
kind: Service
metadata:
  name: reviews
spec:
  selector: {app: reviews}
  ports:
    - port: 9080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: reviews-v1
spec:
  replicas: 3
  selector:
    matchLabels: {app: reviews, version: v1}
  template:
    metadata:
      labels: {app: reviews, version: v1}
    spec:
      containers:
        - name: reviews
          image: nginx:1.29.3
"""
DESTINATION_RULE = """\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  subsets:
    - name: v1
      labels: {version: v1}
"""


def test_facts_count_the_pods_of_the_example_set(project: Path) -> None:
    """The DestinationRule's subset counts the pods of the workloads in its folder."""
    folder = project / "manifests" / "demo"
    (folder / "workloads.yaml").write_text(DESTINATION_SET, encoding="utf-8")
    (folder / "rule.yaml").write_text(DESTINATION_RULE, encoding="utf-8")
    embed = load_embed(project / "manifests", "demo/rule.yaml")
    policy = embed.facts("reviews").istio.policy
    assert [(s.name, s.endpoints) for s in policy.subsets] == [("v1", 3)]
    text = embed.markdown("", with_facts="policy", with_apply=False)
    assert "| `v1` | `version: v1` | 3 |" in text


def test_only_the_facts_asked_for_are_shown(project: Path) -> None:
    folder = project / "manifests" / "demo"
    (folder / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
        "    - name: app\n      image: nginx:1.29.3\n"
        "      readinessProbe:\n        httpGet: {path: /, port: 80}\n", encoding="utf-8")
    embed = load_embed(project / "manifests", "demo/pod.yaml")
    every = embed.markdown("", with_apply=False)
    assert '!!! info "QoS class: BestEffort"' in every and '!!! info "Probe timeline"' in every
    probes = embed.markdown("", with_facts="probes", with_apply=False)
    assert '!!! info "Probe timeline"' in probes and "QoS class" not in probes
