"""MkDocs hook: the site serves its own Mermaid, and only pages with a diagram load it.

Material for MkDocs fetches Mermaid from unpkg.com unless a global `mermaid`
already exists when it meets a diagram. So the build copies the bundle of the
npm package pinned in package.json (installed by `make setup`) into the site,
and pages that hold a ```mermaid block get a small stand-in `mermaid` ahead of
Material's script (overrides/main.html) that loads the site's copy after the
load event. The bundle is megabytes: other pages never load it.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

from deepdive.paths import config_root

PACKAGE = Path("node_modules/mermaid")
BUNDLE = Path("dist/mermaid.min.js")
# What pymdownx.superfences writes for a ```mermaid fence (custom_fences in mkdocs.yml).
DIAGRAM = re.compile(r'<pre class="mermaid"')
CONTEXT_KEY = "deepdive_mermaid_js"  # read by overrides/main.html


@dataclass(frozen=True)
class MermaidBundle:
    source: Path  # the installed npm file
    version: str

    @property
    def site_path(self) -> str:
        """Where the site serves it; the version in the name keeps browser caches honest."""
        return f"assets/vendor/mermaid-{self.version}.min.js"


def page_has_diagram(html: str) -> bool:
    return DIAGRAM.search(html) is not None


def pinned_version(root: Path) -> str:
    """The mermaid version package.json pins (exact, so it names one file)."""
    manifest = json.loads((root / "package.json").read_text(encoding="utf-8"))
    return str(manifest["dependencies"]["mermaid"])


def find_bundle(root: Path) -> MermaidBundle:
    """The installed Mermaid bundle, checked to be the pinned version."""
    wanted = pinned_version(root)
    package = root / PACKAGE
    source = package / BUNDLE
    if not source.is_file():
        raise PluginError(f"{source.relative_to(root)} is missing: run `make setup` (npm ci)")
    installed = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    if installed != wanted:
        raise PluginError(
            f"node_modules holds mermaid {installed}, package.json pins {wanted}: run `make setup`"
        )
    return MermaidBundle(source=source, version=wanted)


class _Build:
    """What one build learned: whether any page needs the bundle."""

    def __init__(self) -> None:
        self.bundle: MermaidBundle | None = None


_build = _Build()


def on_pre_build(config: Any) -> None:
    _build.bundle = None  # `mkdocs serve` rebuilds in the same process


def on_page_context(context: dict[str, Any], page: Any, config: Any, nav: Any) -> dict[str, Any]:
    if page.content and page_has_diagram(page.content):
        if _build.bundle is None:
            _build.bundle = find_bundle(config_root(config))
        context[CONTEXT_KEY] = _build.bundle.site_path
    return context


def on_post_build(config: Any) -> None:
    if _build.bundle is None:
        return
    target = Path(config["site_dir"]) / _build.bundle.site_path
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_build.bundle.source, target)
