"""The knowledge base's indexes answer what pages ask, at any size."""

from __future__ import annotations

from pathlib import Path

from cluster_kb.knowledge import load_knowledge_base

FIXTURE_KB = Path(__file__).parent / "fixtures" / "kb"


def test_clusters_of_a_territory_include_its_sub_territories() -> None:
    kb = load_knowledge_base(FIXTURE_KB)
    assert [e.id for e in kb.clusters_in("colombia")] == ["example-coffee-cluster"]
    assert kb.clusters_in("colombia", include_sub=False) == []
    assert [e.id for e in kb.ancestors("bogota")] == ["colombia"]
