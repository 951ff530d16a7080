"""The record models: one pydantic model per kind of record.

Every field carries a description: it is what a contributor's editor shows through the exported
JSON Schema. Fields that point at another record are annotated with :class:`Ref`, which validation
uses to resolve them; checks that span several fields live in ``problems()`` so that they are
reported at the exact field, not at the top of the record.

The loader hands every scalar over as text, so a number or a date is only what a field declares.
Prose fields are :class:`~cluster_kb.records.text.Local`: plain text in the record's ``language``,
or a mapping of languages to text. Facts (numbers, dates, references, sources) are written once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)

from .text import LANGUAGES, Local

__all__ = [
    "ECOSYSTEMS",
    "ID_MAX",
    "ID_PATTERN",
    "QUALIFIERS",
    "Citation",
    "Cluster",
    "Coordinates",
    "Delegation",
    "Edition",
    "Figure",
    "FollowUp",
    "Practice",
    "Principle",
    "Record",
    "Ref",
    "Reported",
    "Sector",
    "Session",
    "Territory",
    "id_problem",
    "nested_model",
    "ref_kind",
]

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
ID_MAX = 64
_ID_RE = re.compile(ID_PATTERN)

ECOSYSTEMS: tuple[str, ...] = (
    "Aerospace & defence",
    "Agri-food",
    "Construction",
    "Cultural and creative industries",
    "Digital",
    "Electronics",
    "Energy-intensive industries",
    "Energy-renewables",
    "Health",
    "Mobility-Transport-Automotive",
    "Proximity, social economy and civil security",
    "Retail",
    "Textiles",
    "Tourism",
)
"""The EU's 14 industrial ecosystems, as the European Cluster Collaboration Platform lists them."""

QUALIFIERS: tuple[str, ...] = ("more than", "at least", "about", "up to", "fewer than")
"""How a source may qualify a number."""


def id_problem(value: str) -> str | None:
    """Why ``value`` is not a record id, or ``None`` when it is one."""
    if len(value) > ID_MAX:
        return f"id '{value}' is {len(value)} characters long; at most {ID_MAX} are allowed"
    if not _ID_RE.match(value):
        return (
            f"'{value}' is not a valid id: use lowercase ASCII letters, digits and single hyphens (kebab-case), "
            "e.g. 'catalan-water-partnership'"
        )
    return None


def _check_id(value: str) -> str:
    message = id_problem(value)
    if message:
        raise ValueError(message)
    return value


_SPACE = re.compile(r"\s")


def _check_url(value: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or _SPACE.search(value):
        raise ValueError(f"'{value}' is not an http(s) address; write a full address such as https://example.org/page")
    return value


_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})


def _yaml12_bool(value: Any) -> Any:
    """YAML 1.2 booleans only: ``yes``, ``no``, ``on`` and ``off`` are text, not booleans."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in _TRUE:
        return True
    if isinstance(value, str) and value in _FALSE:
        return False
    raise ValueError(f"expected true or false, got '{value}'")


def _number(value: Any) -> Any:
    """A figure's value: a whole number stays whole ('50'), a decimal is a float ('2.5')."""
    if isinstance(value, str):
        text = value.strip().replace("_", "")
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?", text):
            return float(text)
        raise ValueError(f"expected a number, got '{value}' (write qualifiers such as 'more than' in 'qualifier')")
    return value


_PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def _check_partial_date(value: str) -> str:
    if not _PARTIAL_DATE.match(value):
        raise ValueError(f"'{value}' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
    if len(value) == 10:
        date.fromisoformat(value)  # raises ValueError for 2018-02-30
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""A non-empty line of text that is the same in every language (a title, a proper name)."""
LocalText = Local
"""A line of text, plainly in the record's language or per language (``{en: ..., es: ...}``)."""
LocalMarkdown = Local
"""Markdown prose, plainly in the record's language or per language; raw HTML in it is sanitised."""
Id = Annotated[str, AfterValidator(_check_id)]
Url = Annotated[str, AfterValidator(_check_url)]
PartialDate = Annotated[str, AfterValidator(_check_partial_date)]
YamlBool = Annotated[bool, BeforeValidator(_yaml12_bool)]
Year = Annotated[int, Field(ge=1900, le=2100)]
Number = Annotated[int | float, BeforeValidator(_number)]
Language = Literal["en", "es", "ca"]


@dataclass(frozen=True)
class Ref:
    """Marks a field whose value is the id of a record of ``kind`` (a folder under content/)."""

    kind: str


TerritoryId = Annotated[Id, Ref("territories")]
SectorId = Annotated[Id, Ref("sectors")]
PrincipleId = Annotated[Id, Ref("decalogue")]
EditionId = Annotated[Id, Ref("editions")]
ClusterId = Annotated[Id, Ref("clusters")]


class Strict(BaseModel):
    """Unknown fields are errors (a misspelt field must not vanish silently)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, arbitrary_types_allowed=True)


class Citation(Strict):
    """A source that a record's facts come from."""

    title: Text = Field(description="Title of the page, article or report, as it is written there.")
    url: Url | None = Field(
        None,
        description="Public http(s) address of the original publisher (not a copy, proxy or redirect); "
        "leave out only where none is known.",
    )
    publisher: Text | None = Field(None, description="Who published it (organisation or site).")
    date: PartialDate | None = Field(None, description="When it was published: YYYY, YYYY-MM or YYYY-MM-DD.")
    language: Language | None = Field(None, description="The language the source is written in: en, es or ca.")


SourceRef = Annotated[
    Text,
    Field(description="The url, or the exact title, of one of this record's `sources`."),
]


class Figure(Strict):
    """A sourced number: '16 cluster initiatives (2018)', 'more than 50 meetings'."""

    label: LocalText = Field(description="What is counted, e.g. 'active cluster initiatives'.")
    value: Number = Field(description="The number as the source gives it.")
    qualifier: Literal[QUALIFIERS] | None = Field(  # type: ignore[valid-type]
        None, description="How the source qualifies the number, e.g. 'more than'."
    )
    unit: LocalText | None = Field(None, description="Unit, where the label does not say it, e.g. 'EUR million'.")
    as_of: Year | None = Field(None, description="The year the figure describes.")
    source: SourceRef


class Reported(Strict):
    """One source's value where sources disagree."""

    value: int = Field(description="The value this source gives.")
    source: SourceRef | None = Field(None, description="The url or title of the source that gives it.")


def _reported(value: Any) -> Any:
    """A plain value is one report without a named source; a list is the reports of several sources."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [{"value": value}]


def _dump_reported(reports: list[Reported]) -> Any:
    if not reports:
        return None
    if len(reports) == 1 and reports[0].source is None:
        return reports[0].value
    return [report.model_dump(mode="json") for report in reports]


def _reported_schema(value: dict[str, Any], what: str) -> dict[str, Any]:
    report = {
        "type": "object",
        "properties": {
            "value": {**value, "description": "The value this source gives."},
            "source": {"type": "string", "minLength": 1, "description": "The url or title of one of this record's `sources`."},
        },
        "required": ["value", "source"],
        "additionalProperties": False,
    }
    return {
        "anyOf": [
            {**value, "description": f"The {what}."},
            {
                "type": "array",
                "items": report,
                "minItems": 1,
                "description": f"The {what} with the source that gives it; where sources disagree, each source's {what}.",
            },
            {"type": "null"},
        ]
    }


Reports = Annotated[
    list[Reported],
    BeforeValidator(_reported),
    PlainSerializer(_dump_reported),
]
"""A fact that sources may disagree on: written plainly, or as a list of ``{value, source}``."""

ReportedYear = Annotated[
    Reports, WithJsonSchema(_reported_schema({"type": "integer", "minimum": 1900, "maximum": 2100}, "year"))
]
ReportedOrdinal = Annotated[Reports, WithJsonSchema(_reported_schema({"type": "integer", "minimum": 1}, "number"))]


class Coordinates(Strict):
    """Where a territory is, for the map: its capital or centre, in decimal degrees (WGS 84)."""

    lat: Annotated[float, Field(ge=-90, le=90)] = Field(description="Latitude, -90 to 90 (north is positive).")
    lon: Annotated[float, Field(ge=-180, le=180)] = Field(description="Longitude, -180 to 180 (east is positive).")


class Practice(Strict):
    """A cluster best practice: what a named cluster or programme did, as a source tells it."""

    title: LocalText = Field(description="A short name for the practice.")
    summary: LocalMarkdown = Field(description="What was done and how (Markdown).")
    principles: list[PrincipleId] = Field(default_factory=list, description="Decalogue principles it illustrates.")
    themes: list[LocalText] = Field(default_factory=list, description="Free themes, e.g. 'internationalisation'.")
    outcome: LocalMarkdown | None = Field(None, description="What it achieved, where a source says (Markdown).")
    source: SourceRef | None = Field(None, description="The url or title of the source, if not the record's first.")


class Record(Strict):
    """Fields every record has. The record's id is its file name, never repeated inside."""

    folder: ClassVar[str]
    """The folder under content/ that holds records of this kind."""
    name: LocalText = Field(description="Display name, as the record's subject writes it (with accents).")
    language: Language = Field(
        "en",
        description="The language of this record's plain text fields (en, es or ca). Any text field may "
        "instead give its text per language: {en: ..., es: ..., ca: ...}.",
    )
    sources: list[Citation] = Field(min_length=1, description="Where this record's facts come from.")
    synthetic: YamlBool = Field(False, description="True only for generated test and benchmark records.")

    def problems(self) -> Iterator[tuple[tuple[str | int, ...], str]]:
        """Checks across fields: ``(location, message)`` pairs."""
        known = {s.url for s in self.sources if s.url} | {s.title for s in self.sources}
        for loc, source in self.source_refs():
            if source not in known:
                yield loc, f"source '{source}' is not among this record's sources; give the url or title of one of them"

    def source_refs(self) -> Iterator[tuple[tuple[str | int, ...], str]]:
        """Every place in the record that names one of its sources: ``(location, url or title)``."""
        return iter(())


def _figure_refs(name: str, figures: list[Figure]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    for index, figure in enumerate(figures):
        yield (name, index, "source"), figure.source


def _practice_refs(practices: list[Practice]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    for index, practice in enumerate(practices):
        if practice.source:
            yield ("practices", index, "source"), practice.source


def _report_refs(name: str, reports: list[Reported]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    for index, report in enumerate(reports):
        if report.source:
            yield (name, index, "source"), report.source


def _report_problems(name: str, reports: list[Reported]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if len(reports) > 1:
        for index, report in enumerate(reports):
            if report.source is None:
                yield (name, index), f"{name}: where sources disagree, give each value's 'source'"


def _dated(kind: str, figures: list[Figure]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    for index, figure in enumerate(figures):
        if figure.as_of is None:
            yield ("figures", index), f"a {kind} figure needs 'as_of' (the year it describes)"


class Territory(Record):
    """A country, region or city that takes part in, hosts or is invited to the meeting."""

    folder: ClassVar[str] = "territories"
    kind: Literal["country", "region", "city", "cross-border"] = Field(description="What kind of territory this is.")
    parent: TerritoryId | None = Field(None, description="The territory this one belongs to (Bogotá -> colombia).")
    country_code: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = Field(
        None, description="ISO 3166-1 alpha-2 code of the country, e.g. 'CO', 'NO'."
    )
    coordinates: Coordinates | None = Field(
        None, description="Where it is on the map (its capital or centre), from GeoNames or Natural Earth."
    )
    summary: LocalMarkdown | None = Field(None, description="A short introduction (Markdown).")
    cluster_policy: LocalMarkdown | None = Field(
        None, description="How cluster policy works here: programmes, networks, rules (Markdown)."
    )
    figures: list[Figure] = Field(default_factory=list, description="Sourced figures, each with its as-of year.")
    practices: list[Practice] = Field(
        default_factory=list,
        description="Practices of the territory's cluster programmes (a rule, a method), where a source says what was done.",
    )

    def source_refs(self) -> Iterator[tuple[tuple[str | int, ...], str]]:
        yield from _figure_refs("figures", self.figures)
        yield from _practice_refs(self.practices)

    def problems(self) -> Iterator[tuple[tuple[str | int, ...], str]]:
        yield from super().problems()
        yield from _dated("territory", self.figures)


class Sector(Record):
    """A sector: one of the EU's 14 industrial ecosystems."""

    folder: ClassVar[str] = "sectors"
    ecosystem: Literal[ECOSYSTEMS] = Field(description="The EU industrial ecosystem this sector belongs to.")  # type: ignore[valid-type]
    aliases: list[Text] = Field(
        default_factory=list,
        description="Other names people use, in any language, e.g. 'fashion', 'moda' for Textiles.",
    )
    summary: LocalMarkdown | None = Field(None, description="What the sector covers (Markdown).")
    complements: list[SectorId] = Field(
        default_factory=list,
        description="Sectors whose clusters this sector's clusters can do business with (a supplier, a customer); "
        "explain each one in the summary.",
    )

    def problems(self) -> Iterator[tuple[tuple[str | int, ...], str]]:
        yield from super().problems()
        seen: set[str] = set()
        for index, other in enumerate(self.complements):
            if other in seen:
                yield ("complements", index), f"complements: '{other}' is listed twice"
            seen.add(other)


class Principle(Record):
    """One of the ten elements of the decalogue for a robust cluster initiative."""

    folder: ClassVar[str] = "decalogue"
    number: Annotated[int, Field(ge=1, le=10)] = Field(description="Its place in the decalogue, 1 to 10.")
    status: Literal["documented", "undocumented"] = Field(
        description="'undocumented' until a source states what the principle says."
    )
    summary: LocalMarkdown | None = Field(None, description="What the principle asks of a cluster (Markdown).")

    def problems(self) -> Iterator[tuple[tuple[str | int, ...], str]]:
        yield from super().problems()
        if self.status == "documented" and not self.summary:
            yield ("status",), "a documented principle needs a 'summary'"
        if self.status == "undocumented" and self.summary:
            yield ("status",), "this principle has a summary: set status to 'documented'"


class Delegation(Strict):
    """Who the invited territory sent."""

    summary: LocalMarkdown | None = Field(None, description="Who came, in a sentence or two (Markdown).")
    counts: list[Figure] = Field(default_factory=list, description="Counted participants, e.g. 15 cluster managers.")
    institutions: list[LocalText] = Field(default_factory=list, description="Institutions that came beside the clusters.")


class Session(Strict):
    """One part of an edition's programme."""

    title: LocalText = Field(description="Title of the session or track.")
    kind: Literal["track", "meetings", "tour", "training", "session", "visit", "opening"] = Field(
        description="What kind of session this was."
    )
    day: Annotated[int, Field(ge=1, le=14)] | None = Field(None, description="Day of the edition (1 = first day), where known.")
    summary: LocalMarkdown | None = Field(None, description="What happened (Markdown).")
    principles: list[PrincipleId] = Field(default_factory=list, description="Decalogue principles presented.")


class FollowUp(Strict):
    """Cooperation that came later between participants (a fact, not a claim of cause)."""

    what: LocalMarkdown = Field(description="What happened (Markdown).")
    when: PartialDate | None = Field(None, description="When: YYYY, YYYY-MM or YYYY-MM-DD.")
    clusters: list[ClusterId] = Field(default_factory=list, description="Clusters involved.")
    territories: list[TerritoryId] = Field(default_factory=list, description="Territories involved.")
    source: SourceRef


class Edition(Record):
    """One International Intercluster Meeting."""

    folder: ClassVar[str] = "editions"
    year: Year | None = Field(None, description="The year it took place; leave it empty only when no source gives it.")
    ordinal: ReportedOrdinal = Field(
        default_factory=list,
        description="Its number in the series, where a source gives it (4 for the 4th); where sources number "
        "it differently, a list of {value, source}.",
    )
    organiser: Text = Field(description="Who organised it, e.g. 'ACCIÓ'.")
    host: TerritoryId = Field(description="The territory that hosted it.")
    invited: list[TerritoryId] = Field(min_length=1, description="The invited territory or territories.")
    start: date | None = Field(None, description="First day (YYYY-MM-DD), where known.")
    end: date | None = Field(None, description="Last day (YYYY-MM-DD), where known.")
    venue: Text | None = Field(None, description="Where it was held, e.g. 'Barcelona'.")
    summary: LocalMarkdown | None = Field(None, description="What the edition was about (Markdown).")
    delegation: Delegation | None = Field(None, description="The invited delegation.")
    participants: list[Figure] = Field(
        default_factory=list,
        description="Counted participants: the hosts' (24 Catalan clusters) or everyone's (about 60 professionals); "
        "the invited delegation's own counts go in `delegation`.",
    )
    programme: list[Session] = Field(default_factory=list, description="Tracks, meetings, tours and trainings.")
    outcomes: list[Figure] = Field(default_factory=list, description="Sourced results, e.g. more than 50 meetings.")
    sectors: list[SectorId] = Field(default_factory=list, description="Sectors the participants had in common.")
    follow_ups: list[FollowUp] = Field(default_factory=list, description="Later cooperation between participants.")

    def source_refs(self) -> Iterator[tuple[tuple[str | int, ...], str]]:
        yield from _report_refs("ordinal", self.ordinal)
        yield from _figure_refs("participants", self.participants)
        yield from _figure_refs("outcomes", self.outcomes)
        if self.delegation:
            for index, figure in enumerate(self.delegation.counts):
                yield ("delegation", "counts", index, "source"), figure.source
        for index, follow_up in enumerate(self.follow_ups):
            yield ("follow_ups", index, "source"), follow_up.source

    def problems(self) -> Iterator[tuple[tuple[str | int, ...], str]]:
        yield from super().problems()
        yield from _report_problems("ordinal", self.ordinal)
        for index, report in enumerate(self.ordinal):
            if report.value < 1:
                yield ("ordinal", index), f"ordinal: {report.value} is out of range: give 1 or more"
        if self.start and self.end and self.end < self.start:
            yield ("end",), f"end {self.end} is before start {self.start}"
        for name in ("start", "end"):
            day = getattr(self, name)
            if day and self.year is not None and day.year != self.year:
                yield (name,), f"{name} {day} is not in the edition's year {self.year}"
            elif day and self.year is None:
                yield (name,), f"{name} {day} is given but 'year' is empty: write the year {day.year}"
        if self.start and self.end:
            days = (self.end - self.start).days + 1
            for index, session in enumerate(self.programme):
                if session.day and session.day > days:
                    yield ("programme", index, "day"), f"day {session.day} is after the last day of a {days}-day edition"
        if self.host in self.invited:
            yield ("invited",), f"invited: '{self.host}' is the host; a territory is either host or invited"


class Cluster(Record):
    """A cluster organisation or initiative, with its best practices."""

    folder: ClassVar[str] = "clusters"
    territory: TerritoryId = Field(description="Where the cluster is based (the most precise territory there is).")
    sectors: list[SectorId] = Field(
        default_factory=list, description="The EU ecosystems it belongs to, only where the mapping is clear."
    )
    specialisation: LocalText | None = Field(
        None, description="Its field in the source's words, e.g. 'water', 'rail', 'petroquímico-plástico'."
    )
    founded: ReportedYear = Field(
        default_factory=list,
        description="Year founded; where sources disagree, a list of {value, source}.",
    )
    website: Url | None = Field(None, description="The cluster's own website.")
    organisation: Text | None = Field(None, description="The body that runs it (an association, a chamber of commerce).")
    summary: LocalMarkdown | None = Field(None, description="What the cluster does (Markdown).")
    figures: list[Figure] = Field(
        default_factory=list,
        description="Sourced counts that change over time (members, firms, jobs, turnover), each with its as-of year.",
    )
    editions: list[EditionId] = Field(default_factory=list, description="Editions of the meeting it took part in.")
    practices: list[Practice] = Field(default_factory=list, description="Its best practices.")

    def source_refs(self) -> Iterator[tuple[tuple[str | int, ...], str]]:
        yield from _report_refs("founded", self.founded)
        yield from _figure_refs("figures", self.figures)
        yield from _practice_refs(self.practices)

    def problems(self) -> Iterator[tuple[tuple[str | int, ...], str]]:
        yield from super().problems()
        yield from _report_problems("founded", self.founded)
        for index, report in enumerate(self.founded):
            if not 1900 <= report.value <= 2100:
                yield ("founded", index), f"founded: {report.value} is out of range: give a year from 1900 to 2100"
        yield from _dated("cluster", self.figures)


def ref_kind(annotation: Any, metadata: Iterable[Any] = ()) -> str | None:
    """The kind a field refers to (its :class:`Ref` marker), looking inside Optional and list."""
    for item in metadata:
        if isinstance(item, Ref):
            return item.kind
    for item in getattr(annotation, "__metadata__", ()):
        if isinstance(item, Ref):
            return item.kind
    for arg in get_args(annotation):
        found = ref_kind(arg)
        if found:
            return found
    return None


def nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model of a field's nested entries (``list[Practice]`` -> Practice), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = nested_model(arg)
        if found:
            return found
    return None


def is_local(annotation: Any) -> bool:
    """Whether a field holds :class:`Local` text (looking inside Optional and list)."""
    if annotation is Local:
        return True
    return any(is_local(arg) for arg in get_args(annotation))


assert set(LANGUAGES) == set(get_args(Language))
