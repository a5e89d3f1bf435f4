"""`deepdive facts FILE`: print what the site computes from a manifest."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "facts",
        help="show the QoS class, rollout bounds and probe timelines of manifest files",
        description="Show the facts the site computes from manifest files, as Markdown.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # Imported here, not at the top: every other subcommand starts faster without them.
    from deepdive.facts.document import document_facts
    from deepdive.facts.istio import IstioFactsError
    from deepdive.facts.markdown import facts_markdown
    from deepdive.facts.probes import ProbeError
    from deepdive.facts.rollout import RolloutError
    from deepdive.manifests import ManifestError, load_file
    from deepdive.quantity import QuantityError
    from deepdive.validate.sets import set_documents

    status = 0
    for path in args.files:
        try:
            loaded = load_file(path)
        except ManifestError as error:
            print(f"deepdive facts: {error}", file=sys.stderr)
            status = 1
            continue
        try:
            context = set_documents(path.resolve())  # pod counts behind an Istio host
        except ManifestError:
            context = loaded.documents  # a broken neighbour: count in this file alone
        for document in loaded.documents:
            try:
                facts = document_facts(document, context)
            except Exception as error:
                # The facts name the field in their message; the document gives the line.
                # Facts read unvalidated YAML: a shape they do not expect is one line too.
                known = isinstance(
                    error, (QuantityError, RolloutError, ProbeError, IstioFactsError))
                reason = error if known else (
                    f"cannot compute its facts ({type(error).__name__}: {error}); "
                    "deepdive validate names the field")
                where = document.position
                print(
                    f"deepdive facts: {path}:{where.line}:{where.column}: "
                    f"{document.kind}/{document.name}: {reason}",
                    file=sys.stderr,
                )
                status = 1
                continue
            if facts.has_any:
                print(f"## {path} — {facts.kind}/{facts.name}\n")
                print(facts_markdown(facts) + "\n")
    return status
