"""`deepdive tryit`: list, check and run the Try it blocks of the pages."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

import yaml

from deepdive.links_command import configured_site_url
from deepdive.paths import project_root
from deepdive.tryit.extract import macros_renderer, read_page
from deepdive.tryit.guard import GuardError, Target, choose_context, pinned_kubeconfig
from deepdive.tryit.model import Kind, Page, Problem
from deepdive.tryit.run import PageResult, Transcript, run_page, session


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "tryit",
        help="list or run the pages' Try it blocks on the kind cluster",
        description=(
            "Run each page's Try it blocks in order against the kind cluster that "
            "docs/kubernetes/index.md creates (or the context given with --context), compare "
            "every output block with what the commands print, and always run the page's "
            "clean-up. A page that requires another (the Istio pages start from the sample "
            "app of docs/istio/index.md) has that page's blocks run first; a page whose "
            "cluster lacks what it requires (metrics-server, Istio, stern) is not run. "
            "Mismatches are reported as PAGE:LINE: expected ... got .... "
            "Exit status: 0 all matched, 1 a mismatch, a failed command or a block the tool "
            "cannot read, 2 a usage error or a refused context."
        ),
    )
    parser.add_argument("pages", nargs="*", type=Path, metavar="PAGE",
                        help="docs/... pages (or kubernetes/pods.md); default: every page")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--list", action="store_true",
                      help="print every block of the pages (manual ones with their reason)")
    mode.add_argument("--check", action="store_true",
                      help="only read the pages: report blocks the tool cannot read")
    mode.add_argument("--pages-json", action="store_true",
                      help="the pages with runnable blocks, as JSON (the CI matrix)")
    mode.add_argument("--images", action="store_true",
                      help="every container image the files under manifests/ name")
    parser.add_argument("--context", default=None,
                        help="run against this kube context instead of the kind cluster")
    parser.add_argument("--transcript", type=Path, default=None,
                        help="write the full transcript here (default: standard output)")
    parser.set_defaults(run=run)


def page_files(root: Path, given: Iterable[Path]) -> list[Path]:
    given = list(given)
    if not given:
        return sorted((root / "docs").rglob("*.md"))
    found = []
    for path in given:
        for candidate in (path, root / path, root / "docs" / path):
            if candidate.is_file():
                found.append(candidate.resolve())
                break
        else:
            raise FileNotFoundError(f"no such page: {path}")
    return found


def display_name(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def read_pages(root: Path, files: list[Path]) -> tuple[list[Page], list[Problem]]:
    render = macros_renderer(root)
    pages, problems = [], []
    for path in files:
        page, found = read_page(path, display_name(root, path), render)
        pages.append(page)
        problems += found
    return pages, problems


def with_required_pages(root: Path, pages: list[Page],
                        problems: list[Problem]) -> tuple[list[Page], list[Problem]]:
    """The pages to run, each preceded by the pages it requires (`requires docs/...md`),
    once each: the Istio pages start from the sample app that docs/istio/index.md deploys."""
    known = {page.name: page for page in pages}
    ordered: list[Page] = []

    def add(page: Page, chain: tuple[str, ...]) -> None:
        for required in page.required_pages:
            if required in chain:
                problems.append(Problem(page.name, 1, f"requires {required}, which requires it"))
                continue
            if required not in known:
                if not (root / required).is_file():
                    problems.append(Problem(page.name, 1, f"requires {required}: no such page"))
                    continue
                found, more = read_pages(root, [root / required])
                known[required] = found[0]
                problems.extend(more)
            add(known[required], (*chain, required))
        if page not in ordered:
            ordered.append(page)

    for page in pages:
        add(page, (page.name,))
    return ordered, problems


def list_pages(pages: list[Page]) -> str:
    out = []
    runnable = manual = 0
    for page in pages:
        if not page.blocks:
            continue
        needs = f"; requires {', '.join(page.requires)}" if page.requires else ""
        out.append(f"{page.name}  ({len(page.runnable)} to run, {len(page.manual)} manual"
                   f"{needs})")
        for block in page.blocks:
            first = block.commands[0] if block.kind is not Kind.OUTPUT and block.commands else ""
            if block.kind is Kind.OUTPUT:
                first = f"{len(block.text.strip().splitlines())} lines"
            more = len(block.commands) - 1 if block.kind is not Kind.OUTPUT else 0
            text = first + (f"  (+{more} more)" if more > 0 else "")
            options = block.directive.describe()
            label = block.kind.value.upper() if block.kind is Kind.MANUAL else block.kind.value
            out.append(f"  {block.line:>4}  {label:<8} {options + ': ' if options else ''}{text}")
        runnable += len(page.runnable)
        manual += len(page.manual)
    out.append(f"{sum(1 for p in pages if p.blocks)} pages, {runnable} blocks to run, "
               f"{manual} manual")
    return "\n".join(out)


def manifest_images(root: Path) -> list[str]:
    """Every image in a container list of a manifest (containers, initContainers,
    ephemeralContainers), deduplicated, sorted."""
    images: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in {"containers", "initContainers", "ephemeralContainers"} and \
                        isinstance(value, list):
                    images.update(c["image"] for c in value
                                  if isinstance(c, dict) and isinstance(c.get("image"), str))
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for path in sorted((root / "manifests").rglob("*")):
        if path.suffix in {".yaml", ".yml"}:
            try:
                for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
                    walk(document)
            except yaml.YAMLError:
                continue  # the validator reports it
    return sorted(images)


# How to tell that what a page requires is there: a command that succeeds only then, and
# where the site says how to install it.
REQUIREMENT_CHECKS: dict[str, tuple[list[str], str]] = {
    "metrics-server": (["kubectl", "get", "apiservice", "v1beta1.metrics.k8s.io"],
                       "metrics-server (docs/kubernetes/extras.md installs it)"),
    "istio": (["kubectl", "get", "deployment", "istiod", "-n", "istio-system"],
              "Istio (docs/istio/index.md, Set up Istio on the kind cluster)"),
    "stern": (["stern", "--version"], "stern on PATH (docs/kubernetes/extras.md, stern)"),
}


def missing_requirements(page: Page, kubeconfig: Path) -> list[str]:
    """What the page requires and the cluster or PATH lacks, said the way to fix it."""
    env = {**os.environ, "KUBECONFIG": str(kubeconfig)}
    missing = []
    for name in page.requires:
        if name not in REQUIREMENT_CHECKS:
            continue  # a page: run before it
        command, what = REQUIREMENT_CHECKS[name]
        try:
            found = subprocess.run(command, env=env, capture_output=True, timeout=30,
                                   check=False).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            found = False
        if not found:
            missing.append(what)
    return missing


def published_manifests() -> tuple[tuple[str, str], ...]:
    """Istio pages apply manifests by their published URL (`manifest_url`); a run reads the
    checkout's files instead, so that a change is tested before it is published."""
    site_url = configured_site_url()
    return ((f"{site_url.rstrip('/')}/manifests/", "manifests/"),) if site_url else ()


def run(args: argparse.Namespace) -> int:
    root = project_root()
    if args.images:
        print("\n".join(manifest_images(root)))
        return 0
    try:
        files = page_files(root, args.pages)
    except FileNotFoundError as error:
        print(f"deepdive tryit: {error}", file=sys.stderr)
        return 2
    pages, problems = read_pages(root, files)
    if args.pages and not (args.list or args.check):
        pages, problems = with_required_pages(root, pages, problems)
    if args.pages_json:
        print(json.dumps([{"page": p.name,
                           "requires": [r for r in p.requires if not r.endswith(".md")]}
                          for p in pages if p.runnable]))
        return 1 if problems else 0
    if args.list or args.check:
        if args.list:
            print(list_pages(pages))
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    if not args.pages:
        print("deepdive tryit: name the pages to run (or --list)", file=sys.stderr)
        return 2
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print("deepdive tryit: fix the blocks above before running", file=sys.stderr)
        return 1
    try:
        target = choose_context(root, args.context)
    except GuardError as error:
        print(f"deepdive tryit: {error}", file=sys.stderr)
        return 2
    return _run_pages(root, pages, target.context, args)


def _run_pages(root: Path, pages: list[Page], context: str, args: argparse.Namespace) -> int:
    stream = args.transcript.open("w", encoding="utf-8") if args.transcript else sys.stdout
    results: list[PageResult] = []
    try:
        with tempfile.TemporaryDirectory(prefix="deepdive-tryit-") as folder:
            try:
                kubeconfig = pinned_kubeconfig(Target(context, True), Path(folder) / "kubeconfig")
            except GuardError as error:
                print(f"deepdive tryit: {error}", file=sys.stderr)
                return 2
            transcript = Transcript(stream)
            transcript.write(f"# deepdive tryit on context {context}")
            for page in pages:
                missing = missing_requirements(page, kubeconfig)
                if missing:
                    result = PageResult(page)
                    result.problems.append(Problem(page.name, 1, "not run: it requires "
                                                   + "; ".join(missing)))
                    results.append(result)
                    continue
                state = Path(folder) / f"page-{len(results)}"
                state.mkdir()
                shell = session(root, kubeconfig, state, published_manifests())
                # With the transcript in a file, mismatches also show as they happen.
                report = None if stream is sys.stdout else (
                    lambda p: print(p, file=sys.stderr, flush=True))
                results.append(run_page(page, shell, transcript, report))
    finally:
        if stream is not sys.stdout:
            stream.close()
    failed = [r for r in results if not r.ok]
    for result in results:
        manual = f", {len(result.skipped)} not run (manual)" if result.skipped else ""
        verdict = "ok" if result.ok else f"{len(result.problems)} problems"
        print(f"{result.page.name}: {result.ran} blocks run{manual}: {verdict}")
        for problem in result.problems:
            print(f"  {problem}")
    return 1 if failed else 0
