"""The cluster directory's data file (data/directory.json) matches the knowledge base it comes from.

Every cluster is in it once with its territory, sectors, the principles its practices illustrate and
its editions; the territory tree lets a country find its regions' and cities' clusters; names pick
the page's language as the site does; the bytes are deterministic; 10,000 clusters stay small.

The knowledge base here is the fixture one plus a few clusters in sub-territories, with names per
language and hostile names (:func:`write_test_kb`); the browser tests use the same one.
"""

from __future__ import annotations

import json
import re
import shutil
import types
import unicodedata
from pathlib import Path
from typing import Any

import jinja2
import pytest
from cluster_kb.knowledge import KnowledgeBase, load_knowledge_base
from cluster_kb.outputs.directory import DIRECTORY_FORMAT, directory_data, directory_json, local_name
from cluster_kb.records.text import LANGUAGES, Local
from cluster_kb.synth import write_knowledge_base
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_KB = ROOT / "tests" / "fixtures" / "kb"
FACETS = ("territory", "sector", "principle", "edition")
TABLES = {"territory": "territories", "sector": "sectors", "principle": "principles", "edition": "editions"}
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_PLACE = '"><svg onload=alert(2)>'
BUDGET = 300 * 1024
"""data/directory.json at 10,000 clusters, gzipped, at most (issue 15)."""

_SOURCE = "sources:\n  - title: Synthetic source T\n"
EXTRA_RECORDS: dict[str, str] = {
    # A three-level tree under Colombia, a city under Catalonia, a hostile town under Norway.
    "territories/antioquia.yaml": "name: Antioquia\nsynthetic: true\nkind: region\nparent: colombia\n" + _SOURCE,
    "territories/medellin.yaml": "name: Medellín\nsynthetic: true\nkind: city\nparent: antioquia\n" + _SOURCE,
    "territories/barcelona.yaml": (
        "name: {en: Barcelona, es: Barcelona, ca: Barcelona}\nsynthetic: true\nkind: city\nparent: catalonia\n" + _SOURCE
    ),
    "territories/hostile-town.yaml": (
        f"name: '{HOSTILE_PLACE}'\nsynthetic: true\nkind: city\nparent: norway\n" + _SOURCE
    ),
    # Names per language: the Spanish and Catalan pages show them.
    "sectors/textiles.yaml": (
        "name: {en: Textiles, es: Textil, ca: Tèxtil}\nsynthetic: true\necosystem: Textiles\naliases: [fashion]\n" + _SOURCE
    ),
    "clusters/hostile-name-cluster.yaml": (
        f"name: '{HOSTILE_NAME}'\nsynthetic: true\nterritory: medellin\nsectors: [textiles]\n" + _SOURCE
    ),
    "clusters/medellin-fashion-cluster.yaml": (
        "name:\n  en: Medellín Fashion Cluster\n  es: Clúster de Moda de Medellín\nsynthetic: true\n"
        "territory: medellin\nsectors: [textiles, health]\neditions: [colombia-2018]\n"
        "practices:\n  - title: Joint buying\n    summary: Members buy fabric together.\n    principles: [shared-vision]\n"
        "  - title: A board of members\n    summary: Members elect the board.\n    principles: [principle-2, shared-vision]\n"
        + _SOURCE
    ),
    "clusters/barcelona-health-cluster.yaml": (
        "name: Clúster de Salut de Barcelona\nlanguage: ca\nsynthetic: true\nterritory: barcelona\n"
        "sectors: [health]\neditions: [norway-2013]\n"
        "practices:\n  - title: Fira anual\n    summary: Una fira cada any.\n    principles: [principle-2]\n" + _SOURCE
    ),
    "clusters/bogota-health-hub.yaml": (
        "name: Bogotá Health Hub\nsynthetic: true\nterritory: bogota\nsectors: [health, agri-food]\n"
        "editions: [norway-2013, colombia-2018]\n" + _SOURCE
    ),
    "clusters/antioquia-textile-network.yaml": (
        "name: {es: Red Textil de Antioquia}\nlanguage: en\nsynthetic: true\nterritory: antioquia\nsectors: [textiles]\n"
        + _SOURCE
    ),
    "clusters/fjord-ocean-cluster.yaml": (
        "name: Fjord Ocean Cluster\nsynthetic: true\nterritory: hostile-town\n"
        "practices:\n  - title: Shared boats\n    summary: Members share boats.\n    principles: [principle-2]\n" + _SOURCE
    ),
}


def write_test_kb(target: Path, extra_clusters: int = 0) -> Path:
    """The fixture knowledge base plus :data:`EXTRA_RECORDS` (and ``extra_clusters`` plain ones in Norway)."""
    shutil.copytree(FIXTURE_KB, target)
    for path, text in EXTRA_RECORDS.items():
        (target / path).write_text(text, encoding="utf-8")
    for n in range(extra_clusters):
        (target / "clusters" / f"norway-cluster-{n:04d}.yaml").write_text(
            f"name: Nordic Cluster {n:04d}\nsynthetic: true\nterritory: norway\nsectors: [health]\n" + _SOURCE,
            encoding="utf-8",
        )
    return target


# -- the reference: what the directory must find, computed from the knowledge base itself ------------


_LETTERS = {"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "þ": "th", "ð": "d"}


def fold(text: str) -> str:
    """Lowercase without accents, as directory.js compares names."""
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return "".join(_LETTERS.get(c, c) for c in stripped.lower())


def cluster_facets(kb: KnowledgeBase, cluster_id: str) -> dict[str, set[str]]:
    """The facet values a cluster is found under (a territory's ancestors included)."""
    record = kb.clusters[cluster_id].record
    return {
        "territory": {record.territory, *(a.id for a in kb.ancestors(record.territory))},
        "sector": set(record.sectors),
        "principle": {p for practice in record.practices for p in practice.principles},
        "edition": set(record.editions),
    }


def name_matches(kb: KnowledgeBase, cluster_id: str, query: str) -> bool:
    record = kb.clusters[cluster_id].record
    key = fold("\n".join(record.name.written(record.language).values()))
    return all(word in key for word in fold(query).split())


def expected(
    kb: KnowledgeBase, selection: dict[str, set[str]], query: str = ""
) -> tuple[set[str], dict[str, dict[str, int]]]:
    """The clusters a selection finds, and each option's count (what ticking it would leave)."""
    facets = {cid: cluster_facets(kb, cid) for cid in kb.clusters}
    named = {cid for cid in kb.clusters if name_matches(kb, cid, query)}

    def passes(cid: str, facet: str, chosen: set[str]) -> bool:
        return not chosen or bool(facets[cid][facet] & chosen)

    results = {cid for cid in named if all(passes(cid, f, selection.get(f, set())) for f in FACETS)}
    counts: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        others = [cid for cid in named if all(passes(cid, g, selection.get(g, set())) for g in FACETS if g != facet)]
        own = selection.get(facet, set())
        counts[facet] = {
            option: sum(1 for cid in others if option in facets[cid][facet] or (own and facets[cid][facet] & own))
            for option in kb.of_kind(TABLES[facet] if facet != "principle" else "decalogue")
        }
    return results, counts


def js_pick(name: str | dict[str, str], lang: str) -> tuple[str, str]:
    """directory.js's choice of a name: the page's language if written, else the first one."""
    if isinstance(name, str):
        return name, "en"
    if lang in name:
        return name[lang], lang
    first = next(iter(name))
    return name[first], first


# -- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return load_knowledge_base(write_test_kb(tmp_path_factory.mktemp("directory") / "kb"))


@pytest.fixture(scope="module")
def data(kb: KnowledgeBase) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(directory_json(kb))
    return loaded


def data_facets(data: dict[str, Any]) -> dict[str, dict[str, set[str]]]:
    """Each cluster's facet values, read back from the data file alone (walking the parent links)."""
    t = data["territories"]
    found: dict[str, dict[str, set[str]]] = {}
    c = data["clusters"]
    for n, cid in enumerate(c["id"]):
        chain: set[str] = set()
        index: int | None = c["territory"][n]
        while index is not None and t["id"][index] not in chain:
            chain.add(t["id"][index])
            index = t["parent"][index]
        found[cid] = {
            "territory": chain,
            "sector": {data["sectors"]["id"][i] for i in c["sectors"][n]},
            "principle": {data["principles"]["id"][i] for i in c["principles"][n]},
            "edition": {data["editions"]["id"][i] for i in c["editions"][n]},
        }
    return found


# -- the data matches the knowledge base ----------------------------------------------------------


def test_every_cluster_once_in_columns_of_equal_length(kb: KnowledgeBase, data: dict[str, Any]) -> None:
    assert data["format"] == DIRECTORY_FORMAT
    clusters = data["clusters"]
    assert clusters["id"] == sorted(kb.clusters)
    assert len(set(clusters["id"])) == len(kb.clusters) == 2 + len([p for p in EXTRA_RECORDS if p.startswith("clusters/")])
    for table in ("territories", "sectors", "principles", "editions", "clusters"):
        lengths = {column: len(values) for column, values in data[table].items()}
        assert len(set(lengths.values())) == 1, (table, lengths)


def test_every_facet_value_is_listed(kb: KnowledgeBase, data: dict[str, Any]) -> None:
    assert data["territories"]["id"] == sorted(kb.territories)
    assert data["sectors"]["id"] == sorted(kb.sectors)
    assert data["principles"]["id"] == sorted(kb.decalogue)
    assert data["editions"]["id"] == sorted(kb.editions)
    assert data["principles"]["number"] == [kb.decalogue[p].record.number for p in sorted(kb.decalogue)]
    assert data["editions"]["year"] == [kb.editions[e].record.year for e in sorted(kb.editions)]
    ids = data["territories"]["id"]
    parents = [ids[p] if p is not None else None for p in data["territories"]["parent"]]
    assert parents == [kb.territories[t].record.parent for t in ids]


def test_each_cluster_has_its_facets(kb: KnowledgeBase, data: dict[str, Any]) -> None:
    found = data_facets(data)
    for cid in kb.clusters:
        assert found[cid] == cluster_facets(kb, cid), cid
    # The cases the issue names: Bogotá's and Medellín's clusters are found under Colombia.
    assert found["example-coffee-cluster"]["territory"] == {"bogota", "colombia"}
    assert found["medellin-fashion-cluster"]["territory"] == {"medellin", "antioquia", "colombia"}
    assert found["medellin-fashion-cluster"]["principle"] == {"shared-vision", "principle-2"}
    assert found["fjord-ocean-cluster"]["sector"] == set()


def test_each_facet_value_finds_what_the_knowledge_base_lists(kb: KnowledgeBase, data: dict[str, Any]) -> None:
    found = data_facets(data)

    def under(facet: str, value: str) -> set[str]:
        return {cid for cid, facets in found.items() if value in facets[facet]}

    for tid in kb.territories:
        assert under("territory", tid) == {e.id for e in kb.clusters_in(tid)}, tid
    for sid in kb.sectors:
        assert under("sector", sid) == {e.id for e in kb.clusters_in_sector(sid)}, sid
    for eid in kb.editions:
        assert under("edition", eid) == {e.id for e in kb.clusters_at(eid)}, eid
    for pid in kb.decalogue:
        assert under("principle", pid) == {e.id for e, _, _ in kb.practices_for(pid) if e.kind == "clusters"}, pid
    assert under("territory", "colombia") >= {"example-coffee-cluster", "hostile-name-cluster", "antioquia-textile-network"}


def test_names_pick_the_language_as_the_site_does(kb: KnowledgeBase, data: dict[str, Any]) -> None:
    tables = {"territories": kb.territories, "sectors": kb.sectors, "principles": kb.decalogue,
              "editions": kb.editions, "clusters": kb.clusters}
    for table, entries in tables.items():
        for record_id, name in zip(data[table]["id"], data[table]["name"], strict=True):
            record = entries[record_id].record
            for lang in LANGUAGES:
                assert js_pick(name, lang) == record.name.pick(lang, record.language), (table, record_id, lang)
    names = dict(zip(data["clusters"]["id"], data["clusters"]["name"], strict=True))
    assert names["example-wine-cluster"] == "Example Wine Cluster"
    assert names["medellin-fashion-cluster"] == {"en": "Medellín Fashion Cluster", "es": "Clúster de Moda de Medellín"}
    assert names["barcelona-health-cluster"] == {"ca": "Clúster de Salut de Barcelona"}
    assert names["hostile-name-cluster"] == HOSTILE_NAME


_texts = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Zs", "Zl", "Zp"]), min_size=1, max_size=8)


@given(
    texts=st.dictionaries(st.sampled_from(LANGUAGES), _texts, min_size=1, max_size=3),
    own=st.sampled_from(LANGUAGES),
    plain=st.booleans(),
)
def test_name_fallback_is_local_pick(texts: dict[str, str], own: str, plain: bool) -> None:
    """For any name written in any languages, the page language else the first key is Local.pick's choice."""
    name = Local(next(iter(texts.values()))) if plain else Local(texts)
    stored = local_name(types.SimpleNamespace(name=name, language=own))  # type: ignore[arg-type]
    assert json.loads(json.dumps(stored, ensure_ascii=False)) == stored
    for lang in LANGUAGES:
        assert js_pick(stored, lang) == name.pick(lang, own)


def test_reference_counts_on_a_known_case(kb: KnowledgeBase) -> None:
    """The reference the browser tests use, checked by hand once."""
    results, counts = expected(kb, {"territory": {"colombia"}, "sector": {"textiles"}})
    assert results == {"hostile-name-cluster", "medellin-fashion-cluster", "antioquia-textile-network"}
    assert counts["territory"]["colombia"] == 3
    assert counts["territory"]["norway"] == 3  # Colombia's three, or'ed with Norway's (none in textiles)
    assert counts["sector"]["health"] == 4  # textiles or health, in Colombia: adds Bogotá Health Hub
    assert counts["sector"]["agri-food"] == 5  # adds the coffee cluster and the health hub
    assert counts["edition"]["colombia-2018"] == 1
    results, _ = expected(kb, {}, "BOGOTA")
    assert results == {"bogota-health-hub"}


# -- bytes ----------------------------------------------------------------------------------------


def test_bytes_are_compact_deterministic_utf8(kb: KnowledgeBase, tmp_path: Path) -> None:
    first = directory_json(kb)
    again = directory_json(load_knowledge_base(write_test_kb(tmp_path / "again")))
    assert first == again
    text = first.decode("utf-8")
    assert "Medellín" in text and "\\u00ed" not in text  # accents as UTF-8, not escaped
    assert text == json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":")) + "\n"
    assert json.loads(text) == directory_data(kb)


def test_synthetic_bytes_are_deterministic(tmp_path: Path) -> None:
    write_knowledge_base(tmp_path / "a", clusters=150)
    write_knowledge_base(tmp_path / "b", clusters=150)
    first = directory_json(load_knowledge_base(tmp_path / "a"))
    assert first == directory_json(load_knowledge_base(tmp_path / "b"))
    assert len(json.loads(first)["clusters"]["id"]) == 150


def test_an_empty_knowledge_base(tmp_path: Path) -> None:
    write_knowledge_base(tmp_path / "kb", clusters=0)
    data = json.loads(directory_json(load_knowledge_base(tmp_path / "kb")))
    assert data["clusters"] == {"id": [], "name": [], "territory": [], "sectors": [], "principles": [], "editions": []}
    assert data["territories"]["id"]


# -- the macro --------------------------------------------------------------------------------------

TEMPLATES = ROOT / "generator" / "cluster_kb" / "site" / "templates"
LABEL_KEYS = (
    "filters", "search", "territory", "sector", "principle", "edition", "clear_all", "results",
    "results_one", "results_other", "no_results", "shown", "show_more", "load_error",
)


def _render(labels: dict[str, str], lang: str = "es") -> str:
    # As the site's renderer sets up its environments (site/html.py): strict, trimmed, escaped.
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.i18n"],
    )
    template = env.from_string('{% from "_directory.html" import directory %}{{ directory(labels, d, r, lang) }}')
    return template.render(labels=labels, d="../../data/directory.json", r="../../", lang=lang)


def test_the_macro_documents_every_label_it_uses() -> None:
    source = (TEMPLATES / "_directory.html").read_text(encoding="utf-8")
    docstring = source[: source.index("-#}")]
    used = set(re.findall(r"labels\['(\w+)'\]", source)) | {"territory", "sector", "principle", "edition"}
    assert used == set(LABEL_KEYS)
    for key in LABEL_KEYS:
        assert re.search(rf"^\s+{key}\s", docstring, re.MULTILINE), key
    assert "kb-directory-static" in docstring


def test_the_macro_escapes_labels_and_needs_every_key() -> None:
    labels = {key: f'{key} "<b>&' for key in LABEL_KEYS}
    html = _render(labels)
    assert "<b>" not in html and 'search "' not in html
    assert "search &#34;&lt;b&gt;&amp;" in html
    assert 'data-cluster-base="../../es/clusters/"' in html
    assert 'data-src="../../data/directory.json"' in html
    assert "hidden" in html.split(">", 1)[0]  # without JavaScript the panel never shows
    for facet in FACETS:
        assert f'data-facet="{facet}"' in html
    assert _render(labels, "en").count('data-cluster-base="../../clusters/"') == 1
    for key in LABEL_KEYS:
        with pytest.raises(jinja2.UndefinedError):
            _render({k: v for k, v in labels.items() if k != key})


def test_the_script_never_writes_html() -> None:
    """Record text goes in with textContent and text nodes only (the browser tests feed it hostile names)."""
    script = (ROOT / "generator" / "cluster_kb" / "site" / "assets" / "directory.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "DOMParser"):
        assert sink not in script, sink
