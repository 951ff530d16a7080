"""The ``cluster-kb`` command: a thin caller of the core.

Each verb is a module in :mod:`generator.commands` with ``add_parser(subparsers)`` and
``run(args) -> int``. :func:`main` returns the exit code: 0 success, 1 problems found in the
input, 2 a usage error. Problems in the input are printed as ``path:line:col: error: message``;
no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .. import __version__
from . import COMMANDS

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="cluster-kb",
        description="Validate, build and maintain the cluster best-practice knowledge base.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(args: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        options = parser.parse_args(args)
    except SystemExit as exc:  # argparse exits on --help, --version and usage errors
        return int(exc.code or 0)
    try:
        code: int = options.run(options)
    except KeyboardInterrupt:
        print("cluster-kb: interrupted", file=sys.stderr)
        return 130
    return code
