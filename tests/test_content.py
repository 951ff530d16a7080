"""The shipped knowledge base: its rules, and the sourced facts that matter, pinned.

Two kinds of test live here.

* **Rules** that every record must follow, whatever it says: a schema comment, no ``id`` or
  ``synthetic`` field, a source for every record, original publishers' addresses (never a copy,
  proxy or redirect), the primary source cited by title, a year on every cluster and territory
  figure, and a decalogue whose six undocumented elements are never invented.
* **Pinned facts**: a table of expected values, each with the source that states it. They fail
  only when a pinned value changes, never because a record or a fact was added, so a contributor
  who adds a valid, sourced cluster or figure still passes. When one fails, check the source named
  in the message; if the source says so, update ``PINNED`` (or the table the message names).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from cluster_kb.commands.cli import main as cli_main
from cluster_kb.kinds import KINDS
from cluster_kb.knowledge import KnowledgeBase, load_knowledge_base
from cluster_kb.records.loader import load_file
from cluster_kb.records.models import ECOSYSTEMS, Citation, Figure

CONTENT = Path(__file__).resolve().parents[1] / "content"
RECORD_FILES = sorted(CONTENT.glob("*/*.yaml"))
FOLDERS = [k.folder for k in KINDS]

PRIMARY = "International intercluster meeting: Colombia meets Catalonia"
TYPOLOGY = "https://clustercollaboration.eu/typology"
ECCP_LOMBARDY = "https://clustercollaboration.eu/news/iv-international-intercluster-meeting-lombardy-meets-catalonia"
CLUSTER_MAV_2017 = "https://www.clustermav.com/60-professionals-cluster-participen-intercluster-meeting-euskadi-navarra-catalunya/"
NORWAY_2013 = "http://www.norgeispania.es/Okonomi-og-naringsliv/Konferanse-om-naringsklynger-i-Barcelona/"
CWP_MISSION = "https://clustercollaboration.eu/content/catalan-water-partnerhip-organizes-intercluster-cooperation-network-colombian"
CLUST_ER_MECH = "https://mech.clust-er.it/?p=6384"

COPY_HOSTS = ("hosted-temp.com", "symbaloo.com", "arietiform.com", "fdocument", "studenta", "1library")
"""Hosts of copies, proxies and redirects: cite the original publisher instead."""

DOCUMENTED = ["shared-vision", "uniqueness", "public-private-teamwork", "right-cluster-manager"]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base(CONTENT)


def _entries(kb: KnowledgeBase) -> Iterator[tuple[str, Any]]:
    for folder in FOLDERS:
        for entry in kb.of_kind(folder).values():
            yield folder, entry


def _citations(kb: KnowledgeBase) -> list[tuple[str, Citation]]:
    return [(str(entry.path.relative_to(CONTENT.parent)), c) for _, entry in _entries(kb) for c in entry.record.sources]


# -- rules: every file, every record -------------------------------------------------------------


def test_validate_command_accepts_the_content(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli_main(["validate", str(CONTENT)])
    out = capsys.readouterr()
    assert code == 0, out.out + out.err
    assert ": valid: " in out.out


@pytest.mark.parametrize("path", RECORD_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_file_starts_with_its_schema_comment(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    expected = f"# yaml-language-server: $schema=../../schemas/{path.parent.name}.schema.json"
    assert first == expected, f"content/{path.parent.name}/{path.name}: the first line must be {expected!r}"


@pytest.mark.parametrize("path", RECORD_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_file_is_synthetic_or_repeats_its_id(path: Path) -> None:
    data = load_file(path).data
    where = f"content/{path.parent.name}/{path.name}"
    assert "synthetic" not in data, f"{where}: synthetic records belong in tests/fixtures, never in content/"
    assert "id" not in data, f"{where}: the id is the file name; remove the 'id' field"


def test_every_record_is_real_and_cites_a_source(kb: KnowledgeBase) -> None:
    for folder, entry in _entries(kb):
        assert not entry.record.synthetic, f"content/{folder}/{entry.id}.yaml is marked synthetic"
        assert entry.record.sources, f"content/{folder}/{entry.id}.yaml cites no source"


def test_every_address_is_http(kb: KnowledgeBase) -> None:
    urls = [(where, c.url) for where, c in _citations(kb) if c.url]
    urls += [(f"content/clusters/{e.id}.yaml", e.record.website) for e in kb.clusters.values() if e.record.website]
    assert urls
    for where, url in urls:
        parts = urlsplit(url)
        assert parts.scheme in ("http", "https") and parts.netloc, f"{where}: {url} is not an http(s) address"


def test_no_citation_of_a_copy_proxy_or_redirect(kb: KnowledgeBase) -> None:
    for where, citation in _citations(kb):
        host = urlsplit(citation.url).netloc.lower() if citation.url else ""
        for copy in COPY_HOSTS:
            assert copy not in host, (
                f"{where}: {citation.url} is a copy, proxy or redirect ({copy}); cite the original publisher's "
                "address (clustercollaboration.eu for ECCP staging copies, the newspaper for a Symbaloo link, "
                "Scribd for the arietiform proxy), or its title, publisher and date without a url"
            )


def test_the_primary_source_is_cited_by_title_without_an_address(kb: KnowledgeBase) -> None:
    primary = [(where, c) for where, c in _citations(kb) if c.title == PRIMARY]
    assert primary, f"no record cites the primary source {PRIMARY!r}"
    for where, c in primary:
        assert (c.url, c.date) == (None, "2018"), f"{where}: cite {PRIMARY!r} with date 2018 and no url"


def test_every_cluster_and_territory_figure_has_its_year(kb: KnowledgeBase) -> None:
    for folder in ("clusters", "territories"):
        for entry in kb.of_kind(folder).values():
            for figure in entry.record.figures:
                assert figure.as_of is not None, f"content/{folder}/{entry.id}.yaml: figure {figure.label} needs as_of"


def test_every_territory_with_clusters_or_editions_is_on_the_map(kb: KnowledgeBase) -> None:
    used = {e.record.territory for e in kb.clusters.values()}
    for edition in kb.editions.values():
        used |= {edition.record.host, *edition.record.invited}
    for tid in sorted(used):
        record = kb.territories[tid].record
        assert record.coordinates is not None, f"content/territories/{tid}.yaml: give its coordinates (from GeoNames)"
        assert any(c.title.startswith("GeoNames: ") for c in record.sources), (
            f"content/territories/{tid}.yaml: cite the GeoNames place its coordinates come from"
        )


def test_sectors_are_the_fourteen_ecosystems(kb: KnowledgeBase) -> None:
    assert {e.record.ecosystem for e in kb.sectors.values()} == set(ECOSYSTEMS)
    for entry in kb.sectors.values():
        assert TYPOLOGY in {c.url for c in entry.record.sources}, f"content/sectors/{entry.id}.yaml: cite {TYPOLOGY}"


def test_sector_complements_are_explained_as_the_knowledge_bases_rule(kb: KnowledgeBase) -> None:
    for entry in kb.sectors.values():
        record = entry.record
        assert entry.id not in record.complements, f"content/sectors/{entry.id}.yaml complements itself"
        assert len(set(record.complements)) == len(record.complements), f"content/sectors/{entry.id}.yaml: duplicate complement"
        summary = " ".join(record.summary) if record.summary else ""
        for other in record.complements:
            name = kb.sectors[other].name
            assert f"complementary to {name}" in summary, (
                f"content/sectors/{entry.id}.yaml: explain in the summary why it complements {name} "
                "('For the C2C matchmaking, this knowledge base treats ... as complementary to ...')"
            )


# -- rules: the decalogue ------------------------------------------------------------------------


def test_decalogue_numbers_one_to_ten(kb: KnowledgeBase) -> None:
    assert [e.record.number for e in kb.principles_in_order()] == list(range(1, 11))


def test_exactly_the_four_named_elements_are_documented(kb: KnowledgeBase) -> None:
    documented = [(e.id, e.record.number) for e in kb.principles_in_order() if e.record.status == "documented"]
    assert documented == [(pid, n) for n, pid in enumerate(DOCUMENTED, start=1)], (
        f"only the four elements the primary source names ({', '.join(DOCUMENTED)}) are documented; "
        f"found {documented}. A fifth needs a public source that states it"
    )


@pytest.mark.parametrize("number", range(5, 11))
def test_the_other_six_are_never_invented(kb: KnowledgeBase, number: int) -> None:
    pid = f"principle-{number}"
    where = f"content/decalogue/{pid}.yaml"
    principle = kb.decalogue[pid].record
    assert principle.number == number
    assert principle.status == "undocumented", f"{where}: no source states this element; keep it undocumented"
    assert principle.summary is None, f"{where}: no source states this element; it has no summary"
    assert principle.name.text("en", principle.language) == f"Principle {number} (not yet documented)"
    linked = [f"{entry.path.name} practice {index}" for entry, index, _ in kb.practices_for(pid)]
    assert not linked, f"{where}: practices link an undocumented element: {linked}"
    assert not kb.sessions_for(pid), f"{where}: an edition's session links an undocumented element"


def test_practices_link_only_documented_elements(kb: KnowledgeBase) -> None:
    for folder in ("clusters", "territories"):
        for entry in kb.of_kind(folder).values():
            for index, practice in enumerate(entry.record.practices):
                for pid in practice.principles:
                    assert pid in DOCUMENTED, f"content/{folder}/{entry.id}.yaml practice {index} links {pid}"


# -- pinned facts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pin:
    """A sourced fact: the value a record's field must have, and where the value comes from."""

    path: str
    """The record, as content/<folder>/<id>.yaml."""
    field: str
    """What is pinned, in words (shown in the failure message)."""
    get: Callable[[Any], Any]
    """Reads the value from the record."""
    expected: Any
    source: str


def _figure(label: str, as_of: int | None = None) -> Callable[[Any], Any]:
    """(value, qualifier, unit, source) of the record's figure with that label (and year)."""

    def get(record: Any) -> Any:
        figures: list[Figure] = [
            f for f in record.figures if f.label.text("en", record.language) == label and (as_of is None or f.as_of == as_of)
        ]
        if len(figures) != 1:
            return f"{len(figures)} figures labelled {label!r}" + (f" for {as_of}" if as_of else "")
        f = figures[0]
        return (f.value, f.qualifier, f.unit and f.unit.text(), f.source)

    return get


def _field(name: str) -> Callable[[Any], Any]:
    return lambda record: getattr(record, name)


def _reports(name: str) -> Callable[[Any], Any]:
    return lambda record: [(r.value, r.source) for r in getattr(record, name)]


def _text(name: str, lang: str) -> Callable[[Any], Any]:
    return lambda record: getattr(record, name).text(lang, record.language)


def _contains(name: str, *words: str) -> Callable[[Any], Any]:
    def get(record: Any) -> Any:
        text = " ".join(getattr(record, name) or [])
        return [w for w in words if w in text]

    return get


DIARI_GIRONA_2018 = "http://www.diaridegirona.cat/economia/2018/04/28/cluster-laigua-mobilitza-mes-10/910265.html"
PCB_2019 = "https://www.pcb.ub.edu/en/cataloniabioht-participates-in-the-annual-advisory-committee-of-the-catalonias-cluster-programme/"
DIARI_GIRONA_2020 = "https://www.diaridegirona.cat/economia/2020/08/15/vuit-deu-empreses-catalanes-aposten/1057540.html"
ECCP_NEW_YORK = "https://clustercollaboration.eu/content/16-catalan-clusters-travel-future-new-york"
ECCP_CONGRESS_2018 = "https://clustercollaboration.eu/content/third-cluster-congress-colombia-19-20-september-2018"
PORTAFOLIO_2022 = "https://www.portafolio.co/negocios/iniciativas-cluster-apoyan-a-10-000-empresas-568048"
CIAC_CONSORCI = "https://consorciautomocio.empresa.gencat.cat/automocio-a-catalunya/ciac/"
CIAC_PRESS = "https://www.catalunyapress.cat/article/economia/2023-04-25/4265794-ciac-celebrar-seu-10-aniversari-durant-6-miting-dauto"
CIAC_BCNCL = "https://bcncl.es/els-clusters-ciac-i-railgrup-cooperaran-en-la-gestio-de-projectes-de-mobilitat-sostenible/"
PROGRAMME = "clusters in the Catalunya Clústers programme"
MEMBERS = "members of the programme's clusters"

E = "content/editions/"
T = "content/territories/"
C = "content/clusters/"

PINNED: list[Pin] = [
    # The editions: years, dates, places, numbering (each number with its source).
    Pin(E + "norway-2013.yaml", "year", _field("year"), 2013, NORWAY_2013),
    Pin(E + "norway-2013.yaml", "start", _field("start"), date(2013, 9, 25), NORWAY_2013),
    Pin(E + "norway-2013.yaml", "end", _field("end"), date(2013, 9, 26), NORWAY_2013),
    Pin(E + "norway-2013.yaml", "venue", _field("venue"), "Barcelona", NORWAY_2013),
    Pin(E + "norway-2013.yaml", "invited", _field("invited"), ["norway"], NORWAY_2013),
    Pin(E + "norway-2013.yaml", "ordinal", _reports("ordinal"), [], ECCP_LOMBARDY),
    Pin(E + "denmark-2014.yaml", "year", _field("year"), 2014, ECCP_LOMBARDY),
    Pin(E + "denmark-2014.yaml", "ordinal", _reports("ordinal"), [(2, None)], ECCP_LOMBARDY),
    Pin(E + "auvergne-rhone-alpes-2016.yaml", "year", _field("year"), 2016, ECCP_LOMBARDY),
    Pin(E + "auvergne-rhone-alpes-2016.yaml", "ordinal", _reports("ordinal"), [(3, None)], ECCP_LOMBARDY),
    Pin(E + "basque-country-navarra-2017.yaml", "year", _field("year"), 2017, CLUSTER_MAV_2017),
    Pin(E + "basque-country-navarra-2017.yaml", "start", _field("start"), date(2017, 11, 23), CLUSTER_MAV_2017),
    Pin(E + "basque-country-navarra-2017.yaml", "end", _field("end"), date(2017, 11, 24), CLUSTER_MAV_2017),
    Pin(E + "basque-country-navarra-2017.yaml", "invited", _field("invited"), ["basque-country", "navarra"], CLUSTER_MAV_2017),
    Pin(E + "basque-country-navarra-2017.yaml", "ordinal", _reports("ordinal"), [(4, CLUSTER_MAV_2017)], CLUSTER_MAV_2017),
    Pin(E + "lombardy-2018.yaml", "year", _field("year"), 2018, ECCP_LOMBARDY),
    Pin(E + "lombardy-2018.yaml", "start", _field("start"), date(2018, 4, 19), ECCP_LOMBARDY),
    Pin(E + "lombardy-2018.yaml", "end", _field("end"), date(2018, 4, 20), ECCP_LOMBARDY),
    Pin(E + "lombardy-2018.yaml", "ordinal", _reports("ordinal"), [(4, ECCP_LOMBARDY)], ECCP_LOMBARDY),
    Pin(E + "colombia-2018.yaml", "year", _field("year"), 2018, PRIMARY),
    Pin(E + "colombia-2018.yaml", "start", _field("start"), date(2018, 5, 30), PRIMARY),
    Pin(E + "colombia-2018.yaml", "end", _field("end"), date(2018, 6, 1), PRIMARY),
    Pin(E + "colombia-2018.yaml", "invited", _field("invited"), ["colombia"], PRIMARY),
    Pin(E + "colombia-2018.yaml", "ordinal (no source numbers it)", _reports("ordinal"), [], PRIMARY),
    Pin(E + "colombia-2018.yaml", "common sectors", _field("sectors"), ["textiles", "health", "agri-food", "energy-renewables"], PRIMARY),
    Pin(E + "emilia-romagna-meets-catalonia.yaml", "year (not visible in any source)", _field("year"), None, CLUST_ER_MECH),
    Pin(E + "emilia-romagna-meets-catalonia.yaml", "invited", _field("invited"), ["emilia-romagna"], CLUST_ER_MECH),
    # Catalunya Clústers over time.
    Pin(T + "catalonia.yaml", f"figure {PROGRAMME!r} 2017", _figure(PROGRAMME, 2017), (30, None, None, CLUSTER_MAV_2017), CLUSTER_MAV_2017),
    Pin(T + "catalonia.yaml", f"figure {MEMBERS!r} 2017", _figure(MEMBERS, 2017), (2200, "more than", None, CLUSTER_MAV_2017), CLUSTER_MAV_2017),
    Pin(T + "catalonia.yaml", "April 2018 size", _figure(PROGRAMME + " (April)", 2018), (29, None, None, DIARI_GIRONA_2018), DIARI_GIRONA_2018),
    Pin(T + "catalonia.yaml", "November 2018 size", _figure("cluster organisations in the Catalunya Clústers programme (November)", 2018), (28, None, None, ECCP_NEW_YORK), ECCP_NEW_YORK),
    Pin(T + "catalonia.yaml", f"figure {PROGRAMME!r} 2019", _figure(PROGRAMME, 2019), (30, None, None, PCB_2019), PCB_2019),
    Pin(T + "catalonia.yaml", f"figure {MEMBERS!r} 2019", _figure(MEMBERS, 2019), (2300, None, None, PCB_2019), PCB_2019),
    Pin(T + "catalonia.yaml", f"figure {PROGRAMME!r} 2020", _figure(PROGRAMME, 2020), (29, None, None, DIARI_GIRONA_2020), DIARI_GIRONA_2020),
    Pin(T + "catalonia.yaml", f"figure {MEMBERS!r} 2020", _figure(MEMBERS, 2020), (2600, None, None, DIARI_GIRONA_2020), DIARI_GIRONA_2020),
    Pin(T + "catalonia.yaml", "about 25 years of policy (2018)", _figure("years of cluster policy", 2018), "2 figures labelled 'years of cluster policy' for 2018", PRIMARY),
    Pin(T + "catalonia.yaml", "policy start and programme creation, both sides of each conflict", _contains("cluster_policy", "1992", "1993", "in 2013", "in 2014", "at least 20 member companies", "at least EUR 100 million"),
        ["1992", "1993", "in 2013", "in 2014", "at least 20 member companies", "at least EUR 100 million"],
        "El Economista (1992), the DG Indústria paper (1993), INNOVACC's catalogue (2013), Regió7 (2014), ACCIÓ's accreditation page"),
    # Colombia's counts, each with its date and source.
    Pin(T + "colombia.yaml", "active initiatives 2018", _figure("active cluster initiatives", 2018), (80, "more than", None, PRIMARY), PRIMARY),
    Pin(T + "colombia.yaml", "Rutas Competitivas clusters 2018", _figure("clusters created by the Rutas Competitivas programme", 2018), (51, None, None, ECCP_CONGRESS_2018), ECCP_CONGRESS_2018),
    Pin(T + "colombia.yaml", "initiatives registered with RCC 2018", _figure("cluster initiatives registered with Red Cluster Colombia", 2018), (70, "more than", None, ECCP_CONGRESS_2018), ECCP_CONGRESS_2018),
    Pin(T + "colombia.yaml", "initiatives at the 2014 workshop", _figure("iNNpulsa cluster initiatives at a capacity-building workshop", 2014), (36, None, None, "https://www.cluster-consulting.com/en/component/tags/tag/workshop?Itemid=108"), "https://www.cluster-consulting.com/en/component/tags/tag/workshop?Itemid=108"),
    Pin(T + "colombia.yaml", "undated counts kept in the prose", _contains("cluster_policy", "87", "21,000"), ["87", "21,000"], "https://www.clustercollaboration.eu/cluster-networks/colombian-cluster-network-red-cluster-colombia-rcc"),
    Pin(T + "bogota.yaml", "initiatives 2018", _figure("cluster initiatives", 2018), (16, None, None, PRIMARY), PRIMARY),
    Pin(T + "bogota.yaml", "initiatives 2017", _figure("cluster initiatives listed by the TCI Network", 2017), (13, None, None, "http://www.tci-network.org/tci2017"), "http://www.tci-network.org/tci2017"),
    Pin(T + "bogota.yaml", "initiatives 2022", _figure("cluster initiatives of the CCB programme", 2022), (16, None, None, PORTAFOLIO_2022), PORTAFOLIO_2022),
    Pin(T + "medellin.yaml", "initiatives 2017", _figure("cluster initiatives", 2017), (6, None, None, "https://www.elespectador.com/economia/por-tres-dias-bogota-fue-la-casa-del-congreso-mundial-de-clusters-articulo-722378"), "El Espectador, 9 Nov 2017"),
    Pin(T + "medellin.yaml", "initiatives 2025", _figure("cluster initiatives", 2025), (8, None, None, "https://m.elcolombiano.com/especiales/aniversario350/especial-medellin-350-anos-consejeros-de-alto-nivel-hacen-posible-la-estrategia-cluster-CO30498648"), "El Colombiano, 2 Nov 2025"),
    Pin(T + "medellin.yaml", "parent", _field("parent"), "antioquia", "https://www.space2idgo.eu/fact-finding-mission-colombia/"),
    # Clusters: founding years (disagreements as lists), places, sectors, counts.
    Pin(C + "railgrup.yaml", "founded", _reports("founded"), [(2002, None)], "https://clustercollaboration.eu/cluster-organisations/railgrup"),
    Pin(C + "railgrup.yaml", "sectors", _field("sectors"), ["mobility-transport-automotive"], "https://clustercollaboration.eu/cluster-organisations/railgrup"),
    Pin(C + "railgrup.yaml", "members 2016", _figure("members", 2016), (100, "about", None, "http://www.interempresas.net/Ferrocarril/Articulos/152511-Entrevista-a-Ignasi-Gomez-Belinchon-gerente-del-Cluster-Railgrup.html"), "Interempresas, 2 Mar 2016"),
    Pin(C + "railgrup.yaml", "turnover 2016 (Interempresas)", _figure("members' turnover", 2016), (17000, "about", "EUR million", "http://www.interempresas.net/Ferrocarril/Articulos/152511-Entrevista-a-Ignasi-Gomez-Belinchon-gerente-del-Cluster-Railgrup.html"), "Interempresas, 2 Mar 2016"),
    Pin(C + "railgrup.yaml", "turnover 2015 (BCNCL)", _figure("members' turnover", 2015), (13800, "more than", "EUR million", "https://bcncl.es/les-empreses-del-cluster-railgrup-facturen-mes-de-13-800-milions-deuros/"), "BCNCL"),
    Pin(C + "railgrup.yaml", "editions", _field("editions"), ["norway-2013"], NORWAY_2013),
    Pin(C + "indescat.yaml", "specialisation (sport industry, not industrial services)", _text("specialisation", "en"), "sport industry", "https://2playbook.com/industria-opina/preparados-listoshub_1951_102.html"),
    Pin(C + "indescat.yaml", "founded", _reports("founded"), [(2010, None)], "https://2playbook.com/industria-opina/preparados-listoshub_1951_102.html"),
    Pin(C + "indescat.yaml", "editions", _field("editions"), ["norway-2013"], NORWAY_2013),
    Pin(C + "catalan-water-partnership.yaml", "founded", _reports("founded"), [(2008, None)], "IQS interview with Xavier Amores, 13 Feb 2025"),
    Pin(C + "catalan-water-partnership.yaml", "members 2018", _figure("members", 2018), (75, None, None, DIARI_GIRONA_2018), DIARI_GIRONA_2018),
    Pin(C + "catalan-water-partnership.yaml", "members 2025", _figure("members", 2025), (160, "more than", None, "https://iqs.edu/en/iqs/news/la-concentracion-de-conocimiento-talento-y-empresas-del-mundo-del-agua-en-cataluna-es-excepcional-y-destaca-por-su-intensidad-en-id"), "IQS, 13 Feb 2025"),
    Pin(C + "innovi.yaml", "founded", _reports("founded"), [(2009, None)], "Qcom.es interview with Eloi Montcada, 18 Jan 2023"),
    Pin(C + "innovacc.yaml", "founded", _reports("founded"), [(2008, None)], "https://www.diaridegirona.cat/economia/2019/06/11/associacio-capital-garrotxa-que-segueix/985743.html"),
    Pin(C + "innovacc.yaml", "members 2019", _figure("members", 2019), (101, None, None, "https://www.diaridegirona.cat/economia/2019/06/11/associacio-capital-garrotxa-que-segueix/985743.html"), "Diari de Girona, June 2019"),
    Pin(C + "packaging-cluster.yaml", "founded", _reports("founded"), [(2012, None)], "Packaging Cluster news, board meeting of 28 Apr 2025"),
    Pin(C + "packaging-cluster.yaml", "members 2025", _figure("members", 2025), (151, None, None, "https://www.packagingcluster.com/news/the-board-of-directors-meets-with-special-attention-to-the-assembly-and-the-packaging-talks"), "Packaging Cluster, Apr 2025"),
    Pin(C + "ciac.yaml", "founded (sources disagree: 2013 vs 2015)", _reports("founded"), [(2013, CIAC_CONSORCI), (2013, CIAC_PRESS), (2015, CIAC_BCNCL)], "the Consorci d'Automoció page, CatalunyaPress (24 Apr 2013) and BCNCL ('constituït el 2015')"),
    Pin(C + "cluster-salut-mental-catalunya.yaml", "founded (constituted 2013; activity from 2015 is another milestone)", _reports("founded"), [(2013, None)], "http://www.salutmental.org/2013/01/17/salut-mental-catalunya-forma-part-del-nou-cluster-de-salut-mental/"),
    Pin(C + "cluster-salut-mental-catalunya.yaml", "summary names both milestones", _contains("summary", "16 January 2013", "2015"), ["16 January 2013", "2015"], "Salut Mental Catalunya (2013) and Amalgama7 (2015)"),
    Pin(C + "leather-cluster-barcelona.yaml", "territory", _field("territory"), "igualada", "Regió7, Sept 2018"),
    Pin(C + "cluster-audiovisual-de-catalunya.yaml", "members 2024", _figure("member companies", 2024), (204, None, None, "https://infonegocios.barcelona/amp/plus/con-204-empresas-socias-el-cluster-audiovisual-de-catalunya-ya-es-el-mas-grande-de-europa"), "Infonegocios Barcelona"),
    Pin(C + "cluster-excelencia-clinica.yaml", "sales 2020 (12,6 billones = 12.6 trillion pesos)", _figure("companies' sales", 2020), (12.6, None, "COP trillion", "https://www.elpais.com.co/economia/las-claves-para-entender-por-que-el-valle-es-una-potencia-en-el-negocio-de-la-salud.html"), "El País (Cali), Sept 2021"),
    Pin(C + "cluster-excelencia-clinica.yaml", "companies 2020", _figure("companies", 2020), (456, None, None, "https://www.elpais.com.co/economia/las-claves-para-entender-por-que-el-valle-es-una-potencia-en-el-negocio-de-la-salud.html"), "El País (Cali), Sept 2021"),
    Pin(C + "cluster-lacteo-bogota-region.yaml", "territory", _field("territory"), "bogota", "CCB, Aug 2017"),
]


@pytest.mark.parametrize("pin", PINNED, ids=lambda p: f"{p.path.removeprefix('content/')}:{p.field}")
def test_pinned_fact(kb: KnowledgeBase, pin: Pin) -> None:
    folder, name = pin.path.removeprefix("content/").split("/")
    record_id = name.removesuffix(".yaml")
    table = kb.of_kind(folder)
    assert record_id in table, f"{pin.path} is missing, but a pinned fact lives there (source: {pin.source})"
    actual = pin.get(table[record_id].record)
    assert actual == pin.expected, (
        f"{pin.path}: {pin.field} is {actual!r} but the pinned value is {pin.expected!r} (source: {pin.source}). "
        "If the source says so, update PINNED in tests/test_content.py"
    )


# -- pinned facts of the 2018 Colombia edition (the primary source) -----------------------------


def _one(figures: list[Figure], label: str, where: str) -> Figure:
    found = [f for f in figures if f.label.text("en") == label]
    assert len(found) == 1, f"{where}: expected one figure labelled {label!r}, found {len(found)} (source: {PRIMARY})"
    return found[0]


COLOMBIA = "content/editions/colombia-2018.yaml"
HOW_TO_UPDATE = f"(source: {PRIMARY!r}). If the source says so, update this test in tests/test_content.py"


def test_colombia_delegation(kb: KnowledgeBase) -> None:
    delegation = kb.editions["colombia-2018"].record.delegation
    assert delegation is not None, f"{COLOMBIA}: the delegation is missing {HOW_TO_UPDATE}"
    managers = _one(delegation.counts, "cluster managers", COLOMBIA)
    assert (managers.value, managers.qualifier, managers.source) == (15, None, PRIMARY), f"{COLOMBIA}: 15 cluster managers {HOW_TO_UPDATE}"
    institutions = [i.text("en") for i in delegation.institutions]
    assert institutions == ["Bogotá Chamber of Commerce", "Red Cluster Colombia"], f"{COLOMBIA}: institutions {HOW_TO_UPDATE}"


def test_colombia_outcomes(kb: KnowledgeBase) -> None:
    outcomes = kb.editions["colombia-2018"].record.outcomes
    meetings = _one(outcomes, "C2C meetings", COLOMBIA)
    assert (meetings.value, meetings.qualifier, meetings.source) == (50, "more than", PRIMARY), f"{COLOMBIA}: more than 50 C2C meetings {HOW_TO_UPDATE}"
    each = _one(outcomes, "cluster managers from the other country met by each cluster manager", COLOMBIA)
    assert (each.value, each.qualifier) == (3, None), f"{COLOMBIA}: each manager met 3 {HOW_TO_UPDATE}"


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
    ], f"{COLOMBIA}: the programme's sessions and days {HOW_TO_UPDATE}"
    decalogue = [s for s in programme if s.principles]
    assert [s.principles for s in decalogue] == [DOCUMENTED], f"{COLOMBIA}: the decalogue track names the four elements {HOW_TO_UPDATE}"
    assert "two groups" in " ".join(programme[4].summary or []), f"{COLOMBIA}: the tours split into two groups {HOW_TO_UPDATE}"


def test_colombia_follow_up_is_the_water_mission(kb: KnowledgeBase) -> None:
    follow_ups = kb.editions["colombia-2018"].record.follow_ups
    water = [f for f in follow_ups if "catalan-water-partnership" in f.clusters]
    assert len(water) == 1, f"{COLOMBIA}: one follow-up for the CWP mission (source: {CWP_MISSION})"
    (mission,) = water
    assert (mission.when, mission.source) == ("2019-05", CWP_MISSION), f"{COLOMBIA}: the mission was in May 2019 (source: {CWP_MISSION})"
    assert {"catalonia", "colombia", "bogota", "cartagena"} <= set(mission.territories), (
        f"{COLOMBIA}: the mission met cluster managers in Bogotá and Cartagena (source: {CWP_MISSION})"
    )


@pytest.mark.parametrize(
    ("edition_id", "label", "value", "qualifier", "source"),
    [
        ("norway-2013", "Catalan clusters represented", 24, None, NORWAY_2013),
        ("basque-country-navarra-2017", "cluster professionals", 60, "about", CLUSTER_MAV_2017),
        ("lombardy-2018", "clusters", 13, None, ECCP_LOMBARDY),
        ("emilia-romagna-meets-catalonia", "Catalan clusters represented", 22, None, CLUST_ER_MECH),
    ],
)
def test_participant_counts(kb: KnowledgeBase, edition_id: str, label: str, value: int, qualifier: str | None, source: str) -> None:
    where = f"content/editions/{edition_id}.yaml"
    count = _one(kb.editions[edition_id].record.participants, label, where)
    assert (count.value, count.qualifier, count.source) == (value, qualifier, source), (
        f"{where}: {label} is {count.qualifier or ''} {count.value} but the pinned value is {qualifier or ''} {value} "
        f"(source: {source}). If the source says so, update test_participant_counts in tests/test_content.py"
    )


def test_norway_delegation(kb: KnowledgeBase) -> None:
    edition = kb.editions["norway-2013"].record
    assert edition.delegation is not None
    assert _one(edition.delegation.counts, "Norwegian clusters represented", "content/editions/norway-2013.yaml").value == 26, (
        f"content/editions/norway-2013.yaml: 26 Norwegian clusters (source: {NORWAY_2013})"
    )


def test_visited_clusters_show_on_the_2013_edition(kb: KnowledgeBase) -> None:
    visited = {e.id for e in kb.clusters_at("norway-2013")}
    assert {"indescat", "railgrup"} <= visited, f"Railgrup and INDESCAT were visited in 2013 (source: {NORWAY_2013})"


def test_editions_in_year_order_keep_the_dated_ones_first(kb: KnowledgeBase) -> None:
    years = [e.record.year for e in kb.editions_by_year()]
    dated = [y for y in years if y is not None]
    assert dated == sorted(dated)
    assert years[: len(dated)] == dated, "editions without a year come last"


@pytest.mark.parametrize(
    ("sector_id", "alias"),
    [
        ("textiles", "fashion"),
        ("textiles", "moda"),
        ("agri-food", "food"),
        ("agri-food", "wine"),
        ("agri-food", "alimentos"),
        ("energy-renewables", "energy"),
        ("energy-renewables", "energía"),
        ("mobility-transport-automotive", "rail"),
        ("health", "salud"),
        ("health", "salut"),
        ("tourism", "turismo"),
        ("digital", "TIC"),
    ],
)
def test_source_and_local_words_are_aliases(kb: KnowledgeBase, sector_id: str, alias: str) -> None:
    assert alias in kb.sectors[sector_id].record.aliases, f"content/sectors/{sector_id}.yaml: add {alias!r} to aliases"
