"""Pages hold no inline manifests, and the facts they show are the computed ones.

A manifest reaches a page only through {{ manifest("...") }}; so the Markdown
source must not contain a fenced block (of any language) with both an
`apiVersion:` and a `kind:` line. Facts admonitions in the built HTML must
equal what the facts code computes from the same file, and no page may type
such an admonition by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from deepdive.facts.document import document_facts
from deepdive.manifests import load_file
from test_site import (
    DOCS,
    FACT_TITLES,
    MANIFESTS,
    ROOT,
    RenderedEmbed,
    manifest_calls,
    rendered_embeds,
    site_pages,
)

# --- the detector -----------------------------------------------------------------------------

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_API_VERSION = re.compile(r"""^[\s\-{,]*["']?apiVersion["']?\s*:""", re.MULTILINE)
_KIND = re.compile(r"""(^|[\s{,])["']?kind["']?\s*:""", re.MULTILINE)
_HTML_PRE = re.compile(r"<pre\b.*?</pre>", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class InlineManifest:
    line: int  # 1-based line of the opening fence
    info: str  # the fence's info string, e.g. "yaml"


def looks_like_a_manifest(text: str) -> bool:
    return bool(_API_VERSION.search(text)) and bool(_KIND.search(text))


def fenced_blocks(markdown: str) -> list[tuple[int, str, str]]:
    """(line, info string, content) of every fenced code block, at any indentation."""
    blocks = []
    lines = markdown.splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE_OPEN.match(lines[index])
        if opening is None or (opening["fence"][0] == "`" and "`" in opening["info"]):
            index += 1
            continue
        fence = opening["fence"]
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        body: list[str] = []
        end = index + 1
        while end < len(lines) and not closing.match(lines[end]):
            body.append(lines[end])
            end += 1
        blocks.append((index + 1, opening["info"].strip(), "\n".join(body)))
        index = end + 1  # an unclosed fence runs to the end of the page
    return blocks


def inline_manifests(markdown: str) -> list[InlineManifest]:
    """Fenced or <pre> blocks in a page's source that hold a manifest."""
    found = [
        InlineManifest(line, info)
        for line, info, content in fenced_blocks(markdown)
        if looks_like_a_manifest(content)
    ]
    for match in _HTML_PRE.finditer(markdown):
        if looks_like_a_manifest(re.sub(r"<[^>]*>", "\n", match.group(0))):
            found.append(InlineManifest(markdown.count("\n", 0, match.start()) + 1, "<pre>"))
    return found


# --- the detector on samples, so the page test below can fail ------------------------------

POSITIVE = {
    "yaml fence": "Text\n\n```yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n```\n",
    "no language": "```\napiVersion: apps/v1\nkind: Deployment\n```\n",
    "tilde fence": "~~~yaml\napiVersion: v1\nkind: Service\n~~~\n",
    "long fence": "````yaml\napiVersion: v1\nkind: Pod\n````\n",
    "title attribute": '```yaml title="pod.yaml"\napiVersion: v1\nkind: Pod\n```\n',
    "inside a tab": '=== "Pod"\n\n    ```yaml\n    apiVersion: v1\n    kind: Pod\n    ```\n',
    "inside an admonition": '!!! note\n    ```yaml\n    kind: Pod\n    apiVersion: v1\n    ```\n',
    "heredoc in bash": (
        "```bash\nkubectl apply -f - <<EOF\napiVersion: v1\nkind: Namespace\n"
        "metadata:\n  name: demo\nEOF\n```\n"
    ),
    "second document": "```yaml\nfoo: bar\n---\napiVersion: v1\nkind: ConfigMap\n```\n",
    "json": '```json\n{\n  "apiVersion": "v1",\n  "kind": "Pod"\n}\n```\n',
    "flow mapping": "```yaml\n{apiVersion: v1, kind: Pod, metadata: {name: x}}\n```\n",
    "list item": "```yaml\nitems:\n  - apiVersion: v1\n    kind: Pod\n```\n",
    "unclosed fence": "```yaml\napiVersion: v1\nkind: Pod\n",
    "inner shorter fence": "````markdown\n```yaml\napiVersion: v1\nkind: Pod\n```\n````\n",
    "html pre": "<pre><code>apiVersion: v1\nkind: Pod\n</code></pre>\n",
}

NEGATIVE = {
    "the macro": '{{ manifest("kubernetes/pods/web.yaml") }}\n',
    "indented macro": '=== "Pod"\n\n    {{ manifest("kubernetes/pods/web.yaml") | indent(4) }}\n',
    "prose": "Every manifest has `apiVersion:` and `kind:` fields.\n",
    "only kind": "```yaml\nkind: Cluster\nnodes:\n  - role: control-plane\n```\n",
    "only apiVersion": "```yaml\napiVersion: v1\n```\n",
    "split across blocks": "```yaml\napiVersion: v1\n```\n\n```yaml\nkind: Pod\n```\n",
    "jsonpath": "```bash\nkubectl get pod web -o jsonpath='{.apiVersion} {.kind}'\n```\n",
    "field names in text block": "```text\nKIND:     Pod\nVERSION:  v1\n```\n",
    "inline code span": "Use ```apiVersion: v1``` and `kind: Pod`.\n",
    "after a closed fence": "```yaml\nfoo: 1\n```\napiVersion: v1\nkind: Pod\n",
    "kind in a word": "```yaml\napiVersion: v1\nsubkind: x\nmykind: y\n```\n",
}


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_detector_finds_inline_manifests(name: str) -> None:
    assert inline_manifests(POSITIVE[name]), name


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_detector_ignores_what_is_not_a_manifest(name: str) -> None:
    assert inline_manifests(NEGATIVE[name]) == [], name


def test_detector_reports_the_line() -> None:
    page = "# Title\n\nSome text.\n\n```yaml\napiVersion: v1\nkind: Pod\n```\n"
    assert inline_manifests(page) == [InlineManifest(5, "yaml")]


# --- the pages ----------------------------------------------------------------------------

PAGES = sorted(DOCS.rglob("*.md"))


def test_there_are_pages() -> None:
    assert PAGES


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_no_inline_manifest_in_pages(page: Path) -> None:
    found = inline_manifests(page.read_text(encoding="utf-8"))
    where = [f"{page.relative_to(ROOT)}:{item.line}" for item in found]
    assert not found, f"manifest written inline (put it under manifests/, use the macro): {where}"


_HAND_TYPED_FACTS = re.compile(
    r"""^\s*(!!!|\?\?\?\+?)\s*[\w ]+["'](?P<title>[^"']*)["']""", re.MULTILINE
)


def hand_typed_facts(markdown: str) -> list[str]:
    """Admonitions in a page's source titled like the computed facts boxes."""
    return [
        match["title"] for match in _HAND_TYPED_FACTS.finditer(markdown)
        if match["title"].startswith(FACT_TITLES)
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_no_hand_typed_facts_admonition(page: Path) -> None:
    assert hand_typed_facts(page.read_text(encoding="utf-8")) == [], page


def test_hand_typed_facts_detector() -> None:
    assert hand_typed_facts('!!! info "QoS class: Guaranteed"\n') == ["QoS class: Guaranteed"]
    assert hand_typed_facts('    ???+ note "Rollout bounds: 3 replicas"\n')
    assert hand_typed_facts("!!! warning inline end 'Probe timeline'\n")
    assert hand_typed_facts("The QoS class: Guaranteed, as computed.\n") == []
    assert hand_typed_facts('!!! info "Why QoS matters"\n') == []


# --- facts in the built HTML equal the computed ones ----------------------------------------

@pytest.fixture(scope="module")
def embeds(built_site: Path) -> list[RenderedEmbed]:
    return [embed for page in site_pages(built_site) for embed in rendered_embeds(page)]


def expected_titles(relative: str) -> list[str]:
    """The facts admonition titles the macro should render for a manifest, in order."""
    titles = []
    for document in load_file(MANIFESTS / relative).documents:
        facts = document_facts(document)
        if facts.qos is not None:
            titles.append(f"QoS class: {facts.qos.qos_class}")
        if facts.rollout is not None:
            bounds = facts.rollout
            replicas = f"{bounds.replicas} replica" + ("" if bounds.replicas == 1 else "s")
            titles.append(
                f"Rollout: Recreate, {replicas}"
                if bounds.strategy == "Recreate"
                else f"Rollout bounds: {replicas}"
            )
        if facts.probes:
            titles.append("Probe timeline")
    return titles


def test_facts_admonitions_equal_the_computed_facts(embeds: list[RenderedEmbed]) -> None:
    with_facts = [embed for embed in embeds if embed.admonition_titles]
    assert with_facts, "no page shows computed facts"
    for embed in with_facts:
        assert embed.admonition_titles == expected_titles(embed.relative), (
            f"{embed.page}: {embed.title}"
        )


def test_every_pod_manifest_shows_its_qos_class(embeds: list[RenderedEmbed]) -> None:
    """Each Pod or workload template states the class compute_qos gives, unless facts=False."""
    without_facts = {
        path
        for page in PAGES
        for path, args in manifest_calls(page.read_text(encoding="utf-8"))
        if re.search(r"facts\s*=\s*False", args)
    }
    checked = 0
    for embed in embeds:
        computed = [t for t in expected_titles(embed.relative) if t.startswith("QoS class:")]
        shown = [t for t in embed.admonition_titles if t.startswith("QoS class:")]
        if computed and not embed.admonition_titles and embed.relative in without_facts:
            continue
        assert shown == computed, f"{embed.page}: {embed.title}"
        checked += len(computed)
    assert checked, "no QoS class checked"


def test_rollout_numbers_in_the_html(embeds: list[RenderedEmbed]) -> None:
    """The bold numbers of a rollout admonition are max_pods and min_available."""
    for embed in embeds:
        rollouts = [
            document_facts(d).rollout for d in load_file(MANIFESTS / embed.relative).documents
        ]
        rollouts = [r for r in rollouts if r is not None]
        boxes = [
            a for a in embed.admonitions
            if a.find_all("p", "admonition-title")[0].text.startswith("Rollout")
        ]
        if not embed.admonition_titles:
            continue
        assert len(boxes) == len(rollouts), embed.title
        for box, bounds in zip(boxes, rollouts, strict=True):
            bold = [b.text for b in box.find_all("strong")]
            assert bold[:2] == [str(bounds.max_pods), str(bounds.min_available)], embed.title


def test_probe_windows_in_the_html(embeds: list[RenderedEmbed]) -> None:
    """Each probe row's last cell starts with the computed act-after-failure window."""
    for embed in embeds:
        boxes = [
            a for a in embed.admonitions
            if a.find_all("p", "admonition-title")[0].text == "Probe timeline"
        ]
        if not boxes:
            continue
        timelines = [
            t for d in load_file(MANIFESTS / embed.relative).documents
            for t in document_facts(d).probes
        ]
        rows = [row for box in boxes for row in box.find_all("tr")[1:]]
        assert len(rows) == len(timelines), embed.title
        for row, timeline in zip(rows, timelines, strict=True):
            cells = [cell.text for cell in row.find_all("td")]
            window = timeline.act_after_failure
            assert cells[1] == timeline.kind
            assert cells[-1].startswith(f"{window.earliest}\u2013{window.latest} s"), embed.title
