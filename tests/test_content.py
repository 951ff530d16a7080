"""The shipped knowledge base: the facts that matter are pinned, so an edit cannot change them silently.

Every number here comes from /work/shared/sources/ (FACTS.md and the article on the 2018 Colombia
edition). A failing test means either the content drifted from its sources or a source changed:
check the source before changing the expected value.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from cluster_kb.commands import cli
from cluster_kb.knowledge import KnowledgeBase, load_knowledge_base
from cluster_kb.records.loader import load_file
from generator.models import ECOSYSTEMS, KINDS, Citation, Figure

CONTENT = Path(__file__).resolve().parents[1] / "content"
PRIMARY = "International intercluster meeting: Colombia meets Catalonia"
TYPOLOGY = "https://clustercollaboration.eu/typology"
CWP_MISSION = (
    "https://impr-0001-1260-partners.eccp.hosted-temp.com/content/"
    "catalan-water-partnerhip-organizes-intercluster-cooperation-network-colombian"
)
RECORD_FILES = sorted(CONTENT.glob("*/*.yaml"))


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base(CONTENT)


def _citations(kb: KnowledgeBase) -> list[tuple[str, Citation]]:
    return [
        (f"{kind}/{entry.id}", citation)
        for kind in KINDS
        for entry in kb.of_kind(kind).values()
        for citation in entry.record.sources
    ]


def _figure(figures: list[Figure], label: str) -> Figure:
    found = [f for f in figures if f.label == label]
    assert len(found) == 1, f"expected one figure labelled {label!r}, found {len(found)}"
    return found[0]


# -- the whole content folder ------------------------------------------------------------------


def test_validate_command_accepts_the_content(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["validate", str(CONTENT)]) == 0
    assert ": valid: 53 records (15 territories, 14 sectors, 10 decalogue, 6 editions, 8 clusters)" in capsys.readouterr().out


@pytest.mark.parametrize("path", RECORD_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_file_starts_with_its_schema_comment(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# yaml-language-server: $schema=../../schemas/{path.parent.name}.schema.json"


@pytest.mark.parametrize("path", RECORD_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_file_is_synthetic_or_repeats_its_id(path: Path) -> None:
    data = load_file(path).data
    assert "synthetic" not in data, "synthetic records belong in tests/fixtures, never in content/"
    assert "id" not in data


def test_no_record_is_synthetic(kb: KnowledgeBase) -> None:
    for kind in KINDS:
        assert not [e.id for e in kb.of_kind(kind).values() if e.record.synthetic]


def test_every_record_cites_a_source(kb: KnowledgeBase) -> None:
    for kind in KINDS:
        for entry in kb.of_kind(kind).values():
            assert entry.record.sources, f"{kind}/{entry.id} cites no source"


def test_every_address_is_http(kb: KnowledgeBase) -> None:
    urls = [(where, c.url) for where, c in _citations(kb) if c.url]
    urls += [(f"clusters/{e.id}", e.record.website) for e in kb.clusters.values() if e.record.website]
    assert urls
    for where, url in urls:
        parts = urlsplit(url)
        assert parts.scheme in ("http", "https") and parts.netloc, f"{where}: {url}"


def test_the_primary_source_is_cited_by_title_without_an_address(kb: KnowledgeBase) -> None:
    primary = [c for _, c in _citations(kb) if c.title == PRIMARY]
    assert primary
    assert {(c.url, c.date) for c in primary} == {(None, "2018")}


# -- editions ----------------------------------------------------------------------------------

EDITIONS = {
    # id: (year, ordinal, invited, start, end, venue)
    "norway-2013": (2013, None, ["norway"], date(2013, 9, 25), date(2013, 9, 26), "Barcelona"),
    "denmark-2014": (2014, 2, ["denmark"], None, None, None),
    "auvergne-rhone-alpes-2016": (2016, 3, ["auvergne-rhone-alpes"], None, None, None),
    "basque-country-navarra-2017": (
        2017,
        None,
        ["basque-country", "navarra"],
        date(2017, 11, 23),
        date(2017, 11, 24),
        "Barcelona",
    ),
    "lombardy-2018": (2018, 4, ["lombardy"], date(2018, 4, 19), date(2018, 4, 20), "Barcelona"),
    "colombia-2018": (2018, None, ["colombia"], date(2018, 5, 30), date(2018, 6, 1), None),
}


def test_the_six_editions_and_no_other(kb: KnowledgeBase) -> None:
    assert set(kb.editions) == set(EDITIONS)
    assert [e.id for e in kb.editions_by_year()] == list(EDITIONS)


@pytest.mark.parametrize("edition_id", EDITIONS)
def test_edition_facts(kb: KnowledgeBase, edition_id: str) -> None:
    year, ordinal, invited, start, end, venue = EDITIONS[edition_id]
    edition = kb.editions[edition_id].record
    assert (edition.year, edition.ordinal, edition.invited) == (year, ordinal, invited)
    assert (edition.start, edition.end, edition.venue) == (start, end, venue)
    assert edition.host == "catalonia"
    assert "ACCIÓ" in edition.organiser


def test_colombia_delegation(kb: KnowledgeBase) -> None:
    delegation = kb.editions["colombia-2018"].record.delegation
    assert delegation is not None
    managers = _figure(delegation.counts, "cluster managers")
    assert (managers.value, managers.qualifier, managers.source) == (15, None, PRIMARY)
    assert delegation.institutions == ["Bogotá Chamber of Commerce", "Red Cluster Colombia"]


def test_colombia_lasted_three_days(kb: KnowledgeBase) -> None:
    edition = kb.editions["colombia-2018"].record
    assert edition.start and edition.end
    assert (edition.end - edition.start).days + 1 == 3


def test_colombia_outcomes(kb: KnowledgeBase) -> None:
    outcomes = kb.editions["colombia-2018"].record.outcomes
    meetings = _figure(outcomes, "C2C meetings")
    assert (meetings.value, meetings.qualifier, meetings.source) == (50, "more than", PRIMARY)
    each = _figure(outcomes, "cluster managers from the other country met by each cluster manager")
    assert (each.value, each.qualifier) == (3, None)


def test_colombia_programme(kb: KnowledgeBase) -> None:
    programme = kb.editions["colombia-2018"].record.programme
    assert [(s.kind, s.day) for s in programme] == [
        ("track", None),  # cluster policy: the article does not say which day
        ("track", None),  # the decalogue
        ("track", None),  # shared value
        ("meetings", None),
        ("tour", 2),
        ("training", 3),
        ("session", 3),  # evaluation
    ]
    decalogue_tracks = [s for s in programme if s.principles]
    assert len(decalogue_tracks) == 1
    assert decalogue_tracks[0].principles == ["shared-vision", "uniqueness", "public-private-teamwork", "right-cluster-manager"]
    assert "two groups" in (programme[4].summary or "")


def test_colombia_common_sectors(kb: KnowledgeBase) -> None:
    edition = kb.editions["colombia-2018"].record
    assert edition.sectors == ["textiles", "health", "agri-food", "energy-renewables"]


def test_colombia_follow_up_is_the_water_mission(kb: KnowledgeBase) -> None:
    (follow_up,) = kb.editions["colombia-2018"].record.follow_ups
    assert follow_up.when == "2019-05"
    assert follow_up.clusters == ["catalan-water-partnership"]
    assert set(follow_up.territories) == {"catalonia", "colombia", "bogota"}
    assert follow_up.source == CWP_MISSION


def test_norway_delegation(kb: KnowledgeBase) -> None:
    edition = kb.editions["norway-2013"].record
    assert edition.delegation is not None
    assert _figure(edition.delegation.counts, "Norwegian clusters represented").value == 26
    assert [s.kind for s in edition.programme] == ["visit"]


@pytest.mark.parametrize(
    ("edition_id", "label", "value", "qualifier"),
    [
        ("norway-2013", "Catalan clusters represented", 24, None),
        ("basque-country-navarra-2017", "cluster professionals", 60, "about"),
        ("lombardy-2018", "clusters", 13, None),
    ],
)
def test_participant_counts(kb: KnowledgeBase, edition_id: str, label: str, value: int, qualifier: str | None) -> None:
    (count,) = kb.editions[edition_id].record.participants
    assert (count.label, count.value, count.qualifier) == (label, value, qualifier)


# -- territories -------------------------------------------------------------------------------

PARENTS = {
    "spain": None,
    "catalonia": "spain",
    "basque-country": "spain",
    "navarra": "spain",
    "colombia": None,
    "bogota": "colombia",
    "antioquia": "colombia",
    "medellin": "antioquia",
    "norway": None,
    "denmark": None,
    "france": None,
    "auvergne-rhone-alpes": "france",
    "italy": None,
    "lombardy": "italy",
    "emilia-romagna": "italy",
}


def test_territory_hierarchy(kb: KnowledgeBase) -> None:
    assert {tid: e.record.parent for tid, e in kb.territories.items()} == PARENTS
    assert [e.id for e in kb.ancestors("medellin")] == ["colombia", "antioquia"]


def test_norway_country_code_stays_text(kb: KnowledgeBase) -> None:
    code = kb.territories["norway"].record.country_code
    assert isinstance(code, str)
    assert code == "NO"


def test_every_territory_figure_has_its_year(kb: KnowledgeBase) -> None:
    for entry in kb.territories.values():
        for figure in entry.record.figures:
            assert figure.as_of is not None, f"{entry.id}: {figure.label}"


TERRITORY_FIGURES = {
    # territory: [(label, value, qualifier, as_of, source), ...]
    "catalonia": [
        ("years of cluster policy", 25, "about", 2018, PRIMARY),
        (
            "years of cluster policy",
            25,
            "more than",
            2018,
            "https://clustercollaboration.eu/news/iv-international-intercluster-meeting-lombardy-meets-catalonia",
        ),
        (
            "years of cluster policy, celebrated on 16 December 2022",
            30,
            None,
            2022,
            "https://www.clustercollaboration.eu/content/latest-eccp-clusters-meet-regions-workshop-celebrates-30th-anniversary-cluster",
        ),
    ],
    "colombia": [("active cluster initiatives", 80, "more than", 2018, PRIMARY)],
    "bogota": [("cluster initiatives", 16, None, 2018, PRIMARY)],
}


@pytest.mark.parametrize("territory_id", TERRITORY_FIGURES)
def test_territory_figures(kb: KnowledgeBase, territory_id: str) -> None:
    figures = kb.territories[territory_id].record.figures
    assert [(f.label, f.value, f.qualifier, f.as_of, f.source) for f in figures] == TERRITORY_FIGURES[territory_id]


def test_no_other_territory_states_a_figure(kb: KnowledgeBase) -> None:
    assert {tid for tid, e in kb.territories.items() if e.record.figures} == set(TERRITORY_FIGURES)


def test_catalan_accreditation_thresholds(kb: KnowledgeBase) -> None:
    policy = kb.territories["catalonia"].record.cluster_policy or ""
    assert "at least 20 member companies" in policy
    assert "at least EUR 100 million" in policy


def test_colombian_counts_keep_their_sources(kb: KnowledgeBase) -> None:
    colombia = kb.territories["colombia"].record
    policy = colombia.cluster_policy or ""
    assert "87" in policy and "21,000" in policy
    urls = {c.url for c in colombia.sources}
    assert "https://www.clustercollaboration.eu/cluster-networks/colombian-cluster-network-red-cluster-colombia-rcc" in urls
    assert "https://clustercollaboration.eu/international-cooperation/colombia" in urls


# -- sectors -----------------------------------------------------------------------------------


def test_sectors_are_the_fourteen_ecosystems(kb: KnowledgeBase) -> None:
    assert len(kb.sectors) == 14
    assert sorted(e.record.ecosystem for e in kb.sectors.values()) == sorted(ECOSYSTEMS)
    for entry in kb.sectors.values():
        assert TYPOLOGY in {c.url for c in entry.record.sources}, entry.id


@pytest.mark.parametrize(
    ("sector_id", "alias"),
    [
        ("textiles", "fashion"),
        ("agri-food", "food"),
        ("agri-food", "wine"),
        ("energy-renewables", "energy"),
        ("mobility-transport-automotive", "rail"),
    ],
)
def test_source_words_are_aliases(kb: KnowledgeBase, sector_id: str, alias: str) -> None:
    assert alias in kb.sectors[sector_id].record.aliases


# -- decalogue ---------------------------------------------------------------------------------

DOCUMENTED = ["shared-vision", "uniqueness", "public-private-teamwork", "right-cluster-manager"]


def test_decalogue_numbers_one_to_ten(kb: KnowledgeBase) -> None:
    assert [e.record.number for e in kb.principles_in_order()] == list(range(1, 11))


def test_exactly_the_four_named_principles_are_documented(kb: KnowledgeBase) -> None:
    documented = [e for e in kb.principles_in_order() if e.record.status == "documented"]
    assert [(e.id, e.record.number) for e in documented] == [(pid, n) for n, pid in enumerate(DOCUMENTED, start=1)]


def test_the_other_six_are_never_invented(kb: KnowledgeBase) -> None:
    for number in range(5, 11):
        principle = kb.decalogue[f"principle-{number}"].record
        assert principle.number == number
        assert principle.status == "undocumented"
        assert principle.summary is None
        assert principle.name == f"Principle {number} (not yet documented)"
        assert [c.title for c in principle.sources] == [PRIMARY]


# -- clusters ----------------------------------------------------------------------------------

CLUSTERS = {
    # id: (territory, sectors, specialisation, editions)
    "railgrup": ("catalonia", ["mobility-transport-automotive"], "rail", ["norway-2013"]),
    "indescat": ("catalonia", [], None, ["norway-2013"]),
    "catalan-water-partnership": ("catalonia", [], "water", []),
    "innovi": ("catalonia", ["agri-food"], "wine", []),
    "catalonia-bio-healthtech": ("catalonia", ["health"], "health", []),
    "innovacc": ("catalonia", ["agri-food"], "food", []),
    "packaging-cluster": ("catalonia", [], "packaging", []),
    "basque-energy-cluster": ("basque-country", ["energy-renewables"], "energy", []),
}


def test_the_clusters_the_sources_name(kb: KnowledgeBase) -> None:
    assert set(kb.clusters) == set(CLUSTERS)


@pytest.mark.parametrize("cluster_id", CLUSTERS)
def test_cluster_facts(kb: KnowledgeBase, cluster_id: str) -> None:
    cluster = kb.clusters[cluster_id].record
    assert (cluster.territory, cluster.sectors, cluster.specialisation, cluster.editions) == CLUSTERS[cluster_id]
    # No source gives founding years, member counts, websites or practices for these clusters.
    assert (cluster.founded, cluster.members, cluster.website, cluster.practices) == (None, None, None, [])


def test_visited_clusters_show_on_the_2013_edition(kb: KnowledgeBase) -> None:
    assert [e.id for e in kb.clusters_at("norway-2013")] == ["indescat", "railgrup"]
