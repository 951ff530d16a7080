"""Loading a content folder: scan, load each file, validate, and collect every problem.

The whole folder is always read, since references resolve against every record; ``only`` narrows
what is *reported* to some record files or kind folders (``cluster-kb validate content/clusters``).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel

from ..kinds import kind
from .loader import Document, LoadError, Loc, load_file
from .models import nested_model
from .problems import Problem, ValidationFailed
from .scan import RecordFile, scan
from .validation import Checked, Entry, Records, validate_document, validate_documents

__all__ = [
    "Entry",
    "LoadCache",
    "Problem",
    "RecordFile",
    "Records",
    "Selection",
    "ValidationFailed",
    "load_records",
    "read_kind",
    "read_records",
]


class Selection:
    """Some record files and kind folders: the part of a knowledge base a contributor asked about.

    Paths are compared as absolute paths with ``..`` folded but symbolic links kept, so a link
    inside the content folder is judged where it is written, never where it points.
    """

    def __init__(self, paths: Iterable[Path | str]) -> None:
        self.paths = frozenset(_absolute(p) for p in paths)

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, (str, os.PathLike)):
            return False
        path = _absolute(path)
        return path in self.paths or any(parent in self.paths for parent in path.parents)

    def problems(self, problems: Iterable[Problem]) -> list[Problem]:
        return [problem for problem in problems if problem.path in self]

    def entries(self, records: Records) -> list[Entry[Any]]:
        return [entry for table in records.values() for entry in table.values() if entry.path in self]


def _absolute(path: Path | str | os.PathLike[str]) -> Path:
    return Path(os.path.abspath(path))


class LoadCache:
    """Files read and checked on their own by a previous :func:`read_records`, by path: a preview
    rebuild reads again only the files whose size or modification time changed."""

    def __init__(self) -> None:
        self._files: dict[Path, tuple[tuple[int, int], Checked | list[Problem]]] = {}

    def get(self, path: Path, signature: tuple[int, int]) -> Checked | list[Problem] | None:
        found = self._files.get(path)
        return found[1] if found is not None and found[0] == signature else None

    def put(self, path: Path, signature: tuple[int, int], result: Checked | list[Problem]) -> None:
        self._files[path] = (signature, result)

    def keep(self, paths: set[Path]) -> None:
        for path in set(self._files) - paths:
            del self._files[path]


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


def read_records(
    root: Path | str, *, only: Selection | None = None, cache: LoadCache | None = None
) -> tuple[Records, list[Problem], list[RecordFile]]:
    """Every valid record under ``root``, every problem, and every record file found.

    With ``only``, every record is still read and checked (a reference from a selected file
    resolves against the whole knowledge base) but only the problems of the selected files are
    returned. With ``cache``, a file unchanged since the previous call is not read again; the
    checks across records always run.
    """
    with cyclic_gc_paused():
        return _read_records(Path(root), only, cache)


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Loading builds hundreds of thousands of objects and no reference cycle; without this, Python's
    cycle collector scans the growing heap again and again and loading takes twice as long.
    Everything loading discards is still freed at once, by reference counting."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_records(
    root: Path, only: Selection | None, cache: LoadCache | None
) -> tuple[Records, list[Problem], list[RecordFile]]:
    files, problems = scan(root)
    documents: list[tuple[str, str, Document] | Checked] = []
    for found in files:
        signature = _signature(found.path) if cache is not None else None
        known = cache.get(found.path, signature) if cache is not None and signature is not None else None
        if known is not None:
            if isinstance(known, Checked):
                documents.append(known)
            else:
                problems.extend(known)
            continue
        try:
            doc = load_file(found.path)
        except LoadError as exc:
            problems.extend(exc.problems)
            if cache is not None and signature is not None:
                cache.put(found.path, signature, list(exc.problems))
            continue
        flag_misplaced_fields(found.kind, doc)
        checked = validate_document(found.kind, found.id, doc)
        if cache is not None and signature is not None:
            cache.put(found.path, signature, checked)
        documents.append(checked)
    if cache is not None:
        cache.keep({found.path for found in files})
    present = {(found.kind, found.id) for found in files}
    records, more = validate_documents(documents, present=present)
    problems.extend(more)
    if only is not None:
        problems = only.problems(problems)
    return records, problems, files


def load_records(root: Path | str) -> Records:
    """Every record under ``root``; raises :class:`ValidationFailed` when anything is wrong."""
    records, problems, _ = read_records(root)
    if problems:
        raise ValidationFailed(problems)
    return records


def read_kind(root: Path | str, folder: str) -> dict[str, Entry[Any]]:
    """The records of one kind that are valid on their own (references unchecked); problems are ignored.

    For suggestions (``cluster-kb new --sector``): reads one kind folder, not the whole knowledge base.
    """
    files, _ = scan(Path(root))
    documents = []
    for found in files:
        if found.kind != folder:
            continue
        try:
            documents.append((found.kind, found.id, load_file(found.path)))
        except LoadError:
            continue
    records, _ = validate_documents(documents)
    return records[folder]


# -- a field written one level too high ---------------------------------------------------------


def flag_misplaced_fields(folder: str, doc: Document) -> None:
    """Report a field that belongs one level down where it is written, with where to move it.

    ``url:`` written at the level of ``sources:`` (right after its entries) is not an unknown
    field but a field of the entry above it: the message says so and validation stays quiet
    about it (the location is flagged).
    """
    for loc, key, owner, entry in _misplaced(kind(folder).model, doc.data, ()):
        line, _ = doc.position(entry)
        if isinstance(entry[-1], int):
            message = f"'{key}' belongs to an entry of '{owner}' (line {line}): indent it under that entry"
        else:
            message = f"'{key}' belongs under '{owner}' (line {line}): indent it under that field"
        prefix = _loc_text(loc)
        doc.problems.append(doc.problem((*loc, key), f"{prefix}: {message}" if prefix else message, key=True))
        doc.flagged.add((*loc, key))


@cache
def _nested_models(model: type[BaseModel]) -> Mapping[str, type[BaseModel] | None]:
    """Per model, each field's model of nested entries (or None); read-only, as models are immutable."""
    return MappingProxyType({name: nested_model(info.annotation) for name, info in model.model_fields.items()})


def _misplaced(model: type[BaseModel], data: Any, loc: Loc) -> Iterator[tuple[Loc, str, str, Loc]]:
    """``(mapping's location, key, field it belongs under, location of the entry to move it into)``."""
    if not isinstance(data, dict):
        return
    fields = _nested_models(model)
    previous: str | None = None
    for key, value in data.items():
        if key not in fields:
            nested = fields.get(previous) if previous is not None and key != "id" else None
            if nested is not None and key in nested.model_fields:
                written = data[previous]
                if isinstance(written, list) and written and isinstance(written[-1], dict):
                    yield loc, key, previous, (*loc, previous, len(written) - 1)
                elif isinstance(written, dict):
                    yield loc, key, previous, (*loc, previous)
        else:
            nested = fields[key]
            if nested is not None and isinstance(value, list):
                for index, item in enumerate(value):
                    yield from _misplaced(nested, item, (*loc, key, index))
            elif nested is not None:
                yield from _misplaced(nested, value, (*loc, key))
        previous = key


def _loc_text(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
