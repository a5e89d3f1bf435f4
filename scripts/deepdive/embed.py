"""A manifest file made ready for a page: its text, its facts, its Markdown."""

from __future__ import annotations

import base64
import difflib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath

from deepdive.facts.document import DocumentFacts, document_facts
from deepdive.facts.markdown import FACT_KINDS, facts_markdown
from deepdive.manifests import Document, ManifestError, ManifestFile, load_file
from deepdive.validate.sets import set_documents

REQUIRED = ("apiVersion", "kind")


class EmbedError(Exception):
    """A page asks for a manifest that cannot be shown; the build must fail."""


@dataclass(frozen=True)
class ManifestEmbed:
    relative: str  # under manifests/, with forward slashes
    loaded: ManifestFile

    @property
    def repo_path(self) -> str:
        return f"manifests/{self.relative}"

    @property
    def copy_base64(self) -> str | None:
        """The file's exact bytes for the copy button (docs/assets/javascripts/manifest-copy.js),
        or None when the code block's own text, ending in one newline, is already exactly
        the file: then the script copies that, and the page does not carry the file twice
        (a third of a manifest-heavy page's weight, issue 13).

        Material trims trailing whitespace from what it copies; URL-safe base64 passes
        Markdown's inline patterns (backticks, backslashes, ++keys++) untouched.
        """
        data = self.loaded.path.read_bytes()
        return None if shown_exactly(data) else base64.urlsafe_b64encode(data).decode("ascii")

    def document(self, kind: str, name: str | None = None) -> Document:
        """The file's first resource of a kind (or the one of that kind and name)."""
        for document in self.loaded.documents:
            if document.kind == kind and name in (None, document.name):
                return document
        named = f" named {name!r}" if name else ""
        raise EmbedError(f"{self.repo_path}: no {kind}{named}")

    @cached_property
    def context(self) -> list[Document]:
        """Every document of the file's example set: its folder and the paths its
        example-set.txt names (for facts that count the pods behind a host). Read once per
        embed: a page asks for the facts of one file many times."""
        try:
            return set_documents(self.loaded.path)
        except ManifestError as error:
            raise EmbedError(str(error)) from None

    def facts(self, name: str | None = None, kind: str | None = None) -> DocumentFacts:
        """The facts of the file's first resource, or the one of that name (and kind: a
        Service and its Deployment often share a name)."""
        for document in self.loaded.documents:
            if name in (None, document.name) and kind in (None, document.kind):
                return document_facts(document, self.context)
        of_kind = f"{kind} " if kind else "resource "
        raise EmbedError(f"{self.repo_path}: no {of_kind}named {name!r}")

    def url(self, site_url: str) -> str:
        """Where the site publishes the file (it serves manifests/ as plain files)."""
        return f"{site_url.rstrip('/')}/{self.repo_path}"

    def changed_lines(self, other: ManifestEmbed) -> list[int]:
        """The 1-based lines of this file that differ from `other` (replaced or added), so a
        page can show a near-copy of a manifest with what changed highlighted."""
        ours = self.loaded.text.splitlines()
        matcher = difflib.SequenceMatcher(a=other.loaded.text.splitlines(), b=ours,
                                          autojunk=False)
        return [line + 1 for tag, _, _, start, end in matcher.get_opcodes()
                if tag in ("replace", "insert") for line in range(start, end)]

    def markdown(
        self, prefix: str, with_facts: bool | str = True, with_apply: bool = True,
        site_url: str = "", highlight: list[int] | None = None,
    ) -> str:
        """The block, raw link, apply line and facts; `with_facts` may name the facts
        to show, e.g. "probes" or "qos,rollout" (True shows all, False none). With a
        site_url, the apply line names the published file and the clone path follows as
        a comment, so the line works with or without a clone."""
        kinds = fact_kinds(with_facts)
        text = self.loaded.text if self.loaded.text.endswith("\n") else self.loaded.text + "\n"
        encoded = self.copy_base64
        copy_attribute = f' data-copy-base64="{encoded}"' if encoded else ""
        marked = f' hl_lines="{" ".join(map(str, highlight))}"' if highlight else ""
        parts = [
            f'````yaml title="{self.repo_path}"{marked}\n{text}````',
            # An inline link with the paragraph's class from attr_list: a raw <p> block
            # is not recognised inside tabs or admonitions and would be nested in a <p>.
            f'<a href="{prefix}{self.repo_path}" class="manifest-raw"{copy_attribute}>'
            f'Raw file</a>\n{{ .manifest-links }}',
        ]
        if with_apply and site_url:
            parts.append(f"```bash\nkubectl apply -f {self.url(site_url)}\n"
                         f"# or, from a clone of the repository:\n"
                         f"# kubectl apply -f {self.repo_path}\n```")
        elif with_apply:
            parts.append(f"```bash\nkubectl apply -f {self.repo_path}\n```")
        if kinds:
            context = self.context
            parts += [facts_markdown(document_facts(d, context), kinds)
                      for d in self.loaded.documents]
        return "\n\n".join(part for part in parts if part) + "\n"


def shown_exactly(data: bytes) -> bool:
    """Whether a code block's text, with its trailing newlines cut to one, is these bytes:
    UTF-8 without carriage returns or tabs (Pygments may expand them), no blank line at
    either end (Pygments drops those), and one final newline after a visible character."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return (
        "\r" not in text and "\t" not in text and not text.startswith("\n")
        and text.endswith("\n") and not text[:-1].endswith(("\n", " "))
    )


def fact_kinds(selection: bool | str) -> tuple[str, ...]:
    """The facts a manifest() call asks for: True (all), False (none) or "qos,probes"."""
    if isinstance(selection, bool):
        return FACT_KINDS if selection else ()
    kinds = tuple(kind.strip() for kind in selection.split(",") if kind.strip())
    unknown = [kind for kind in kinds if kind not in FACT_KINDS]
    if unknown:
        raise EmbedError(
            f"facts={selection!r}: unknown {', '.join(unknown)}; choose from "
            f"{', '.join(FACT_KINDS)}, or True / False"
        )
    return kinds


def page_prefix(page_url: str) -> str:
    """The relative path from a page (directory URLs) back to the site root."""
    depth = len([segment for segment in page_url.strip("/").split("/") if segment])
    return "../" * depth


def load_embed(manifests_root: Path, relative: str) -> ManifestEmbed:
    """Load and check a manifest for embedding; EmbedError says what is wrong."""
    clean = PurePosixPath(relative)
    if clean.is_absolute() or ".." in clean.parts or clean.suffix not in (".yaml", ".yml"):
        raise EmbedError(f"manifest({relative!r}): give a .yaml path under manifests/")
    path = manifests_root / clean
    if not path.is_file():
        raise EmbedError(f"manifest({relative!r}): manifests/{relative} does not exist")
    try:
        loaded = load_file(path)
    except ManifestError as error:
        raise EmbedError(str(error)) from None
    if not loaded.documents:
        raise EmbedError(f"manifests/{relative}: holds no YAML document")
    for document in loaded.documents:
        data = document.data if isinstance(document.data, dict) else {}
        missing = [key for key in REQUIRED if key not in data]
        if not document.name:
            missing.append("metadata.name")
        if missing:
            position = document.position
            raise EmbedError(
                f"manifests/{relative}:{position.line}: document {document.index + 1} "
                f"lacks {', '.join(missing)}"
            )
    return ManifestEmbed(relative=clean.as_posix(), loaded=loaded)
