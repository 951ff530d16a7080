"""A deterministic synthetic knowledge base, for benchmarks and tests.

:func:`generate` builds every record from one ``random.Random(seed)``, so the same ``(clusters,
seed)`` always gives the same records, and :func:`write_knowledge_base` always writes the same
bytes. Every record carries ``synthetic: true`` and its facts are made up: the territories are
fictional (with user-assigned ``X?`` country codes), the sources point at ``example.org``, and the
text is generated words. Nothing here may be copied into ``content/``.

The shape follows the real knowledge base so the benchmark measures something realistic: a few
countries with regions and cities (names sometimes accented, to exercise accent-insensitive
search), 135 territories from 200 clusters on and fewer below (a handful of clusters in 135
territories would be nothing like a real knowledge base, and a small benchmark would build mostly
territory pages), the 14 sectors (one per EU ecosystem), a ten-principle decalogue, a handful of
editions and ``N`` clusters with 0-3 practices each, whose summaries are 2-4 sentences long.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from .kinds import KINDS
from .records.models import ECOSYSTEMS

__all__ = ["DEFAULT_SEED", "SynthError", "generate", "render_yaml", "slug", "write_knowledge_base"]

DEFAULT_SEED = 2018
"""The seed used when none is given."""

_COUNTRIES: tuple[tuple[str, str], ...] = (
    ("Valdòria", "XA"),
    ("Nørdmark", "XB"),
    ("Estrelândia", "XC"),
    ("Kaleva", "XD"),
    ("Montserrá", "XE"),
    ("Ostravia", "XF"),
    ("Bellamar", "XG"),
    ("Sürland", "XH"),
)
"""Fictional countries; the first one hosts every edition, like the real meeting's host region."""

_SYLLABLES = (
    "ba", "lo", "rá", "mi", "nes", "tó", "ri", "ca", "ve", "lla", "mo", "gø", "dar", "sel", "vi", "ran",
    "té", "qui", "sa", "bel", "or", "an", "cas", "tel", "mú", "ria", "do", "ño", "fen", "ger", "hal", "ström",
)
_PLACE_PREFIXES = ("", "", "", "", "San ", "Santa ", "Vila ", "Puerto ", "Nova ", "Alta ", "Bad ", "Saint-")

_VOCABULARY = """
    cluster members companies firms research centres universities innovation strategy network
    regional international cooperation projects training services market value chain supply
    export digital skills talent funding public private partnership platform technology
    sustainable energy water food health mobility textile design quality standards data
    managers meetings workshops visits mission joint development programme growth competitiveness
    small medium enterprises startups investors policy agency chamber commerce industry
    knowledge transfer open shared common challenge roadmap pilot demonstration testing
    laboratory production manufacturing logistics circular economy resource efficiency
    customers products processes certification internationalisation opportunities alliances
    governance board assembly survey evaluation impact indicators benchmark excellence label
    tecnología innovació cooperación economía región qualité société fjørd sostenibilitat
"""
_WORDS = tuple(_VOCABULARY.split())
_VERBS = (
    "connects", "supports", "brings together", "helps", "organises", "promotes", "runs", "coordinates",
    "trains", "represents", "links", "funds", "advises", "measures",
)
_SPECIALISATIONS = (
    "water", "rail", "packaging", "cosmetics", "medical devices", "wine", "coffee", "aerospace", "fashion",
    "software", "audiovisual", "furniture", "renewable energy", "smart cities", "biotechnology",
    "logistics", "tourism", "construction", "automotive", "food technology", "textiles", "electronics",
    "maritime", "nutrition", "gaming", "photonics", "retail", "security", "cocoa", "flowers",
)
_FORMS = ("Cluster", "Cluster", "Clúster", "Network", "Alliance", "Association", "Hub", "Platform")
_THEMES = (
    "internationalisation", "strategy", "innovation", "training", "governance", "funding", "digitalisation",
    "sustainability", "value chain", "talent", "cooperation", "market intelligence",
)
_PRINCIPLE_TITLES = (
    "A shared strategy",
    "Committed members",
    "A professional management team",
    "Balanced governance",
    "Sustainable funding",
    "Services that members value",
    "Measured results",
    "Cooperation beyond the region",
    "Links with knowledge centres",
    "Visibility and communication",
)
_COMPLEMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Agri-food", ("Retail", "Tourism")),
    ("Digital", ("Health", "Mobility-Transport-Automotive")),
    ("Electronics", ("Aerospace & defence",)),
    ("Energy-renewables", ("Construction", "Energy-intensive industries")),
    ("Textiles", ("Cultural and creative industries",)),
)
"""Synthetic sectors' complements (made up, like everything here): one side names the other."""
_SESSION_KINDS = ("opening", "track", "meetings", "tour", "training", "session", "visit")
_CLUSTERS_PER_PLACE = 40
"""Below 200 clusters (5 x this), each country keeps ``clusters // 40`` regions and cities per region."""
_EDITION_YEARS = (2013, 2014, 2016, 2017, 2018, 2019, 2021, 2022)


class SynthError(Exception):
    """The synthetic knowledge base cannot be written where asked."""


def slug(text: str) -> str:
    """Kebab-case ASCII id for ``text``: 'Nørdmark Clúster' -> 'nordmark-cluster'."""
    folded = unicodedata.normalize("NFKD", text.replace("ø", "o").replace("Ø", "O").replace("ß", "ss"))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


class _Generator:
    """Holds the random source and the ids handed out so far."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible made-up data, not secrets
        self.used: dict[str, set[str]] = {k.folder: set() for k in KINDS}

    # -- text ----------------------------------------------------------------------------------

    def sentence(self, low: int = 8, high: int = 18) -> str:
        words = [self.rng.choice(_WORDS) for _ in range(self.rng.randint(low, high))]
        words.insert(1, self.rng.choice(_VERBS))
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def paragraph(self, low: int = 2, high: int = 4) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(low, high)))

    def place_name(self) -> str:
        stem = "".join(self.rng.choice(_SYLLABLES) for _ in range(self.rng.randint(2, 3)))
        return self.rng.choice(_PLACE_PREFIXES) + stem[0].upper() + stem[1:]

    def new_id(self, kind: str, text: str) -> str:
        base = slug(text)[:56].strip("-") or kind
        candidate, number = base, 2
        while candidate in self.used[kind]:
            candidate, number = f"{base}-{number}", number + 1
        self.used[kind].add(candidate)
        return candidate

    @staticmethod
    def source(letter: str, path: str) -> dict[str, Any]:
        return {"title": f"Synthetic source {letter}", "url": f"https://example.org/{path}", "publisher": "Example Publisher"}

    # -- records -------------------------------------------------------------------------------

    def territories(self, clusters: int) -> tuple[dict[str, dict[str, Any]], str, list[str], list[str]]:
        """All territories; the host region; the invited-able countries; the cities and regions.

        Every country has 3-5 regions of 2-4 cities each, drawn alike whatever ``clusters`` is; below
        200 clusters only the first ``clusters // 40`` (at least one) of each are kept, so a small
        knowledge base has a few dozen territories (24 below 80 clusters), not 135. From 200
        clusters on nothing is cut, so the records at 1,000 or 10,000 clusters stay as they were.
        """
        cap = max(1, clusters // _CLUSTERS_PER_PLACE)
        records: dict[str, dict[str, Any]] = {}
        places: list[str] = []
        countries: list[str] = []
        host = ""
        for index, (name, code) in enumerate(_COUNTRIES):
            country_id = self.new_id("territories", name)
            countries.append(country_id)
            records[country_id] = {
                "name": name,
                "synthetic": True,
                "kind": "country",
                "country_code": code,
                "summary": self.paragraph(),
                "cluster_policy": self.paragraph(1, 3),
                "figures": [
                    {
                        "label": "active cluster initiatives",
                        "value": self.rng.randint(10, 120),
                        "qualifier": self.rng.choice(["more than", "about", "at least"]),
                        "as_of": self.rng.choice([2016, 2018, 2020]),
                        "source": "Synthetic source A",
                    }
                ],
                "sources": [self.source("A", f"territories/{country_id}")],
            }
            for _ in range(min(cap, self.rng.randint(3, 5))):
                region_id = self.place(records, "region", country_id, code, summary=True)
                places.append(region_id)
                if index == 0 and not host:
                    host = region_id
                for _ in range(min(cap, self.rng.randint(2, 4))):
                    places.append(self.place(records, "city", region_id, code, summary=False))
        return records, host, countries[1:], places

    def place(self, records: dict[str, dict[str, Any]], kind: str, parent: str, code: str, *, summary: bool) -> str:
        """Add a region or city under ``parent`` to ``records``; return its id."""
        name = self.place_name()
        territory_id = self.new_id("territories", name)
        record: dict[str, Any] = {"name": name, "synthetic": True, "kind": kind, "parent": parent, "country_code": code}
        if summary:
            record["summary"] = self.paragraph(1, 2)
        record["sources"] = [self.source("B", f"territories/{territory_id}")]
        records[territory_id] = record
        return territory_id

    def sectors(self) -> dict[str, dict[str, Any]]:
        records: dict[str, dict[str, Any]] = {}
        for ecosystem in ECOSYSTEMS:
            sector_id = self.new_id("sectors", ecosystem)
            record: dict[str, Any] = {"name": ecosystem, "synthetic": True, "ecosystem": ecosystem}
            if self.rng.random() < 0.5:
                record["aliases"] = sorted(self.rng.sample(_SPECIALISATIONS, self.rng.randint(1, 3)))
            record["summary"] = self.paragraph(1, 2)
            record["sources"] = [self.source("C", "typology")]
            records[sector_id] = record
        # A few fixed complementarities (no random draw, so every other record stays as it was).
        ids = {record["ecosystem"]: sector_id for sector_id, record in records.items()}
        for ecosystem, others in _COMPLEMENTS:
            record = records[ids[ecosystem]]
            record["complements"] = [ids[other] for other in others]
            record["sources"] = record.pop("sources")
        return records

    def decalogue(self) -> dict[str, dict[str, Any]]:
        records: dict[str, dict[str, Any]] = {}
        for number, title in enumerate(_PRINCIPLE_TITLES, start=1):
            principle_id = self.new_id("decalogue", title)
            records[principle_id] = {
                "name": title,
                "synthetic": True,
                "number": number,
                "status": "documented",
                "summary": self.paragraph(),
                "sources": [self.source("A", "decalogue")],
            }
        return records

    def editions(
        self, host: str, invitable: list[str], sector_ids: list[str], principle_ids: list[str]
    ) -> dict[str, dict[str, Any]]:
        records: dict[str, dict[str, Any]] = {}
        invited_order = self.rng.sample(invitable, len(invitable))
        for ordinal, (year, invited) in enumerate(zip(_EDITION_YEARS, invited_order, strict=False), 1):
            edition_id = self.new_id("editions", f"{invited}-{year}")
            month, day = self.rng.randint(3, 11), self.rng.randint(1, 25)
            length = self.rng.randint(2, 3)
            programme = []
            for _ in range(self.rng.randint(3, 6)):
                session: dict[str, Any] = {
                    "title": self.sentence(2, 5).rstrip("."),
                    "kind": self.rng.choice(_SESSION_KINDS),
                    "day": self.rng.randint(1, length),
                    "summary": self.paragraph(1, 2),
                }
                if self.rng.random() < 0.5:
                    session["principles"] = sorted(self.rng.sample(principle_ids, self.rng.randint(1, 3)))
                programme.append(session)
            records[edition_id] = {
                "name": f"Synthetic intercluster meeting {year}",
                "synthetic": True,
                "year": year,
                "ordinal": ordinal,
                "organiser": "Example Agency",
                "host": host,
                "invited": [invited],
                "start": f"{year}-{month:02d}-{day:02d}",
                "end": f"{year}-{month:02d}-{day + length - 1:02d}",
                "venue": "Example City",
                "summary": self.paragraph(),
                "delegation": {
                    "summary": self.paragraph(1, 2),
                    "counts": [{"label": "cluster managers", "value": self.rng.randint(8, 30), "source": "Synthetic source A"}],
                    "institutions": ["Example Chamber of Commerce"],
                },
                "programme": programme,
                "outcomes": [
                    {
                        "label": "C2C meetings",
                        "value": self.rng.randint(20, 80),
                        "qualifier": "more than",
                        "source": "Synthetic source A",
                    }
                ],
                "sectors": sorted(self.rng.sample(sector_ids, self.rng.randint(2, 4))),
                "sources": [self.source("A", f"editions/{edition_id}")],
            }
        return records

    def clusters(
        self, count: int, places: list[str], sector_ids: list[str], edition_ids: list[str], principle_ids: list[str]
    ) -> dict[str, dict[str, Any]]:
        records: dict[str, dict[str, Any]] = {}
        for _ in range(count):
            specialisation = self.rng.choice(_SPECIALISATIONS)
            name = f"{self.place_name()} {specialisation.title()} {self.rng.choice(_FORMS)}"
            cluster_id = self.new_id("clusters", name)
            record: dict[str, Any] = {
                "name": name,
                "synthetic": True,
                "territory": self.rng.choice(places),
                "sectors": sorted(self.rng.sample(sector_ids, self.rng.choice((1, 1, 2)))),
                "specialisation": specialisation,
                "founded": self.rng.randint(1990, 2020),
                "website": f"https://example.org/clusters/{cluster_id}",
            }
            if self.rng.random() < 0.4:
                record["organisation"] = f"{name} Association"
            record["figures"] = [
                {
                    "label": "members",
                    "value": self.rng.randint(12, 400),
                    "as_of": self.rng.choice([2018, 2020, 2022]),
                    "source": "Synthetic source D",
                }
            ]
            record["summary"] = self.paragraph()
            if edition_ids and self.rng.random() < 0.3:
                record["editions"] = sorted(self.rng.sample(edition_ids, self.rng.randint(1, 2)))
            practices = []
            for _ in range(self.rng.randint(0, 3)):
                practice: dict[str, Any] = {
                    "title": self.sentence(2, 5).rstrip("."),
                    "summary": self.paragraph(),
                    "principles": sorted(self.rng.sample(principle_ids, self.rng.randint(1, 2))),
                    "themes": sorted(self.rng.sample(_THEMES, self.rng.randint(0, 2))),
                }
                if self.rng.random() < 0.5:
                    practice["outcome"] = self.sentence()
                practices.append(practice)
            if practices:
                record["practices"] = practices
            record["sources"] = [self.source("D", f"clusters/{cluster_id}")]
            records[cluster_id] = record
        return records


def generate(clusters: int, seed: int = DEFAULT_SEED) -> dict[str, dict[str, dict[str, Any]]]:
    """Every record of a synthetic knowledge base: ``{folder: {id: data}}``, in writing order."""
    if clusters < 0:
        raise ValueError("the number of clusters cannot be negative")
    gen = _Generator(seed)
    territories, host, invitable, places = gen.territories(clusters)
    sectors = gen.sectors()
    decalogue = gen.decalogue()
    editions = gen.editions(host, invitable, list(sectors), list(decalogue))
    cluster_records = gen.clusters(clusters, places, list(sectors), list(editions), list(decalogue))
    # Follow-ups name real (synthetic) clusters, so they are added once the clusters exist.
    edition_clusters: dict[str, list[str]] = {eid: [] for eid in editions}
    for cid, record in cluster_records.items():
        for eid in record.get("editions", []):
            edition_clusters[eid].append(cid)
    for eid, record in editions.items():
        taking_part = edition_clusters[eid]
        if taking_part:
            chosen = sorted(gen.rng.sample(taking_part, min(len(taking_part), 2)))
            record["follow_ups"] = [
                {
                    "what": gen.sentence(),
                    "when": f"{record['year'] + 1}-{gen.rng.randint(1, 12):02d}",
                    "clusters": chosen,
                    "territories": list(record["invited"]),
                    "source": "Synthetic source A",
                }
            ]
        # Keep `sources` last, as contributors write it.
        record["sources"] = record.pop("sources")
    result = {
        "territories": territories,
        "sectors": sectors,
        "decalogue": decalogue,
        "editions": editions,
        "clusters": cluster_records,
    }
    return {k.folder: result[k.folder] for k in KINDS}


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Never writes anchors or aliases: the loader refuses them."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def render_yaml(data: dict[str, Any]) -> str:
    """One record as YAML text, in the field order given."""
    text: str = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    return text


_README = """A synthetic knowledge base written by `cluster-kb synth` (seed {seed}, {clusters} clusters).
Every record is marked `synthetic: true`; its facts are made up and must never be copied into `content/`.
"""


def write_knowledge_base(out: Path | str, clusters: int, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Write a synthetic knowledge base into the folder ``out``; return the record count per kind.

    ``out`` must not exist or be empty. The records are written into a temporary folder beside it
    that is renamed into place at the end, so an interrupted run leaves nothing half-written.
    Raises :class:`SynthError` when ``out`` cannot be used.
    """
    out = Path(out)
    target = out.resolve()
    for content in {Path.cwd().resolve() / "content", Path(__file__).resolve().parents[2] / "content"}:
        if target == content or content in target.parents:
            raise SynthError(f"'{out}' is inside the real content folder '{content}'; synthetic records never go there")
    if out.exists() and not out.is_dir():
        raise SynthError(f"'{out}' exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        raise SynthError(f"'{out}' is not empty; give a new or empty folder (synthetic records never mix with others)")
    records = generate(clusters, seed)
    parent = out.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=parent))
    try:
        for kind, table in records.items():
            folder = staging / kind
            folder.mkdir()
            for record_id, data in table.items():
                (folder / f"{record_id}.yaml").write_text(render_yaml(data), encoding="utf-8", newline="\n")
        (staging / "README.md").write_text(_README.format(seed=seed, clusters=clusters), encoding="utf-8", newline="\n")
        staging.chmod(0o755)
        if out.is_dir():
            out.rmdir()
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return {kind: len(table) for kind, table in records.items()}
