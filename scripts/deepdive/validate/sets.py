"""Example sets: the unit within which cross-reference rules look for their targets.

An example set is the manifest files directly inside one folder (not its subfolders),
plus the dependencies that folder declares in a plain-text file named `example-set.txt`:
one path per line, relative to the folder, naming a manifest file or a folder (whose
manifest files, not subfolders, are added); `#` starts a comment. Dependencies give
context only: their resources can be referenced (a VirtualService in istio/canary may
route to a Service declared in kubernetes/services), but rules report on the folder's
own files. Dependencies are not transitive.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from deepdive.manifests import Document, load_file
from deepdive.validate.findings import Finding

DECLARATION = "example-set.txt"
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class ExampleSet:
    folder: Path
    members: list[Path]
    dependencies: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def files(self) -> list[Path]:
        members = set(self.members)
        return [*self.members, *(p for p in dict.fromkeys(self.dependencies)
                                 if p not in members)]


def manifest_files_in(folder: Path) -> list[Path]:
    """The manifest files directly inside a folder, sorted; OSError if it cannot be listed."""
    with os.scandir(folder) as entries:
        return sorted(Path(entry.path) for entry in entries
                      if entry.name.endswith(MANIFEST_SUFFIXES)
                      and not entry.name.startswith(".") and entry.is_file())


def example_set(folder: Path, display: str, extra: list[Path] | None = None) -> ExampleSet:
    """The set of `folder`; `extra` adds dependencies as if declared (used for read-only
    upstream corpora that cannot carry an example-set.txt)."""
    try:
        members = manifest_files_in(folder)
    except OSError:
        members = []  # the engine reports a folder it cannot list
    found = ExampleSet(folder=folder, members=members)
    declaration = folder / DECLARATION
    entries: list[tuple[int, str]] = []
    if declaration.is_file():
        try:
            lines = declaration.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            lines = []
            found.findings.append(Finding(f"{display}/{DECLARATION}", 1, 1,
                                          "set-dependency-missing", f"unreadable: {error}"))
        for number, line in enumerate(lines, start=1):
            entry = line.split("#", 1)[0].strip()
            if entry:
                entries.append((number, entry))
    for path in extra or []:
        entries.append((0, str(path)))
    for number, entry in entries:
        target = Path(os.path.abspath(folder / entry))
        problem = ""
        if target.is_dir():
            try:
                found.dependencies += manifest_files_in(target)
            except OSError as error:  # its resources would be missing without a word
                problem = f"{entry} cannot be listed: {error.strerror or error}"
        elif target.is_file():
            found.dependencies.append(target)
        else:
            problem = f"{entry} does not exist (relative to {display})"
        if problem:
            found.findings.append(Finding(f"{display}/{DECLARATION}", max(number, 1), 1,
                                          "set-dependency-missing", problem))
    return found


def set_documents(file: Path) -> list[Document]:
    """Every document of the example set a file belongs to (its folder and the paths its
    example-set.txt names), for facts that look beyond one file; ManifestError if one of
    them cannot be read."""
    found = example_set(file.parent, str(file.parent))
    return [document for path in found.files for document in load_file(path).documents]
