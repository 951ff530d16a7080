"""Intercluster matchmaking (issue 14): who meets whom at an edition, in which slot, and why.

At an International Intercluster Meeting the clusters of the host territory (and of its
sub-territories) hold one-to-one C2C meetings with the clusters of the invited territories (and of
theirs); never two clusters of the same side. This module is the whole of it, free of any
presentation: the command (:mod:`cluster_kb.commands.match`) and the site only render its data.

**Affinity.** A pair's affinity is an integer, defined once in :meth:`MatchIndex.affinity` with the
weights of :data:`WEIGHTS` (a frozen :class:`Weights`, which the site can show):

* each shared sector (EU ecosystem) counts ``shared_sector``;
* each decalogue principle both practise (named by a practice of each) counts ``shared_principle``;
* each declared complementarity between a sector of one and a sector of the other (complements
  are symmetric; a pair of sectors both clusters share is not counted again) counts
  ``complementary``, all of them together at most ``complementary_cap``, which is less than
  ``shared_sector``: one shared sector always outweighs any complementarity;
* a pair named together in a follow-up of an earlier edition (they already cooperated) loses
  ``cooperated``.

A pair whose affinity is zero or less is never proposed.

**The plan** (:func:`plan_meetings`) maximises first the number of meetings, then the total
affinity, each cluster taking part in at most ``per_cluster`` meetings: a maximum-weight
capacitated bipartite b-matching among maximum-cardinality ones. :func:`solve_b_matching` solves it
exactly as a min-cost flow with the primal-dual method (Dijkstra on reduced costs, then a maximum
flow on the zero-reduced-cost arcs, both scipy's compiled routines), which ends with a maximum
flow of minimum cost: no big-M weights, integer flows throughout. It returns a :class:`Proof`
checked in exact integers: a minimum cut whose capacity equals the number of meetings, and a
feasible solution of the linear programme's dual whose value equals the total affinity.

**The timetable** (:func:`edge_colouring`) puts the meetings into numbered slots so that no cluster
has two meetings in one slot, with exactly as many slots as the busiest cluster has meetings
(König's theorem, by alternating-path recolouring), balanced so that every slot holds
``ceil(meetings / slots)`` meetings or one fewer: that many tables are needed.

**Reasons** are data (:class:`Reason`, :class:`Shortfall`) with an English sentence on demand, so
the site can word the same facts in Spanish and Catalan.

**Cooperation leads** (:func:`leads`): a cluster's best-scoring clusters in other countries (outside
its outermost territory, as the meeting connects territories across borders),
found through an index of clusters by sector and principle that is built once per knowledge base.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

# numpy is imported by the functions that compute plans and leads, so that the commands that never
# do (validate, new, schema, a usage error) start without it.
if TYPE_CHECKING:
    import numpy as np

    from .base import KnowledgeBase

__all__ = [
    "COMPLEMENTARY",
    "COOPERATED",
    "DEFAULT_PER_CLUSTER",
    "EMPTY_SIDE",
    "MET_ALL",
    "NO_AFFINITY",
    "NO_CANDIDATES",
    "NO_CLUSTERS",
    "ONLY_COOPERATED",
    "OTHERS_FULL",
    "SHARED_PRINCIPLES",
    "SHARED_SECTORS",
    "WEIGHTS",
    "Affinity",
    "Lead",
    "MatchError",
    "MatchIndex",
    "Meeting",
    "Plan",
    "Proof",
    "Reason",
    "Shortfall",
    "Weights",
    "affinity",
    "edge_colouring",
    "greedy_b_matching",
    "index_for",
    "leads",
    "leads_data",
    "plan_edition",
    "plan_meetings",
    "profile_key",
    "slot_times",
    "solve_b_matching",
]

DEFAULT_PER_CLUSTER = 3
"""Meetings per cluster at most: the 2018 format."""


@dataclass(frozen=True)
class Weights:
    """What each thing a pair of clusters has in common is worth (integers, one place)."""

    shared_sector: int = 12
    """Per EU ecosystem both belong to: the main ground for a business meeting."""
    shared_principle: int = 3
    """Per decalogue principle both practise: four shared principles weigh as much as a sector."""
    complementary: int = 5
    """Per pair of complementary sectors, one cluster's and the other's."""
    complementary_cap: int = 10
    """The most all of a pair's complementarities add up to: less than one shared sector."""
    cooperated: int = 10
    """Taken off a pair that already cooperated: the meeting is for new contacts, so a pair whose
    only link is a complementarity or a few principles drops out, and one that shares a sector
    stays, below the pairs that have not met."""

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"weight {item.name} must be a whole number of 0 or more, not {value!r}")
        if self.complementary_cap >= self.shared_sector:
            raise ValueError(
                f"complementary_cap ({self.complementary_cap}) must be less than shared_sector ({self.shared_sector}): "
                "a shared sector always weighs more than any complementarity"
            )

    def as_data(self) -> dict[str, int]:
        return {item.name: getattr(self, item.name) for item in fields(self)}


WEIGHTS = Weights()
"""The weights the plan, the leads and the site use."""


class MatchError(ValueError):
    """The request cannot be planned (an unknown or overlapping territory, a bad number)."""


# -- reasons -------------------------------------------------------------------------------------

SHARED_SECTORS = "shared-sectors"
SHARED_PRINCIPLES = "shared-principles"
COMPLEMENTARY = "complementary"
COOPERATED = "cooperated"

NO_CANDIDATES = "no-candidates"
ONLY_COOPERATED = "only-cooperated"
MET_ALL = "met-all"
OTHERS_FULL = "others-full"
EMPTY_SIDE = "empty-side"

NO_CLUSTERS = "no-clusters"
NO_AFFINITY = "no-affinity"


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _lower_first(text: str) -> str:
    """'A shared vision' -> 'a shared vision'; an acronym ('EU ...') stays as it is."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _name(kb: KnowledgeBase, folder: str, record_id: str) -> str:
    entry = kb.of_kind(folder).get(record_id)
    return entry.name if entry is not None else record_id


@dataclass(frozen=True)
class Reason:
    """One thing that counts in a pair's affinity, or why a plan is empty: a code and the ids it names.

    Codes: ``shared-sectors`` (ids: sectors), ``shared-principles`` (decalogue ids),
    ``complementary`` (the first cluster's sector, the second's), ``cooperated`` (the editions whose
    follow-ups name both); for an empty plan ``no-clusters`` (the side's territories) and
    ``no-affinity`` (host, then invited territories).
    """

    code: str
    ids: tuple[str, ...]
    points: int = 0
    """What it adds to the affinity (negative for ``cooperated``; 0 for a plan's reason)."""

    def english(self, kb: KnowledgeBase) -> str:
        if self.code == SHARED_SECTORS:
            return "both " + _and([_name(kb, "sectors", s) for s in self.ids])
        if self.code == SHARED_PRINCIPLES:
            return "both practise " + _and([_lower_first(_name(kb, "decalogue", p)) for p in self.ids])
        if self.code == COMPLEMENTARY:
            first, second = self.ids
            return f"complementary: {_name(kb, 'sectors', first)} and {_name(kb, 'sectors', second)}"
        if self.code == COOPERATED:
            return "already cooperated (a follow-up of " + _and([_name(kb, "editions", e) for e in self.ids]) + ")"
        if self.code == NO_CLUSTERS:
            return "no cluster is based in " + _and([_name(kb, "territories", t) for t in self.ids]) + " or its sub-territories"
        if self.code == NO_AFFINITY:
            host, *invited = self.ids
            guests = _and([_name(kb, "territories", t) for t in invited])
            return (
                f"no cluster of {_name(kb, 'territories', host)} shares a sector, a decalogue principle or a complementary "
                f"sector with a cluster of {guests} (pairs that already cooperated left aside)"
            )
        raise ValueError(f"unknown reason code {self.code!r}")

    def as_data(self, kb: KnowledgeBase | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "ids": list(self.ids), "points": self.points}
        if kb is not None:
            data["text"] = self.english(kb)
        return data


@dataclass(frozen=True)
class Affinity:
    """A pair's affinity and what makes it up (its reasons' points add up to ``score``)."""

    score: int
    reasons: tuple[Reason, ...]

    def english(self, kb: KnowledgeBase) -> str:
        return "; ".join(reason.english(kb) for reason in self.reasons)


@dataclass(frozen=True)
class Shortfall:
    """Why a cluster has fewer meetings than it could have."""

    cluster: str
    side: str
    """``host`` or ``invited``."""
    meetings: int
    per_cluster: int
    code: str
    """``no-candidates``: nobody on the other side shares anything with it; ``only-cooperated``: the
    only ones that do already cooperated with it; ``met-all``: it meets every one that does;
    ``others-full``: the ones that do and that it does not meet are full; ``empty-side``: the other
    side has no clusters."""
    candidates: tuple[str, ...] = ()
    """Clusters of the other side with a positive affinity with it."""
    full: tuple[str, ...] = ()
    """Candidates it does not meet: each has ``per_cluster`` meetings already."""
    cooperated: tuple[str, ...] = ()
    """Clusters of the other side that share something with it but already cooperated with it."""

    def english(self, kb: KnowledgeBase) -> str:
        names = [_name(kb, "clusters", c) for c in self.full]
        if self.code == EMPTY_SIDE:
            return "no cluster is based on the other side"
        if self.code == NO_CANDIDATES:
            return "no cluster on the other side shares a sector, a decalogue principle or a complementary sector with it"
        if self.code == ONLY_COOPERATED:
            who = _and([_name(kb, "clusters", c) for c in self.cooperated])
            verb = "has" if len(self.cooperated) == 1 else "have"
            return f"the only clusters on the other side that share something with it ({who}) {verb} already cooperated with it"
        if self.code == MET_ALL:
            count = len(self.candidates)
            if count == 1:
                text = "only 1 cluster on the other side shares something with it, and it meets it"
            else:
                text = f"only {count} clusters on the other side share something with it, and it meets all of them"
        elif self.code == OTHERS_FULL:
            each = f"{self.per_cluster} meeting{'' if self.per_cluster == 1 else 's'} each"
            one = len(names) == 1
            if self.meetings:
                total = len(self.candidates)
                text = (
                    f"it meets {self.meetings} of the {total} clusters on the other side that share something with it; "
                    f"{'the other one' if one else 'the others'} ({_and(names)}) {'is' if one else 'are'} full ({each})"
                )
            else:
                text = (
                    f"{'the cluster' if one else 'the clusters'} on the other side that {'shares' if one else 'share'} "
                    f"something with it ({_and(names)}) {'is' if one else 'are'} full ({each})"
                )
        else:
            raise ValueError(f"unknown shortfall code {self.code!r}")
        if self.cooperated:
            who = _and([_name(kb, "clusters", c) for c in self.cooperated])
            text += f"; {who} already cooperated with it"
        return text

    def as_data(self, kb: KnowledgeBase | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {"cluster": self.cluster, "meetings": self.meetings}
        if kb is not None:
            data["why"] = self.english(kb)
            data["name"] = _name(kb, "clusters", self.cluster)
        data.update(
            side=self.side,
            code=self.code,
            candidates=list(self.candidates),
            full=list(self.full),
            cooperated=list(self.cooperated),
        )
        return data


# -- the index: profiles, affinity, leads --------------------------------------------------------


@dataclass(frozen=True)
class Lead:
    """A cooperation lead: a cluster in another country, its affinity and why."""

    cluster: str
    affinity: int
    reasons: tuple[Reason, ...]

    def as_data(self, kb: KnowledgeBase | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {"cluster": self.cluster, "affinity": self.affinity}
        if kb is not None:
            data["name"] = _name(kb, "clusters", self.cluster)
            data["text"] = "; ".join(reason.english(kb) for reason in self.reasons)
        data["reasons"] = [reason.as_data(kb) for reason in self.reasons]
        return data


@dataclass
class _Group:
    """The clusters with one set of sectors, in buckets by their set of principles."""

    sectors: frozenset[str]
    buckets: list[tuple[int, int, tuple[str, ...]]] = field(default_factory=list)
    """``(principles mask, its size, cluster ids in name order)``, largest principle sets first."""


class MatchIndex:
    """A knowledge base's clusters as profiles, with the affinity of any pair and the leads of one.

    Built once per knowledge base (see :func:`index_for`); it reads the knowledge base and never
    changes it.
    """

    def __init__(self, kb: KnowledgeBase, weights: Weights = WEIGHTS) -> None:
        self.kb = kb
        self.weights = weights
        sector_ids = sorted(kb.sectors, key=lambda s: (kb.sectors[s].name.casefold(), s))
        self.sector_order = {sid: i for i, sid in enumerate(sector_ids)}
        principle_ids = sorted(kb.decalogue, key=lambda p: (kb.decalogue[p].record.number, p))
        self.principle_order = {pid: i for i, pid in enumerate(principle_ids)}
        complements: dict[str, set[str]] = defaultdict(set)
        for entry in kb.sectors.values():
            for other in entry.record.complements:
                if other != entry.id:
                    complements[entry.id].add(other)
                    complements[other].add(entry.id)
        self.complements = {sid: frozenset(others) for sid, others in complements.items()}
        self.sectors_of: dict[str, frozenset[str]] = {}
        self.principles_of: dict[str, frozenset[str]] = {}
        self.principle_mask: dict[str, int] = {}
        for cid, entry in kb.clusters.items():
            self.sectors_of[cid] = frozenset(entry.record.sectors)
            principles = frozenset(p for practice in entry.record.practices for p in practice.principles)
            self.principles_of[cid] = principles
            self.principle_mask[cid] = sum(1 << self._principle_bit(p) for p in principles)
        ranked = sorted(kb.clusters.values(), key=lambda e: (e.name.casefold(), e.id))
        self.rank = {entry.id: i for i, entry in enumerate(ranked)}
        self._sector_cache: dict[tuple[frozenset[str], frozenset[str]], tuple[int, Reason | None, tuple[Reason, ...]]] = {}
        self._principle_cache: dict[int, Reason] = {}
        self._cooperation: dict[int | None, dict[str, dict[str, tuple[str, ...]]]] = {}
        self._related: dict[str, frozenset[str]] = {}
        self._groups: list[_Group] | None = None
        self._rankings: dict[tuple[frozenset[str], int], list[tuple[int, int, _Group]]] = {}

    def _principle_bit(self, pid: str) -> int:
        if pid not in self.principle_order:  # not in the decalogue (only in unvalidated data)
            self.principle_order[pid] = len(self.principle_order)
        return self.principle_order[pid]

    # -- cooperation ---------------------------------------------------------------------------

    def cooperation(self, before: str | None = None) -> dict[str, dict[str, tuple[str, ...]]]:
        """Per cluster, the clusters it was named with in one follow-up, and the editions recording it.

        ``before``: only editions earlier than that edition (in the order of
        :meth:`KnowledgeBase.editions_by_year`) count; ``None``: every edition.
        """
        editions = self.kb.editions_by_year()
        cutoff: int | None = None
        if before is not None:
            cutoff = next((i for i, e in enumerate(editions) if e.id == before), len(editions))
        if cutoff not in self._cooperation:
            table: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
            for entry in editions[:cutoff]:
                for follow_up in entry.record.follow_ups:
                    named = sorted(set(follow_up.clusters))
                    for a in named:
                        for b in named:
                            if a != b and entry.id not in table[a][b]:
                                table[a][b].append(entry.id)
            self._cooperation[cutoff] = {a: {b: tuple(e) for b, e in sorted(row.items())} for a, row in sorted(table.items())}
        return self._cooperation[cutoff]

    # -- affinity ------------------------------------------------------------------------------

    def _complementary_pairs(self, first: frozenset[str], second: frozenset[str]) -> list[tuple[str, str]]:
        """``(first's sector, second's sector)`` complementary pairs, except pairs of two shared sectors."""
        shared = first & second
        pairs = []
        for s in first:
            for t in self.complements.get(s, ()):
                if t in second and t != s and not (s in shared and t in shared):
                    pairs.append((s, t))
        order = self.sector_order
        return sorted(pairs, key=lambda p: (order.get(p[0], len(order)), order.get(p[1], len(order)), p))

    def _sector_reasons(self, first: frozenset[str], second: frozenset[str]) -> tuple[int, Reason | None, tuple[Reason, ...]]:
        """The sectors' share of a pair's affinity (shared sectors, capped complementarity), kept per pair of sets."""
        key = (first, second)
        found = self._sector_cache.get(key)
        if found is None:
            w = self.weights
            order = self.sector_order
            shared = sorted(first & second, key=lambda s: (order.get(s, len(order)), s))
            shared_reason = Reason(SHARED_SECTORS, tuple(shared), w.shared_sector * len(shared)) if shared else None
            left = w.complementary_cap
            complementary = []
            for pair in self._complementary_pairs(first, second):
                points = min(w.complementary, left)
                left -= points
                complementary.append(Reason(COMPLEMENTARY, pair, points))
            points = w.shared_sector * len(shared) + sum(r.points for r in complementary)
            found = self._sector_cache[key] = (points, shared_reason, tuple(complementary))
        return found

    def sector_points(self, first: frozenset[str], second: frozenset[str]) -> int:
        """Shared sectors and (capped) complementarity: the sectors' share of a pair's affinity."""
        return self._sector_reasons(first, second)[0]

    def _principle_reason(self, mask: int) -> Reason | None:
        found = self._principle_cache.get(mask)
        if found is None and mask:
            ids = [pid for pid, bit in self.principle_order.items() if mask >> bit & 1]
            ids.sort(key=self.principle_order.__getitem__)
            found = self._principle_cache[mask] = Reason(SHARED_PRINCIPLES, tuple(ids), self.weights.shared_principle * len(ids))
        return found

    def affinity(self, first: str, second: str, cooperated: Iterable[str] = ()) -> Affinity:
        """The affinity of two clusters and its reasons (``cooperated``: editions recording that they did).

        This is the definition; :meth:`pair_matrix` computes the same numbers for many pairs at once.
        """
        points, shared, complementary = self._sector_reasons(self.sectors_of[first], self.sectors_of[second])
        principles = self._principle_reason(self.principle_mask[first] & self.principle_mask[second])
        reasons = [r for r in (shared, principles) if r is not None]
        reasons.extend(complementary)
        score = points + (principles.points if principles else 0)
        editions = tuple(dict.fromkeys(cooperated))
        if editions and score > 0:
            reasons.append(Reason(COOPERATED, editions, -self.weights.cooperated))
            score -= self.weights.cooperated
        return Affinity(score, tuple(reasons))

    def shares_something(self, first: str, second: str) -> bool:
        return bool(
            self.sectors_of[first] & self.sectors_of[second]
            or self.principle_mask[first] & self.principle_mask[second]
            or self._complementary_pairs(self.sectors_of[first], self.sectors_of[second])
        )

    def pair_matrix(
        self, rows: Sequence[str], cols: Sequence[str], cooperation: dict[str, dict[str, tuple[str, ...]]] | None = None
    ) -> np.ndarray:
        """The affinity of every ``(row, col)`` pair at once, as integers (the same definition, vectorised)."""
        import numpy as np
        w = self.weights
        sectors = {sid: i for i, sid in enumerate(self.sector_order)}
        for cid in (*rows, *cols):
            for sid in self.sectors_of[cid]:
                sectors.setdefault(sid, len(sectors))
        for cid in (*rows, *cols):
            for pid in self.principles_of[cid]:
                self._principle_bit(pid)

        def indicator(ids: Sequence[str], of: dict[str, frozenset[str]], index: dict[str, int], width: int) -> np.ndarray:
            matrix = np.zeros((len(ids), width), dtype=np.int64)
            for i, cid in enumerate(ids):
                for item in of[cid]:
                    matrix[i, index[item]] = 1
            return matrix

        a = indicator(rows, self.sectors_of, sectors, len(sectors))
        b = indicator(cols, self.sectors_of, sectors, len(sectors))
        p = indicator(rows, self.principles_of, self.principle_order, len(self.principle_order))
        q = indicator(cols, self.principles_of, self.principle_order, len(self.principle_order))
        result = w.shared_sector * (a @ b.T) + w.shared_principle * (p @ q.T)
        links = sorted(
            {
                tuple(sorted((sectors[s], sectors[t])))
                for s, others in self.complements.items()
                for t in others
                if s in sectors and t in sectors
            }
        )
        if links:
            comp = np.zeros((len(sectors), len(sectors)), dtype=np.int64)
            for s, t in links:
                comp[s, t] = comp[t, s] = 1
            both_a = np.stack([a[:, s] * a[:, t] for s, t in links], axis=1)
            both_b = np.stack([b[:, s] * b[:, t] for s, t in links], axis=1)
            count = a @ comp @ b.T - 2 * (both_a @ both_b.T)
            result += np.minimum(w.complementary_cap, w.complementary * count)
        if cooperation:
            col_index = {cid: j for j, cid in enumerate(cols)}
            for i, cid in enumerate(rows):
                for other in cooperation.get(cid, {}):
                    j = col_index.get(other)
                    if j is not None and result[i, j] > 0:
                        result[i, j] -= w.cooperated
        return result

    # -- leads ---------------------------------------------------------------------------------

    def related_territories(self, territory_id: str) -> frozenset[str]:
        """The territory's country (its outermost territory) and everything in it: a lead is based in
        none of them. Leads look across borders, as the meeting does: a Caldas cluster's leads are in
        Catalonia or Norway, not in Bogotá."""
        found = self._related.get(territory_id)
        if found is None:
            kb = self.kb
            ids = {territory_id}
            if territory_id in kb.territories:
                chain = kb.ancestors(territory_id)
                country = chain[0].id if chain else territory_id
                ids.add(country)
                ids.update(kb.descendants(country))
            found = self._related[territory_id] = frozenset(ids)
        return found

    def _group_list(self) -> list[_Group]:
        if self._groups is None:
            by_profile: dict[frozenset[str], dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
            for cid in sorted(self.kb.clusters, key=self.rank.__getitem__):
                by_profile[self.sectors_of[cid]][self.principle_mask[cid]].append(cid)
            groups = []
            for sectors in sorted(by_profile, key=lambda s: sorted(s)):
                buckets = sorted(
                    ((mask, mask.bit_count(), tuple(members)) for mask, members in by_profile[sectors].items()),
                    key=lambda b: (-b[1], b[0]),
                )
                groups.append(_Group(sectors, buckets))
            self._groups = groups
        return self._groups

    def _ranked_groups(self, sectors: frozenset[str], principles: int) -> list[tuple[int, int, _Group]]:
        """``(best possible score, sector points, group)`` for a cluster with these sectors and this many
        principles, best first; groups that cannot score above 0 are left out. Kept per key."""
        key = (sectors, principles)
        ranked = self._rankings.get(key)
        if ranked is None:
            ranked = []
            for group in self._group_list():
                base = self.sector_points(sectors, group.sectors)
                top = base + self.weights.shared_principle * min(principles, group.buckets[0][1])
                if top > 0:
                    ranked.append((top, base, group))
            ranked.sort(key=lambda item: -item[0])
            self._rankings[key] = ranked
        return ranked

    def leads(self, cluster_id: str, limit: int = 8) -> list[Lead]:
        """The ``limit`` clusters of other countries with the highest positive affinity, then by name and id.

        Only candidates that share something are scored: clusters are grouped by their set of
        sectors and, within a group, by their set of principles, so one affinity is worked out
        per group and bucket, not per cluster, and groups and buckets that cannot beat the
        ``limit`` found so far are skipped.
        """
        if limit <= 0:
            return []
        kb = self.kb
        w = self.weights
        me = kb.clusters[cluster_id].record
        related = self.related_territories(me.territory)
        cooperation = self.cooperation().get(cluster_id, {})
        sectors, mask = self.sectors_of[cluster_id], self.principle_mask[cluster_id]
        my_principles = mask.bit_count()
        rank = self.rank
        clusters = kb.clusters
        worst: list[tuple[int, int, str]] = []  # a heap of (score, -rank, id): the worst kept on top

        def offer(score: int, cid: str) -> bool:
            """Keep ``cid`` if it is among the best so far; False when it ranks after the worst kept."""
            key = (score, -rank[cid], cid)
            if len(worst) < limit:
                heapq.heappush(worst, key)
                return True
            if key > worst[0]:
                heapq.heapreplace(worst, key)
                return True
            return False

        for other in cooperation:
            if other in clusters and clusters[other].record.territory not in related:
                score = self.affinity(cluster_id, other, cooperation[other]).score
                if score > 0:
                    offer(score, other)
        for top, base, group in self._ranked_groups(sectors, my_principles):
            if len(worst) == limit and top < worst[0][0]:
                break
            for bucket_mask, size, members in group.buckets:
                best_possible = base + w.shared_principle * min(size, my_principles)
                if len(worst) == limit and best_possible < worst[0][0]:
                    break  # buckets come largest principle sets first
                score = base + w.shared_principle * (mask & bucket_mask).bit_count()
                if score <= 0 or (len(worst) == limit and score < worst[0][0]):
                    continue
                for cid in members:
                    if cid in cooperation or clusters[cid].record.territory in related:
                        continue
                    if not offer(score, cid):
                        break  # the rest of the bucket has the same score and comes later by name
        chosen = sorted(worst, key=lambda key: (-key[0], -key[1]))
        result = []
        for _, _, cid in chosen:
            found = self.affinity(cluster_id, cid, cooperation.get(cid, ()))
            result.append(Lead(cid, found.score, found.reasons))
        return result


def profile_key(kb: KnowledgeBase) -> int:
    """A fingerprint of everything matchmaking reads (names, territories, sectors and complements,
    practices' principles, editions and their follow-ups), and of the language each name is written
    in (a lead shows names marked with their language): two knowledge bases with the same key give
    the same leads and plans, so a preview rebuild after a text edit can keep them."""
    clusters = tuple(
        (
            cid,
            e.record.name,
            e.record.language,
            e.record.territory,
            tuple(e.record.sectors),
            tuple(p for pr in e.record.practices for p in pr.principles),
        )
        for cid, e in sorted(kb.clusters.items())
    )
    sectors = tuple(
        (sid, e.record.name, e.record.language, tuple(e.record.complements)) for sid, e in sorted(kb.sectors.items())
    )
    territories = tuple((tid, e.record.name, e.record.language, e.record.parent) for tid, e in sorted(kb.territories.items()))
    editions = tuple(
        (
            eid,
            e.record.name,
            e.record.language,
            e.record.year,
            e.record.start,
            e.record.host,
            tuple(e.record.invited),
            tuple(tuple(f.clusters) for f in e.record.follow_ups),
        )
        for eid, e in sorted(kb.editions.items())
    )
    principles = tuple((pid, e.record.name, e.record.language, e.record.number) for pid, e in sorted(kb.decalogue.items()))
    return hash((clusters, sectors, territories, editions, principles))


def index_for(kb: KnowledgeBase, weights: Weights = WEIGHTS) -> MatchIndex:
    """The :class:`MatchIndex` of ``kb`` with ``weights``, built on first use and kept on that instance."""
    return kb.derive("matchmaking", weights, lambda: MatchIndex(kb, weights))


def affinity(kb: KnowledgeBase, first: str, second: str, *, before: str | None = None, weights: Weights = WEIGHTS) -> Affinity:
    """The affinity of two clusters; cooperation counts from the editions before ``before`` (all when None)."""
    index = index_for(kb, weights)
    return index.affinity(first, second, index.cooperation(before).get(first, {}).get(second, ()))


def leads(kb: KnowledgeBase, cluster_id: str, limit: int = 8, *, weights: Weights = WEIGHTS) -> list[Lead]:
    """Cooperation leads for one cluster: see :meth:`MatchIndex.leads`. Kept on the knowledge base."""
    found = kb.derive("leads", (cluster_id, limit, weights), lambda: tuple(index_for(kb, weights).leads(cluster_id, limit)))
    return list(found)


def leads_data(kb: KnowledgeBase, cluster_id: str, limit: int = 8, *, weights: Weights = WEIGHTS) -> list[dict[str, Any]]:
    """:func:`leads` as plain data (ids, numbers, reason codes, and their English text)."""
    return [lead.as_data(kb) for lead in leads(kb, cluster_id, limit, weights=weights)]


# -- the solver ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proof:
    """The certificate that a plan is optimal, checked in exact integer arithmetic."""

    optimal: bool
    status: str
    meetings: int
    affinity: int
    cut_capacity: int
    """A minimum cut of the flow network: no plan has more meetings than this."""
    affinity_bound: int
    """The value of a feasible solution of the LP dual: no plan with that many meetings has more affinity."""
    pairs: int
    """Candidate pairs (positive affinity)."""
    phases: int
    method: str = "min-cost flow, primal-dual (scipy.sparse.csgraph dijkstra and maximum_flow)"

    def as_data(self) -> dict[str, Any]:
        return {item.name: getattr(self, item.name) for item in fields(self)}


def _trivial_proof(pairs: int = 0) -> Proof:
    return Proof(True, "optimal: no candidate pairs", 0, 0, 0, 0, pairs, 0)


def solve_b_matching(
    left: np.ndarray | Sequence[int],
    right: np.ndarray | Sequence[int],
    weight: np.ndarray | Sequence[int],
    n_left: int,
    n_right: int,
    capacity: int | Sequence[int] | np.ndarray,
    capacity_right: int | Sequence[int] | np.ndarray | None = None,
) -> tuple[np.ndarray, Proof]:
    """The most pairs, then the most total weight, each vertex in at most ``capacity`` pairs.

    ``left[e]``, ``right[e]``, ``weight[e]``: pair ``e`` between left vertex ``left[e]`` and right
    vertex ``right[e]`` (each pair at most once; weights positive integers). Returns a boolean
    array marking the chosen pairs and the :class:`Proof`. Deterministic: the same input in the
    same order always gives the same answer.

    The primal-dual min-cost flow method on the network source -> left (capacity) -> right (1
    per pair, cost -weight) -> sink (capacity): node potentials keep every residual arc's reduced
    cost non-negative; each phase finds the shortest distances with Dijkstra, moves the
    potentials, and augments a maximum flow along the arcs whose reduced cost is zero. When the
    sink can no longer be reached the flow is maximum and of minimum cost for its value.

    Ties (plans with as many meetings and as much affinity) are settled by the input order, which
    :func:`plan_meetings` makes the order of cluster ids: every step is deterministic (no random
    choice, no hash order). A tie-break term added to the weights would keep the optimum but make
    nearly every augmenting path's cost distinct, one phase per meeting: at 1,000 x 1,000 it took
    2,500 phases and 50 s instead of 34 phases and under 1 s.
    """
    import numpy as np
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import dijkstra, maximum_flow

    ii = np.asarray(left, dtype=np.int64)
    jj = np.asarray(right, dtype=np.int64)
    w = np.asarray(weight, dtype=np.int64)
    cap_l = np.broadcast_to(np.asarray(capacity, dtype=np.int64), (n_left,)).copy()
    cap_r = np.broadcast_to(np.asarray(capacity if capacity_right is None else capacity_right, dtype=np.int64), (n_right,)).copy()
    edges = len(w)
    if not (len(ii) == len(jj) == edges):
        raise ValueError("left, right and weight must have the same length")
    if edges and (w.min() <= 0 or ii.min() < 0 or jj.min() < 0 or ii.max() >= n_left or jj.max() >= n_right):
        raise ValueError("pairs need positive weights and vertices in range")
    if (cap_l < 0).any() or (cap_r < 0).any():
        raise ValueError("capacities cannot be negative")
    keys = np.sort(ii * n_right + jj)
    if edges and bool((keys[1:] == keys[:-1]).any()):
        raise ValueError("a pair is given twice")
    used = np.zeros(edges, dtype=bool)
    if edges == 0:
        return used, _trivial_proof()
    if int(w.max()) * 2 * (n_left + n_right + 2) >= 2**52:  # distances and potentials stay exact in float64
        raise ValueError("weights too large for exact arithmetic")

    nodes = n_left + n_right + 2
    source, sink = 0, nodes - 1
    tail_l = 1 + ii
    head_r = 1 + n_left + jj
    lefts = np.arange(n_left)
    rights = np.arange(n_right)
    # Initial potentials: the shortest distances of the acyclic network with no flow.
    potential = np.zeros(nodes, dtype=np.int64)
    best = np.zeros(n_right, dtype=np.int64)
    np.minimum.at(best, jj, -w)
    potential[1 + n_left : 1 + n_left + n_right] = best
    potential[sink] = min(0, int(best.min())) if n_right else 0

    def residual() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
        deg_l = np.bincount(ii[used], minlength=n_left)
        deg_r = np.bincount(jj[used], minlength=n_right)
        s_out = lefts[deg_l < cap_l]
        s_in = lefts[deg_l > 0]
        t_in = rights[deg_r < cap_r]
        t_out = rights[deg_r > 0]
        tails = np.concatenate(
            [
                np.zeros(len(s_out), np.int64),
                1 + s_in,
                np.where(used, head_r, tail_l),
                1 + n_left + t_in,
                np.full(len(t_out), sink),
            ]
        )
        heads = np.concatenate(
            [
                1 + s_out,
                np.zeros(len(s_in), np.int64),
                np.where(used, tail_l, head_r),
                np.full(len(t_in), sink),
                1 + n_left + t_out,
            ]
        )
        costs = np.concatenate(
            [np.zeros(len(s_out) + len(s_in), np.int64), np.where(used, w, -w), np.zeros(len(t_in) + len(t_out), np.int64)]
        )
        room = np.concatenate(
            [cap_l[s_out] - deg_l[s_out], deg_l[s_in], np.ones(edges, np.int64), cap_r[t_in] - deg_r[t_in], deg_r[t_out]]
        )
        return tails, heads, costs, room, len(s_out) + len(s_in)

    phases = 0
    limit = 4 * (edges + nodes) + 10
    distance = np.zeros(nodes)
    while phases < limit:
        phases += 1
        tails, heads, costs, room, offset = residual()
        reduced = costs + potential[tails] - potential[heads]
        if reduced.min() < 0:  # cannot happen; never silently wrong
            return used, _failed(used, w, "negative reduced cost", edges, phases)
        graph = csr_array((reduced.astype(np.float64), (tails, heads)), shape=(nodes, nodes))
        distance = dijkstra(graph, directed=True, indices=source)
        if not np.isfinite(distance[sink]):
            break
        to_sink = distance[sink]
        potential = potential + np.where(np.isfinite(distance), np.minimum(distance, to_sink), to_sink).astype(np.int64)
        reduced = costs + potential[tails] - potential[heads]
        tight = reduced == 0
        flow_graph = csr_array((room[tight].astype(np.int32), (tails[tight], heads[tight])), shape=(nodes, nodes))
        flow = maximum_flow(flow_graph, source, sink).flow
        pair_arcs = np.flatnonzero(tight[offset : offset + edges])
        moved = np.asarray(flow[tails[offset + pair_arcs], heads[offset + pair_arcs]]).ravel() > 0
        used[pair_arcs[moved]] = ~used[pair_arcs[moved]]
    else:
        return used, _failed(used, w, "no convergence", edges, phases)

    # The certificate, in integers.
    deg_l = np.bincount(ii[used], minlength=n_left)
    deg_r = np.bincount(jj[used], minlength=n_right)
    meetings = int(used.sum())
    total = int(w[used].sum())
    problems = []
    if (deg_l > cap_l).any() or (deg_r > cap_r).any():
        problems.append("a capacity is exceeded")
    reach = np.isfinite(distance)
    reach_l, reach_r = reach[1 : 1 + n_left], reach[1 + n_left : 1 + n_left + n_right]
    cut = int(cap_l[~reach_l].sum()) + int((reach_l[ii] & ~reach_r[jj]).sum()) + int(cap_r[reach_r].sum())
    if cut != meetings:
        problems.append(f"the cut ({cut}) differs from the number of meetings ({meetings})")
    tails, heads, costs, room, _ = residual()
    if (costs + potential[tails] - potential[heads]).min() < 0:
        problems.append("a residual arc has a negative reduced cost")
    y_l = np.maximum(0, potential[1 : 1 + n_left] - potential[source])
    y_r = np.maximum(0, potential[sink] - potential[1 + n_left : 1 + n_left + n_right])
    shift = int(potential[source] - potential[sink])
    slack = np.maximum(0, w - y_l[ii] - y_r[jj] - shift)
    bound = int((cap_l * y_l).sum()) + int((cap_r * y_r).sum()) + shift * meetings + int(slack.sum())
    if bound != total:
        problems.append(f"the dual bound ({bound}) differs from the total weight ({total})")
    status = "optimal: maximum flow (cut = meetings), minimum cost (dual bound = affinity)"
    proof = Proof(not problems, "; ".join(problems) or status, meetings, total, cut, bound, edges, phases)
    return used, proof


def _failed(used: np.ndarray, w: np.ndarray, why: str, edges: int, phases: int) -> Proof:
    return Proof(False, f"not proven: {why}", int(used.sum()), int(w[used].sum()), -1, -1, edges, phases)


def greedy_b_matching(
    left: np.ndarray | Sequence[int],
    right: np.ndarray | Sequence[int],
    weight: np.ndarray | Sequence[int],
    n_left: int,
    n_right: int,
    capacity: int,
) -> np.ndarray:
    """The comparison line only: take pairs by descending weight while both have room. Not optimal."""
    import numpy as np
    ii = np.asarray(left, dtype=np.int64)
    jj = np.asarray(right, dtype=np.int64)
    w = np.asarray(weight, dtype=np.int64)
    order = np.lexsort((jj, ii, -w))
    room_l = [capacity] * n_left
    room_r = [capacity] * n_right
    used = np.zeros(len(w), dtype=bool)
    for e in order.tolist():
        a, b = int(ii[e]), int(jj[e])
        if room_l[a] and room_r[b]:
            room_l[a] -= 1
            room_r[b] -= 1
            used[e] = True
    return used


# -- the timetable -------------------------------------------------------------------------------


def edge_colouring(pairs: Sequence[tuple[int, int]], *, balance: bool = True) -> list[int]:
    """A slot (0-based) for each ``(left, right)`` pair: no vertex twice in one slot, max-degree slots.

    König's theorem: a bipartite multigraph's edges can be coloured with as many colours as its
    largest degree. Each pair takes a colour free at both ends; when the colour ``a`` free at the
    left end is used at the right end (where ``b`` is free), the ``a``/``b`` alternating path from
    the right end is recoloured, which frees ``a`` there (the path cannot reach the left end in a
    bipartite graph). ``balance`` then evens the slots out, swapping the colours of alternating
    paths with one edge more of the fuller colour, until slot sizes differ by at most one.
    """
    if not pairs:
        return []
    degree: dict[tuple[int, int], int] = defaultdict(int)
    for a, b in pairs:
        degree[(0, a)] += 1
        degree[(1, b)] += 1
    colours = max(degree.values())
    at: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)  # vertex -> colour -> edge
    colour = [-1] * len(pairs)
    ends = [((0, a), (1, b)) for a, b in pairs]

    def other(e: int, v: tuple[int, int]) -> tuple[int, int]:
        first, second = ends[e]
        return second if v == first else first

    for e, (u, v) in enumerate(ends):
        a = next(c for c in range(colours) if c not in at[u])
        b = next(c for c in range(colours) if c not in at[v])
        if a in at[v]:
            # Walk the a/b path from v, then swap its colours.
            path = []
            x, c = v, a
            while c in at[x]:
                edge = at[x][c]
                path.append(edge)
                x = other(edge, x)
                c = b if c == a else a
            for edge in path:
                for end in ends[edge]:
                    if at[end].get(colour[edge]) == edge:
                        del at[end][colour[edge]]
            for edge in path:
                colour[edge] = b if colour[edge] == a else a
                for end in ends[edge]:
                    at[end][colour[edge]] = edge
        colour[e] = a
        at[u][a] = e
        at[v][a] = e
    if balance:
        _balance(colour, ends, at, colours)
    return colour


def _balance(
    colour: list[int], ends: list[tuple[tuple[int, int], tuple[int, int]]], at: dict[Any, dict[int, int]], colours: int
) -> None:
    """Even the colour classes out: swap alternating paths with one edge more of the fuller colour."""
    sizes = [0] * colours
    for c in colour:
        sizes[c] += 1
    while True:
        big = max(range(colours), key=lambda c: (sizes[c], -c))
        small = min(range(colours), key=lambda c: (sizes[c], c))
        if sizes[big] - sizes[small] <= 1:
            return
        before = sizes[big]
        seen: set[int] = set()
        for start in range(len(colour)):
            if sizes[big] - sizes[small] <= 1:
                break
            if colour[start] != big or start in seen:
                continue
            component = [start]
            seen.add(start)
            open_ends = 0  # ends of the component whose last edge has the big colour
            for end in ends[start]:
                x, wanted = end, small
                while True:
                    nxt = at[x].get(wanted)
                    if nxt is None:
                        open_ends += wanted == small
                        break
                    if nxt in seen:
                        break  # back at the start: an even cycle
                    seen.add(nxt)
                    component.append(nxt)
                    x = ends[nxt][1] if ends[nxt][0] == x else ends[nxt][0]
                    wanted = big if wanted == small else small
            count_big = sum(1 for e in component if colour[e] == big)
            if open_ends == 2 and 2 * count_big == len(component) + 1:
                for e in component:
                    for end in ends[e]:
                        del at[end][colour[e]]
                for e in component:
                    colour[e] = small if colour[e] == big else big
                    for end in ends[e]:
                        at[end][colour[e]] = e
                sizes[big] -= 1
                sizes[small] += 1
        if sizes[big] == before:  # cannot happen (such a path always exists); stop rather than loop
            return


def slot_times(slot: int, start: time, minutes: int, day: date | None = None) -> tuple[datetime, datetime]:
    """When 1-based ``slot`` begins and ends, for slots of ``minutes`` from ``start`` (on ``day``)."""
    begin = datetime.combine(day or date(2000, 1, 1), start) + timedelta(minutes=minutes * (slot - 1))
    return begin, begin + timedelta(minutes=minutes)


# -- the plan ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Meeting:
    """One C2C meeting of the plan."""

    host: str
    invited: str
    affinity: int
    slot: int
    """1-based."""
    table: int
    """1-based, within the slot."""
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Plan:
    """The optimal meeting plan of an edition (or of a host and invited territories), with its timetable."""

    host: str
    invited: tuple[str, ...]
    edition: str | None
    per_cluster: int
    weights: Weights
    host_clusters: tuple[str, ...]
    invited_clusters: tuple[str, ...]
    meetings: tuple[Meeting, ...]
    """In slot order, then table order."""
    short: tuple[Shortfall, ...]
    slots: int
    tables: int
    proof: Proof
    why: Reason | None = None
    """Why there are no meetings at all, when there are none."""

    @property
    def optimal(self) -> bool:
        return self.proof.optimal

    @property
    def total_affinity(self) -> int:
        return sum(m.affinity for m in self.meetings)

    def meetings_per_slot(self) -> list[int]:
        counts = [0] * self.slots
        for meeting in self.meetings:
            counts[meeting.slot - 1] += 1
        return counts

    def meetings_of(self, cluster_id: str) -> list[Meeting]:
        return [m for m in self.meetings if cluster_id in (m.host, m.invited)]

    def as_data(
        self, kb: KnowledgeBase, *, start: time = time(9, 0), slot_minutes: int = 30, day: date | None = None
    ) -> dict[str, Any]:
        """Plain data (the ``cluster-kb match --format json`` document), with English text."""
        meetings = []
        for m in self.meetings:
            begin, end = slot_times(m.slot, start, slot_minutes, day)
            meetings.append(
                {
                    "host": m.host,
                    "invited": m.invited,
                    "affinity": m.affinity,
                    "slot": m.slot,
                    "reasons": [r.english(kb) for r in m.reasons],
                    "table": m.table,
                    "start": begin.strftime("%H:%M"),
                    "end": end.strftime("%H:%M"),
                    "host_name": _name(kb, "clusters", m.host),
                    "invited_name": _name(kb, "clusters", m.invited),
                    "reason_codes": [r.as_data() for r in m.reasons],
                }
            )
        return {
            "host": self.host,
            "invited": list(self.invited),
            "per_cluster": self.per_cluster,
            "optimal": self.optimal,
            "total_affinity": self.total_affinity,
            "slots": self.slots,
            "meetings": meetings,
            "short": [s.as_data(kb) for s in self.short],
            "why": self.why.english(kb) if self.why else None,
            "why_code": self.why.as_data() if self.why else None,
            "edition": self.edition,
            "tables": self.tables,
            "meetings_per_slot": self.meetings_per_slot(),
            "date": day.isoformat() if day else None,
            "start": start.strftime("%H:%M"),
            "slot_minutes": slot_minutes,
            "host_clusters": len(self.host_clusters),
            "invited_clusters": len(self.invited_clusters),
            "weights": self.weights.as_data(),
            "proof": self.proof.as_data(),
        }


def _territory(kb: KnowledgeBase, territory_id: str) -> None:
    if territory_id not in kb.territories:
        raise MatchError(f"unknown territory '{territory_id}'")


def sides(kb: KnowledgeBase, host: str, invited: Sequence[str]) -> tuple[list[str], list[str]]:
    """The host side's and the invited side's cluster ids (each sorted), from the territories' trees."""
    _territory(kb, host)
    if not invited:
        raise MatchError("give at least one invited territory")
    for tid in invited:
        _territory(kb, tid)
    if host in invited:
        raise MatchError(f"'{host}' is the host; a territory is either host or invited")
    host_tree = {host, *kb.descendants(host)}
    host_line = {e.id for e in kb.ancestors(host)}
    for tid in invited:
        if tid in host_tree:
            raise MatchError(f"invited territory '{tid}' is part of the host '{host}'; the two sides must not overlap")
        if tid in host_line:
            raise MatchError(f"invited territory '{tid}' contains the host '{host}'; the two sides must not overlap")
    host_ids = sorted(e.id for e in kb.clusters_in(host))
    invited_ids = sorted({e.id for tid in invited for e in kb.clusters_in(tid)})
    return host_ids, invited_ids


def plan_edition(
    kb: KnowledgeBase, edition_id: str, per_cluster: int = DEFAULT_PER_CLUSTER, *, weights: Weights = WEIGHTS
) -> Plan:
    """The plan of an edition: its host and invited territories; cooperation recorded at earlier editions counts."""
    if edition_id not in kb.editions:
        raise MatchError(f"unknown edition '{edition_id}'")
    record = kb.editions[edition_id].record
    return plan_meetings(kb, record.host, record.invited, per_cluster, edition=edition_id, weights=weights)


def plan_meetings(
    kb: KnowledgeBase,
    host: str,
    invited: Sequence[str],
    per_cluster: int = DEFAULT_PER_CLUSTER,
    *,
    edition: str | None = None,
    weights: Weights = WEIGHTS,
) -> Plan:
    """The optimal plan between the host's clusters and the invited territories' clusters, with its timetable.

    Cooperation recorded in follow-ups counts against a pair: of editions before ``edition`` when
    it is given, of every edition otherwise (a meeting being planned now).
    """
    import numpy as np
    if isinstance(per_cluster, bool) or not isinstance(per_cluster, int) or per_cluster < 1:
        raise MatchError(f"meetings per cluster must be 1 or more, not {per_cluster!r}")
    invited = tuple(dict.fromkeys(invited))
    host_ids, invited_ids = sides(kb, host, invited)
    index = index_for(kb, weights)
    cooperation = index.cooperation(edition)

    def empty(why: Reason, short: Iterable[Shortfall]) -> Plan:
        return Plan(
            host,
            invited,
            edition,
            per_cluster,
            weights,
            tuple(host_ids),
            tuple(invited_ids),
            (),
            tuple(short),
            0,
            0,
            _trivial_proof(),
            why,
        )

    if not host_ids or not invited_ids:
        lonely, side = (host_ids, "host") if host_ids else (invited_ids, "invited")
        why = Reason(NO_CLUSTERS, (host,) if not host_ids else invited)
        return empty(why, (Shortfall(c, side, 0, per_cluster, EMPTY_SIDE) for c in lonely))

    matrix = index.pair_matrix(host_ids, invited_ids, cooperation)
    ii, jj = np.nonzero(matrix > 0)
    weight = matrix[ii, jj]
    used, proof = solve_b_matching(ii, jj, weight, len(host_ids), len(invited_ids), per_cluster)
    chosen = np.flatnonzero(used)
    pairs = [(int(ii[e]), int(jj[e])) for e in chosen]
    slots = edge_colouring(pairs)
    rows: list[tuple[int, str, str, int, tuple[Reason, ...]]] = []
    for (i, j), slot in zip(pairs, slots, strict=True):
        a, b = host_ids[i], invited_ids[j]
        found = index.affinity(a, b, cooperation.get(a, {}).get(b, ()))
        if found.score != int(matrix[i, j]):  # the two forms of the definition disagree: a bug, never a wrong plan
            raise AssertionError(f"affinity of {a} and {b}: {found.score} != {int(matrix[i, j])}")
        rows.append((slot + 1, a, b, found.score, found.reasons))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    meetings = []
    table_of: dict[int, int] = defaultdict(int)
    for slot, a, b, score, reasons in rows:
        table_of[slot] += 1
        meetings.append(Meeting(a, b, score, slot, table_of[slot], reasons))
    slot_count = max(slots) + 1 if slots else 0
    short = _shortfalls(index, host_ids, invited_ids, matrix, used, ii, jj, per_cluster, cooperation)
    why = None if meetings else Reason(NO_AFFINITY, (host, *invited))
    return Plan(
        host,
        invited,
        edition,
        per_cluster,
        weights,
        tuple(host_ids),
        tuple(invited_ids),
        tuple(meetings),
        tuple(short),
        slot_count,
        max(table_of.values(), default=0),
        proof,
        why,
    )


def _shortfalls(
    index: MatchIndex,
    host_ids: list[str],
    invited_ids: list[str],
    matrix: np.ndarray,
    used: np.ndarray,
    ii: np.ndarray,
    jj: np.ndarray,
    per_cluster: int,
    cooperation: dict[str, dict[str, tuple[str, ...]]],
) -> list[Shortfall]:
    import numpy as np
    deg_h = np.bincount(ii[used], minlength=len(host_ids))
    deg_i = np.bincount(jj[used], minlength=len(invited_ids))
    met = {(int(a), int(b)) for a, b in zip(ii[used], jj[used], strict=True)}
    found = []
    for side, ids, others, degrees, other_degrees, rows in (
        ("host", host_ids, invited_ids, deg_h, deg_i, matrix),
        ("invited", invited_ids, host_ids, deg_i, deg_h, matrix.T),
    ):
        position = {cid: j for j, cid in enumerate(others)}
        for k in np.flatnonzero(degrees < per_cluster).tolist():
            cid = ids[k]
            candidates = np.flatnonzero(rows[k] > 0).tolist()
            partners = cooperation.get(cid, {})
            cooperated = tuple(
                other
                for other in partners
                if other in position and rows[k][position[other]] <= 0 and index.shares_something(cid, other)
            )
            if not candidates:
                code = ONLY_COOPERATED if cooperated else NO_CANDIDATES
                found.append(Shortfall(cid, side, int(degrees[k]), per_cluster, code, (), (), cooperated))
                continue
            unmet = [j for j in candidates if ((k, j) if side == "host" else (j, k)) not in met]
            if any(other_degrees[j] < per_cluster for j in unmet):  # impossible in a maximum plan
                raise AssertionError(f"{cid} and a candidate both have room: the plan is not maximum")
            code = OTHERS_FULL if unmet else MET_ALL
            found.append(
                Shortfall(
                    cid,
                    side,
                    int(degrees[k]),
                    per_cluster,
                    code,
                    tuple(others[j] for j in candidates),
                    tuple(others[j] for j in unmet),
                    cooperated,
                )
            )
    return found
