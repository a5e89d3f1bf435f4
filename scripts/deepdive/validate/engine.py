"""Validate files and folders: YAML, schemas, cross-reference rules, exceptions -> Report."""

from __future__ import annotations

import contextlib
import gc
import os
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from deepdive.validate.compact import compact, forget_texts
from deepdive.validate.compiled import SchemaCompiler
from deepdive.validate.crds import CrdSchemas, SourceLocator
from deepdive.validate.exceptions import FileExceptions, parse_exceptions
from deepdive.validate.findings import AllowedException, Finding, Report, Severity
from deepdive.validate.kube import DEFAULT_VERSIONS, KubeSchemas, check_versions
from deepdive.validate.rules import CHECKS, Check, SetContext
from deepdive.validate.rules.context import is_per_resource
from deepdive.validate.schemacheck import SchemaChecker
from deepdive.validate.sets import MANIFEST_SUFFIXES, ExampleSet, example_set
from deepdive.validate.yamlcheck import CheckedFile, Resource, scan_file

# Resources per SetContext of the per-resource checks. Small, so that a chunk's documents
# are still in the CPU cache when they are checked, compacted and dropped (256 is 10% slower).
CHUNK = 32


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
    """A run builds many small objects and keeps the compact resources of a set alive until
    the set is checked; the cyclic collector would rescan that growing heap again and again.
    Nothing a run builds holds a cycle, so reference counting frees it all the same."""
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
            try:
                return self._run(paths, extra_dependencies, context or [], displays or {})
            finally:
                forget_texts()

    def _check_file(self, file: Path, display: str | None,
                    per_resource: list[Check]) -> _FileResult:
        """Read a file document by document: YAML and schema findings, and the per-resource
        checks, on full resources in chunks of CHUNK; keep the compact form of each. Only a
        file the reader named (`display` given) is reported on; others are context."""
        report = display is not None
        checked = CheckedFile(path=file, display=display or display_path(file))
        found: list[Finding] = []
        kept: list[Resource] = []
        chunk: list[Resource] = []
        count = 0

        def flush() -> None:
            if report and chunk:
                context = SetContext(members=chunk, resources=chunk)
                for check in per_resource:
                    found.extend(check(context))
            kept.extend(compact(resource) for resource in chunk)
            chunk.clear()

        for resource in scan_file(checked):
            count += 1
            schema = self.schemas.check(resource)
            if report:
                found += schema
            if not schema or _schema_accepts(schema):
                chunk.append(resource)
                if len(chunk) >= CHUNK:
                    flush()
        flush()
        declared = parse_exceptions(checked.display, checked.text) \
            if report and b"deepdive:allow" in checked.raw else FileExceptions([], [])
        if checked.broken:  # kubectl applies nothing of a file it cannot parse
            return _FileResult(checked.display, declared, [], checked.findings, 0)
        return _FileResult(checked.display, declared, kept, checked.findings + found, count)

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
        requested_displays = set(requested.values())
        extra = {absolute(k): v for k, v in (extra_dependencies or {}).items()}
        with_context = [absolute(path) for path in context_paths]
        by_folder: dict[Path, list[Path]] = {}
        for file in requested:
            by_folder.setdefault(file.parent, []).append(file)
        plans: list[ExampleSet] = []
        for folder in sorted(by_folder):
            examples = example_set(folder, display_path(folder),
                                   [*extra.get(folder, []), *with_context])
            # A file named on the command line is a member whatever its name ends with.
            listed = set(examples.members)
            examples.members += [file for file in by_folder[folder] if file not in listed]
            plans.append(examples)
        # A file's compact resources are kept until the last set that holds it is checked.
        uses = Counter(file for examples in plans for file in examples.files)
        kept: dict[Path, list[Resource]] = {}
        exceptions: dict[str, list[AllowedException]] = {}
        per_resource = [check for check in CHECKS if is_per_resource(check)]
        cross = [check for check in CHECKS if not is_per_resource(check)]
        resources = 0
        for examples in plans:
            findings += examples.findings
            for file in examples.files:
                if file in kept:
                    continue
                checked = self._check_file(file, requested.get(file), per_resource)
                kept[file] = checked.resources
                if file in requested:
                    findings += checked.findings + checked.exceptions.findings
                    exceptions[checked.display] = checked.exceptions.declared
                    resources += checked.count
            context = SetContext(members=[r for f in examples.members for r in kept[f]],
                                 resources=[r for f in examples.files for r in kept[f]])
            findings += [finding for check in cross for finding in check(context)
                         if finding.file in requested_displays]
            for file in examples.files:
                uses[file] -= 1
                if not uses[file]:
                    del kept[file]

        reported, in_force = _apply_exceptions(findings, exceptions)
        return Report(
            findings=sorted(set(reported), key=lambda f: f.sort_key),
            exceptions=in_force,
            files=len(requested),
            resources=resources,
            versions=self.versions,
            seconds=time.perf_counter() - started,
        )


@dataclass
class _FileResult:
    display: str
    exceptions: FileExceptions  # declared in a requested file
    resources: list[Resource]  # compact, and only those the schema accepts
    findings: list[Finding]
    count: int  # resources in the file


def _schema_accepts(found: list[Finding]) -> bool:
    # Rules see only resources their schema accepts: no noise on top of a schema error,
    # and every field has the shape the rules expect.
    return not any(f.severity is Severity.ERROR and f.rule != "api-deprecated" for f in found)


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
