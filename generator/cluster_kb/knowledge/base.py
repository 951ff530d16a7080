"""The knowledge base: every valid record, indexed, answering the questions pages ask.

:class:`KnowledgeBase` holds the records of each kind by id (from :mod:`cluster_kb.records`) and
answers backlinks such as "which clusters are in Colombia, counting Bogotá's" or "which practices
illustrate this principle". Its indexes are built on first use and belong to the instance: two
knowledge bases never share state, and nothing it returns is shared mutable state.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from ..kinds import KINDS
from ..records.load import load_records
from ..records.models import Cluster, Edition, FollowUp, Practice, Principle, Record, Sector, Session, Territory
from ..records.validation import Entry, Records

__all__ = ["KnowledgeBase", "load_knowledge_base"]

R = TypeVar("R", bound=Record)
T = TypeVar("T")


@dataclass
class KnowledgeBase:
    """All records by kind and id, with the indexes pages need."""

    root: Path
    territories: dict[str, Entry[Territory]] = field(default_factory=dict)
    sectors: dict[str, Entry[Sector]] = field(default_factory=dict)
    decalogue: dict[str, Entry[Principle]] = field(default_factory=dict)
    editions: dict[str, Entry[Edition]] = field(default_factory=dict)
    clusters: dict[str, Entry[Cluster]] = field(default_factory=dict)
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """What is worked out from the records once and reused (the matchmaking's index, the editions'
    plans), by table and key (:meth:`derive`): it belongs to this knowledge base and goes with it."""

    @classmethod
    def from_records(cls, root: Path, records: Records) -> KnowledgeBase:
        return cls(root, **{k.folder: records.get(k.folder, {}) for k in KINDS})

    def derive(self, table: str, key: Hashable, make: Callable[[], T]) -> T:
        """``derived[table][key]``, made by ``make()`` the first time it is asked for."""
        found: dict[Hashable, Any] = self.derived.setdefault(table, {})
        if key not in found:
            found[key] = make()
        value: T = found[key]
        return value

    def of_kind(self, kind: str) -> dict[str, Entry[Any]]:
        table: dict[str, Entry[Any]] = getattr(self, kind)
        return table

    def counts(self) -> dict[str, int]:
        return {k.folder: len(self.of_kind(k.folder)) for k in KINDS}

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
    def _practices_by_principle(self) -> dict[str, list[tuple[str, str, int]]]:
        """Per principle: (kind, record id, practice index) of the practices that illustrate it."""
        table: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
        for folder in ("clusters", "territories"):
            for entry in self._sorted(self.of_kind(folder)):
                for index, practice in enumerate(entry.record.practices):
                    for principle in dict.fromkeys(practice.principles):
                        table[principle].append((folder, entry.id, index))
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

    def clusters_based_in(self, territory_id: str) -> int:
        """How many clusters are based in the territory itself (not in its sub-territories)."""
        return len(self._clusters_by_territory.get(territory_id, ()))

    def clusters_in_sector(self, sector_id: str) -> list[Entry[Cluster]]:
        return [self.clusters[cid] for cid in self._clusters_by_sector.get(sector_id, [])]

    def clusters_at(self, edition_id: str) -> list[Entry[Cluster]]:
        return [self.clusters[cid] for cid in self._clusters_by_edition.get(edition_id, [])]

    def practices_for(self, principle_id: str) -> list[tuple[Entry[Any], int, Practice]]:
        """Practices that illustrate a principle: clusters' first (by name), then territories' programmes'."""
        found = []
        for folder, record_id, index in self._practices_by_principle.get(principle_id, []):
            entry = self.of_kind(folder)[record_id]
            found.append((entry, index, entry.record.practices[index]))
        return found

    def sessions_for(self, principle_id: str) -> list[tuple[Entry[Edition], Session]]:
        return [
            (self.editions[eid], self.editions[eid].record.programme[index])
            for eid, index in self._sessions_by_principle.get(principle_id, [])
        ]

    def editions_by_year(self) -> list[Entry[Edition]]:
        return sorted(
            self.editions.values(),
            key=lambda e: (e.record.year is None, e.record.year or 0, e.record.start or date.max, e.id),
        )

    def editions_of(self, territory_id: str) -> tuple[list[Entry[Edition]], list[Entry[Edition]]]:
        """Editions the territory hosted, and editions it was invited to."""
        editions = self.editions_by_year()
        hosted = [e for e in editions if e.record.host == territory_id]
        invited = [e for e in editions if territory_id in e.record.invited]
        return hosted, invited

    def principles_in_order(self) -> list[Entry[Principle]]:
        return sorted(self.decalogue.values(), key=lambda e: (e.record.number, e.id))


def load_knowledge_base(root: Path | str) -> KnowledgeBase:
    """Load and validate every record under ``root``; raise :class:`ValidationFailed` on any problem."""
    root = Path(root)
    return KnowledgeBase.from_records(root, load_records(root))
