"""The knowledge base: every record loaded, validated, cross-referenced and indexed.

:func:`load_knowledge_base` reads ``content/<kind>/<id>.yaml`` files, validates each against its
model, then resolves references (index first, resolve second) and runs the checks that span
records. It collects every problem before failing with :class:`ValidationFailed`, so one run
reports them all. The resulting :class:`KnowledgeBase` answers the questions pages ask: backlinks
such as "which clusters are in Colombia, counting Bogotá's" or "which practices illustrate this
principle".
"""

from __future__ import annotations

import difflib
import heapq
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from .loader import Document, LoadError, Loc, load_file
from .models import (
    KINDS,
    Cluster,
    Edition,
    FollowUp,
    Practice,
    Principle,
    Record,
    Sector,
    Session,
    Territory,
    id_problem,
    nested_model,
    ref_kind,
)
from .problems import Problem, ValidationFailed

__all__ = ["Entry", "KnowledgeBase", "load_knowledge_base", "validate_documents"]

R = TypeVar("R", bound=Record)

_ALLOWED_EXTRA_FILES = {"README.md"}


@dataclass(frozen=True)
class Entry(Generic[R]):
    """A record with its id and the file it came from."""

    id: str
    path: Path
    record: R

    @property
    def kind(self) -> str:
        return self.record.folder

    @property
    def name(self) -> str:
        return self.record.name


@dataclass
class KnowledgeBase:
    """All records by kind and id, with the indexes pages need."""

    root: Path
    territories: dict[str, Entry[Territory]] = field(default_factory=dict)
    sectors: dict[str, Entry[Sector]] = field(default_factory=dict)
    decalogue: dict[str, Entry[Principle]] = field(default_factory=dict)
    editions: dict[str, Entry[Edition]] = field(default_factory=dict)
    clusters: dict[str, Entry[Cluster]] = field(default_factory=dict)

    def of_kind(self, kind: str) -> dict[str, Entry[Any]]:
        table: dict[str, Entry[Any]] = getattr(self, kind)
        return table

    def counts(self) -> dict[str, int]:
        return {kind: len(self.of_kind(kind)) for kind in KINDS}

    def __len__(self) -> int:
        return sum(self.counts().values())

    # -- territory hierarchy -------------------------------------------------------------------

    @cached_property
    def _children(self) -> dict[str, list[str]]:
        children: dict[str, list[str]] = defaultdict(list)
        for entry in self.territories.values():
            if entry.record.parent:
                children[entry.record.parent].append(entry.id)
        return {key: sorted(value, key=lambda tid: self.territories[tid].name) for key, value in children.items()}

    def children(self, territory_id: str) -> list[Entry[Territory]]:
        return [self.territories[tid] for tid in self._children.get(territory_id, [])]

    def roots(self) -> list[Entry[Territory]]:
        return sorted((e for e in self.territories.values() if not e.record.parent), key=lambda e: e.name)

    def ancestors(self, territory_id: str) -> list[Entry[Territory]]:
        """From the outermost territory down to the parent of ``territory_id``."""
        chain: list[Entry[Territory]] = []
        parent = self.territories[territory_id].record.parent
        while parent and parent in self.territories and len(chain) < len(self.territories):
            chain.append(self.territories[parent])
            parent = self.territories[parent].record.parent
        return chain[::-1]

    def descendants(self, territory_id: str) -> list[str]:
        found: list[str] = []
        stack = list(self._children.get(territory_id, []))
        while stack:
            tid = stack.pop()
            found.append(tid)
            stack.extend(self._children.get(tid, []))
        return found

    # -- backlinks -----------------------------------------------------------------------------

    @cached_property
    def _clusters_by_territory(self) -> dict[str, list[str]]:
        table: dict[str, list[str]] = defaultdict(list)
        for entry in self._sorted(self.clusters):
            table[entry.record.territory].append(entry.id)
        return table

    @cached_property
    def _clusters_by_sector(self) -> dict[str, list[str]]:
        table: dict[str, list[str]] = defaultdict(list)
        for entry in self._sorted(self.clusters):
            for sector in entry.record.sectors:
                table[sector].append(entry.id)
        return table

    @cached_property
    def _clusters_by_edition(self) -> dict[str, list[str]]:
        table: dict[str, list[str]] = defaultdict(list)
        for entry in self._sorted(self.clusters):
            for edition in entry.record.editions:
                table[edition].append(entry.id)
        return table

    @cached_property
    def _practices_by_principle(self) -> dict[str, list[tuple[str, int]]]:
        table: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for entry in self._sorted(self.clusters):
            for index, practice in enumerate(entry.record.practices):
                for principle in practice.principles:
                    table[principle].append((entry.id, index))
        return table

    @cached_property
    def _sessions_by_principle(self) -> dict[str, list[tuple[str, int]]]:
        table: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for entry in self.editions_by_year():
            for index, session in enumerate(entry.record.programme):
                for principle in session.principles:
                    table[principle].append((entry.id, index))
        return table

    @cached_property
    def _follow_ups_by_cluster(self) -> dict[str, list[tuple[str, int]]]:
        table: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for entry in self.editions_by_year():
            for index, follow_up in enumerate(entry.record.follow_ups):
                for cluster in dict.fromkeys(follow_up.clusters):
                    table[cluster].append((entry.id, index))
        return table

    def follow_ups_of(self, cluster_id: str) -> list[tuple[Entry[Edition], FollowUp]]:
        """Later cooperation recorded on editions that names the cluster, oldest edition first."""
        return [
            (self.editions[eid], self.editions[eid].record.follow_ups[index])
            for eid, index in self._follow_ups_by_cluster.get(cluster_id, [])
        ]

    def _sorted(self, table: dict[str, Entry[R]]) -> list[Entry[R]]:
        return sorted(table.values(), key=lambda e: (e.name.casefold(), e.id))

    def clusters_in(self, territory_id: str, *, include_sub: bool = True) -> list[Entry[Cluster]]:
        ids = [territory_id, *(self.descendants(territory_id) if include_sub else [])]
        found = [self.clusters[cid] for tid in ids for cid in self._clusters_by_territory.get(tid, [])]
        return sorted(found, key=lambda e: (e.name.casefold(), e.id))

    def clusters_in_sector(self, sector_id: str) -> list[Entry[Cluster]]:
        return [self.clusters[cid] for cid in self._clusters_by_sector.get(sector_id, [])]

    def clusters_at(self, edition_id: str) -> list[Entry[Cluster]]:
        return [self.clusters[cid] for cid in self._clusters_by_edition.get(edition_id, [])]

    def practices_for(self, principle_id: str) -> list[tuple[Entry[Cluster], Practice]]:
        return [
            (self.clusters[cid], self.clusters[cid].record.practices[index])
            for cid, index in self._practices_by_principle.get(principle_id, [])
        ]

    def sessions_for(self, principle_id: str) -> list[tuple[Entry[Edition], Session]]:
        return [
            (self.editions[eid], self.editions[eid].record.programme[index])
            for eid, index in self._sessions_by_principle.get(principle_id, [])
        ]

    def editions_by_year(self) -> list[Entry[Edition]]:
        return sorted(self.editions.values(), key=lambda e: (e.record.year, e.record.start or date.max, e.id))

    def editions_of(self, territory_id: str) -> tuple[list[Entry[Edition]], list[Entry[Edition]]]:
        """Editions the territory hosted, and editions it was invited to."""
        editions = self.editions_by_year()
        hosted = [e for e in editions if e.record.host == territory_id]
        invited = [e for e in editions if territory_id in e.record.invited]
        return hosted, invited

    def principles_in_order(self) -> list[Entry[Principle]]:
        return sorted(self.decalogue.values(), key=lambda e: (e.record.number, e.id))

    @cached_property
    def _sector_sets(self) -> dict[str, frozenset[str]]:
        return {sector: frozenset(ids) for sector, ids in self._clusters_by_sector.items()}

    @cached_property
    def _cluster_rank(self) -> dict[str, int]:
        """Each cluster's place in name order (the order of every per-sector list)."""
        return {entry.id: rank for rank, entry in enumerate(self._sorted(self.clusters))}

    def related_clusters(self, cluster_id: str, limit: int = 12) -> list[Entry[Cluster]]:
        """Clusters sharing a sector, based in another territory: cooperation leads.

        Those sharing more sectors come first, then by name. Only the first ``limit`` are
        wanted, so clusters sharing a single sector are taken by walking the name-sorted
        sector lists until enough are found, never by scoring every cluster of the sector
        (which made the site's generation quadratic in the number of clusters).
        """
        cluster = self.clusters[cluster_id].record
        sectors = [s for s in dict.fromkeys(cluster.sectors) if s in self._sector_sets]

        def eligible(cid: str) -> bool:
            return cid != cluster_id and self.clusters[cid].record.territory != cluster.territory

        shared: dict[str, int] = {}
        for i, first in enumerate(sectors):
            for second in sectors[i + 1 :]:
                for cid in self._sector_sets[first] & self._sector_sets[second]:
                    if eligible(cid):
                        shared[cid] = sum(1 for s in sectors if cid in self._sector_sets[s])
        rank = self._cluster_rank
        chosen = sorted(shared, key=lambda cid: (-shared[cid], rank[cid]))[:limit]
        taken = set(chosen)
        singles = heapq.merge(*(self._clusters_by_sector[s] for s in sectors), key=rank.__getitem__)
        for cid in singles:
            if len(chosen) >= limit:
                break
            if cid not in taken and eligible(cid):
                taken.add(cid)
                chosen.append(cid)
        return [self.clusters[cid] for cid in chosen]


# -- loading -----------------------------------------------------------------------------------


def _scan(root: Path) -> tuple[list[tuple[str, str, Path]], list[Problem]]:
    """Find record files; report files and folders that do not belong."""
    problems: list[Problem] = []
    files: list[tuple[str, str, Path]] = []
    if not root.is_dir():
        return [], [Problem(root, 1, 1, "content folder not found")]
    for child in sorted(root.iterdir()):
        if child.name.startswith(".") or child.name in _ALLOWED_EXTRA_FILES:
            continue
        if not child.is_dir() or child.name not in KINDS:
            what = "folder" if child.is_dir() else "file"
            problems.append(
                Problem(child, 1, 1, f"unexpected {what} '{child.name}' in the content folder; records go in: {', '.join(KINDS)}")
            )
            continue
        for path in sorted(child.iterdir()):
            if path.name.startswith(".") or path.name in _ALLOWED_EXTRA_FILES:
                continue
            if path.is_dir() or path.suffix != ".yaml":
                hint = f"rename it to '{path.stem}.yaml'" if path.suffix == ".yml" else "record files end in '.yaml'"
                problems.append(Problem(path, 1, 1, f"unexpected {'folder' if path.is_dir() else 'file'} '{path.name}': {hint}"))
                continue
            message = id_problem(path.stem)
            if message:
                problems.append(Problem(path, 1, 1, f"file name '{path.name}': {message}"))
                continue
            files.append((child.name, path.stem, path))
    return files, problems


def load_knowledge_base(root: Path | str) -> KnowledgeBase:
    """Load and validate every record under ``root``; raise :class:`ValidationFailed` on any problem."""
    root = Path(root)
    files, problems = _scan(root)
    documents: list[tuple[str, str, Document]] = []
    for kind, record_id, path in files:
        try:
            documents.append((kind, record_id, load_file(path)))
        except LoadError as exc:
            problems.extend(exc.problems)
    present = {(kind, record_id) for kind, record_id, _ in files}
    kb, more = validate_documents(root, documents, present=present)
    problems.extend(more)
    if problems:
        raise ValidationFailed(problems)
    return kb


def validate_documents(
    root: Path,
    documents: Iterable[tuple[str, str, Document]],
    *,
    present: set[tuple[str, str]] | None = None,
) -> tuple[KnowledgeBase, list[Problem]]:
    """Validate loaded documents into a knowledge base; return it with every problem found.

    ``present`` names every record file found, valid or not: a reference to a file that exists
    but has problems of its own is not reported again as unknown.
    """
    kb = KnowledgeBase(root)
    problems: list[Problem] = []
    located: dict[tuple[str, str], Document] = {}
    checked: list[tuple[str, Document, set[Loc]]] = []
    for kind, record_id, doc in documents:
        model = KINDS[kind]
        problems.extend(doc.problems)
        try:
            record = model.model_validate(doc.data)
        except ValidationError as exc:
            reported = [(loc, p) for loc, p in _translate(exc, model, doc) if not doc.is_flagged(loc)]
            problems.extend(p for _, p in reported)
            checked.append((kind, doc, {loc for loc, _ in reported}))
            continue
        checked.append((kind, doc, set()))
        kb.of_kind(kind)[record_id] = Entry(record_id, doc.path, record)
        located[(kind, record_id)] = doc
        for loc, message in record.problems():
            problems.append(doc.problem(loc, message))
    problems.extend(_check_references(kb, checked, present or set()))
    problems.extend(_check_collection(kb, located))
    return kb, problems


# -- cross-record checks -----------------------------------------------------------------------


_REF_FIELDS: dict[type[BaseModel], list[tuple[str, str | None, type[BaseModel] | None]]] = {}


def _ref_fields(model: type[BaseModel]) -> list[tuple[str, str | None, type[BaseModel] | None]]:
    """Per model: (field, referenced kind or None, model of nested entries or None)."""
    if model not in _REF_FIELDS:
        fields = []
        for name, info in model.model_fields.items():
            kind = ref_kind(info.annotation, info.metadata)
            nested = nested_model(info.annotation)
            if kind or nested:
                fields.append((name, kind, nested))
        _REF_FIELDS[model] = fields
    return _REF_FIELDS[model]


def iter_references(model: type[BaseModel], data: Any, loc: Loc = ()) -> Iterator[tuple[str, str, Loc]]:
    """Every reference written in a record's loaded data: (kind, id, location).

    It reads the data as loaded, not the validated model, so that the references of a record with
    other problems are checked in the same run too.
    """
    if not isinstance(data, dict):
        return
    for name, kind, nested in _ref_fields(model):
        value = data.get(name)
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            where = (*loc, name) if index is None else (*loc, name, index)
            if kind and isinstance(item, str) and item.strip():
                yield kind, item.strip(), where
            elif nested is not None and isinstance(item, dict):
                yield from iter_references(nested, item, where)


_KIND_NOUN = {
    "territories": "territory",
    "sectors": "sector",
    "decalogue": "principle",
    "editions": "edition",
    "clusters": "cluster",
}


def _check_references(
    kb: KnowledgeBase, checked: list[tuple[str, Document, set[Loc]]], present: set[tuple[str, str]]
) -> Iterator[Problem]:
    for kind, doc, reported in checked:
        for target_kind, target, loc in iter_references(KINDS[kind], doc.data):
            if loc in reported or doc.is_flagged(loc):
                continue  # already reported there (a malformed id, a tag...)
            table = kb.of_kind(target_kind)
            if target in table or (target_kind, target) in present:
                continue
            known = sorted(table)
            close = difflib.get_close_matches(target, known, n=3, cutoff=0.6)
            hint = f" (did you mean {_quoted(close)}?)" if close else f": there is no {target_kind}/{target}.yaml"
            if not known:
                hint = f" (there are no {target_kind} records yet)"
            yield doc.problem(loc, f"unknown {_KIND_NOUN[target_kind]} '{target}'{hint}")


def _check_collection(kb: KnowledgeBase, located: dict[tuple[str, str], Document]) -> Iterator[Problem]:
    # Territory parents form a tree: report each cycle once, on each of its members.
    for tid, entry in sorted(kb.territories.items()):
        seen = [tid]
        parent = entry.record.parent
        while parent and parent in kb.territories:
            if parent == tid:
                chain = " -> ".join([*seen, tid])
                yield located[("territories", tid)].problem(("parent",), f"territory parents form a cycle: {chain}")
                break
            if parent in seen:
                break  # a cycle further up; reported on its own members
            seen.append(parent)
            parent = kb.territories[parent].record.parent
    # Decalogue numbers are unique.
    by_number: dict[int, list[str]] = defaultdict(list)
    for pid, principle in sorted(kb.decalogue.items()):
        by_number[principle.record.number].append(pid)
    for number, ids in sorted(by_number.items()):
        for pid in ids[1:]:
            yield located[("decalogue", pid)].problem(
                ("number",), f"decalogue number {number} is already used by '{ids[0]}'"
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


def _translate(exc: ValidationError, model: type[Record], doc: Document) -> Iterator[tuple[Loc, Problem]]:
    for error in exc.errors(include_url=False):
        loc: Loc = tuple(error["loc"])
        kind = error["type"]
        value = error.get("input")
        ctx = error.get("ctx") or {}
        at_key = False
        if kind == "missing":
            where, field_name = loc[:-1], loc[-1]
            prefix = f"{_loc_text(where)}: " if where else ""
            yield loc, doc.problem(where, f"{prefix}missing required field '{field_name}'")
            continue
        if kind == "extra_forbidden":
            at_key = True
            name = str(loc[-1])
            owner = _model_at(model, loc[:-1])
            if name == "id" and not loc[:-1]:
                message = "unknown field 'id': a record's id is its file name; remove this line"
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
            yield loc, doc.problem(loc, prefix + message, key=at_key)
            continue
        if kind in _TYPE_NAMES:
            message = f"expected {_TYPE_NAMES[kind]}, got {_describe(value)}"
        elif kind == "literal_error":
            message = f"{_describe(value)} is not allowed; use one of: {ctx.get('expected', '')}"
        elif kind == "int_parsing":
            message = f"expected a whole number, got {_describe(value)}"
        elif kind == "float_parsing":
            message = f"expected a number, got {_describe(value)}"
        elif kind in ("date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"):
            message = f"{_describe(value)} is not a date; write YYYY-MM-DD"
        elif kind == "too_short":
            least = ctx.get("min_length", 1)
            message = f"needs at least {least} {'entry' if least == 1 else 'entries'}"
        elif kind == "string_too_short":
            message = "must not be empty"
        elif kind == "string_pattern_mismatch" and loc and loc[-1] == "country_code":
            message = f"{_describe(value)} is not a country code; use two capital letters (ISO 3166-1 alpha-2), e.g. 'CO'"
        elif kind == "value_error":
            message = str(ctx.get("error", error["msg"]))
        elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            message = f"{_describe(value)} is out of range: {error['msg'][0].lower()}{error['msg'][1:]}"
        else:
            message = f"{error['msg']} (got {_describe(value)})"
        prefix = f"{_loc_text(loc)}: " if loc else ""
        yield loc, doc.problem(loc, prefix + message)
