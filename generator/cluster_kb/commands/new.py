"""``cluster-kb new KIND ID``: write a new record file with every field present and commented."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..kinds import KINDS
from ..kinds import kind as kind_of
from ..outputs.scaffold import _SECTOR_FIELD, _TERRITORY_FIELD, ScaffoldError, create_record, resolve_kind
from ..records.load import read_kind
from ..records.models import id_problem
from ..records.validation import _Names, _quoted, fold


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
        help="territory to fill in: a cluster's territory, a territory's parent, an edition's invited territory; "
        "its id, or its name (Bogotá), which is written as its id",
    )
    parser.add_argument(
        "--sector",
        metavar="ID",
        action="append",
        default=[],
        help="sector to fill in (clusters, editions), by id, name or alias (Health, salud); repeatable",
    )
    parser.add_argument("--content", default="content", type=Path, metavar="DIR", help="content folder (default: content)")
    parser.set_defaults(run=run)


def _resolve(content: Path, target_kind: str, written: str, option: str) -> tuple[str, str | None]:
    """The id to write for ``written`` and a note for the contributor, or :class:`ScaffoldError`.

    The id is written in place of what was typed only when there is no doubt: the typed text,
    folded (case, accents, spaces), is an id, or exactly one record's name or alias. Otherwise the
    text is written as typed (when it is an id at all) and the note offers the closest ids.
    """
    path = content / target_kind / f"{written}.yaml"
    if id_problem(written) is None and path.is_file():
        return written, None
    table = read_kind(content, target_kind)
    noun = kind_of(target_kind).noun
    names = _Names(table)
    found, how = names.suggest(written)
    if len(found) == 1 and how is None and fold(written) == found[0]:
        return found[0], f"note: {option} '{written}': wrote the id '{found[0]}' (ids are lowercase, without accents)"
    if len(found) == 1 and how == "name":
        return found[0], f"note: {option} '{written}' is the name of the {noun} '{found[0]}': wrote its id"
    if len(found) == 1 and how == "alias":
        return found[0], f"note: {option} '{written}' is another name for the {noun} '{found[0]}': wrote its id"
    if found and how:
        hint = f"'{written}' names several {kind_of(target_kind).plural}: write the id of one of them, {_quoted(found)}"
    elif found:
        hint = f"did you mean {_quoted(found)}?"
    else:
        hint = ""
    if target_kind == "sectors" and names.ids:
        listed = f"the sectors are: {', '.join(names.ids)}"
        hint = f"{hint} {listed}" if hint.endswith("?") else "; ".join(part for part in (hint, listed) if part)
    problem = id_problem(written)
    if problem is not None:
        if not found and fold(written) and id_problem(fold(written)) is None:
            hint = "; ".join(part for part in (hint, f"for a new {noun}, write its id: '{fold(written)}'") if part)
        raise ScaffoldError(f"{option}: {problem}" + (f"; {hint}" if hint else ""))
    if hint:
        return written, f"note: there is no {noun} record '{written}' ({path}); {hint}"
    return written, f"note: there is no {noun} record '{written}' yet ({path}); validation reports it until there is"


def _references(content: Path, options: argparse.Namespace) -> tuple[str | None, list[str], list[str]]:
    """The territory and sectors to write, and the notes about them; raises :class:`ScaffoldError`."""
    territory, sectors, notes = options.territory, list(options.sector), []
    if territory is not None and options.kind in _TERRITORY_FIELD:
        territory, note = _resolve(content, "territories", territory, "--territory")
        notes += [note] if note else []
    if sectors and options.kind in _SECTOR_FIELD:
        resolved = [_resolve(content, "sectors", sector, "--sector") for sector in sectors]
        sectors = [value for value, _ in resolved]
        notes += [note for _, note in resolved if note]
    return territory, sectors, notes


def run(options: argparse.Namespace) -> int:
    content: Path = options.content
    if not content.is_dir():
        print(f"cluster-kb new: error: content folder '{content}' not found", file=sys.stderr)
        return 2
    try:
        territory, sectors, notes = _references(content, options)
        path = create_record(content, options.kind, options.id, name=options.name, territory=territory, sectors=sectors)
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
    for note in notes:
        print(note, file=sys.stderr)
    print(f"{path}: written; fill the fields marked REQUIRED, then run `cluster-kb validate {content}`")
    return 0
