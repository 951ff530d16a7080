"""Views: what each page shows, as typed values built from the knowledge base.

One builder per page kind turns the :class:`~cluster_kb.knowledge.KnowledgeBase` into a view, a
frozen dataclass whose attributes the page's template reads. Views hold record text as
:class:`Txt` (the text in every language it is written in, with the record's own language) and
links as site paths; they are the same for every language, and the templates render them in one
(:mod:`cluster_kb.site.html`). A view never holds markup and never imports MkDocs.

:func:`site_pages` lists every generated page as a :class:`PageSpec`: its path, its template, its
title, and a function that builds its view when the page is rendered, so 10,000 record views are
never held at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from ..kinds import KINDS, N_
from ..knowledge import KnowledgeBase
from ..knowledge import matchmaking as mm
from ..records.models import (
    ECOSYSTEMS,
    Citation,
    Cluster,
    Edition,
    Figure,
    Principle,
    Record,
    Reported,
    Sector,
    Territory,
)
from ..records.text import Local
from ..records.validation import Entry
from .urls import listing_page, record_path, section_path

__all__ = ["PAGE_SIZE", "PageSpec", "Txt", "site_pages"]

PAGE_SIZE = 100
"""Entries per listing page; longer listings continue on ``.../page/2/`` and so on."""

DECALOGUE_SIZE = 10

CONTRIBUTE = "contribute/"
"""The hand-written how-to-contribute page."""

V = TypeVar("V")


# -- values shared by every view ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Txt:
    """Record text: the text in each language it is written in, and the record's own language."""

    text: Local
    own: str

    def __bool__(self) -> bool:
        return True


def txt(value: Local | None, record: Record) -> Txt | None:
    return Txt(value, record.language) if value is not None else None


@dataclass(frozen=True, slots=True)
class Link:
    """A link to a page of the site: its path (in the default language) and the text to show."""

    path: str
    name: Txt


@dataclass(frozen=True, slots=True)
class FigureView:
    """A sourced number: 'more than 80 active cluster initiatives (2018)', with its source."""

    value: int | float
    qualifier: str | None
    label: Txt
    unit: Txt | None
    as_of: int | None
    source: Citation


@dataclass(frozen=True, slots=True)
class Report:
    """One source's value of a fact the sources may disagree on."""

    value: int
    source: Citation | None


@dataclass(frozen=True, slots=True)
class Reports:
    """A fact as the sources give it: one value, or several with their sources (``disputed``)."""

    values: tuple[Report, ...]

    @property
    def disputed(self) -> bool:
        return len({r.value for r in self.values}) > 1

    def __bool__(self) -> bool:
        return bool(self.values)


def link(entry: Entry[Any]) -> Link:
    return Link(record_path(entry.kind, entry.id), Txt(entry.record.name, entry.record.language))


def cite(record: Record, reference: str | None) -> Citation:
    """The citation a figure, practice or follow-up names (by url or title); the first by default."""
    if reference:
        for source in record.sources:
            if reference in (source.url, source.title):
                return source
    return record.sources[0]


def figure(record: Record, item: Figure) -> FigureView:
    return FigureView(
        item.value,
        item.qualifier,
        Txt(item.label, record.language),
        txt(item.unit, record),
        item.as_of,
        cite(record, item.source),
    )


def reports(record: Record, values: Sequence[Reported]) -> Reports:
    return Reports(tuple(Report(r.value, cite(record, r.source) if r.source else None) for r in values))


def territory_path(kb: KnowledgeBase, territory_id: str) -> tuple[Link, ...]:
    """The territory and its ancestors, innermost first: Bogotá, Colombia."""
    chain = [*kb.ancestors(territory_id), kb.territories[territory_id]]
    return tuple(link(e) for e in reversed(chain))


# -- listings: grouped, then paginated ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClusterItem:
    """A cluster in a list: its link, sectors and specialisation (and territory, where not grouped by it)."""

    link: Link
    sectors: tuple[Txt, ...]
    specialisation: Txt | None
    territory: Txt | None = None


@dataclass(frozen=True, slots=True)
class PracticeItem:
    """A practice in a list: its title, linked on its cluster's (or territory's) page."""

    link: Link
    place: Txt | None


Item = ClusterItem | PracticeItem


@dataclass(frozen=True, slots=True)
class Group:
    heading: Link | None
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class PagerLink:
    number: int
    path: str


@dataclass(frozen=True, slots=True)
class ListingPart:
    """One page of a long list."""

    noun: str
    """What is listed (a message: 'clusters', 'practices')."""
    total: int
    number: int
    count: int
    first: int
    last: int
    groups: tuple[Group, ...]
    pager: tuple[PagerLink, ...]

    @property
    def paginated(self) -> bool:
        return self.count > 1


def _groups(items: Sequence[tuple[Link | None, Item]]) -> tuple[Group, ...]:
    """Consecutive items under the same heading (a territory, a cluster...)."""
    groups: list[tuple[Link | None, list[Item]]] = []
    current: str | None = None
    for heading, item in items:
        key = heading.path if heading else None
        if not groups or key != current:
            current = key
            groups.append((heading, []))
        groups[-1][1].append(item)
    return tuple(Group(heading, tuple(members)) for heading, members in groups)


@dataclass
class Listing:
    """A long list shown in pages: the first inside its page, the rest at ``.../page/<n>/``."""

    base: str
    """Path of the page that shows the first part."""
    noun: str
    items: Sequence[tuple[Link | None, Item]]

    @property
    def count(self) -> int:
        return max(1, -(-len(self.items) // PAGE_SIZE))

    def part(self, number: int) -> ListingPart:
        """Page ``number`` (1-based) of the listing."""
        start = (number - 1) * PAGE_SIZE
        chunk = self.items[start : start + PAGE_SIZE]
        return ListingPart(
            self.noun,
            len(self.items),
            number,
            self.count,
            start + 1,
            start + len(chunk),
            _groups(chunk),
            tuple(PagerLink(n, listing_page(self.base, n)) for n in range(1, self.count + 1)),
        )

    def continuation_pages(self, title: Title, back: Title, section: str) -> Iterator[PageSpec]:
        """Pages 2 and on, each with a link back to the page that holds the first part (titled ``back``)."""
        for n in range(2, self.count + 1):
            page_title = Title(N_("{title}, page {number} of {count}"), {"title": title, "number": n, "count": self.count})
            yield PageSpec(
                listing_page(self.base, n),
                "listing.html",
                page_title,
                partial(ContinuationView, page_title, self.base, back, self.part(n)),
                search=False,
                section=section,
            )


@dataclass(frozen=True, slots=True)
class ContinuationView:
    title: Title
    back: str
    """Path of the page that holds the first part."""
    back_title: Title
    listing: ListingPart


def cluster_item(kb: KnowledgeBase, entry: Entry[Cluster], *, with_territory: bool = False) -> ClusterItem:
    record = entry.record
    sectors = tuple(Txt(kb.sectors[s].record.name, kb.sectors[s].record.language) for s in record.sectors)
    special = txt(record.specialisation, record)
    if special is not None and record.specialisation is not None:
        words = {w.casefold() for w in record.specialisation}
        if words & {w.casefold() for s in record.sectors for w in kb.sectors[s].record.name}:
            special = None  # it only repeats the sector's name
    territory = kb.territories[record.territory]
    return ClusterItem(link(entry), sectors, special, link(territory).name if with_territory else None)


def _territory_sort_key(kb: KnowledgeBase) -> Callable[[str], tuple[str, ...]]:
    cache: dict[str, tuple[str, ...]] = {}

    def key(territory_id: str) -> tuple[str, ...]:
        if territory_id not in cache:
            chain = [*kb.ancestors(territory_id), kb.territories[territory_id]]
            cache[territory_id] = (*(e.name.casefold() for e in chain), territory_id)
        return cache[territory_id]

    return key


def cluster_listing(kb: KnowledgeBase, base: str, clusters: Sequence[Entry[Cluster]]) -> Listing:
    """Clusters grouped by territory (outer territories first), by name within a territory."""
    key = _territory_sort_key(kb)
    ordered = sorted(clusters, key=lambda e: (key(e.record.territory), e.name.casefold(), e.id))
    items = [(link(kb.territories[e.record.territory]), cluster_item(kb, e)) for e in ordered]
    return Listing(base, N_("clusters"), items)


# -- pages -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Title:
    """A page title: a message with values (which may be record text), or record text itself."""

    message: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    text: Txt | None = None


def titled(text: Txt) -> Title:
    return Title(text=text)


@dataclass
class PageSpec:
    """One generated page: where it lives, which template shows it, and how to build its view."""

    path: str
    template: str
    title: Title
    view: Callable[[], Any]
    search: bool = True
    """False for listing pages: search leads to records, not to lists of them."""
    section: str | None = None
    """The site section (a kind's folder) the page belongs to."""

    def build(self) -> Any:
        return self.view()


@dataclass(frozen=True, slots=True)
class Counted:
    link: Link
    count: int


# -- home ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LatestEdition:
    link: Link
    year: int | None
    host: Link
    invited: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class HomeView:
    counts: dict[str, int]
    practices: int
    documented: int
    latest: LatestEdition | None
    data: tuple[tuple[str, str], ...]
    kinds: tuple[tuple[str, str], ...]


def home_view(kb: KnowledgeBase) -> HomeView:
    editions = kb.editions_by_year()
    dated = [e for e in editions if e.record.year is not None]
    latest = dated[-1] if dated else None
    practices = sum(len(e.record.practices) for e in kb.clusters.values())
    return HomeView(
        counts=kb.counts(),
        practices=practices,
        documented=sum(1 for e in kb.decalogue.values() if e.record.status == "documented"),
        latest=None
        if latest is None
        else LatestEdition(
            link(latest),
            latest.record.year,
            link(kb.territories[latest.record.host]),
            tuple(link(kb.territories[t]) for t in latest.record.invited),
        ),
        data=tuple((k.plural, f"data/{k.folder}.csv") for k in KINDS),
        kinds=tuple((k.folder, k.title) for k in KINDS),
    )


@dataclass(frozen=True, slots=True)
class ContributeView:
    """The ways to contribute, with links into the repository (when the site knows its address)."""

    repository: str | None
    guide: str | None
    issue_form: str | None
    content_folder: str | None


def contribute_view(repo_url: str | None) -> ContributeView:
    if not repo_url:
        return ContributeView(None, None, None, None)
    base = repo_url.rstrip("/")
    return ContributeView(
        base,
        f"{base}/blob/main/CONTRIBUTING.md",
        f"{base}/issues/new?template=propose-a-case.yml",
        f"{base}/tree/main/content",
    )


@dataclass(frozen=True, slots=True)
class SearchView:
    """The search page: Pagefind's interface, in the page's language."""


# -- editions -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EditionItem:
    link: Link
    host: Link
    invited: tuple[Link, ...]
    venue: str | None


@dataclass(frozen=True, slots=True)
class YearGroup:
    year: int | None
    editions: tuple[EditionItem, ...]


@dataclass(frozen=True, slots=True)
class EditionIndexView:
    years: tuple[YearGroup, ...]
    timeline: tuple[tuple[Link, int | None, Link, tuple[Link, ...]], ...]
    """Every edition (link, year, host, invited), oldest first; undated ones last."""


def edition_index_view(kb: KnowledgeBase) -> EditionIndexView:
    years: dict[int | None, list[EditionItem]] = {}
    dated = [e for e in kb.editions_by_year() if e.record.year is not None]
    undated = [e for e in kb.editions_by_year() if e.record.year is None]
    for entry in [*reversed(dated), *undated]:
        record = entry.record
        years.setdefault(record.year, []).append(
            EditionItem(
                link(entry),
                link(kb.territories[record.host]),
                tuple(link(kb.territories[t]) for t in record.invited),
                record.venue,
            )
        )
    timeline = tuple(
        (link(e), e.record.year, link(kb.territories[e.record.host]), tuple(link(kb.territories[t]) for t in e.record.invited))
        for e in [*dated, *undated]
    )
    return EditionIndexView(tuple(YearGroup(y, tuple(e)) for y, e in years.items()), timeline)


@dataclass(frozen=True, slots=True)
class PrincipleRef:
    link: Link
    number: int


@dataclass(frozen=True, slots=True)
class SessionView:
    title: Txt
    kind: str
    summary: Txt | None
    principles: tuple[PrincipleRef, ...]


@dataclass(frozen=True, slots=True)
class DayView:
    day: int | None
    sessions: tuple[SessionView, ...]


@dataclass(frozen=True, slots=True)
class FollowUpView:
    what: Txt
    when: str | None
    clusters: tuple[Link, ...]
    territories: tuple[Link, ...]
    source: Citation
    edition: Link | None = None
    year: int | None = None


@dataclass(frozen=True, slots=True)
class DelegationView:
    summary: Txt | None
    counts: tuple[FigureView, ...]
    institutions: tuple[Txt, ...]


@dataclass(frozen=True, slots=True)
class EditionView:
    name: Txt
    year: int | None
    ordinal: Reports
    organiser: str
    host: tuple[Link, ...]
    invited: tuple[tuple[Link, ...], ...]
    start: Any
    end: Any
    venue: str | None
    summary: Txt | None
    delegation: DelegationView | None
    participants: tuple[FigureView, ...]
    days: tuple[DayView, ...]
    outcomes: tuple[FigureView, ...]
    sectors: tuple[Link, ...]
    principles: tuple[PrincipleRef, ...]
    follow_ups: tuple[FollowUpView, ...]
    clusters: ListingPart
    sources: tuple[Citation, ...]
    meetings: str | None = None
    """Path of the page that proposes C2C meetings for the edition's territories."""


def _principle_ref(entry: Entry[Principle]) -> PrincipleRef:
    return PrincipleRef(link(entry), entry.record.number)


def edition_view(kb: KnowledgeBase, entry: Entry[Edition], clusters: Listing) -> EditionView:
    record = entry.record
    by_day: dict[int | None, list[SessionView]] = {}
    presented: dict[str, PrincipleRef] = {}
    for session in sorted(record.programme, key=lambda s: (s.day is None, s.day or 0)):
        principles = sorted((kb.decalogue[p] for p in session.principles), key=lambda p: p.record.number)
        for p in principles:
            presented[p.id] = _principle_ref(p)
        by_day.setdefault(session.day, []).append(
            SessionView(
                Txt(session.title, record.language),
                session.kind,
                txt(session.summary, record),
                tuple(_principle_ref(p) for p in principles),
            )
        )
    delegation = record.delegation
    return EditionView(
        name=Txt(record.name, record.language),
        year=record.year,
        ordinal=reports(record, record.ordinal),
        organiser=record.organiser,
        host=territory_path(kb, record.host),
        invited=tuple(territory_path(kb, t) for t in record.invited),
        start=record.start,
        end=record.end,
        venue=record.venue,
        summary=txt(record.summary, record),
        delegation=None
        if delegation is None
        else DelegationView(
            txt(delegation.summary, record),
            tuple(figure(record, f) for f in delegation.counts),
            tuple(Txt(i, record.language) for i in delegation.institutions),
        ),
        participants=tuple(figure(record, f) for f in record.participants),
        days=tuple(DayView(day, tuple(sessions)) for day, sessions in by_day.items()),
        outcomes=tuple(figure(record, f) for f in record.outcomes),
        sectors=tuple(link(kb.sectors[s]) for s in record.sectors),
        principles=tuple(sorted(presented.values(), key=lambda p: (p.number, p.link.path))),
        follow_ups=tuple(
            FollowUpView(
                Txt(f.what, record.language),
                f.when,
                tuple(link(kb.clusters[c]) for c in f.clusters),
                tuple(link(kb.territories[t]) for t in f.territories),
                cite(record, f.source),
            )
            for f in record.follow_ups
        ),
        clusters=clusters.part(1),
        sources=tuple(record.sources),
        meetings=meetings_path(entry.id),
    )


def edition_pages(kb: KnowledgeBase, entry: Entry[Edition], options: SiteOptions) -> Iterator[PageSpec]:
    path = record_path("editions", entry.id)
    clusters = cluster_listing(kb, path, kb.clusters_at(entry.id))
    title = titled(Txt(entry.record.name, entry.record.language))
    yield PageSpec(path, "edition.html", title, partial(edition_view, kb, entry, clusters), section="editions")
    yield from meetings_pages(kb, entry)
    yield from clusters.continuation_pages(Title(N_("{name}: clusters that took part"), {"name": title.text}), title, "editions")


# -- matchmaking: reasons, leads and the proposed meetings -------------------------------------


@dataclass(frozen=True, slots=True)
class ReasonView:
    """One thing a pair of clusters shares (a code, and the records it names), worded per language."""

    code: str
    links: tuple[Link, ...]
    points: int


_REASON_KIND = {mm.SHARED_SECTORS: "sectors", mm.SHARED_PRINCIPLES: "decalogue", mm.COMPLEMENTARY: "sectors",
                mm.COOPERATED: "editions", mm.NO_CLUSTERS: "territories", mm.NO_AFFINITY: "territories"}


def reason_view(kb: KnowledgeBase, reason: mm.Reason) -> ReasonView:
    table = kb.of_kind(_REASON_KIND[reason.code])
    return ReasonView(reason.code, tuple(link(table[i]) for i in reason.ids if i in table), reason.points)


@dataclass(frozen=True, slots=True)
class LeadView:
    cluster: Link
    territory: Txt
    affinity: int
    reasons: tuple[ReasonView, ...]


def lead_views(kb: KnowledgeBase, cluster_id: str, limit: int = 8) -> tuple[LeadView, ...]:
    """A cluster's leads as its page shows them, worked out once per knowledge base. They read only
    what matchmaking reads plus names and their languages (:func:`~cluster_kb.knowledge.matchmaking.profile_key`),
    so a preview rebuild whose key did not change keeps them with the leads."""
    return kb.derive("lead-views", (cluster_id, limit), lambda: _lead_views(kb, cluster_id, limit))


def _lead_views(kb: KnowledgeBase, cluster_id: str, limit: int) -> tuple[LeadView, ...]:
    views = []
    for lead in mm.leads(kb, cluster_id, limit):
        entry = kb.clusters[lead.cluster]
        territory = kb.territories[entry.record.territory]
        views.append(LeadView(link(entry), link(territory).name, lead.affinity, tuple(reason_view(kb, r) for r in lead.reasons)))
    return tuple(views)


@dataclass(frozen=True, slots=True)
class MeetingView:
    slot: int
    table: int
    start: str
    end: str
    host: Link
    invited: Link
    affinity: int
    reasons: tuple[ReasonView, ...]


@dataclass(frozen=True, slots=True)
class ShortView:
    """A cluster with fewer meetings than it could have, and why."""

    cluster: Link
    meetings: int
    code: str
    clusters: tuple[Link, ...]
    """The first clusters the reason names (those that are full, or that already cooperated with it)."""
    candidates: int
    more: int = 0
    """How many more clusters the reason concerns: the page names a few, the downloads all of them."""


@dataclass(frozen=True, slots=True)
class MeetingsPart:
    """One page of a plan's meetings."""

    meetings: tuple[MeetingView, ...]
    number: int
    count: int
    first: int
    last: int
    total: int
    pager: tuple[PagerLink, ...]

    @property
    def paginated(self) -> bool:
        return self.count > 1


@dataclass(frozen=True, slots=True)
class MeetingsView:
    """The C2C meetings the knowledge base proposes for an edition's territories (not those held)."""

    edition: Link
    year: int | None
    host: Link
    invited: tuple[Link, ...]
    per_cluster: int
    host_clusters: int
    invited_clusters: int
    optimal: bool
    total_affinity: int
    slots: int
    tables: int
    slot_minutes: int
    start: str
    day: Any
    meetings: MeetingsPart
    short: tuple[ShortView, ...]
    short_total: int
    why: ReasonView | None
    weights: mm.Weights
    downloads: tuple[tuple[str, str], ...]


MEETINGS_PAGE_SIZE = 30
"""Meetings per page of a plan (each row holds two links and its reasons; pages stay under 100 KB)."""
SHORTFALL_NAMES = 5
"""Clusters named in one shortfall (at 10,000 clusters one can concern hundreds; the page stays small)."""

SLOT_MINUTES = 30
"""The length of a C2C meeting on the proposed timetables (the 2018 edition gives none)."""
SLOT_START = "09:00"


def meetings_path(edition_id: str) -> str:
    return f"{record_path('editions', edition_id)}meetings/"


def edition_plan(kb: KnowledgeBase, edition_id: str) -> mm.Plan:
    """The proposed plan of an edition, computed once per knowledge base (its pages and files share it)."""
    return kb.derive("plans", edition_id, lambda: mm.plan_edition(kb, edition_id))


def meeting_files(edition_id: str, has_day: bool) -> tuple[tuple[str, str], ...]:
    base = f"data/meetings/{edition_id}"
    files = [("json", f"{base}.json"), ("csv", f"{base}.csv")]
    if has_day:
        files.append(("ics", f"{base}.ics"))
    return tuple(files)


def _meeting_views(kb: KnowledgeBase, edition_id: str) -> tuple[MeetingView, ...]:
    """An edition's meetings as the pages show them; worked out once, as each page of the plan shows 30."""
    return kb.derive("meeting-views", edition_id, lambda: _make_meeting_views(kb, edition_id))


def _make_meeting_views(kb: KnowledgeBase, edition_id: str) -> tuple[MeetingView, ...]:
    from datetime import time as clock

    plan, day = edition_plan(kb, edition_id), kb.editions[edition_id].record.start
    start = clock(9, 0)
    views = []
    for m in plan.meetings:
        begin, end = mm.slot_times(m.slot, start, SLOT_MINUTES, day)
        views.append(
            MeetingView(
                m.slot,
                m.table,
                begin.strftime("%H:%M"),
                end.strftime("%H:%M"),
                link(kb.clusters[m.host]),
                link(kb.clusters[m.invited]),
                m.affinity,
                tuple(reason_view(kb, r) for r in m.reasons),
            )
        )
    return tuple(views)


def _meetings_part(path: str, meetings: Sequence[MeetingView], number: int) -> MeetingsPart:
    count = max(1, -(-len(meetings) // MEETINGS_PAGE_SIZE))
    start = (number - 1) * MEETINGS_PAGE_SIZE
    chunk = tuple(meetings[start : start + MEETINGS_PAGE_SIZE])
    pager = tuple(PagerLink(n, listing_page(path, n)) for n in range(1, count + 1))
    return MeetingsPart(chunk, number, count, start + 1, start + len(chunk), len(meetings), pager)


def meetings_view(kb: KnowledgeBase, entry: Entry[Edition], number: int = 1) -> MeetingsView:
    record = entry.record
    plan = edition_plan(kb, entry.id)
    day = record.start
    meetings = _meeting_views(kb, entry.id)
    short = []
    for s in plan.short:
        named = [c for c in (s.full or s.cooperated) if c in kb.clusters]
        shown = tuple(link(kb.clusters[c]) for c in named[:SHORTFALL_NAMES])
        more = len(named) - len(shown)
        short.append(ShortView(link(kb.clusters[s.cluster]), s.meetings, s.code, shown, len(s.candidates), more))
    return MeetingsView(
        edition=link(entry),
        year=record.year,
        host=link(kb.territories[record.host]),
        invited=tuple(link(kb.territories[t]) for t in record.invited),
        per_cluster=plan.per_cluster,
        host_clusters=len(plan.host_clusters),
        invited_clusters=len(plan.invited_clusters),
        optimal=plan.optimal,
        total_affinity=plan.total_affinity,
        slots=plan.slots,
        tables=plan.tables,
        slot_minutes=SLOT_MINUTES,
        start=SLOT_START,
        day=day,
        meetings=_meetings_part(meetings_path(entry.id), meetings, number),
        short=tuple(short[:MEETINGS_PAGE_SIZE]),
        short_total=len(short),
        why=reason_view(kb, plan.why) if plan.why else None,
        weights=plan.weights,
        downloads=meeting_files(entry.id, day is not None) if plan.meetings else (),
    )


@dataclass(frozen=True, slots=True)
class MeetingsContinuation:
    title: Title
    back: str
    back_title: Title
    meetings: MeetingsPart


def meetings_pages(kb: KnowledgeBase, entry: Entry[Edition]) -> Iterator[PageSpec]:
    path = meetings_path(entry.id)
    name = Txt(entry.record.name, entry.record.language)
    title = Title(N_("Proposed C2C meetings: {name}"), {"name": name})
    yield PageSpec(path, "meetings.html", title, partial(meetings_view, kb, entry), section="editions")
    plan = edition_plan(kb, entry.id)
    count = max(1, -(-len(plan.meetings) // MEETINGS_PAGE_SIZE))
    for n in range(2, count + 1):
        page_title = Title(N_("{title}, page {number} of {count}"), {"title": title, "number": n, "count": count})

        def build(n: int = n, page_title: Title = page_title) -> MeetingsContinuation:
            meetings = _meeting_views(kb, entry.id)
            return MeetingsContinuation(page_title, path, title, _meetings_part(path, meetings, n))

        yield PageSpec(listing_page(path, n), "meetings-more.html", page_title, build, search=False, section="editions")


# -- clusters ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClusterIndexView:
    listing: ListingPart
    sectors: tuple[Counted, ...]


def cluster_index_pages(kb: KnowledgeBase) -> Iterator[PageSpec]:
    base = section_path("clusters")
    listing = cluster_listing(kb, base, list(kb.clusters.values()))
    by_sector = Counter(s for e in kb.clusters.values() for s in e.record.sectors)
    sectors = tuple(
        Counted(link(e), by_sector[e.id]) for e in sorted(kb.sectors.values(), key=lambda e: (e.name.casefold(), e.id))
    )
    title = Title(N_("Clusters"))
    yield PageSpec(
        base, "clusters.html", title, partial(ClusterIndexView, listing.part(1), sectors), search=False, section="clusters"
    )
    yield from listing.continuation_pages(title, title, "clusters")


@dataclass(frozen=True, slots=True)
class PracticeView:
    title: Txt
    anchor: str
    summary: Txt
    principles: tuple[PrincipleRef, ...]
    themes: tuple[Txt, ...]
    outcome: Txt | None
    source: Citation


@dataclass(frozen=True, slots=True)
class ClusterView:
    name: Txt
    territory: tuple[Link, ...]
    sectors: tuple[Link, ...]
    specialisation: Txt | None
    summary: Txt | None
    founded: Reports
    website: str | None
    organisation: str | None
    figures: tuple[FigureView, ...]
    practices: tuple[PracticeView, ...]
    editions: tuple[tuple[Link, int | None], ...]
    leads: tuple[LeadView, ...]
    follow_ups: tuple[FollowUpView, ...]
    sources: tuple[Citation, ...]


def practices(kb: KnowledgeBase, record: Territory | Cluster) -> tuple[PracticeView, ...]:
    views = []
    for index, practice in enumerate(record.practices):
        principles = sorted((kb.decalogue[p] for p in practice.principles), key=lambda p: p.record.number)
        views.append(
            PracticeView(
                Txt(practice.title, record.language),
                f"practice-{index + 1}",
                Txt(practice.summary, record.language),
                tuple(_principle_ref(p) for p in principles),
                tuple(Txt(t, record.language) for t in practice.themes),
                txt(practice.outcome, record),
                cite(record, practice.source),
            )
        )
    return tuple(views)


def cluster_view(kb: KnowledgeBase, entry: Entry[Cluster], with_leads: bool = True) -> ClusterView:
    record = entry.record
    editions = sorted((kb.editions[e] for e in record.editions), key=lambda e: (e.record.year or 9999, e.id))
    return ClusterView(
        name=Txt(record.name, record.language),
        territory=territory_path(kb, record.territory),
        sectors=tuple(link(kb.sectors[s]) for s in record.sectors),
        specialisation=txt(record.specialisation, record),
        summary=txt(record.summary, record),
        founded=reports(record, record.founded),
        website=record.website,
        organisation=record.organisation,
        figures=tuple(figure(record, f) for f in sorted(record.figures, key=lambda f: (f.as_of or 0))),
        practices=practices(kb, record),
        editions=tuple((link(e), e.record.year) for e in editions),
        leads=lead_views(kb, entry.id) if with_leads else (),
        follow_ups=tuple(
            FollowUpView(
                Txt(f.what, edition.record.language),
                f.when,
                (),
                (),
                cite(edition.record, f.source),
                link(edition),
                edition.record.year,
            )
            for edition, f in kb.follow_ups_of(entry.id)
        ),
        sources=tuple(record.sources),
    )


def cluster_pages(kb: KnowledgeBase, entry: Entry[Cluster], options: SiteOptions) -> Iterator[PageSpec]:
    yield PageSpec(
        record_path("clusters", entry.id),
        "cluster.html",
        titled(Txt(entry.record.name, entry.record.language)),
        partial(cluster_view, kb, entry, options.leads),
        section="clusters",
    )


# -- decalogue -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DecalogueItem:
    number: int
    link: Link | None
    summary: Txt | None
    practices: int


@dataclass(frozen=True, slots=True)
class DecalogueIndexView:
    principles: tuple[DecalogueItem, ...]


def decalogue_index_view(kb: KnowledgeBase) -> DecalogueIndexView:
    by_number = {e.record.number: e for e in kb.principles_in_order()}
    items = []
    for n in range(1, DECALOGUE_SIZE + 1):
        entry = by_number.get(n)
        items.append(
            DecalogueItem(
                n,
                link(entry) if entry else None,
                txt(entry.record.summary, entry.record) if entry and entry.record.status == "documented" else None,
                len(kb.practices_for(entry.id)) if entry else 0,
            )
        )
    return DecalogueIndexView(tuple(items))


@dataclass(frozen=True, slots=True)
class SessionRef:
    edition: Link
    year: int | None
    session: Txt


@dataclass(frozen=True, slots=True)
class PrincipleView:
    name: Txt
    number: int
    documented: bool
    summary: Txt | None
    practices: ListingPart
    sessions: tuple[SessionRef, ...]
    sources: tuple[Citation, ...]


def _practice_items(kb: KnowledgeBase, principle_id: str) -> list[tuple[Link | None, Item]]:
    items: list[tuple[Link | None, Item]] = []
    for subject, index, practice in kb.practices_for(principle_id):
        record = subject.record
        place = None
        if isinstance(record, Cluster):
            place = link(kb.territories[record.territory]).name
        anchor = f"{record_path(subject.kind, subject.id)}#practice-{index + 1}"
        items.append((link(subject), PracticeItem(Link(anchor, Txt(practice.title, record.language)), place)))
    return items


def principle_view(kb: KnowledgeBase, entry: Entry[Principle], listing: Listing) -> PrincipleView:
    record = entry.record
    return PrincipleView(
        name=Txt(record.name, record.language),
        number=record.number,
        documented=record.status == "documented",
        summary=txt(record.summary, record),
        practices=listing.part(1),
        sessions=tuple(
            SessionRef(link(edition), edition.record.year, Txt(session.title, edition.record.language))
            for edition, session in kb.sessions_for(entry.id)
        ),
        sources=tuple(record.sources),
    )


def principle_pages(kb: KnowledgeBase, entry: Entry[Principle], options: SiteOptions) -> Iterator[PageSpec]:
    path = record_path("decalogue", entry.id)
    listing = Listing(path, N_("practices"), _practice_items(kb, entry.id))
    name = Txt(entry.record.name, entry.record.language)
    title = Title(N_("{number}. {name}"), {"number": entry.record.number, "name": name})
    yield PageSpec(path, "principle.html", title, partial(principle_view, kb, entry, listing), section="decalogue")
    yield from listing.continuation_pages(Title(N_("{name}: practices"), {"name": name}), titled(name), "decalogue")


# -- pictures: the map and the charts (drawn per language by the helpers) -----------------------


@dataclass(frozen=True, slots=True)
class MapTerritory:
    key: str
    link: Link
    clusters: int
    """Clusters based in the territory itself (its regions and cities have their own circles)."""
    lat: float | None
    lon: float | None


@dataclass(frozen=True, slots=True)
class MapEdition:
    link: Link
    host: str
    invited: str


@dataclass(frozen=True, slots=True)
class MapView:
    """Every territory that has clusters or took part in an edition, and the editions as links."""

    territories: tuple[MapTerritory, ...]
    editions: tuple[MapEdition, ...]
    current: str | None = None


def map_view(kb: KnowledgeBase, current: str | None = None) -> MapView:
    """The map of the territories, on the home page and every territory page: worked out once per
    knowledge base, and again only for a page whose territory the shared map does not show."""
    shared, shown = kb.derive("map", None, lambda: _shared_map(kb))
    if current is None or current in shown:
        return MapView(shared.territories, shared.editions, current)
    return _map_view(kb, current)


def _shared_map(kb: KnowledgeBase) -> tuple[MapView, frozenset[str]]:
    """The map with no current territory, and the territories it shows."""
    shared = _map_view(kb, None)
    return shared, frozenset(t.key for t in shared.territories)


def _map_view(kb: KnowledgeBase, current: str | None) -> MapView:
    # Read the counts from the knowledge base's index (O(territories)).
    direct = {tid: kb.clusters_based_in(tid) for tid in kb.territories}
    taking_part = {t for e in kb.editions.values() for t in (e.record.host, *e.record.invited)}
    shown = sorted(
        (e for e in kb.territories.values() if direct[e.id] or e.id in taking_part or e.id == current),
        key=lambda e: (-direct[e.id], e.name.casefold(), e.id),
    )
    coords = {e.id: e.record.coordinates for e in shown}
    territories = tuple(
        MapTerritory(
            e.id, link(e), direct[e.id], coords[e.id].lat if coords[e.id] else None, coords[e.id].lon if coords[e.id] else None
        )
        for e in shown
    )
    editions = tuple(
        MapEdition(link(e), e.record.host, invited) for e in kb.editions_by_year() for invited in e.record.invited
    )
    return MapView(territories, editions, current)


@dataclass(frozen=True, slots=True)
class BarView:
    link: Link
    value: int


@dataclass(frozen=True, slots=True)
class TerritoryChart:
    """A territory's own clusters and each sub-territory's (with theirs)."""

    own: int
    parts: tuple[BarView, ...]


# -- territories ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TerritoryNode:
    link: Link
    kind: str
    clusters: int
    children: tuple[TerritoryNode, ...]


@dataclass(frozen=True, slots=True)
class TerritoryIndexView:
    roots: tuple[TerritoryNode, ...]
    map: MapView


def territory_index_view(kb: KnowledgeBase) -> TerritoryIndexView:
    direct = kb.clusters_based_in

    def node(entry: Entry[Territory]) -> TerritoryNode:
        total = direct(entry.id) + sum(direct(d) for d in kb.descendants(entry.id))
        return TerritoryNode(link(entry), entry.record.kind, total, tuple(node(c) for c in kb.children(entry.id)))

    return TerritoryIndexView(tuple(node(e) for e in kb.roots()), map_view(kb))


@dataclass(frozen=True, slots=True)
class TerritoryView:
    name: Txt
    kind: str
    parents: tuple[Link, ...]
    country_code: str | None
    summary: Txt | None
    cluster_policy: Txt | None
    figures: tuple[FigureView, ...]
    practices: tuple[PracticeView, ...]
    children: tuple[tuple[Link, str], ...]
    clusters: ListingPart
    hosted: tuple[tuple[Link, int | None], ...]
    invited: tuple[tuple[Link, int | None], ...]
    sectors: tuple[Counted, ...]
    sources: tuple[Citation, ...]
    map: MapView
    chart: TerritoryChart | None


def _counted(table: dict[str, Entry[Any]], counts: Counter[str]) -> tuple[Counted, ...]:
    """Links to the counted records with their counts, the most frequent first, then by name."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], table[item[0]].name.casefold(), item[0]))
    return tuple(Counted(link(table[key]), n) for key, n in ranked)


def territory_view(kb: KnowledgeBase, entry: Entry[Territory], listing: Listing, clusters: list[Entry[Cluster]]) -> TerritoryView:
    record = entry.record
    hosted, invited = kb.editions_of(entry.id)
    return TerritoryView(
        name=Txt(record.name, record.language),
        kind=record.kind,
        parents=tuple(link(e) for e in reversed(kb.ancestors(entry.id))),
        country_code=record.country_code,
        summary=txt(record.summary, record),
        cluster_policy=txt(record.cluster_policy, record),
        figures=tuple(figure(record, f) for f in record.figures),
        practices=practices(kb, record),
        children=tuple((link(c), c.record.kind) for c in kb.children(entry.id)),
        clusters=listing.part(1),
        hosted=tuple((link(e), e.record.year) for e in hosted),
        invited=tuple((link(e), e.record.year) for e in invited),
        sectors=_counted(kb.sectors, Counter(s for c in clusters for s in c.record.sectors)),
        sources=tuple(record.sources),
        map=map_view(kb, entry.id),
        chart=_territory_chart(kb, entry, clusters),
    )


def _territory_chart(kb: KnowledgeBase, entry: Entry[Territory], clusters: list[Entry[Cluster]]) -> TerritoryChart | None:
    children = kb.children(entry.id)
    if not children or not clusters:
        return None
    own = sum(1 for c in clusters if c.record.territory == entry.id)
    parts = tuple(BarView(link(c), len(kb.clusters_in(c.id))) for c in children)
    return TerritoryChart(own, tuple(sorted(parts, key=lambda b: (-b.value, b.link.path))))


def territory_pages(kb: KnowledgeBase, entry: Entry[Territory], options: SiteOptions) -> Iterator[PageSpec]:
    path = record_path("territories", entry.id)
    clusters = kb.clusters_in(entry.id)
    listing = cluster_listing(kb, path, clusters)
    name = Txt(entry.record.name, entry.record.language)
    yield PageSpec(
        path, "territory.html", titled(name), partial(territory_view, kb, entry, listing, clusters), section="territories"
    )
    yield from listing.continuation_pages(Title(N_("{name}: clusters"), {"name": name}), titled(name), "territories")


# -- sectors ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EcosystemGroup:
    name: str
    sectors: tuple[Counted, ...]


@dataclass(frozen=True, slots=True)
class SectorIndexView:
    ecosystems: tuple[EcosystemGroup, ...]
    chart: tuple[BarView, ...]
    """Clusters per sector, the most first."""


def sector_index_view(kb: KnowledgeBase) -> SectorIndexView:
    counts = Counter(s for e in kb.clusters.values() for s in e.record.sectors)
    by_ecosystem: dict[str, list[Entry[Sector]]] = {}
    for entry in sorted(kb.sectors.values(), key=lambda e: (e.name.casefold(), e.id)):
        by_ecosystem.setdefault(entry.record.ecosystem, []).append(entry)
    chart = sorted(kb.sectors.values(), key=lambda e: (-counts[e.id], e.name.casefold(), e.id))
    return SectorIndexView(
        tuple(
            EcosystemGroup(name, tuple(Counted(link(e), counts[e.id]) for e in by_ecosystem.get(name, [])))
            for name in ECOSYSTEMS
        ),
        tuple(BarView(link(e), counts[e.id]) for e in chart),
    )


@dataclass(frozen=True, slots=True)
class SectorView:
    name: Txt
    ecosystem: str
    aliases: tuple[str, ...]
    summary: Txt | None
    complements: tuple[Link, ...]
    clusters: ListingPart
    territories: tuple[Counted, ...]
    sources: tuple[Citation, ...]


def sector_view(kb: KnowledgeBase, entry: Entry[Sector], listing: Listing, clusters: list[Entry[Cluster]]) -> SectorView:
    record = entry.record
    return SectorView(
        name=Txt(record.name, record.language),
        ecosystem=record.ecosystem,
        aliases=tuple(record.aliases),
        summary=txt(record.summary, record),
        complements=tuple(link(kb.sectors[s]) for s in record.complements),
        clusters=listing.part(1),
        territories=_counted(kb.territories, Counter(c.record.territory for c in clusters)),
        sources=tuple(record.sources),
    )


def sector_pages(kb: KnowledgeBase, entry: Entry[Sector], options: SiteOptions) -> Iterator[PageSpec]:
    path = record_path("sectors", entry.id)
    clusters = kb.clusters_in_sector(entry.id)
    listing = cluster_listing(kb, path, clusters)
    name = Txt(entry.record.name, entry.record.language)
    yield PageSpec(path, "sector.html", titled(name), partial(sector_view, kb, entry, listing, clusters), section="sectors")
    yield from listing.continuation_pages(Title(N_("{name}: clusters"), {"name": name}), titled(name), "sectors")


# -- every page ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SiteOptions:
    """What a build may switch: the repository the Contribute page links, and the cooperation leads."""

    repo_url: str | None = None
    leads: bool = True
    """Off only to measure what the leads cost (the benchmark)."""


RecordPages = Callable[[KnowledgeBase, Entry[Any], SiteOptions], Iterator[PageSpec]]

RECORD_PAGES: dict[str, RecordPages] = {
    "editions": edition_pages,
    "clusters": cluster_pages,
    "decalogue": principle_pages,
    "territories": territory_pages,
    "sectors": sector_pages,
}
"""Each kind's record pages (the record page, then its listing continuations), by folder."""


def _section(folder: str, template: str, build: Callable[[KnowledgeBase], Any], kb: KnowledgeBase, title: str) -> PageSpec:
    return PageSpec(section_path(folder), template, Title(title), partial(build, kb), search=False, section=folder)


def section_pages(kb: KnowledgeBase) -> Iterator[PageSpec]:
    """Each kind's section page (``/<folder>/``) and its continuations."""
    builders: dict[str, Callable[[KnowledgeBase], Any]] = {
        "editions": edition_index_view,
        "decalogue": decalogue_index_view,
        "territories": territory_index_view,
        "sectors": sector_index_view,
    }
    for k in KINDS:
        if k.folder == "clusters":
            yield from cluster_index_pages(kb)
        else:
            yield _section(k.folder, k.section_template, builders[k.folder], kb, k.title)


assert set(RECORD_PAGES) == {k.folder for k in KINDS}, "every kind needs its record pages"


def site_pages(kb: KnowledgeBase, *, home: bool = True, options: SiteOptions | None = None) -> list[PageSpec]:
    """Every generated page, sorted by path (builds are reproducible)."""
    options = options or SiteOptions()
    pages = list(section_pages(kb))
    pages.append(
        PageSpec(CONTRIBUTE, "contribute.html", Title(N_("Contribute")), partial(contribute_view, options.repo_url), search=True)
    )
    if home:
        pages.append(PageSpec("", "home.html", Title(N_("Home")), partial(home_view, kb), search=False))
    pages.append(PageSpec("search/", "search.html", Title(N_("Search")), SearchView, search=False))
    for k in KINDS:
        build = RECORD_PAGES[k.folder]
        for entry in kb.of_kind(k.folder).values():
            pages.extend(build(kb, entry, options))
    return sorted(pages, key=lambda p: p.path)
