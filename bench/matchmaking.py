"""The matchmaking benchmark (issue 14): ``.venv/bin/python bench/matchmaking.py [--highs]``.

1. A plan for 1,000 host x 1,000 invited synthetic clusters (built in memory from a fixed seed:
   random sectors, principles and complementary sectors; nothing is written to ``content/``),
   3 meetings each: the time to solve the optimal plan and its timetable (target: 5 s), the
   optimality proof (the solver's status, the minimum cut equal to the number of meetings and the
   LP dual bound equal to the total affinity), the greedy plan beside it (its affinity as a share
   of the optimum, its number of meetings) and the number of slots and tables.
   ``--highs`` also solves the same plan's linear programme with HiGHS (about 15 s) and prints its
   optimum beside the plan's value.
2. ``leads`` for every cluster of a 10,000-cluster synthetic knowledge base (``cluster_kb.synth``,
   written to a temporary folder and loaded), index included.

:func:`run` returns the figures as a dict, for the main benchmark.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "generator") not in sys.path:  # run from a checkout without an installed package
    sys.path.insert(0, str(ROOT / "generator"))

import numpy as np  # noqa: E402
import scipy.sparse.csgraph  # noqa: E402, F401 - imported before the clock starts, as by any caller
from cluster_kb.knowledge import KnowledgeBase, load_knowledge_base  # noqa: E402
from cluster_kb.knowledge.matchmaking import (  # noqa: E402
    greedy_b_matching,
    index_for,
    leads,
    plan_meetings,
    solve_b_matching,
)
from cluster_kb.records.models import Cluster, Principle, Sector, Territory  # noqa: E402
from cluster_kb.records.validation import Entry  # noqa: E402
from cluster_kb.synth import generate, write_knowledge_base  # noqa: E402

__all__ = ["run", "synthetic_sides"]

SIDE = 1_000
PER_CLUSTER = 3
LEADS_CLUSTERS = 10_000
SEED = 14
TARGET_SECONDS = 5.0


def synthetic_sides(per_side: int = SIDE, seed: int = SEED) -> KnowledgeBase:
    """An in-memory knowledge base: a host and an invited country with ``per_side`` clusters each.

    Sectors and the decalogue are those of :mod:`cluster_kb.synth` (with its complements); each
    cluster has 1-2 random sectors and 0-3 practices naming 1-2 random principles. Every record is
    ``synthetic: true``.
    """
    rng = random.Random(seed)  # noqa: S311 - made-up benchmark data
    base = generate(0, seed)
    root = Path("synthetic-matchmaking")

    def entries(folder: str, model: Any, table: dict[str, dict[str, Any]]) -> dict[str, Entry[Any]]:
        return {rid: Entry(rid, root / folder / f"{rid}.yaml", model.model_validate(data)) for rid, data in table.items()}

    source = [{"title": "Synthetic benchmark source", "url": "https://example.org/bench"}]
    territories = {
        tid: {"name": name, "synthetic": True, "kind": "country", "sources": source}
        for tid, name in (("hostland", "Hostland"), ("guestland", "Guestland"))
    }
    sectors = sorted(base["sectors"])
    principles = sorted(base["decalogue"])
    clusters: dict[str, dict[str, Any]] = {}
    for side in ("hostland", "guestland"):
        for number in range(per_side):
            practices = [
                {
                    "title": f"Practice {k + 1}",
                    "summary": "Made up.",
                    "principles": sorted(rng.sample(principles, rng.randint(1, 2))),
                }
                for k in range(rng.randint(0, 3))
            ]
            clusters[f"{side}-{number:04d}"] = {
                "name": f"{side.title()} cluster {number:04d}",
                "synthetic": True,
                "territory": side,
                "sectors": sorted(rng.sample(sectors, rng.choice((1, 1, 2)))),
                "practices": practices,
                "sources": source,
            }
    return KnowledgeBase(
        root,
        territories=entries("territories", Territory, territories),
        sectors=entries("sectors", Sector, base["sectors"]),
        decalogue=entries("decalogue", Principle, base["decalogue"]),
        clusters=entries("clusters", Cluster, clusters),
    )


def _highs(ii: np.ndarray, jj: np.ndarray, w: np.ndarray, n: int, m: int, cap: int) -> tuple[str, int, int]:
    """The same plan as one LP for HiGHS (weight M + affinity per pair, M above any plan's affinity):
    its status, and its optimum split into meetings and affinity."""
    from scipy.optimize import linprog
    from scipy.sparse import csr_array

    big = 1 + cap * min(n, m) * int(w.max())
    edges = len(w)
    rows = np.concatenate([ii, n + jj])
    matrix = csr_array((np.ones(2 * edges), (rows, np.concatenate([np.arange(edges)] * 2))), shape=(n + m, edges))
    result = linprog(-(big + w.astype(float)), A_ub=matrix, b_ub=np.full(n + m, cap), bounds=(0, 1), method="highs-ds")
    meetings, affinity = divmod(round(-result.fun), big)
    return str(result.message), meetings, affinity


def run(
    say: Callable[[str], Any] = print, *, highs: bool = False, side: int = SIDE, leads_clusters: int = LEADS_CLUSTERS
) -> dict[str, Any]:
    """Run both measurements, print them with ``say`` and return the figures."""
    figures: dict[str, Any] = {"side": side, "per_cluster": PER_CLUSTER}
    kb = synthetic_sides(side)
    say(f"matchmaking: {side:,} host x {side:,} invited synthetic clusters, {PER_CLUSTER} meetings each")

    started = time.perf_counter()
    plan = plan_meetings(kb, "hostland", ["guestland"], PER_CLUSTER)
    seconds = time.perf_counter() - started
    proof = plan.proof
    figures.update(
        plan_seconds=round(seconds, 3),
        plan_target_met=seconds <= TARGET_SECONDS,
        optimal=plan.optimal,
        status=proof.status,
        pairs=proof.pairs,
        phases=proof.phases,
        meetings=len(plan.meetings),
        total_affinity=plan.total_affinity,
        cut_capacity=proof.cut_capacity,
        affinity_bound=proof.affinity_bound,
        slots=plan.slots,
        tables=plan.tables,
        short=len(plan.short),
    )
    mark = "met" if seconds <= TARGET_SECONDS else "MISSED"
    say(f"  optimal plan + timetable: {seconds:.2f} s (target {TARGET_SECONDS:.0f} s: {mark}); {proof.pairs:,} candidate pairs")
    say(f"  solver: {proof.method}; {proof.phases} phases; status: {proof.status}")
    say(
        f"  proof: meetings {len(plan.meetings):,} = minimum cut {proof.cut_capacity:,}; "
        f"total affinity {plan.total_affinity:,} = LP dual bound {proof.affinity_bound:,}; optimal: {str(plan.optimal).lower()}"
    )
    say(
        f"  timetable: {plan.slots} slots (busiest cluster: {max(_degrees(plan).values(), default=0)} meetings), "
        f"{plan.tables} tables = ceil({len(plan.meetings):,}/{plan.slots}) = {math.ceil(len(plan.meetings) / max(plan.slots, 1))}"
    )

    # The greedy comparison line, on the same pairs.
    index = index_for(kb)
    host_ids, invited_ids = list(plan.host_clusters), list(plan.invited_clusters)
    matrix = index.pair_matrix(host_ids, invited_ids, index.cooperation())
    ii, jj = np.nonzero(matrix > 0)
    w = matrix[ii, jj]
    started = time.perf_counter()
    used, _ = solve_b_matching(ii, jj, w, len(host_ids), len(invited_ids), PER_CLUSTER)
    figures["solver_seconds"] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    greedy = greedy_b_matching(ii, jj, w, len(host_ids), len(invited_ids), PER_CLUSTER)
    figures["greedy_seconds"] = round(time.perf_counter() - started, 3)
    greedy_affinity, greedy_meetings = int(w[greedy].sum()), int(greedy.sum())
    share = greedy_affinity / plan.total_affinity if plan.total_affinity else 1.0
    figures.update(greedy_affinity=greedy_affinity, greedy_meetings=greedy_meetings, greedy_share=round(share, 4))
    say(f"  solver alone: {figures['solver_seconds']:.2f} s; greedy by descending affinity: {figures['greedy_seconds']:.2f} s")
    say(
        f"  greedy: affinity {greedy_affinity:,} = {100 * share:.2f} % of the optimum; "
        f"{greedy_meetings:,} meetings beside the optimum's {len(plan.meetings):,}"
    )
    if int(used.sum()) != len(plan.meetings) or int(w[used].sum()) != plan.total_affinity:
        raise AssertionError("the solver gave a different plan on the same pairs")
    if highs:
        started = time.perf_counter()
        message, lp_meetings, lp_affinity = _highs(ii, jj, w, len(host_ids), len(invited_ids), PER_CLUSTER)
        figures.update(
            highs_seconds=round(time.perf_counter() - started, 3),
            highs_status=message,
            highs_meetings=lp_meetings,
            highs_affinity=lp_affinity,
        )
        agree = (lp_meetings, lp_affinity) == (len(plan.meetings), plan.total_affinity)
        say(
            f"  HiGHS LP of the same plan: {figures['highs_seconds']:.1f} s, {message}; "
            f"{lp_meetings:,} meetings, affinity {lp_affinity:,} ({'the same optimum' if agree else 'DIFFERENT'})"
        )

    with tempfile.TemporaryDirectory(prefix="cluster-kb-match-") as scratch:
        folder = Path(scratch) / "kb"
        write_knowledge_base(folder, leads_clusters)
        big = load_knowledge_base(folder)
        started = time.perf_counter()
        found = sum(len(leads(big, cid)) for cid in big.clusters)
        seconds = time.perf_counter() - started
    figures.update(leads_clusters=leads_clusters, leads_seconds=round(seconds, 3), leads_found=found)
    say(
        f"leads: every cluster of a {leads_clusters:,}-cluster synthetic knowledge base: {seconds:.2f} s "
        f"({1000 * seconds / max(leads_clusters, 1):.2f} ms per cluster, index included), {found:,} leads"
    )
    return figures


def _degrees(plan: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for m in plan.meetings:
        counts[m.host] = counts.get(m.host, 0) + 1
        counts[m.invited] = counts.get(m.invited, 0) + 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--highs", action="store_true", help="also solve the plan's LP with HiGHS (about 15 s)")
    parser.add_argument("--side", type=int, default=SIDE, help=f"clusters per side (default {SIDE})")
    parser.add_argument(
        "--leads-clusters", type=int, default=LEADS_CLUSTERS, help=f"clusters for leads (default {LEADS_CLUSTERS})"
    )
    options = parser.parse_args(argv)
    run(highs=options.highs, side=options.side, leads_clusters=options.leads_clusters)
    return 0


if __name__ == "__main__":
    sys.exit(main())
