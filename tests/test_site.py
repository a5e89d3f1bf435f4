"""The built site shows every manifest through the one macro, and shows it faithfully.

Over the strict build (`built_site`): every file under manifests/ is embedded
by some page, every embed names a real file, its raw link serves the same bytes
and its `kubectl apply -f` line names the same file. In a temporary copy of the
project: a page that embeds a missing or broken file fails `mkdocs build --strict`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from deepdive.links_command import configured_site_url
from deepdive.manifests import iter_manifest_files, load_file

ROOT = Path(__file__).resolve().parent.parent
MANIFESTS = ROOT / "manifests"
DOCS = ROOT / "docs"

# --- a small DOM over html.parser (the site's HTML is generated, so well formed) ---------------

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr", "path", "rect", "circle"}


@dataclass(eq=False)  # compared by identity: a node's parent points back at it
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    @property
    def text(self) -> str:
        return "".join(
            child if isinstance(child, str) else child.text for child in self.children
        )

    def iter(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Element]:
        return [
            element for element in self.iter()
            if (tag is None or element.tag == tag) and (cls is None or cls in element.classes)
        ]

    def next_siblings(self) -> list[Element]:
        if self.parent is None:
            return []
        siblings = [c for c in self.parent.children if isinstance(c, Element)]
        return siblings[siblings.index(self) + 1:]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in _VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse_html(text: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


# --- what one embed looks like in the built HTML ---------------------------------------------

# The titles of the admonitions deepdive.facts.markdown renders after a manifest.
FACT_TITLES = ("QoS class:", "Rollout bounds:", "Rollout: Recreate", "Probe timeline",
               "Route table:", "Traffic policy:")


@dataclass
class RenderedEmbed:
    page: Path  # the HTML file, inside the built site
    title: str  # the code block's title, e.g. manifests/kubernetes/pods/web.yaml
    raw_href: str | None  # the "Raw file" link right after the block
    apply_line: str | None  # the `kubectl apply -f` block right after that, if any
    admonition_titles: list[str]  # the computed facts right after that
    admonitions: list[Element] = field(repr=False)

    @property
    def relative(self) -> str:
        """The path under manifests/."""
        return self.title.removeprefix("manifests/")


def rendered_embeds(page: Path) -> list[RenderedEmbed]:
    """Every code block titled manifests/... on a page, with what the macro puts after it."""
    embeds = []
    for title in parse_html(page.read_text(encoding="utf-8")).find_all("span", "filename"):
        if not title.text.startswith("manifests/") or title.parent is None:
            continue
        following = title.parent.next_siblings()
        raw_href = apply_line = None
        if following and "manifest-links" in following[0].classes:
            links = following.pop(0).find_all("a", "manifest-raw")
            raw_href = links[0].attrs.get("href") if links else None
        if following and "language-bash" in following[0].classes:
            code = following[0].text.strip()
            if code.startswith("kubectl apply -f"):
                apply_line = code
                following.pop(0)
        admonitions: list[Element] = []
        titles: list[str] = []
        for element in following:  # the facts boxes, until anything else
            heading = element.find_all("p", "admonition-title")[:1]
            if "admonition" not in element.classes or not heading:
                break
            if not heading[0].text.strip().startswith(FACT_TITLES):
                break
            admonitions.append(element)
            titles.append(heading[0].text.strip())
        embeds.append(RenderedEmbed(page, title.text.strip(), raw_href, apply_line, titles,
                                    admonitions))
    return embeds


def site_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "manifests" not in p.relative_to(site).parts)


@pytest.fixture(scope="session")
def embeds(built_site: Path) -> list[RenderedEmbed]:
    return [embed for page in site_pages(built_site) for embed in rendered_embeds(page)]


def manifest_files() -> list[str]:
    return [path.relative_to(MANIFESTS).as_posix() for path in iter_manifest_files(MANIFESTS)]


# --- the source side: macro calls in the Markdown ---------------------------------------------

_RAW_BLOCK = re.compile(r"{%-?\s*raw\s*-?%}.*?{%-?\s*endraw\s*-?%}", re.DOTALL)
_MANIFEST_CALL = re.compile(r"{{-?\s*manifest\(\s*(['\"])(?P<path>[^'\"]+)\1(?P<args>[^)]*)\)")


def manifest_calls(markdown: str) -> list[tuple[str, str]]:
    """(path, extra arguments) of every {{ manifest(...) }} outside {% raw %} blocks."""
    text = _RAW_BLOCK.sub("", markdown)
    return [(m["path"], m["args"]) for m in _MANIFEST_CALL.finditer(text)]


def test_manifest_calls_parser() -> None:
    sample = (
        '{{ manifest("a/b.yaml") }}\n'
        "    {{ manifest('c.yaml', apply=False) | indent(4) }}\n"
        '{% raw %}{{ manifest("not-rendered.yaml") }}{% endraw %}\n'
        "{{ facts(\"a/b.yaml\").qos.qos_class }}\n"
    )
    assert manifest_calls(sample) == [("a/b.yaml", ""), ("c.yaml", ", apply=False")]


def page_html(site: Path, markdown: Path) -> Path:
    """The built HTML of a docs page (directory URLs: a/b.md -> a/b/index.html)."""
    relative = markdown.relative_to(DOCS).with_suffix("")
    if relative.name in ("index", "README"):
        return site / relative.parent / "index.html"
    return site / relative / "index.html"


# --- tests over the built site ----------------------------------------------------------------

def test_strict_build_produces_pages(built_site: Path) -> None:
    assert (built_site / "index.html").is_file()
    for markdown in sorted(DOCS.rglob("*.md")):
        assert page_html(built_site, markdown).is_file(), markdown


def test_every_manifest_is_embedded_by_some_page(embeds: list[RenderedEmbed]) -> None:
    shown = {embed.relative for embed in embeds}
    missing = [path for path in manifest_files() if path not in shown]
    assert not missing, f"manifests no page shows: {missing}"


def test_every_embed_names_an_existing_manifest(embeds: list[RenderedEmbed]) -> None:
    assert embeds, "no page embeds a manifest"
    for embed in embeds:
        assert (MANIFESTS / embed.relative).is_file(), f"{embed.page}: {embed.title}"


def test_every_macro_call_is_rendered(built_site: Path) -> None:
    """Each {{ manifest() }} in a page's Markdown became a titled block in its HTML."""
    for markdown in sorted(DOCS.rglob("*.md")):
        calls = manifest_calls(markdown.read_text(encoding="utf-8"))
        rendered = [e.relative for e in rendered_embeds(page_html(built_site, markdown))]
        assert rendered == [path for path, _ in calls], markdown.relative_to(ROOT)


def test_raw_link_serves_the_same_bytes(built_site: Path, embeds: list[RenderedEmbed]) -> None:
    for embed in embeds:
        assert embed.raw_href, f"{embed.page}: {embed.title} has no raw-file link"
        target = (embed.page.parent / embed.raw_href).resolve()
        assert target.is_relative_to(built_site.resolve()), embed.raw_href
        expected = built_site.resolve() / embed.title
        assert target == expected, f"{embed.page}: raw link {embed.raw_href} != {embed.title}"
        assert target.read_bytes() == (ROOT / embed.title).read_bytes(), embed.title


def test_apply_line_names_the_same_file(built_site: Path, embeds: list[RenderedEmbed]) -> None:
    site_url = configured_site_url().rstrip("/")
    assert site_url.startswith("https://")
    for embed in embeds:
        if embed.apply_line is not None:
            # the published file first (no clone needed), then the clone path
            assert embed.apply_line.splitlines() == [
                f"kubectl apply -f {site_url}/{embed.title}",
                "# or, from a clone of the repository:",
                f"# kubectl apply -f {embed.title}",
            ], embed.page
    calls = [
        (path, args)
        for markdown in DOCS.rglob("*.md")
        for path, args in manifest_calls(markdown.read_text(encoding="utf-8"))
    ]
    with_apply = [path for path, args in calls if not re.search(r"apply\s*=\s*False", args)]
    shown_with_apply = [embed.relative for embed in embeds if embed.apply_line is not None]
    assert sorted(shown_with_apply) == sorted(with_apply)


def test_every_manifest_parses_with_apiversion_kind_and_name() -> None:
    files = list(iter_manifest_files(MANIFESTS))
    assert files
    for path in files:
        loaded = load_file(path)  # raises ManifestError with file:line:column
        assert loaded.documents, f"{path}: no YAML document"
        for document in loaded.documents:
            where = f"{path.relative_to(ROOT)} document {document.index + 1}"
            assert isinstance(document.data, dict), f"{where}: not a mapping"
            assert isinstance(document.data.get("apiVersion"), str), f"{where}: no apiVersion"
            assert isinstance(document.data.get("kind"), str), f"{where}: no kind"
            assert document.name, f"{where}: no metadata.name"


# --- a broken embed must fail the build (in a temporary copy of the project) ------------------

_NOT_COPIED = {".git", ".venv", "site", "node_modules", "tests", ".pytest_cache", ".ruff_cache"}
GOOD = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: embed-check\ndata:\n  key: value\n"


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The project's site sources copied into tmp_path, plus a page left out of the nav."""
    copy = tmp_path / "project"
    copy.mkdir()
    for entry in ROOT.iterdir():
        if entry.name in _NOT_COPIED or entry.name.startswith("."):
            continue
        if entry.is_dir():
            shutil.copytree(entry, copy / entry.name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(entry, copy / entry.name)
    if (ROOT / "node_modules").is_dir():
        (copy / "node_modules").symlink_to(ROOT / "node_modules")
    config = copy / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "not_in_nav" not in text, "adapt project_copy: mkdocs.yml now sets not_in_nav"
    config.write_text(text + "\nnot_in_nav: |\n  /embed-check.md\n", encoding="utf-8")
    (copy / "manifests" / "embed-check").mkdir()
    (copy / "manifests" / "embed-check" / "good.yaml").write_text(GOOD, encoding="utf-8")
    return copy


def build(project: Path, page: str) -> subprocess.CompletedProcess[str]:
    (project / "docs" / "embed-check.md").write_text(f"# Embed check\n\n{page}\n",
                                                     encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
         str(project / "site")],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )


def test_copy_with_a_good_extra_page_builds(project_copy: Path) -> None:
    """The control: the extra page itself is fine, so the failures below are the embeds'."""
    result = build(project_copy, '{{ manifest("embed-check/good.yaml") }}')
    assert result.returncode == 0, result.stderr[-3000:]
    page = project_copy / "site" / "embed-check" / "index.html"
    [embed] = rendered_embeds(page)
    assert embed.title == "manifests/embed-check/good.yaml"
    assert (project_copy / "site" / embed.title).read_text(encoding="utf-8") == GOOD


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("missing.yaml", None, "does not exist"),
        ("broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n", "YAML"),
        ("tabs.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: tabbed\n", "YAML"),
        ("no-kind.yaml", "apiVersion: v1\nmetadata:\n  name: no-kind\n", "kind"),
        ("no-name.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", "metadata.name"),
        ("empty.yaml", "# nothing here\n", "no YAML document"),
    ],
)
def test_bad_embed_fails_the_strict_build(project_copy: Path, name: str, content: str | None,
                                          reason: str) -> None:
    if content is not None:
        (project_copy / "manifests" / "embed-check" / name).write_text(content, encoding="utf-8")
    result = build(project_copy, f'{{{{ manifest("embed-check/{name}") }}}}')
    assert result.returncode != 0
    output = result.stdout + result.stderr
    # The build fails because of this embed, and says which file and why, on one line.
    assert name in output, output[-3000:]
    assert reason in output, output[-3000:]
    assert any(name in line and reason in line for line in output.splitlines())
    assert "Traceback" not in output


@pytest.mark.parametrize("path", ["../mkdocs.yml", "/etc/hostname", "embed-check/good.txt"])
def test_embed_outside_manifests_fails_the_build(project_copy: Path, path: str) -> None:
    result = build(project_copy, f'{{{{ manifest("{path}") }}}}')
    assert result.returncode != 0
    assert "give a .yaml path under manifests/" in result.stdout + result.stderr



# -- Diagrams: a fence that cannot be drawn stops the build with one line ---------------------

GOOD_DIAGRAM = '```mermaid\ngraph LR\n  a["Alpha"] --> b["Beta"]\n```'


def test_copy_with_a_good_diagram_builds_it_into_inline_svg(project_copy: Path) -> None:
    """The control for the failures below: the same page with a diagram the renderer reads."""
    result = build(project_copy, GOOD_DIAGRAM)
    assert result.returncode == 0, result.stderr[-3000:]
    page = (project_copy / "site" / "embed-check" / "index.html").read_text(encoding="utf-8")
    assert page.count('<figure class="deepdive-diagram"') == 1
    assert page.count('class="deepdive-diagram__svg" role="img"') == 1
    assert ">Alpha</text>" in page and ">Beta</text>" in page
    assert 'class="mermaid"' not in page


@pytest.mark.parametrize(
    ("diagram", "reason"),
    [
        ("pie title Pets\n  \"Dogs\": 3", "cannot be rendered: Invalid mermaid header"),
        # The renderer skips a line it cannot read; the build notices the label it lost.
        ('graph LR\n  a["Alpha"] --> b["Beta"]\n  c["Gamma" -- oops', "renders without 'Gamma'"),
    ],
)
def test_a_diagram_that_cannot_be_drawn_fails_the_build_with_page_and_line(
    project_copy: Path, diagram: str, reason: str
) -> None:
    result = build(project_copy, f"Text before.\n\n```mermaid\n{diagram}\n```")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    # embed-check.md is "# Embed check", "", "Text before.", "", then the fence: line 5.
    [line] = [line for line in output.splitlines() if "docs/embed-check.md:5: " in line]
    assert reason in line, output[-3000:]
    assert "Traceback" not in output, output[-3000:]


def test_only_a_changed_diagram_is_drawn_again(
    project_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `mkdocs serve` does on save: the build after an edit draws that diagram alone
    (every build loads the hook anew, so the cache that counts is the one on disk)."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("DEEPDIVE_CACHE_DIR", str(cache))
    first = build(project_copy, GOOD_DIAGRAM)
    assert first.returncode == 0, first.stderr[-3000:]
    drawn = set((cache / "diagrams").glob("*.svg"))
    assert len(drawn) > 1  # the site's diagrams and this page's
    second = build(project_copy, GOOD_DIAGRAM.replace("Beta", "Gamma"))
    assert second.returncode == 0, second.stderr[-3000:]
    assert len(set((cache / "diagrams").glob("*.svg")) - drawn) == 1
    assert "Diagrams: drew 1 of" in second.stderr
