"""`deepdive validate [PATH ...]`: check manifests; exit 0 clean, 1 errors, 2 usage."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from deepdive.validate.kube import DEFAULT_VERSIONS, UnsupportedVersion
from deepdive.validate.render import render_json, render_text

if TYPE_CHECKING:
    from deepdive.validate.engine import Validator

DEFAULT_PATH = Path("manifests")
STDIN = Path("-")


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
                        help=f"files or folders (default: {DEFAULT_PATH}/); - reads "
                             "standard input")
    parser.add_argument("--with", action="append", dest="context", type=Path, default=[],
                        metavar="PATH",
                        help="a file or folder whose resources the cross-reference rules may "
                             "refer to, without validating it (repeatable; the command-line "
                             "form of example-set.txt)")
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
    missing = [str(path) for path in args.context if not path.exists()]
    if missing:
        print(f"deepdive validate: --with {missing[0]}: no such file or directory",
              file=sys.stderr)
        return 2
    paths: list[Path] = args.paths or [DEFAULT_PATH]
    with tempfile.TemporaryDirectory(prefix="deepdive-stdin-") as scratch:
        displays: dict[Path, str] = {}
        if STDIN in paths:
            text = sys.stdin.buffer.read()
            # JSON may indent with tabs, YAML may not: name the copy for what it holds.
            suffix = ".json" if text.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[") \
                else ".yaml"
            copy = Path(scratch, "stdin" + suffix)
            copy.write_bytes(text)
            displays[copy] = "<stdin>"
            paths = [copy if path == STDIN else path for path in paths]
        return _validate(validator, paths, args, displays)


def _validate(validator: Validator, paths: list[Path], args: argparse.Namespace,
              displays: dict[Path, str]) -> int:
    try:
        report = validator.run(paths, context=args.context, displays=displays)
    except Exception as error:  # a bug of ours must still end as one line, never a traceback
        print(f"deepdive validate: internal error, please report it: "
              f"{type(error).__name__}: {error}", file=sys.stderr)
        return 1
    render = render_json if args.format == "json" else render_text
    sys.stdout.write(render(report))
    return report.exit_code
