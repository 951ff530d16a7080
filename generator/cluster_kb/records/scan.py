"""Finding record files: ``<content>/<kind>/<id>.yaml``, and nothing else.

The scan reads directory entries only, never follows a symbolic link (a link in a pull request
could otherwise publish a file from outside the content folder), and reports every file or folder
that does not belong as a located problem, so a contributor learns where a stray file went.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..kinds import KINDS
from .models import id_problem
from .problems import Problem

__all__ = ["ALLOWED_EXTRA_FILES", "RecordFile", "scan"]

ALLOWED_EXTRA_FILES = frozenset({"README.md"})
"""Files that may sit beside records without being records."""

_FOLDERS = {k.folder for k in KINDS}


@dataclass(frozen=True)
class RecordFile:
    """A record file found by the scan."""

    kind: str
    id: str
    path: Path


def _is_link(path: Path) -> bool:
    return path.is_symlink() or (os.name == "nt" and path.is_junction())  # type: ignore[attr-defined]


def _link_problem(path: Path, what: str) -> Problem:
    return Problem(
        path,
        1,
        1,
        f"'{path.name}' is a symbolic link; {what} must be real, inside the content folder "
        "(a link could publish a file from elsewhere): replace it with the file itself",
    )


def scan(root: Path) -> tuple[list[RecordFile], list[Problem]]:
    """Every record file under ``root``, in a stable order, and the problems with what else is there."""
    problems: list[Problem] = []
    files: list[RecordFile] = []
    if not root.is_dir():
        return [], [Problem(root, 1, 1, "content folder not found")]
    for child in sorted(root.iterdir()):
        if child.name.startswith(".") or child.name in ALLOWED_EXTRA_FILES:
            continue
        if _is_link(child):
            problems.append(_link_problem(child, "record folders"))
            continue
        if not child.is_dir() or child.name not in _FOLDERS:
            what = "folder" if child.is_dir() else "file"
            problems.append(
                Problem(
                    child,
                    1,
                    1,
                    f"unexpected {what} '{child.name}' in the content folder; records go in: {', '.join(sorted(_FOLDERS))}",
                )
            )
            continue
        for path in sorted(child.iterdir()):
            if path.name.startswith(".") or path.name in ALLOWED_EXTRA_FILES:
                continue
            if _is_link(path):
                problems.append(_link_problem(path, "record files"))
                continue
            if path.is_dir() or path.suffix != ".yaml":
                hint = f"rename it to '{path.stem}.yaml'" if path.suffix == ".yml" else "record files end in '.yaml'"
                problems.append(Problem(path, 1, 1, f"unexpected {'folder' if path.is_dir() else 'file'} '{path.name}': {hint}"))
                continue
            message = id_problem(path.stem)
            if message:
                problems.append(Problem(path, 1, 1, f"file name '{path.name}': {message}"))
                continue
            files.append(RecordFile(child.name, path.stem, path))
    return files, problems
