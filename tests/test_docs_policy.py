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
    page_html,
    rendered_embeds,
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

ALL_KINDS = ("qos", "rollout", "probes", "routes", "policy")
_FACTS_ARG = re.compile(r"""facts\s*=\s*(?:(?P<bool>True|False)|(['"])(?P<kinds>[^'"]*)\2)""")


def requested_kinds(args: str) -> tuple[str, ...]:
    """The facts a manifest() call asks for, from its extra arguments' source text."""
    match = _FACTS_ARG.search(args)
    if match is None or match["bool"] == "True":
        return ALL_KINDS
    if match["bool"] == "False":
        return ()
    return tuple(kind.strip() for kind in match["kinds"].split(","))


def test_requested_kinds_parser() -> None:
    assert requested_kinds("") == ALL_KINDS
    assert requested_kinds(", facts=False") == ()
    assert requested_kinds(", apply=False, facts='qos, probes'") == ("qos", "probes")
    assert requested_kinds(', facts="rollout"') == ("rollout",)


@dataclass(frozen=True)
class Embed:
    """A rendered manifest block with the facts its page asked for."""

    rendered: RenderedEmbed
    kinds: tuple[str, ...]

    def __getattr__(self, name: str) -> object:
        return getattr(self.rendered, name)


@pytest.fixture(scope="module")
def embeds(built_site: Path) -> list[Embed]:
    """Every manifest block of the site, paired in order with the call that made it."""
    paired: list[Embed] = []
    for markdown in PAGES:
        calls = manifest_calls(markdown.read_text(encoding="utf-8"))
        rendered = rendered_embeds(page_html(built_site, markdown))
        assert [path for path, _ in calls] == [r.relative for r in rendered], markdown
        paired += [
            Embed(block, requested_kinds(args))
            for block, (_, args) in zip(rendered, calls, strict=True)
        ]
    return paired


def expected_titles(relative: str, kinds: tuple[str, ...] = ALL_KINDS) -> list[str]:
    """The facts admonition titles the macro should render for a manifest, in order."""
    titles = []
    for document in load_file(MANIFESTS / relative).documents:
        facts = document_facts(document)
        if facts.qos is not None and "qos" in kinds:
            titles.append(f"QoS class: {facts.qos.qos_class}")
        if facts.rollout is not None and "rollout" in kinds:
            bounds = facts.rollout
            replicas = f"{bounds.replicas} replica" + ("" if bounds.replicas == 1 else "s")
            titles.append(
                f"Rollout: Recreate, {replicas}"
                if bounds.strategy == "Recreate"
                else f"Rollout bounds: {replicas}"
            )
        if facts.probes and "probes" in kinds:
            titles.append("Probe timeline")
        istio = facts.istio
        if istio is not None and istio.routes is not None and "routes" in kinds:
            titles.append(f"Route table: {istio.routes.kind} {istio.routes.name}")
        if istio is not None and istio.policy is not None and "policy" in kinds:
            titles.append(f"Traffic policy: DestinationRule {istio.policy.name}")
    return titles


def test_facts_admonitions_equal_the_computed_facts(embeds: list[Embed]) -> None:
    assert any(embed.admonition_titles for embed in embeds), "no page shows computed facts"
    for embed in embeds:
        assert embed.admonition_titles == expected_titles(embed.relative, embed.kinds), (
            f"{embed.page}: {embed.title}"
        )


def test_every_pod_manifest_on_the_pods_page_shows_its_qos_class(embeds: list[Embed]) -> None:
    """Where QoS is the subject, each Pod states the class compute_qos gives."""
    pods_page = [e for e in embeds if e.page.parent.name == "pods"]
    checked = 0
    for embed in pods_page:
        computed = [t for t in expected_titles(embed.relative) if t.startswith("QoS class:")]
        shown = [t for t in embed.admonition_titles if t.startswith("QoS class:")]
        assert shown == computed, f"{embed.page}: {embed.title}"
        checked += len(computed)
    assert checked >= 3, "the pods page should show the three QoS classes"


def test_rollout_numbers_in_the_html(embeds: list[Embed]) -> None:
    """The bold numbers of a rollout admonition are max_pods and min_available."""
    checked = 0
    for embed in embeds:
        if "rollout" not in embed.kinds:
            continue
        rollouts = [
            document_facts(d).rollout for d in load_file(MANIFESTS / embed.relative).documents
        ]
        rollouts = [r for r in rollouts if r is not None]
        boxes = [
            a for a in embed.admonitions
            if a.find_all("p", "admonition-title")[0].text.startswith("Rollout")
        ]
        assert len(boxes) == len(rollouts), embed.title
        for box, bounds in zip(boxes, rollouts, strict=True):
            bold = [b.text for b in box.find_all("strong")]
            assert bold[:2] == [str(bounds.max_pods), str(bounds.min_available)], embed.title
            checked += 1
    assert checked, "no rollout bounds checked"


def test_probe_windows_in_the_html(embeds: list[Embed]) -> None:
    """Each probe's column names its kind, and its last row starts with the computed
    act-after-failure window."""
    checked = 0
    for embed in embeds:
        if "probes" not in embed.kinds:
            continue
        boxes = [
            a for a in embed.admonitions
            if a.find_all("p", "admonition-title")[0].text == "Probe timeline"
        ]
        timelines = [
            t for d in load_file(MANIFESTS / embed.relative).documents
            for t in document_facts(d).probes
        ]
        columns: list[tuple[str, str]] = []  # (kind, last row's cell) per probe column
        for table in (t for box in boxes for t in box.find_all("table")):
            # the first column holds row headers (th scope=row), the probes are td cells
            kinds = [cell.text for cell in table.find_all("thead")[0].find_all("th")][1:]
            last = [cell.text for cell in table.find_all("tr")[-1].find_all("td")]
            columns += zip(kinds, last, strict=True)
        assert len(columns) == len(timelines), embed.title
        for (kind, cell), timeline in zip(columns, timelines, strict=True):
            window = timeline.act_after_failure
            assert kind == timeline.kind, embed.title
            assert cell.startswith(f"{window.earliest}\u2013{window.latest} s"), embed.title
            checked += 1
    assert checked, "no probe timeline checked"
