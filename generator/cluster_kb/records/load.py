"""Loading a content folder: scan, load each file, validate, and collect every problem."""

from __future__ import annotations

from pathlib import Path

from .loader import Document, LoadError, load_file
from .problems import Problem, ValidationFailed
from .scan import RecordFile, scan
from .validation import Entry, Records, validate_documents

__all__ = ["Entry", "Problem", "RecordFile", "Records", "ValidationFailed", "load_records", "read_records"]


def read_records(root: Path | str) -> tuple[Records, list[Problem], list[RecordFile]]:
    """Every valid record under ``root``, every problem, and every record file found."""
    root = Path(root)
    files, problems = scan(root)
    documents: list[tuple[str, str, Document]] = []
    for found in files:
        try:
            documents.append((found.kind, found.id, load_file(found.path)))
        except LoadError as exc:
            problems.extend(exc.problems)
    present = {(found.kind, found.id) for found in files}
    records, more = validate_documents(documents, present=present)
    problems.extend(more)
    return records, problems, files


def load_records(root: Path | str) -> Records:
    """Every record under ``root``; raises :class:`ValidationFailed` when anything is wrong."""
    records, problems, _ = read_records(root)
    if problems:
        raise ValidationFailed(problems)
    return records
