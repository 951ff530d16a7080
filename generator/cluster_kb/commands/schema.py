"""``cluster-kb schema [--out DIR] [--check]``: export one JSON Schema per record kind."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..outputs.schema import check_schemas, schema_files, write_schemas


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "schema",
        help="write one JSON Schema per record kind (editors use them to complete and check fields)",
        description=(
            "Export a JSON Schema for each record kind from the models into DIR/<kind>.schema.json. "
            "With --check, write nothing and exit 1 when DIR differs from the models."
        ),
    )
    parser.add_argument("--out", default="schemas", type=Path, metavar="DIR", help="output folder (default: schemas)")
    parser.add_argument("--check", action="store_true", help="exit 1 if the files in DIR are missing or out of date")
    parser.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    out: Path = options.out
    if out.exists() and not out.is_dir():
        print(f"cluster-kb: error: '{out}' is a file, not a folder", file=sys.stderr)
        return 2
    if options.check:
        problems = check_schemas(out)
        for problem in problems:
            print(f"{problem}: run `cluster-kb schema --out {out}` and commit the result")
        if problems:
            return 1
        print(f"{out}: up to date ({len(schema_files())} schemas)")
        return 0
    try:
        changed = write_schemas(out)
    except OSError as exc:
        print(f"cluster-kb: error: cannot write schemas to '{out}': {exc.strerror or exc}", file=sys.stderr)
        return 1
    for path in changed:
        print(f"{path}: written")
    unchanged = len(schema_files()) - len(changed)
    print(f"{out}: {len(changed)} written, {unchanged} unchanged")
    stale = [problem for problem in check_schemas(out) if "remove the file" in problem]
    for problem in stale:
        print(problem, file=sys.stderr)
    return 0
