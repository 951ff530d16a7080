"""``cluster-kb new KIND ID``: write a new record file with every field present and commented."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..kinds import KINDS
from ..outputs.scaffold import ScaffoldError, create_record, resolve_kind, singular


def _kind(text: str) -> str:
    kind = resolve_kind(text)
    if kind is None:
        raise argparse.ArgumentTypeError(f"unknown kind '{text}'; use one of: {', '.join(k.folder for k in KINDS)}")
    return kind


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "new",
        help="start a new record: content/KIND/ID.yaml with every field present and commented",
        description=(
            "Write content/KIND/ID.yaml with every field present and described. Fields marked REQUIRED are "
            "empty, so `cluster-kb validate` reports each one until it is filled. Never overwrites a file. "
            "Exit 0 when written, 1 when the file exists, 2 on a usage error."
        ),
    )
    parser.add_argument("kind", metavar="KIND", type=_kind, help=f"record kind: {', '.join(k.folder for k in KINDS)}")
    parser.add_argument("id", metavar="ID", help="the record's id, which is its file name (kebab-case, e.g. my-cluster)")
    parser.add_argument("--name", help="display name to fill in")
    parser.add_argument(
        "--territory",
        metavar="ID",
        help="territory id to fill in: a cluster's territory, a territory's parent, an edition's invited territory",
    )
    parser.add_argument(
        "--sector", metavar="ID", action="append", default=[], help="sector id to fill in (clusters, editions); repeatable"
    )
    parser.add_argument("--content", default="content", type=Path, metavar="DIR", help="content folder (default: content)")
    parser.set_defaults(run=run)


def _missing_references(content: Path, options: argparse.Namespace) -> list[str]:
    wanted = [("territories", options.territory)] if options.territory else []
    wanted += [("sectors", sector) for sector in options.sector]
    return [
        f"note: there is no {singular(kind)} record '{ref}' yet ({content / kind / ref}.yaml); "
        "validation reports it until there is"
        for kind, ref in wanted
        if not (content / kind / f"{ref}.yaml").is_file()
    ]


def run(options: argparse.Namespace) -> int:
    content: Path = options.content
    if not content.is_dir():
        print(f"cluster-kb new: error: content folder '{content}' not found", file=sys.stderr)
        return 2
    try:
        path = create_record(
            content, options.kind, options.id, name=options.name, territory=options.territory, sectors=options.sector
        )
    except ScaffoldError as exc:
        print(f"cluster-kb new: error: {exc}", file=sys.stderr)
        return 2
    except FileExistsError:
        existing = content / options.kind / f"{options.id}.yaml"
        print(f"cluster-kb new: error: {existing} already exists; edit it, or choose another id", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"cluster-kb new: error: cannot write '{exc.filename}': {exc.strerror or exc}", file=sys.stderr)
        return 1
    for note in _missing_references(content, options):
        print(note, file=sys.stderr)
    print(f"{path}: written; fill the fields marked REQUIRED, then run `cluster-kb validate {content}`")
    return 0
