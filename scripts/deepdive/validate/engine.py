"""Validate files and folders: YAML, schemas, cross-reference rules, exceptions -> Report."""

from __future__ import annotations

import contextlib
import gc
import os
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from deepdive.validate.compiled import SchemaCompiler
from deepdive.validate.crds import CrdSchemas, SourceLocator
from deepdive.validate.exceptions import parse_exceptions
from deepdive.validate.findings import AllowedException, Finding, Report, Severity
from deepdive.validate.kube import DEFAULT_VERSIONS, KubeSchemas, check_versions
from deepdive.validate.rules import SetContext, run_rules
from deepdive.validate.schemacheck import SchemaChecker
from deepdive.validate.sets import MANIFEST_SUFFIXES, example_set
from deepdive.validate.yamlcheck import CheckedFile, Resource, check_file


def display_path(path: Path) -> str:
    """Paths as the reader typed them: relative to the working directory."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)


def absolute(path: Path) -> Path:
    """An absolute, normalised path without asking the filesystem (resolve() is slow)."""
    return Path(os.path.abspath(path))


def manifest_files(folder: Path, unlisted: list[OSError] | None = None) -> list[Path]:
    """Every manifest under a folder, hidden folders and files skipped, in a stable order;
    folders that cannot be listed go to `unlisted` (os.walk would skip them silently)."""
    found = []
    errors = unlisted if unlisted is not None else []
    for root, folders, files in os.walk(folder, onerror=errors.append):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        found += [Path(root, name) for name in sorted(files)
                  if name.endswith(MANIFEST_SUFFIXES) and not name.startswith(".")]
    return found


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The run keeps every parsed node alive until the sets are checked; without this the
    cyclic collector rescans that growing heap again and again (5x slower on 10k resources)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Validator:
    """Holds the compiled schemas; `run` may be called many times (mkdocs serve)."""

    def __init__(self, versions: tuple[str, ...] | list[str] = DEFAULT_VERSIONS,
                 locator: SourceLocator | None = None,
                 compiler: SchemaCompiler | None = None) -> None:
        self.versions = check_versions(list(versions))
        self.compiler = compiler or SchemaCompiler()
        self.kube = KubeSchemas(self.compiler)
        self.crds = CrdSchemas(self.compiler, self.kube, max(self.versions, key=_version_key),
                               locator)
        self.schemas = SchemaChecker(self.kube, self.crds, self.versions)

    def run(self, paths: list[Path],
            extra_dependencies: dict[Path, list[Path]] | None = None,
            context: list[Path] | None = None,
            displays: dict[Path, str] | None = None) -> Report:
        """Validate `paths`. `extra_dependencies` adds dependencies to the sets of some
        folders (as example-set.txt would), `context` to the set of every folder (the
        CLI's --with); `displays` names files as the reader should see them (`<stdin>`)."""
        with gc_paused():
            return self._run(paths, extra_dependencies, context or [], displays or {})

    def _run(self, paths: list[Path],
             extra_dependencies: dict[Path, list[Path]] | None,
             context_paths: list[Path], displays: dict[Path, str]) -> Report:
        started = time.perf_counter()
        findings: list[Finding] = []
        requested: dict[Path, str] = {}
        displays = {absolute(k): v for k, v in displays.items()}
        for path in paths:
            if path.is_dir():
                shown, root = display_path(path), absolute(path)
                unlisted: list[OSError] = []
                for file in manifest_files(root, unlisted):
                    # Display paths by string joins: relpath per file costs a lot at 10k.
                    relative = str(file)[len(str(root)) + 1:]
                    requested.setdefault(
                        file, relative if shown == "." else os.path.join(shown, relative)
                    )
                findings += [
                    Finding(display_path(Path(str(error.filename))), 1, 1, "file-unreadable",
                            f"cannot list this folder: {error.strerror or error}")
                    for error in unlisted
                ]
            elif path.exists():  # a file, or something else that check_file reports
                requested.setdefault(absolute(path),
                                     displays.get(absolute(path)) or display_path(path))
            else:
                findings.append(Finding(str(path), 1, 1, "path-not-found",
                                        "no such file or directory"))
        checked: dict[Path, CheckedFile] = {}
        schema_findings: dict[Path, list[Finding]] = {}
        valid: dict[Path, list[Resource]] = {}

        def load(file: Path) -> CheckedFile:
            """Read and schema-check a file once, whether requested or only context."""
            if file not in checked:
                result = check_file(file, requested.get(file) or display_path(file))
                checked[file] = result
                schema_findings[file], valid[file] = [], []
                for resource in result.resources:
                    found = self.schemas.check(resource)
                    schema_findings[file] += found
                    # Rules see only resources their schema accepts: no noise on top of
                    # a schema error, and every field has the shape the rules expect.
                    if not any(f.severity is Severity.ERROR and f.rule != "api-deprecated"
                               for f in found):
                        valid[file].append(resource)
            return checked[file]

        resources = 0
        exceptions: dict[str, list[AllowedException]] = {}
        for file in requested:
            result = load(file)
            findings += result.findings + schema_findings[file]
            declared = parse_exceptions(result.display, result.text)
            findings += declared.findings
            exceptions[result.display] = declared.declared
            resources += len(result.resources)

        extra = {absolute(k): v for k, v in (extra_dependencies or {}).items()}
        requested_displays = set(requested.values())
        with_context = [absolute(path) for path in context_paths]
        by_folder: dict[Path, list[Path]] = {}
        for file in requested:
            by_folder.setdefault(file.parent, []).append(file)
        for folder in sorted(by_folder):
            examples = example_set(folder, display_path(folder),
                                   [*extra.get(folder, []), *with_context])
            # A file named on the command line is a member whatever its name ends with.
            listed = set(examples.members)
            examples.members += [file for file in by_folder[folder] if file not in listed]
            findings += examples.findings
            for file in examples.files:
                load(file)
            context = SetContext(members=[r for f in examples.members for r in valid[f]],
                                 resources=[r for f in examples.files for r in valid[f]])
            findings += [f for f in run_rules(context) if f.file in requested_displays]

        kept, in_force = _apply_exceptions(findings, exceptions)
        return Report(
            findings=sorted(set(kept), key=lambda f: f.sort_key),
            exceptions=in_force,
            files=len(requested),
            resources=resources,
            versions=self.versions,
            seconds=time.perf_counter() - started,
        )


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _apply_exceptions(
    findings: list[Finding], exceptions: dict[str, list[AllowedException]]
) -> tuple[list[Finding], list[AllowedException]]:
    suppressed: dict[tuple[str, str], int] = {}
    kept: list[Finding] = []
    allowed = {(file, e.rule) for file, declared in exceptions.items() for e in declared}
    for finding in findings:
        key = (finding.file, finding.rule)
        if key in allowed and finding.rule != "exception-unused":
            suppressed[key] = suppressed.get(key, 0) + 1
        else:
            kept.append(finding)
    in_force: list[AllowedException] = []
    for file, declared in exceptions.items():
        for exception in declared:
            count = suppressed.get((file, exception.rule), 0)
            in_force.append(replace(exception, suppressed=count))
            if count == 0:
                kept.append(Finding(file, exception.line, 1, "exception-unused",
                                    f"deepdive:allow {exception.rule} suppresses nothing; "
                                    "remove it", severity=Severity.WARNING))
    return kept, in_force
