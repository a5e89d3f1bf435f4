"""`deepdive validate [PATH ...]`: check manifests; exit 0 clean, 1 errors, 2 usage."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from deepdive.validate.kube import DEFAULT_VERSIONS, UnsupportedVersion
from deepdive.validate.render import render_json, render_text

DEFAULT_PATH = Path("manifests")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check manifests: YAML, strict schemas, CRDs, cross-reference rules",
        description=(
            "Validate manifests against the strict schemas of several Kubernetes versions, "
            "the Istio and Gateway API CRDs, and the cross-reference rules of each example set. "
            "Exit status: 0 clean, 1 errors found, 2 usage error."
        ),
    )
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                        help=f"files or folders (default: {DEFAULT_PATH}/)")
    parser.add_argument("--kube-version", action="append", dest="kube_versions",
                        metavar="X.Y",
                        help="Kubernetes version to validate against; repeat for several "
                             f"(default: {', '.join(DEFAULT_VERSIONS)})")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text (one line per finding) or json")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from deepdive.validate.engine import Validator  # the schemas load only when asked for

    try:
        validator = Validator(args.kube_versions or DEFAULT_VERSIONS)
    except UnsupportedVersion as error:
        print(f"deepdive validate: {error}", file=sys.stderr)
        return 2
    try:
        report = validator.run(args.paths or [DEFAULT_PATH])
    except Exception as error:  # a bug of ours must still end as one line, never a traceback
        print(f"deepdive validate: internal error, please report it: "
              f"{type(error).__name__}: {error}", file=sys.stderr)
        return 1
    render = render_json if args.format == "json" else render_text
    sys.stdout.write(render(report))
    return report.exit_code
