"""``cluster-kb validate [PATH ...]``: check records, print every problem.

A PATH is a content folder (every record in it), a kind folder (``content/clusters``) or record
files (``content/clusters/railgrup.yaml``). For a kind folder or a file, the content folder it
belongs to is read whole, so its references are checked against every record, but only the
problems of the paths asked about are printed and counted.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from ..kinds import KINDS
from ..knowledge import load_knowledge_base
from ..records.load import Selection, read_records
from ..records.problems import ValidationFailed
from ..records.scan import ALLOWED_EXTRA_FILES

_FOLDERS = frozenset(k.folder for k in KINDS)


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check every record and print each problem as path:line:col: error: message",
        description=(
            "Load and validate a knowledge base, one kind folder of it or some record files. For a kind folder "
            "or files, references are checked against the whole knowledge base they belong to, and only their "
            "own problems are reported. Exit 0 when valid, 1 on problems, 2 on a usage error."
        ),
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        type=Path,
        help="a content folder, a kind folder (content/clusters) or record files (default: content)",
    )
    parser.set_defaults(run=run)


class _UsageError(Exception):
    pass


def _absolute(path: Path) -> Path:
    """Absolute, with '..' folded but symbolic links kept: a link is judged where it is written."""
    return Path(os.path.abspath(path))


def _is_kind_folder(path: Path) -> bool:
    """A folder named after a kind (a link too: the scan reports it without following it)."""
    if path.name not in _FOLDERS:
        return False
    return path.is_symlink() or not any((path / name).is_dir() for name in _FOLDERS)


def _place(path: Path) -> tuple[Path, Path | None]:
    """``(content folder, the selected kind folder or file, or None for the whole content folder)``."""
    if not os.path.lexists(path):
        what = "record file" if path.suffix in (".yaml", ".yml") else "content folder"
        raise _UsageError(f"{what} '{path}' not found")
    absolute = _absolute(path)
    if absolute.is_dir() and not absolute.is_symlink():
        if _is_kind_folder(absolute):
            return absolute.parent, absolute
        return absolute, None
    folder = absolute.parent
    if absolute.is_symlink() and absolute.parent.name not in _FOLDERS and absolute.name in _FOLDERS:
        return folder, absolute  # a kind folder that is a link: the scan reports it, unread
    if folder.name not in _FOLDERS:
        raise _UsageError(
            f"'{path}' is not in a kind folder of a content folder; record files are content/<kind>/<id>.yaml, "
            f"with <kind> one of: {', '.join(k.folder for k in KINDS)}"
        )
    if absolute.name in ALLOWED_EXTRA_FILES:
        raise _UsageError(f"'{path}' is not a record file; record files end in '.yaml'")
    return folder.parent, absolute


def run(options: argparse.Namespace) -> int:
    paths: list[Path] = options.paths or [Path("content")]
    if len(paths) == 1 and os.path.isdir(paths[0]) and not _is_kind_folder(_absolute(paths[0])):
        return _whole(paths[0])
    try:
        places = [_place(path) for path in paths]
    except _UsageError as exc:
        print(f"cluster-kb: error: {exc}", file=sys.stderr)
        return 2
    # One read per content folder; a content folder asked for whole is reported whole.
    whole = list(dict.fromkeys(root for root, selected in places if selected is None))
    parts: dict[Path, list[Path]] = {}
    for root, selected in places:
        if selected is not None and root not in whole:
            parts.setdefault(root, []).append(selected)
    problems = []
    counts: dict[str, int] = {}
    for root in [*whole, *parts]:
        only = Selection(parts[root]) if root in parts else None
        records, found, _ = read_records(root, only=only)
        problems.extend(found)
        entries = only.entries(records) if only is not None else [e for table in records.values() for e in table.values()]
        for entry in entries:
            counts[entry.kind] = counts.get(entry.kind, 0) + 1
    if problems:
        print(ValidationFailed(problems).report())
        return 1
    total = sum(counts.values())
    detail = ", ".join(f"{counts[k.folder]} {k.folder}" for k in KINDS if counts.get(k.folder))
    noun = "record" if total == 1 else "records"
    print(f"{' '.join(str(p) for p in paths)}: valid: {total} {noun}" + (f" ({detail})" if detail else ""))
    return 0


def _whole(content: Path) -> int:
    """A whole content folder: the knowledge base loads as the build loads it."""
    try:
        kb = load_knowledge_base(content)
    except ValidationFailed as failed:
        print(failed.report())
        return 1
    counts = ", ".join(f"{count} {kind}" for kind, count in kb.counts().items())
    print(f"{content}: valid: {len(kb)} records ({counts})")
    return 0
