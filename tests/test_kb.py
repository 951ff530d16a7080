"""The knowledge base's indexes answer what pages ask, at any size."""

from __future__ import annotations

from pathlib import Path

import pytest

from cluster_kb.knowledge import KnowledgeBase, load_knowledge_base
from cluster_kb.synth import write_knowledge_base

FIXTURE_KB = Path(__file__).parent / "fixtures" / "kb"


@pytest.fixture(scope="module")
def synthetic_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    out = tmp_path_factory.mktemp("synth") / "kb"
    write_knowledge_base(out, clusters=400)
    return load_knowledge_base(out)


def brute_force_related(kb: KnowledgeBase, cluster_id: str, limit: int = 12) -> list[str]:
    """The definition: share a sector, other territory; most shared sectors first, then by name."""
    cluster = kb.clusters[cluster_id].record
    shared: dict[str, int] = {}
    for other in kb.clusters.values():
        if other.id == cluster_id or other.record.territory == cluster.territory:
            continue
        count = len(set(cluster.sectors) & set(other.record.sectors))
        if count:
            shared[other.id] = count
    ranked = sorted(shared, key=lambda cid: (-shared[cid], kb.clusters[cid].name.casefold(), cid))
    return ranked[:limit]


def test_related_clusters_match_their_definition(synthetic_kb: KnowledgeBase) -> None:
    multi = [cid for cid, e in synthetic_kb.clusters.items() if len(e.record.sectors) > 1]
    assert multi, "the synthetic corpus should have clusters in several sectors"
    for cluster_id in synthetic_kb.clusters:
        found = [e.id for e in synthetic_kb.related_clusters(cluster_id)]
        assert found == brute_force_related(synthetic_kb, cluster_id), cluster_id


def test_related_clusters_on_the_fixture() -> None:
    kb = load_knowledge_base(FIXTURE_KB)
    # Same sector (agri-food), other territory: the wine cluster (Catalonia) and the coffee cluster (Bogotá).
    assert [e.id for e in kb.related_clusters("example-wine-cluster")] == ["example-coffee-cluster"]
    assert [e.id for e in kb.related_clusters("example-coffee-cluster")] == ["example-wine-cluster"]


def test_clusters_of_a_territory_include_its_sub_territories() -> None:
    kb = load_knowledge_base(FIXTURE_KB)
    assert [e.id for e in kb.clusters_in("colombia")] == ["example-coffee-cluster"]
    assert kb.clusters_in("colombia", include_sub=False) == []
    assert [e.id for e in kb.ancestors("bogota")] == ["colombia"]
