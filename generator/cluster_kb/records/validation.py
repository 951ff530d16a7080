"""Validation: loaded documents become records, every problem a located message.

Three passes, each collecting problems rather than stopping at the first:

1. each document against its kind's model; pydantic's errors are translated into messages a
   contributor can act on (:func:`translate`), at the line and column of the value or key;
2. the checks a record makes across its own fields (``Record.problems``);
3. the checks across records: references resolve (index first, resolve second), with the closest
   ids, names and aliases offered; territory parents form a tree; decalogue numbers are unique.

References are read from the data as loaded, not from the validated model, so a record with other
problems still has its references checked in the same run.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from ..kinds import KINDS, kind
from .loader import Document, Loc
from .models import Record, Sector, id_problem, nested_model, ref_kind
from .problems import Problem
from .text import LANGUAGES

__all__ = ["Checked", "Entry", "Records", "fold", "translate", "validate_document", "validate_documents"]

R = TypeVar("R", bound=Record)


@dataclass(frozen=True)
class Entry(Generic[R]):
    """A valid record with its id and the file it came from."""

    id: str
    path: Path
    record: R

    @property
    def kind(self) -> str:
        return self.record.folder

    @property
    def name(self) -> str:
        """The display name in English, else in the record's own language (sorting, messages)."""
        return self.record.name.text("en", self.record.language)


Records = dict[str, dict[str, Entry[Any]]]
"""Valid records by kind folder, then by id."""


# -- the passes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    """One document validated on its own: its record (when valid), its problems, where they are."""

    folder: str
    record_id: str
    doc: Document
    entry: Entry[Any] | None
    problems: tuple[Problem, ...]
    reported: frozenset[Loc]


def validate_document(folder: str, record_id: str, doc: Document) -> Checked:
    """Validate one loaded document against its kind's model and its own cross-field checks."""
    model = kind(folder).model
    problems: list[Problem] = list(doc.problems)
    try:
        record = model.model_validate(doc.data)
    except ValidationError as exc:
        reported = [(loc, p) for loc, p in translate(exc, model, doc) if not doc.is_flagged(loc)]
        problems.extend(p for _, p in reported)
        return Checked(folder, record_id, doc, None, tuple(problems), frozenset(loc for loc, _ in reported))
    problems.extend(doc.problem(loc, message) for loc, message in record.problems())
    return Checked(folder, record_id, doc, Entry(record_id, doc.path, record), tuple(problems), frozenset())


def validate_documents(
    documents: Iterable[tuple[str, str, Document] | Checked],
    *,
    present: set[tuple[str, str]] | None = None,
) -> tuple[Records, list[Problem]]:
    """Validate loaded ``(kind, id, document)`` triples; return the valid records and every problem.

    A document may come already checked on its own (:func:`validate_document`, e.g. an unchanged
    file in a preview); the checks across records always run. ``present`` names every record file
    found, valid or not: a reference to a file that exists but has problems of its own is not
    reported again as unknown.
    """
    records: Records = {k.folder: {} for k in KINDS}
    problems: list[Problem] = []
    located: dict[tuple[str, str], Document] = {}
    checked: list[tuple[str, Document, set[Loc]]] = []
    for item in documents:
        one = item if isinstance(item, Checked) else validate_document(*item)
        problems.extend(one.problems)
        checked.append((one.folder, one.doc, set(one.reported)))
        if one.entry is not None:
            records[one.folder][one.record_id] = one.entry
            located[(one.folder, one.record_id)] = one.doc
    problems.extend(_check_references(records, checked, present or set()))
    problems.extend(_check_collection(records, located))
    return records, problems


# -- references ----------------------------------------------------------------------------------


@cache
def _ref_fields(model: type[BaseModel]) -> tuple[tuple[str, str | None, type[BaseModel] | None], ...]:
    """Per model: (field, referenced kind or None, model of nested entries or None). Models are immutable."""
    fields = []
    for name, info in model.model_fields.items():
        target = ref_kind(info.annotation, info.metadata)
        nested = nested_model(info.annotation)
        if target or nested:
            fields.append((name, target, nested))
    return tuple(fields)


def iter_references(model: type[BaseModel], data: Any, loc: Loc = ()) -> Iterator[tuple[str, str, Loc]]:
    """Every reference written in a record's loaded data: ``(kind, id, location)``."""
    if not isinstance(data, dict):
        return
    for name, target, nested in _ref_fields(model):
        value = data.get(name)
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            where = (*loc, name) if index is None else (*loc, name, index)
            if target and isinstance(item, str) and item.strip():
                yield target, item.strip(), where
            elif nested is not None and isinstance(item, dict):
                yield from iter_references(nested, item, where)


def fold(text: str) -> str:
    """``text`` as an id would spell it: 'Bogotá' -> 'bogota', 'Agri-food' -> 'agri-food', 'Salud' -> 'salud'."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ø", "o").replace("ß", "ss").replace("·", ""))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


class _Names:
    """What people may write instead of an id: names (in every language) and aliases, folded."""

    def __init__(self, table: dict[str, Entry[Any]]) -> None:
        self.ids = sorted(table)
        self.names: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for record_id, entry in table.items():
            for text in entry.record.name:
                self.names[fold(text)].append((record_id, "name"))
            if isinstance(entry.record, Sector):
                for alias in entry.record.aliases:
                    self.names[fold(alias)].append((record_id, "alias"))

    def suggest(self, written: str) -> tuple[list[str], str | None]:
        """The ids ``written`` most likely means, and how it was written ('name', 'alias' or None)."""
        folded = fold(written)
        if folded in self.ids and folded != written:
            return [folded], None
        if folded in self.names:
            found = list(dict.fromkeys(rid for rid, _ in self.names[folded]))
            how = self.names[folded][0][1]
            return found[:3], how
        close = difflib.get_close_matches(folded, self.ids, n=3, cutoff=0.6)
        if not close:
            by_name = difflib.get_close_matches(folded, list(self.names), n=3, cutoff=0.75)
            close = list(dict.fromkeys(rid for name in by_name for rid, _ in self.names[name]))[:3]
        return close, None


def _reference_problem(target_kind: str, target: str, names: _Names) -> str:
    noun = kind(target_kind).noun
    if not names.ids:
        return f"unknown {noun} '{target}' (there are no {target_kind} records yet)"
    found, how = names.suggest(target)
    if found and how == "name":
        return f"'{target}' is the name of a {noun}; write its id instead: {_quoted(found)}"
    if found and how == "alias":
        return f"'{target}' is another name for the {noun} {_quoted(found)}; write its id instead"
    if found:
        return f"unknown {noun} '{target}' (did you mean {_quoted(found)}?)"
    if id_problem(target):
        what = f"'{target}' is not a {noun} id: ids are file names in lowercase kebab-case"
    else:
        what = f"unknown {noun} '{target}'"
    if len(names.ids) <= 20:
        return f"{what}; the {kind(target_kind).plural} are: {', '.join(names.ids)}"
    if id_problem(target):
        return f"{what}, e.g. '{names.ids[0]}'"
    return f"{what}: there is no {target_kind}/{target}.yaml"


def _check_references(
    records: Records, checked: list[tuple[str, Document, set[Loc]]], present: set[tuple[str, str]]
) -> Iterator[Problem]:
    names: dict[str, _Names] = {}
    for folder, doc, reported in checked:
        for target_kind, target, loc in iter_references(kind(folder).model, doc.data):
            if loc in reported or doc.is_flagged(loc):
                continue  # already reported there (a tag, an alias...)
            table = records[target_kind]
            if target in table or (target_kind, target) in present:
                continue
            if target_kind not in names:
                names[target_kind] = _Names(table)
            yield doc.problem(loc, _reference_problem(target_kind, target, names[target_kind]))


def _check_collection(records: Records, located: dict[tuple[str, str], Document]) -> Iterator[Problem]:
    territories = records["territories"]
    # Territory parents form a tree: report each cycle once, on each of its members.
    for tid, entry in sorted(territories.items()):
        seen = [tid]
        parent = entry.record.parent
        while parent and parent in territories:
            if parent == tid:
                chain = " -> ".join([*seen, tid])
                yield located[("territories", tid)].problem(("parent",), f"territory parents form a cycle: {chain}")
                break
            if parent in seen:
                break  # a cycle further up; reported on its own members
            seen.append(parent)
            parent = territories[parent].record.parent
    # Decalogue numbers are unique.
    by_number: dict[int, list[str]] = defaultdict(list)
    for pid, principle in sorted(records["decalogue"].items()):
        by_number[principle.record.number].append(pid)
    for number, ids in sorted(by_number.items()):
        for pid in ids[1:]:
            yield located[("decalogue", pid)].problem(("number",), f"decalogue number {number} is already used by '{ids[0]}'")
    # A sector does not complement itself.
    for sid, sector in sorted(records["sectors"].items()):
        for index, other in enumerate(sector.record.complements):
            if other == sid:
                yield located[("sectors", sid)].problem(
                    ("complements", index), f"complements: a sector cannot complement itself ('{sid}')"
                )


def _quoted(ids: list[str]) -> str:
    quoted = [f"'{i}'" for i in ids]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


# -- pydantic errors as contributor messages ---------------------------------------------------

_TYPE_NAMES = {
    "string_type": "text",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping of fields",
    "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
    "date_type": "a date (YYYY-MM-DD)",
}

_ID_MESSAGE = "is not a valid id"


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"'{value}'"


def _loc_text(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part)
        current = nested_model(info.annotation) if info else None
    return current


def _written(data: Any, loc: Loc) -> Loc:
    """The part of ``loc`` that is written in the file: a plain value given where a list is read
    (``founded: 2013`` read as ``founded[0].value``) is reported at the value itself."""
    written: list[str | int] = []
    for part in loc:
        in_list = isinstance(part, int) and isinstance(data, list) and 0 <= part < len(data)
        if in_list or (isinstance(part, str) and isinstance(data, dict) and part in data):
            data = data[part]
        else:
            break
        written.append(part)
    return tuple(written)


def _is_reference(model: type[BaseModel], loc: Loc) -> bool:
    """Whether ``loc`` (a field, or an item of a list field) holds a reference to another record."""
    names = [part for part in loc if isinstance(part, str)]
    if not names:
        return False
    owner = _model_at(model, tuple(p for p in loc[: max(i for i, p in enumerate(loc) if isinstance(p, str))]))
    info = owner.model_fields.get(names[-1]) if owner is not None else None
    return info is not None and ref_kind(info.annotation, info.metadata) is not None


def translate(exc: ValidationError, model: type[Record], doc: Document) -> Iterator[tuple[Loc, Problem]]:
    """Each pydantic error as ``(location, located problem)``, in words a contributor acts on."""
    for error in exc.errors(include_url=False):
        loc: Loc = tuple(error["loc"])
        kind_ = error["type"]
        value = error.get("input")
        ctx = error.get("ctx") or {}
        if kind_ == "missing":
            where, field_name = loc[:-1], loc[-1]
            prefix = f"{_loc_text(where)}: " if where else ""
            yield loc, doc.problem(where, f"{prefix}missing required field '{field_name}'")
            continue
        if kind_ == "extra_forbidden":
            name = str(loc[-1])
            owner = _model_at(model, loc[:-1])
            if name == "id" and not loc[:-1]:
                message = "unknown field 'id': a record's id is its file name; remove this line"
            elif name in LANGUAGES and owner is None:
                message = f"unknown field '{name}'"
            else:
                message = f"unknown field '{name}'"
                if owner is not None:
                    close = difflib.get_close_matches(name, list(owner.model_fields), n=1, cutoff=0.6)
                    if close:
                        message += f" (did you mean '{close[0]}'?)"
                    else:
                        message += f"; allowed fields: {', '.join(owner.model_fields)}"
            where = loc[:-1]
            prefix = f"{_loc_text(where)}: " if where else ""
            yield loc, doc.problem(loc, prefix + message, key=True)
            continue
        if kind_ == "unknown_language":
            key = ctx.get("key")
            at = (*loc, key)
            message = f"{_loc_text(loc)}: unknown language '{key}'; write the text under en, es or ca"
            yield loc, doc.problem(at, message, key=True)
            continue
        at = _written(doc.data, loc)
        if kind_ in ("local_type", "local_not_text", "local_empty"):
            what = "text, or a mapping of languages (en, es, ca) to text"
            if kind_ == "local_not_text":
                key = ctx.get("key")
                at = (*loc, key)
                message = f"{_loc_text(loc)}.{key}: expected text, got {_describe(ctx.get('got'))}"
            elif kind_ == "local_empty":
                message = f"{_loc_text(at)}: expected {what}, got an empty mapping"
            else:
                message = f"{_loc_text(at)}: expected {what}, got {_describe(value)}"
            yield loc, doc.problem(at, message)
            continue
        if kind_ == "value_error" and _ID_MESSAGE in str(ctx.get("error", "")) and _is_reference(model, loc):
            continue  # the reference check reports it, with the id the contributor most likely meant
        if kind_ in _TYPE_NAMES:
            message = f"expected {_TYPE_NAMES[kind_]}, got {_describe(value)}"
        elif kind_ == "literal_error":
            message = f"{_describe(value)} is not allowed; use one of: {ctx.get('expected', '')}"
        elif kind_ == "int_parsing":
            message = f"expected a whole number, got {_describe(value)}"
        elif kind_ == "float_parsing":
            message = f"expected a number, got {_describe(value)}"
        elif kind_ in ("date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"):
            message = f"{_describe(value)} is not a date; write YYYY-MM-DD"
        elif kind_ == "too_short":
            least = ctx.get("min_length", 1)
            message = f"needs at least {least} {'entry' if least == 1 else 'entries'}"
        elif kind_ == "string_too_short":
            message = "must not be empty"
        elif kind_ == "string_pattern_mismatch" and loc and loc[-1] == "country_code":
            message = f"{_describe(value)} is not a country code; use two capital letters (ISO 3166-1 alpha-2), e.g. 'CO'"
        elif kind_ == "value_error":
            message = str(ctx.get("error", error["msg"]))
        elif kind_ in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            message = f"{_describe(value)} is out of range: {error['msg'][0].lower()}{error['msg'][1:]}"
        else:
            message = f"{error['msg']} (got {_describe(value)})"
        prefix = f"{_loc_text(at)}: " if at else ""
        yield loc, doc.problem(at, prefix + message)
