"""Mermaid fences drawn at build time (scripts/deepdive/diagrams.py), without a browser."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

from deepdive.diagrams import (
    SCRIPT,
    Prepared,
    Renderer,
    fence_lines,
    figure,
    installed_renderer,
    missing_labels,
    node_runner,
    place_nested_edges,
    prepare,
    renderer_tag,
)

ROOT = Path(__file__).resolve().parent.parent
SEQUENCE = """sequenceDiagram
    accTitle: Applying a Deployment
    accDescr {
        kubectl sends the Deployment
        and the API server stores it.
    }
    autonumber
    actor you as You
    participant api as kube-apiserver
    you->>api: POST the Deployment
    Note over api: authenticate,<br/>authorize
    api-->>you: 201 Created
"""
RAW_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 220 100" width="220" height="100"'
    ' style="--bg:#fff"><style>@import url(\'https://fonts.example/x.css\');</style>'
    '<defs><marker id="arrowhead"><polygon points="0 0, 8 2.5, 0 5"/></marker></defs>'
    '<g id="a"><text font-size="13">Alpha</text></g>'
    '<polyline marker-end="url(#arrowhead)"/><text font-size="11">Beta <tspan>gamma</tspan></text>'
    "</svg>"
)


def test_acc_lines_become_the_text_alternative_and_leave_the_renderers_input() -> None:
    prepared = prepare(SEQUENCE)
    assert prepared.kind == "sequence"
    assert prepared.title == "Applying a Deployment"
    assert prepared.description == "kubectl sends the Deployment and the API server stores it."
    assert "acc" not in prepared.text


def test_sequence_numbers_actors_and_notes_are_adapted_without_losing_content() -> None:
    prepared = prepare(SEQUENCE)
    lines = [line.strip() for line in prepared.text.splitlines()]
    assert "autonumber" not in lines
    assert "participant you as You" in lines  # the renderer's stick figure hides a label
    assert "you->>api: 1. POST the Deployment" in lines
    assert "api-->>you: 2. 201 Created" in lines
    assert "Note over api: authenticate, authorize" in lines
    assert prepared.labels == (
        "1. POST the Deployment", "authenticate, authorize", "2. 201 Created"
    )


def test_flowchart_labels_are_what_the_svg_must_show() -> None:
    prepared = prepare('flowchart LR\n  a["one<br/>two"] -- "three" --> b\n')
    assert prepared.kind == "flowchart"
    assert prepared.labels == ("one", "two", "three")
    svg = '<svg><text>one</text><text>two</text></svg>'
    assert missing_labels(prepared, svg) == ["three"]


def test_fence_lines_are_counted_from_one_and_include_indented_fences() -> None:
    page = (
        "# T\n\n```mermaid\ngraph LR\n```\n\n"
        '=== "Tab"\n\n    ```mermaid\n    graph LR\n    ```\n'
    )
    assert fence_lines(page) == [3, 9]


def test_the_figure_is_accessible_themed_and_loads_nothing() -> None:
    prepared = Prepared("graph LR\n", "flowchart", None, None, ())
    markup = figure(RAW_SVG, prepared, "diagram-2")
    assert "@import" not in markup and "fonts.example" not in markup and "<style" not in markup
    assert re.findall(r"https?://[^\"' ]+", markup) == ["http://www.w3.org/2000/svg"]
    assert 'role="img" aria-labelledby="diagram-2-title diagram-2-desc"' in markup
    assert '<title id="diagram-2-title">Flowchart diagram</title>' in markup
    assert "Its labels, in order: Alpha; Beta gamma." in markup  # the caption from the labels
    assert 'id="diagram-2-arrowhead"' in markup and 'url(#diagram-2-arrowhead)' in markup
    assert 'id="a"' not in markup  # every id is the diagram's own
    # The smallest text (11) is drawn at the code text's size, 0.85em: 220 * 0.85 / 11 em wide.
    assert "width: 17.001em; height: 7.728em" in markup


def test_acc_title_and_description_win_over_the_caption() -> None:
    prepared = Prepared("graph LR\n", "flowchart", "The title", "The description", ())
    markup = figure(RAW_SVG, prepared, "diagram-1")
    assert '<title id="diagram-1-title">The title</title>' in markup
    assert '<desc id="diagram-1-desc">The description</desc>' in markup
    assert 'aria-label="The title (scrolls sideways when wider than the page)"' in markup


def test_only_a_diagram_not_seen_before_reaches_the_renderer(tmp_path: Path) -> None:
    """What makes `mkdocs serve` re-render only the diagram that changed on save."""
    sent: list[list[str]] = []

    def runner(batch: list[dict[str, str]]) -> list[dict[str, str]]:
        sent.append([item["text"] for item in batch])
        return [{"id": item["id"], "svg": f"<svg>{item['text']}</svg>"} for item in batch]

    renderer = Renderer(runner=runner, tag="t", cache_dir=tmp_path)
    assert renderer.render(["a", "b"]) == {"a": "<svg>a</svg>", "b": "<svg>b</svg>"}
    assert renderer.render(["a", "b changed"])["b changed"] == "<svg>b changed</svg>"
    assert renderer.render(["a", "b changed"])["a"] == "<svg>a</svg>"
    assert sent == [["a", "b"], ["b changed"]]
    # A new process (the next `mkdocs build`) finds them on disk...
    later = Renderer(runner=runner, tag="t", cache_dir=tmp_path)
    assert later.render(["a"]) == {"a": "<svg>a</svg>"} and len(sent) == 2
    # ...unless the renderer or this module changed (the tag is in the key).
    Renderer(runner=runner, tag="u", cache_dir=tmp_path).render(["a"])
    assert sent[-1] == ["a"]


def test_a_renderer_error_is_returned_not_cached(tmp_path: Path) -> None:
    calls = []

    def runner(batch: list[dict[str, str]]) -> list[dict[str, str]]:
        calls.append(batch)
        return [{"id": item["id"], "error": "Invalid mermaid header"} for item in batch]

    renderer = Renderer(runner=runner, tag="t", cache_dir=tmp_path)
    assert str(renderer.render(["pie"])["pie"]) == "Invalid mermaid header"
    renderer.render(["pie"])
    assert len(calls) == 2


def test_the_build_needs_the_pinned_renderer(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"dependencies": {"beautiful-mermaid": "1.1.3"}}')
    with pytest.raises(PluginError, match=re.escape("run `make setup` (npm ci)")):
        installed_renderer(tmp_path)
    package = tmp_path / "node_modules" / "beautiful-mermaid"
    package.mkdir(parents=True)
    (package / "package.json").write_text('{"version": "1.0.0"}')
    pins = "holds beautiful-mermaid 1.0.0, package.json pins 1.1.3"
    with pytest.raises(PluginError, match=re.escape(pins)):
        installed_renderer(tmp_path)


def test_the_project_pins_the_renderer_exactly_and_no_mermaid_bundle() -> None:
    import json

    manifest = json.loads((ROOT / "package.json").read_text())
    locked = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    pinned = manifest["dependencies"]["beautiful-mermaid"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned)
    assert locked["node_modules/beautiful-mermaid"]["version"] == pinned
    assert "mermaid" not in manifest["dependencies"], "the site ships no diagram engine"


@pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules" / "beautiful-mermaid").is_dir(),
    reason="needs node and `make setup` (npm ci)",
)
def test_the_node_script_renders_a_batch_and_reports_errors_per_diagram() -> None:
    answers = node_runner(SCRIPT)(
        [{"id": "good", "text": 'graph LR\n  a["Client"] --> b["Pod"]\n'},
         {"id": "bad", "text": "pie\n"}]
    )
    good, bad = answers
    assert good["id"] == "good" and "<svg" in good["svg"] and ">Client<" in good["svg"]
    assert bad == {"id": "bad", "error": bad["error"]} and "Invalid mermaid header" in bad["error"]


NESTED = (
    '<g class="subgraph" data-id="dp"><rect x="40" y="400" width="200" height="500" /></g>'
    '<g class="node" data-id="p1"><rect x="80" y="600" width="100" height="40" /></g>'
    '<g class="node" data-id="p2"><rect x="120" y="800" width="100" height="40" /></g>'
    '<polyline class="edge" data-from="p1" data-to="p2" points="90,240 90,320 110,320 110,400" />'
    '<g class="edge-label" data-from="p1" data-to="p2" data-label="mutual TLS">'
    '<rect x="50" y="280" width="70" height="30" /><text x="85" y="295">mutual TLS</text></g>'
)


def test_an_edge_drawn_in_its_subgraphs_frame_is_moved_onto_its_nodes() -> None:
    """beautiful-mermaid 1.1.3 forgets the subgraph's offset for an edge between two nested
    subgraphs (istio/architecture.md, "mutual TLS"); the edge and its label are moved."""
    fixed = place_nested_edges(NESTED)
    assert 'points="130,640 130,720 150,720 150,800"' in fixed
    assert '<rect x="90" y="680" width="70" height="30" /><text x="125" y="695">' in fixed
    # An edge that already meets its nodes is left alone.
    assert place_nested_edges(fixed) == fixed


def test_every_diagram_of_the_site_has_a_title_and_a_description() -> None:
    """Screen readers get the diagram's own summary, not a list of its box labels."""
    docs = Path(__file__).resolve().parent.parent / "docs"
    fence = re.compile(r"^```mermaid\n(.*?)^```", re.MULTILINE | re.DOTALL)
    missing = []
    for page in sorted(docs.rglob("*.md")):
        for found in fence.finditer(page.read_text(encoding="utf-8")):
            body = found.group(1)
            if not re.search(r"^\s*accTitle:\s*\S", body, re.MULTILINE) or not re.search(
                    r"^\s*accDescr:\s*\S", body, re.MULTILINE):
                line = page.read_text(encoding="utf-8").count("\n", 0, found.start()) + 1
                missing.append(f"{page.relative_to(docs)}:{line}")
    assert not missing, f"diagrams without accTitle/accDescr: {missing}"


def test_the_cache_key_follows_the_renderer_its_lock_and_script(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A drawn SVG is keyed by what drew it: the pinned version, the npm lock and the script."""
    import deepdive.diagrams as diagrams

    (tmp_path / "package.json").write_text('{"dependencies": {"beautiful-mermaid": "1.1.3"}}')
    package = tmp_path / "node_modules" / "beautiful-mermaid"
    package.mkdir(parents=True)
    (package / "package.json").write_text('{"version": "1.1.3"}')
    lock = tmp_path / "package-lock.json"
    lock.write_text('{"packages": {"node_modules/elkjs": {"version": "0.9.0"}}}')
    script = tmp_path / "diagrams.mjs"
    script.write_text("// draws\n")
    monkeypatch.setattr(diagrams, "SCRIPT", script)
    tag = renderer_tag(tmp_path)
    assert tag.startswith("beautiful-mermaid-1.1.3-") and renderer_tag(tmp_path) == tag
    lock.write_text('{"packages": {"node_modules/elkjs": {"version": "0.9.1"}}}')
    after_lock = renderer_tag(tmp_path)
    script.write_text("// draws differently\n")
    after_script = renderer_tag(tmp_path)
    assert len({tag, after_lock, after_script}) == 3
    key = Renderer(runner=lambda batch: [], tag=tag).key("graph LR")
    assert Renderer(runner=lambda batch: [], tag=after_script).key("graph LR") != key
