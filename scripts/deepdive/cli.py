"""`deepdive`: one command, one subcommand per job."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from deepdive import __version__, facts_command, links_command
from deepdive.lab import command as lab_command
from deepdive.tryit import command as tryit_command
from deepdive.validate import command as validate_command

# Each entry adds its subparser and returns the function that runs it.
Register = Callable[[argparse._SubParsersAction], None]
SUBCOMMANDS: list[Register] = [
    facts_command.register,
    lab_command.register,
    links_command.register,
    tryit_command.register,
    validate_command.register,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deepdive",
        description="Validate, explain and run the manifests of Kubernetes & Istio Deep Dive.",
    )
    parser.add_argument("--version", action="version", version=f"deepdive {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in SUBCOMMANDS:
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("deepdive: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
