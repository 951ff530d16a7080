"""Intercluster matchmaking (issue 14): affinity, the exact plan, the timetable, reasons and leads.

Self-contained: every knowledge base here is written as YAML into tmp_path (and loaded the real
way) or built in code from records.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import random
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from cluster_kb.knowledge import KnowledgeBase, load_knowledge_base
from cluster_kb.knowledge import matchmaking as mm
from cluster_kb.knowledge.matchmaking import (
    WEIGHTS,
    MatchError,
    Weights,
    edge_colouring,
    greedy_b_matching,
    index_for,
    leads,
    leads_data,
    plan_edition,
    plan_meetings,
    solve_b_matching,
)
from cluster_kb.records.models import Cluster, Edition, Principle, Sector, Territory
from cluster_kb.records.validation import Entry
from cluster_kb.synth import write_knowledge_base
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

SOURCE = [{"title": "Test source"}]
ECOSYSTEM = {
    "agri-food": "Agri-food",
    "digital": "Digital",
    "health": "Health",
    "textiles": "Textiles",
    "retail": "Retail",
    "tourism": "Tourism",
}


# -- building knowledge bases ----------------------------------------------------------------------


def write_kb(root: Path, records: dict[str, dict[str, dict[str, Any]]]) -> Path:
    """Write ``{folder: {id: fields}}`` as record files (sources and synthetic added) and return root."""
    for folder, table in records.items():
        (root / folder).mkdir(parents=True, exist_ok=True)
        for record_id, data in table.items():
            data = {"synthetic": True, **data}
            data.setdefault("sources", SOURCE)
            (root / folder / f"{record_id}.yaml").write_text(
                yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8"
            )
    return root


def sector(record_id: str, complements: list[str] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"name": ECOSYSTEM[record_id], "ecosystem": ECOSYSTEM[record_id]}
    if complements:
        data["complements"] = complements
    return data


def cluster(name: str, territory: str, sectors: list[str], principles: list[str] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"name": name, "territory": territory, "sectors": sectors}
    if principles:
        data["practices"] = [{"title": "A practice", "summary": "What was done.", "principles": principles}]
    return data


BASE: dict[str, dict[str, dict[str, Any]]] = {
    "territories": {
        "hostland": {"name": "Hostland", "kind": "country"},
        "host-region": {"name": "Host Region", "kind": "region", "parent": "hostland"},
        "host-city": {"name": "Host City", "kind": "city", "parent": "host-region"},
        "host-other-region": {"name": "Host Other Region", "kind": "region", "parent": "hostland"},
        "guestland": {"name": "Guestland", "kind": "country"},
        "guest-city": {"name": "Guest City", "kind": "city", "parent": "guestland"},
        "farland": {"name": "Farland", "kind": "country"},
        "emptyland": {"name": "Emptyland", "kind": "country"},
    },
    "sectors": {
        "agri-food": sector("agri-food", ["retail"]),
        "digital": sector("digital", ["health"]),
        "health": sector("health"),
        "textiles": sector("textiles", ["retail", "tourism"]),
        "retail": sector("retail", ["tourism"]),
        "tourism": sector("tourism"),
    },
    "decalogue": {
        "shared-vision": {"name": "A shared vision for the future", "number": 1, "status": "documented", "summary": "Agreed."},
        "uniqueness": {"name": "Building the cluster on uniqueness", "number": 2, "status": "documented", "summary": "Unique."},
        "principle-3": {"name": "Principle 3", "number": 3, "status": "undocumented"},
    },
}


def kb_with(
    tmp_path: Path, clusters: dict[str, dict[str, Any]], editions: dict[str, dict[str, Any]] | None = None
) -> KnowledgeBase:
    records = {**BASE, "clusters": clusters}
    if editions:
        records["editions"] = editions
    return load_knowledge_base(write_kb(tmp_path / "kb", records))


def edition(
    host: str, invited: list[str], year: int, follow_ups: list[list[str]] = (), start: str | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {"name": f"Meeting {year}", "year": year, "organiser": "Test Agency", "host": host, "invited": invited}
    if start:
        data["start"] = start
    if follow_ups:
        data["follow_ups"] = [{"what": "They cooperated.", "clusters": pair, "source": "Test source"} for pair in follow_ups]
    return data


def memory_kb(
    clusters: list[tuple[str, str, list[str], list[str]]],
    complements: dict[str, list[str]] | None = None,
    follow_ups: list[list[str]] = (),
) -> KnowledgeBase:
    """A knowledge base built in code: ``(id, territory, sectors, principles)`` per cluster."""
    root = Path("memory")
    complements = complements or {}

    def entry(folder: str, record_id: str, model: Any, data: dict[str, Any]) -> Entry[Any]:
        return Entry(record_id, root / folder / f"{record_id}.yaml", model.model_validate({"sources": SOURCE, **data}))

    territories = {tid: entry("territories", tid, Territory, data) for tid, data in BASE["territories"].items()}
    sectors = {sid: entry("sectors", sid, Sector, {**sector(sid), "complements": complements.get(sid, [])}) for sid in ECOSYSTEM}
    decalogue = {pid: entry("decalogue", pid, Principle, data) for pid, data in BASE["decalogue"].items()}
    table = {
        cid: entry("clusters", cid, Cluster, cluster(cid.title(), territory, list(secs), list(principles)))
        for cid, territory, secs, principles in clusters
    }
    editions = {}
    if follow_ups:
        editions["earlier"] = entry(
            "editions", "earlier", Edition, {**edition("hostland", ["farland"], 2010, [list(p) for p in follow_ups])}
        )
    return KnowledgeBase(root, territories=territories, sectors=sectors, decalogue=decalogue, editions=editions, clusters=table)


# -- affinity ----------------------------------------------------------------------------------------


def test_reasons_name_sectors_and_principles_in_english(tmp_path: Path) -> None:
    kb = kb_with(
        tmp_path,
        {
            "a": cluster("A", "host-city", ["agri-food", "digital"], ["shared-vision"]),
            "b": cluster("B", "guestland", ["agri-food", "health"], ["shared-vision", "uniqueness"]),
        },
    )
    found = mm.affinity(kb, "a", "b")
    assert found.english(kb) == "both Agri-food; both practise a shared vision for the future; complementary: Digital and Health"
    assert [(r.code, r.ids, r.points) for r in found.reasons] == [
        ("shared-sectors", ("agri-food",), WEIGHTS.shared_sector),
        ("shared-principles", ("shared-vision",), WEIGHTS.shared_principle),
        ("complementary", ("digital", "health"), WEIGHTS.complementary),
    ]
    assert found.score == WEIGHTS.shared_sector + WEIGHTS.shared_principle + WEIGHTS.complementary
    # Seen from the other side, the complementary pair is named the other way round.
    assert mm.affinity(kb, "b", "a").reasons[-1].ids == ("health", "digital")
    assert mm.affinity(kb, "b", "a").score == found.score


def test_a_shared_sector_outweighs_any_complementarity(tmp_path: Path) -> None:
    # 'apart' shares retail with 'wide', and complements it three times (agri-food-retail, textiles-tourism, retail-tourism).
    kb = kb_with(
        tmp_path,
        {
            "wide": cluster("Wide", "hostland", ["agri-food", "textiles", "retail"]),
            "one": cluster("One", "hostland", ["health"]),
            "same": cluster("Same", "guestland", ["health"]),
            "apart": cluster("Apart", "guestland", ["tourism", "retail"]),
        },
    )
    index = index_for(kb)
    complementary_only = mm.affinity(kb, "wide", "apart")
    assert {r.code for r in complementary_only.reasons} == {"shared-sectors", "complementary"}
    only_comp = index.sector_points(frozenset({"agri-food", "textiles"}), frozenset({"retail", "tourism"}))
    assert only_comp == WEIGHTS.complementary_cap  # three complementarities (15 points), capped
    assert mm.affinity(kb, "one", "same").score == WEIGHTS.shared_sector > only_comp
    assert WEIGHTS.complementary_cap < WEIGHTS.shared_sector
    with pytest.raises(ValueError, match="complementary_cap"):
        Weights(complementary_cap=WEIGHTS.shared_sector)
    with pytest.raises(dataclasses.FrozenInstanceError):
        WEIGHTS.shared_sector = 1  # type: ignore[misc]
    assert WEIGHTS.as_data() == {
        "shared_sector": 12,
        "shared_principle": 3,
        "complementary": 5,
        "complementary_cap": 10,
        "cooperated": 10,
    }


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(sorted(ECOSYSTEM)), max_size=4, unique=True),
    st.lists(st.sampled_from(sorted(ECOSYSTEM)), max_size=4, unique=True),
    st.lists(st.tuples(st.sampled_from(sorted(ECOSYSTEM)), st.sampled_from(sorted(ECOSYSTEM))), max_size=12),
    st.sampled_from(sorted(ECOSYSTEM)),
)
def test_one_more_shared_sector_always_wins(
    first: list[str], second: list[str], links: list[tuple[str, str]], extra: str
) -> None:
    """Adding a shared sector to a pair raises its affinity above anything complementarity gave before."""
    complements: dict[str, list[str]] = defaultdict(list)
    for s, t in links:
        if s != t and t not in complements[s]:
            complements[s].append(t)
    kb = memory_kb([("a", "hostland", first, []), ("b", "guestland", second, [])], complements)
    index = index_for(kb)
    before = index.sector_points(frozenset(first), frozenset(second))
    shared = len(set(first) & set(second))
    assert shared * WEIGHTS.shared_sector <= before < (shared + 1) * WEIGHTS.shared_sector
    if extra not in set(first) & set(second):
        after = index.sector_points(frozenset({*first, extra}), frozenset({*second, extra}))
        assert after > before


def test_cooperation_at_an_earlier_edition_costs_points(tmp_path: Path) -> None:
    kb = kb_with(
        tmp_path,
        {
            "h1": cluster("H1", "hostland", ["agri-food"]),
            "g1": cluster("G1", "guestland", ["agri-food"]),
            "h2": cluster("H2", "hostland", ["digital"]),
            "g2": cluster("G2", "guestland", ["health"]),
            "g3": cluster("G3", "guestland", ["agri-food"]),
        },
        {
            "first": edition("hostland", ["farland"], 2014, [["h1", "g1"], ["h2", "g2"]]),
            "second": edition("hostland", ["guestland"], 2018, [["h1", "g3"]]),
        },
    )
    at_second = plan_edition(kb, "second")
    scores = {(m.host, m.invited): m.affinity for m in at_second.meetings}
    assert scores == {("h1", "g1"): WEIGHTS.shared_sector - WEIGHTS.cooperated, ("h1", "g3"): WEIGHTS.shared_sector}
    cooperated = next(m for m in at_second.meetings if m.invited == "g1").reasons[-1]
    assert cooperated.code == "cooperated" and cooperated.ids == ("first",)
    assert cooperated.english(kb) == "already cooperated (a follow-up of Meeting 2014)"
    # h2 and g2 only complement each other, and cooperated before: below zero, never proposed.
    short = {s.cluster: s for s in at_second.short}
    assert short["h2"].code == "only-cooperated" and short["h2"].cooperated == ("g2",)
    # The follow-up recorded at 'second' itself is not earlier than 'second'...
    assert mm.affinity(kb, "h1", "g3", before="second").score == WEIGHTS.shared_sector
    # ...but counts for a meeting planned now.
    assert mm.affinity(kb, "h1", "g3").score == WEIGHTS.shared_sector - WEIGHTS.cooperated
    now = plan_meetings(kb, "hostland", ["guestland"])
    assert {(m.host, m.invited): m.affinity for m in now.meetings} == {("h1", "g1"): 2, ("h1", "g3"): 2}


# -- who takes part ----------------------------------------------------------------------------------


def test_sides_come_from_the_territory_trees(tmp_path: Path) -> None:
    kb = kb_with(
        tmp_path,
        {
            "city": cluster("City", "host-city", ["agri-food"]),
            "region": cluster("Region", "host-region", ["agri-food"]),
            "guest": cluster("Guest", "guest-city", ["agri-food"]),
            "far": cluster("Far", "farland", ["agri-food"]),
        },
    )
    assert mm.sides(kb, "hostland", ["guestland"]) == (["city", "region"], ["guest"])
    assert mm.sides(kb, "host-region", ["guestland", "farland"]) == (["city", "region"], ["far", "guest"])
    with pytest.raises(MatchError, match="either host or invited"):
        mm.sides(kb, "hostland", ["hostland"])
    with pytest.raises(MatchError, match="part of the host"):
        mm.sides(kb, "hostland", ["host-city"])
    with pytest.raises(MatchError, match="contains the host"):
        mm.sides(kb, "host-city", ["hostland"])
    with pytest.raises(MatchError, match="unknown territory"):
        mm.sides(kb, "atlantis", ["guestland"])
    with pytest.raises(MatchError, match="1 or more"):
        plan_meetings(kb, "hostland", ["guestland"], 0)
    plan = plan_meetings(kb, "hostland", ["guestland", "farland"])
    assert {(m.host, m.invited) for m in plan.meetings} == {
        ("city", "guest"),
        ("city", "far"),
        ("region", "guest"),
        ("region", "far"),
    }


def test_an_empty_side_gives_an_empty_plan_that_says_why(tmp_path: Path) -> None:
    kb = kb_with(tmp_path, {"city": cluster("City", "host-city", ["agri-food"])})
    plan = plan_meetings(kb, "hostland", ["emptyland"])
    assert plan.meetings == () and plan.slots == 0 and plan.tables == 0 and plan.optimal
    assert plan.why is not None and plan.why.english(kb) == "no cluster is based in Emptyland or its sub-territories"
    assert [(s.cluster, s.code) for s in plan.short] == [("city", "empty-side")]
    data = plan.as_data(kb)
    assert data["meetings"] == [] and data["why"].startswith("no cluster is based in Emptyland")


def test_a_plan_without_affinity_says_why(tmp_path: Path) -> None:
    kb = kb_with(tmp_path, {"a": cluster("A", "host-city", ["tourism"]), "b": cluster("B", "guestland", ["health"])})
    plan = plan_meetings(kb, "hostland", ["guestland"])
    assert plan.meetings == () and plan.optimal and plan.why is not None
    assert plan.why.code == "no-affinity" and plan.why.ids == ("hostland", "guestland")
    assert plan.why.english(kb).startswith(
        "no cluster of Hostland shares a sector, a decalogue principle or a complementary sector"
    )
    assert [(s.cluster, s.code) for s in plan.short] == [("a", "no-candidates"), ("b", "no-candidates")]


# -- the plan: hand-checked cases ----------------------------------------------------------------------


def greedy_of(kb: KnowledgeBase, host: str, invited: list[str], per_cluster: int) -> tuple[int, int, set[tuple[str, str]]]:
    host_ids, invited_ids = mm.sides(kb, host, invited)
    index = index_for(kb)
    matrix = index.pair_matrix(host_ids, invited_ids, index.cooperation())
    ii, jj = np.nonzero(matrix > 0)
    used = greedy_b_matching(ii, jj, matrix[ii, jj], len(host_ids), len(invited_ids), per_cluster)
    pairs = {(host_ids[i], invited_ids[j]) for i, j in zip(ii[used], jj[used], strict=True)}
    return int(used.sum()), int(matrix[ii, jj][used].sum()), pairs


def test_greedy_misses_a_meeting_the_optimum_finds(tmp_path: Path) -> None:
    # h1-g1 share two sectors (24); h1-g2 and h2-g1 one (12 each); h2-g2 nothing. One meeting each.
    kb = kb_with(
        tmp_path,
        {
            "h1": cluster("H1", "hostland", ["agri-food", "health"]),
            "h2": cluster("H2", "hostland", ["health"]),
            "g1": cluster("G1", "guestland", ["agri-food", "health"]),
            "g2": cluster("G2", "guestland", ["agri-food"]),
        },
    )
    plan = plan_meetings(kb, "hostland", ["guestland"], per_cluster=1)
    assert {(m.host, m.invited) for m in plan.meetings} == {("h1", "g2"), ("h2", "g1")}
    assert (len(plan.meetings), plan.total_affinity) == (2, 24) and plan.optimal
    assert greedy_of(kb, "hostland", ["guestland"], 1) == (1, 24, {("h1", "g1")})
    assert plan.slots == 1 and plan.tables == 2


def test_greedy_misses_affinity_the_optimum_finds(tmp_path: Path) -> None:
    # h1-g1 = sector + principle (15) tempts greedy, which is then left with h2-g2 = one principle (3).
    kb = kb_with(
        tmp_path,
        {
            "h1": cluster("H1", "hostland", ["agri-food"], ["shared-vision"]),
            "h2": cluster("H2", "hostland", ["textiles"], ["uniqueness"]),
            "g1": cluster("G1", "guestland", ["agri-food", "textiles"], ["shared-vision"]),
            "g2": cluster("G2", "guestland", ["agri-food", "health"], ["uniqueness"]),
        },
    )
    assert mm.affinity(kb, "h1", "g1").score == 15
    assert mm.affinity(kb, "h2", "g2").score == 3
    plan = plan_meetings(kb, "hostland", ["guestland"], per_cluster=1)
    assert {(m.host, m.invited): m.affinity for m in plan.meetings} == {("h1", "g2"): 12, ("h2", "g1"): 12}
    assert greedy_of(kb, "hostland", ["guestland"], 1) == (2, 18, {("h1", "g1"), ("h2", "g2")})
    assert plan.total_affinity == 24 > 18


def test_shortfalls_say_why(tmp_path: Path) -> None:
    # g-hub shares agri-food with four host clusters but takes at most 2 meetings.
    kb = kb_with(
        tmp_path,
        {
            "h-a": cluster("H A", "hostland", ["agri-food"]),
            "h-b": cluster("H B", "hostland", ["agri-food"]),
            "h-c": cluster("H C", "hostland", ["agri-food"]),
            "h-lone": cluster("H Lone", "hostland", ["tourism"]),
            "g-hub": cluster("G Hub", "guestland", ["agri-food"]),
        },
    )
    plan = plan_meetings(kb, "hostland", ["guestland"], per_cluster=2)
    assert len(plan.meetings) == 2
    short = {s.cluster: s for s in plan.short}
    assert set(short) == {"h-a", "h-b", "h-c", "h-lone"}  # g-hub has its 2 meetings
    assert short["h-lone"].code == "no-candidates"
    assert short["h-lone"].english(kb).startswith("no cluster on the other side shares")
    unmet = next(cid for cid in ("h-a", "h-b", "h-c") if cid not in {m.host for m in plan.meetings})
    assert short[unmet].code == "others-full" and short[unmet].full == ("g-hub",)
    assert (
        short[unmet].english(kb)
        == "the cluster on the other side that shares something with it (G Hub) is full (2 meetings each)"
    )
    met = next(m.host for m in plan.meetings)
    assert short[met].code == "met-all"
    assert short[met].english(kb) == "only 1 cluster on the other side shares something with it, and it meets it"


def test_a_shortfall_names_a_few_clusters_and_counts_the_rest(tmp_path: Path) -> None:
    # Seven guests, all full: every host left short could name all seven. The page names five.
    from cluster_kb.site.content import SiteContent
    from cluster_kb.site.views import SHORTFALL_NAMES, edition_plan

    clusters = {f"h-{i}": cluster(f"Host {i}", "hostland", ["agri-food"]) for i in range(25)}
    clusters |= {f"g-{i}": cluster(f"Guest {i}", "guestland", ["agri-food"]) for i in range(7)}
    kb = kb_with(tmp_path, clusters, {"meet-2020": edition("hostland", ["guestland"], 2020)})
    short = [s for s in edition_plan(kb, "meet-2020").short if s.code == "others-full"]
    assert any(len(s.full) == 7 for s in short)  # a cluster with no meeting: all seven are full
    site = SiteContent(kb)
    page = site.render(site.by_path["editions/meet-2020/meetings/"], "en").content
    part = page[page.index('id="fewer-meetings"') :]
    items = part[: part.index("</ul>")].split("<li>")[1:]
    assert items and all(item.count('href="') <= 1 + SHORTFALL_NAMES for item in items)
    assert any("and 2 more" in item for item in items), items
    for lang, words in (("es", "y 2 más"), ("ca", "i 2 més")):
        assert words in site.render(site.by_path["editions/meet-2020/meetings/"], lang).content


# -- the solver against brute force and HiGHS ----------------------------------------------------------


def brute_force(n: int, m: int, pairs: list[tuple[int, int, int]], capacity: int) -> tuple[int, int]:
    """(most meetings, then most weight) over every subset of pairs."""
    best = (0, 0)
    for size in range(len(pairs) + 1):
        for subset in itertools.combinations(pairs, size):
            left, right = Counter(a for a, _, _ in subset), Counter(b for _, b, _ in subset)
            if all(c <= capacity for c in left.values()) and all(c <= capacity for c in right.values()):
                best = max(best, (size, sum(w for _, _, w in subset)))
    return best


@st.composite
def graphs(
    draw: Any, most_left: int = 4, most_right: int = 4, most_pairs: int = 10
) -> tuple[int, int, list[tuple[int, int, int]], int]:
    n = draw(st.integers(1, most_left))
    m = draw(st.integers(1, most_right))
    cells = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, m - 1)), max_size=most_pairs, unique=True))
    pairs = [(a, b, draw(st.integers(1, 40))) for a, b in sorted(cells)]
    return n, m, pairs, draw(st.integers(1, 3))


def check_solution(n: int, m: int, pairs: list[tuple[int, int, int]], capacity: int, used: np.ndarray) -> tuple[int, int]:
    chosen = [pairs[e] for e in np.flatnonzero(used)]
    assert max(Counter(a for a, _, _ in chosen).values(), default=0) <= capacity
    assert max(Counter(b for _, b, _ in chosen).values(), default=0) <= capacity
    return len(chosen), sum(w for _, _, w in chosen)


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_solver_matches_brute_force(graph: tuple[int, int, list[tuple[int, int, int]], int]) -> None:
    n, m, pairs, capacity = graph
    ii, jj, w = (np.array([p[k] for p in pairs], dtype=np.int64) for k in range(3))
    used, proof = solve_b_matching(ii, jj, w, n, m, capacity)
    found = check_solution(n, m, pairs, capacity, used)
    assert found == brute_force(n, m, pairs, capacity)
    assert proof.optimal and (proof.meetings, proof.affinity) == found
    assert proof.cut_capacity == found[0] and proof.affinity_bound == found[1]


@settings(max_examples=60, deadline=None)
@given(graphs(most_left=9, most_right=9, most_pairs=45))
def test_solver_matches_highs_linear_programme(graph: tuple[int, int, list[tuple[int, int, int]], int]) -> None:
    """A second, independent solver: the b-matching LP (integral for bipartite graphs) with HiGHS."""
    n, m, pairs, capacity = graph
    used, proof = solve_b_matching([p[0] for p in pairs], [p[1] for p in pairs], [p[2] for p in pairs], n, m, capacity)
    count, weight = check_solution(n, m, pairs, capacity, used)
    assert proof.optimal
    if not pairs:
        assert (count, weight) == (0, 0)
        return
    big = 1 + sum(w for _, _, w in pairs)  # one more meeting beats any affinity
    matrix = np.zeros((n + m, len(pairs)))
    for e, (a, b, _) in enumerate(pairs):
        matrix[a, e] = matrix[n + b, e] = 1
    result = linprog([-(big + w) for _, _, w in pairs], A_ub=matrix, b_ub=[capacity] * (n + m), bounds=(0, 1), method="highs")
    assert result.status == 0
    value = round(-result.fun)
    assert (value // big, value % big) == (count, weight)


def test_solver_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="positive"):
        solve_b_matching([0], [0], [0], 1, 1, 1)
    with pytest.raises(ValueError, match="twice"):
        solve_b_matching([0, 0], [0, 0], [1, 2], 1, 1, 1)
    used, proof = solve_b_matching([], [], [], 3, 3, 3)
    assert not used.any() and proof.optimal and proof.meetings == 0


def test_the_optimum_holds_on_a_larger_instance() -> None:
    """60 x 60 with many ties: the same optimum as HiGHS, and greedy below it."""
    rng = random.Random(7)  # noqa: S311 - test data
    n = m = 60
    pairs = sorted({(rng.randrange(n), rng.randrange(m)) for _ in range(900)})
    weights = [rng.choice((3, 3, 6, 12, 12, 15, 17, 24)) for _ in pairs]
    ii, jj = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    w = np.array(weights)
    used, proof = solve_b_matching(ii, jj, w, n, m, 3)
    assert proof.optimal
    big = 1 + int(w.sum())
    matrix = np.zeros((n + m, len(pairs)))
    matrix[ii, np.arange(len(pairs))] = 1
    matrix[n + jj, np.arange(len(pairs))] = 1
    result = linprog(-(big + w), A_ub=matrix, b_ub=[3] * (n + m), bounds=(0, 1), method="highs")
    value = round(-result.fun)
    assert (value // big, value % big) == (int(used.sum()), int(w[used].sum()))
    greedy = greedy_b_matching(ii, jj, w, n, m, 3)
    assert (int(greedy.sum()), int(w[greedy].sum())) <= (int(used.sum()), int(w[used].sum()))


# -- the timetable ---------------------------------------------------------------------------------------


def check_timetable(pairs: list[tuple[int, int]], slots: list[int]) -> None:
    assert len(slots) == len(pairs)
    if not pairs:
        return
    busiest = max(Counter(v for a, b in pairs for v in ((0, a), (1, b))).values())
    assert set(slots) == set(range(busiest))  # exactly as many slots as the busiest cluster's meetings
    seen = set()
    for (a, b), slot in zip(pairs, slots, strict=True):
        assert ((0, a), slot) not in seen and ((1, b), slot) not in seen  # nobody twice in a slot
        seen.update({((0, a), slot), ((1, b), slot)})
    sizes = Counter(slots)
    assert max(sizes.values()) == math.ceil(len(pairs) / busiest)  # balanced: that many tables
    assert max(sizes.values()) - min(sizes.values()) <= 1


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=40, unique=True))
def test_edge_colouring_uses_the_busiest_degree_and_balances(pairs: list[tuple[int, int]]) -> None:
    check_timetable(pairs, edge_colouring(pairs))


def test_edge_colouring_on_a_dense_graph() -> None:
    pairs = [(a, b) for a in range(30) for b in range(30) if (a * 7 + b * 3) % 5 != 0]
    check_timetable(pairs, edge_colouring(pairs))


# -- whole plans: properties on random knowledge bases ----------------------------------------------------

PRINCIPLES = ("shared-vision", "uniqueness", "principle-3")


@st.composite
def small_kbs(draw: Any) -> tuple[KnowledgeBase, int]:
    count = draw(st.integers(2, 7))
    clusters = []
    for k in range(count):
        territory = draw(st.sampled_from(("hostland", "host-city", "guestland", "guest-city", "farland")))
        secs = draw(st.lists(st.sampled_from(sorted(ECOSYSTEM)), max_size=2, unique=True))
        principles = draw(st.lists(st.sampled_from(PRINCIPLES), max_size=2, unique=True))
        clusters.append((f"c{k}", territory, secs, principles))
    complements = {"agri-food": ["retail"], "digital": ["health"], "textiles": ["tourism"]}
    ids = [c[0] for c in clusters]
    follow_ups = draw(st.lists(st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True), max_size=2))
    return memory_kb(clusters, complements, follow_ups), draw(st.integers(1, 3))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_kbs())
def test_plans_are_optimal_and_well_formed(case: tuple[KnowledgeBase, int]) -> None:
    kb, per_cluster = case
    plan = plan_meetings(kb, "hostland", ["guestland", "farland"], per_cluster)
    host_ids, invited_ids = mm.sides(kb, "hostland", ["guestland", "farland"])
    # Brute force over the definition of affinity, pair by pair.
    pairs = []
    for i, a in enumerate(host_ids):
        for j, b in enumerate(invited_ids):
            score = mm.affinity(kb, a, b).score
            if score > 0:
                pairs.append((i, j, score))
    if len(pairs) <= 12:
        assert (len(plan.meetings), plan.total_affinity) == brute_force(len(host_ids), len(invited_ids), pairs, per_cluster)
    assert plan.optimal
    degree = Counter(v for m in plan.meetings for v in (m.host, m.invited))
    assert all(count <= per_cluster for count in degree.values())
    for m in plan.meetings:
        assert m.host in host_ids and m.invited in invited_ids  # never two of one side
        assert m.affinity == mm.affinity(kb, m.host, m.invited).score > 0  # never a pair at zero or less
        assert sum(r.points for r in m.reasons) == m.affinity
    assert len({(m.host, m.invited) for m in plan.meetings}) == len(plan.meetings)
    check_timetable(
        [(host_ids.index(m.host), invited_ids.index(m.invited)) for m in plan.meetings], [m.slot - 1 for m in plan.meetings]
    )
    assert plan.slots == max(degree.values(), default=0)
    assert plan.tables == (math.ceil(len(plan.meetings) / plan.slots) if plan.slots else 0)
    # Every cluster below its capacity is explained, and 'full' really means full.
    short = {s.cluster: s for s in plan.short}
    assert set(short) == {c for c in (*host_ids, *invited_ids) if degree[c] < per_cluster}
    for s in plan.short:
        assert s.meetings == degree[s.cluster]
        assert all(degree[c] == per_cluster for c in s.full)
        assert s.english(kb)


@settings(max_examples=80, deadline=None)
@given(small_kbs())
def test_the_vectorised_affinity_is_the_definition(case: tuple[KnowledgeBase, int]) -> None:
    kb, _ = case
    index = index_for(kb)
    ids = sorted(kb.clusters)
    matrix = index.pair_matrix(ids, ids, index.cooperation())
    for i, a in enumerate(ids):
        for j, b in enumerate(ids):
            assert int(matrix[i, j]) == mm.affinity(kb, a, b).score, (a, b)


# -- determinism -----------------------------------------------------------------------------------------


def test_plans_are_identical_on_reruns(tmp_path: Path) -> None:
    rng = random.Random(3)  # noqa: S311 - test data
    clusters = {}
    for k in range(40):
        territory = rng.choice(("hostland", "host-city", "guestland", "guest-city"))
        clusters[f"c{k:02d}"] = cluster(
            f"Cluster {k:02d}",
            territory,
            rng.sample(sorted(ECOSYSTEM), rng.randint(1, 2)),
            rng.sample(PRINCIPLES, rng.randint(0, 2)),
        )
    first = kb_with(tmp_path / "one", clusters)
    second = kb_with(tmp_path / "two", clusters)
    texts = [
        json.dumps(plan_meetings(kb, "hostland", ["guestland"]).as_data(kb), sort_keys=False, ensure_ascii=False)
        for kb in (first, second, first)
    ]
    assert texts[0] == texts[1] == texts[2]
    assert json.loads(texts[0])["optimal"] is True


# -- leads -----------------------------------------------------------------------------------------------


def brute_force_leads(kb: KnowledgeBase, cluster_id: str, limit: int = 8) -> list[tuple[str, int]]:
    """The definition: every cluster outside the territory's country, positive affinity, by affinity, name, id."""
    territory = kb.clusters[cluster_id].record.territory
    chain = kb.ancestors(territory)
    country = chain[0].id if chain else territory
    line = {territory, country, *kb.descendants(country)}
    scored = []
    for other in kb.clusters.values():
        if other.id == cluster_id or other.record.territory in line:
            continue
        score = mm.affinity(kb, cluster_id, other.id).score
        if score > 0:
            scored.append((-score, other.name.casefold(), other.id))
    return [(cid, -neg) for neg, _, cid in sorted(scored)[:limit]]


@pytest.fixture(scope="module")
def synthetic_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    out = tmp_path_factory.mktemp("synth") / "kb"
    write_knowledge_base(out, clusters=300)
    return load_knowledge_base(out)


def test_leads_match_their_definition_on_a_synthetic_kb(synthetic_kb: KnowledgeBase) -> None:
    kb = synthetic_kb
    codes: Counter[str] = Counter()
    for cluster_id in kb.clusters:
        found = leads(kb, cluster_id)
        assert [(lead.cluster, lead.affinity) for lead in found] == brute_force_leads(kb, cluster_id), cluster_id
        codes.update(r.code for lead in found for r in lead.reasons)
    # The synthetic corpus exercises every part of the affinity (its sectors have complements).
    assert {"shared-sectors", "shared-principles", "complementary"} <= set(codes)
    for limit in (1, 3, 20):
        some = sorted(kb.clusters)[::37]
        for cluster_id in some:
            assert [(lead.cluster, lead.affinity) for lead in leads(kb, cluster_id, limit)] == brute_force_leads(
                kb, cluster_id, limit
            )
    assert leads(kb, next(iter(kb.clusters)), 0) == []


def test_leads_score_only_what_they_return(synthetic_kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    """Candidates are scored in groups, not one by one: the full definition runs only for the leads kept."""
    index = index_for(synthetic_kb)
    calls = 0
    original = mm.MatchIndex.affinity

    def counting(self: mm.MatchIndex, *args: Any, **kwargs: Any) -> mm.Affinity:
        nonlocal calls
        calls += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(mm.MatchIndex, "affinity", counting)
    for cluster_id in synthetic_kb.clusters:
        partners = len(index.cooperation().get(cluster_id, {}))
        calls = 0
        found = index.leads(cluster_id)
        assert calls <= len(found) + partners


def test_leads_with_cooperation_and_nested_territories() -> None:
    kb = memory_kb(
        [
            ("me", "host-region", ["agri-food"], ["shared-vision"]),
            ("child", "host-city", ["agri-food"], ["shared-vision"]),  # a sub-territory: not a lead
            ("parent", "hostland", ["agri-food"], []),  # an ancestor: not a lead
            ("neighbour", "host-other-region", ["agri-food"], ["shared-vision"]),  # same country: not a lead
            ("best", "guest-city", ["agri-food"], ["shared-vision"]),
            ("known", "guestland", ["agri-food"], ["shared-vision"]),  # cooperated: lower
            ("retailer", "farland", ["retail"], []),  # complementary only
            ("nothing", "farland", ["tourism"], []),
        ],
        {"agri-food": ["retail"]},
        follow_ups=[["me", "known"]],
    )
    found = leads(kb, "me")
    assert [(lead.cluster, lead.affinity) for lead in found] == [("best", 15), ("known", 5), ("retailer", 5)]
    assert found == leads(kb, "me")
    data = leads_data(kb, "me")
    assert data[0]["cluster"] == "best" and data[0]["text"] == "both Agri-food; both practise a shared vision for the future"
    assert data[1]["reasons"][-1] == {
        "code": "cooperated",
        "ids": ["earlier"],
        "points": -WEIGHTS.cooperated,
        "text": "already cooperated (a follow-up of Meeting 2010)",
    }
    json.dumps(data)  # plain data


def test_the_index_belongs_to_its_knowledge_base() -> None:
    first = memory_kb([("a", "hostland", ["agri-food"], []), ("b", "guestland", ["agri-food"], [])])
    second = memory_kb([("a", "hostland", ["agri-food"], []), ("b", "guestland", ["health"], [])])
    assert index_for(first) is index_for(first)
    assert index_for(first) is not index_for(second)
    assert [lead.cluster for lead in leads(first, "a")] == ["b"]
    assert leads(second, "a") == []
