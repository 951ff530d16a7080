"""Views: what each page of the site shows, as plain data built from the knowledge base.

One function per page kind turns the :class:`~generator.kb.KnowledgeBase` into a :class:`PageSpec`:
the page's source path (its URL under ``use_directory_urls``), the template that writes it, and a
context of plain values (strings, numbers, lists, dicts) with links given as source paths
(``territories/bogota.md``). Templates make those links relative. Nothing here imports MkDocs.

URLs are part of the contract: ``/``, ``/<kind>/`` and ``/<kind>/<id>/`` for the five kinds.
Long listings are split into pages of :data:`PAGE_SIZE` entries at ``<listing>/page/<n>/`` (a
path no record id can take), so no page grows with the size of the knowledge base.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any

from .kb import Entry, KnowledgeBase
from .models import ECOSYSTEMS, Citation, Cluster, Edition, Figure, Principle, Record, Sector, Territory
from .render import Renderer, front_matter

__all__ = ["CONTRIBUTE", "PAGE_SIZE", "PageSpec", "generate_pages", "render_pages"]

PAGE_SIZE = 100
"""Entries per listing page; longer listings continue on ``.../page/2/`` and so on."""

CONTRIBUTE = "contribute.md"
"""The hand-written how-to-contribute page (in ``docs/``)."""

DECALOGUE_SIZE = 10
_ORDINAL_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


@dataclass
class PageSpec:
    """One generated page: where it lives, which template writes it, with what."""

    src_uri: str
    template: str
    title: str
    context: dict[str, Any] | Callable[[], dict[str, Any]] = field(default_factory=dict)
    """The template's values, or a function that gathers them when the page is written: a record
    page's values are built only then, so 10,000 of them are never held at once (issue 6)."""
    search: bool = True
    """False for listing pages: they must not crowd record pages out of search results."""

    def values(self) -> dict[str, Any]:
        """The template's values."""
        return self.context() if callable(self.context) else self.context


# -- small helpers -------------------------------------------------------------------------------


def src(kind: str, record_id: str) -> str:
    """The source path of a record's page: ``clusters/<id>.md``."""
    return f"{kind}/{record_id}.md"


def ref(entry: Entry[Any]) -> dict[str, str]:
    """A link to a record: its name and the source path of its page (shared: never modify it)."""
    return _ref(entry.kind, entry.id, entry.name)


@lru_cache(maxsize=65536)  # a record is linked from many pages: build its link once
def _ref(kind: str, record_id: str, name: str) -> dict[str, str]:
    return {"name": name, "src": src(kind, record_id)}


def citation(source: Citation) -> dict[str, Any]:
    return {"title": source.title, "url": source.url, "publisher": source.publisher, "date": source.date}


def cite(record: Record, reference: str | None) -> dict[str, Any]:
    """The citation a figure, practice or follow-up names (by url or title); the first by default."""
    if reference:
        for source in record.sources:
            if reference in (source.url, source.title):
                return citation(source)
    return citation(record.sources[0])


def number(value: int | float) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.6g}" if abs(value) >= 1000 else f"{value:g}"


def figure(record: Record, item: Figure) -> dict[str, Any]:
    """A sourced number as a phrase: 'more than 80 active cluster initiatives'."""
    words = [item.qualifier, number(item.value), item.unit, item.label]
    return {
        "text": " ".join(w for w in words if w),
        "as_of": item.as_of,
        "source": cite(record, item.source),
    }


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else _ORDINAL_SUFFIX.get(n % 10, "th")
    return f"{n}{suffix}"


def dates(edition: Edition) -> str | None:
    start, end = edition.start, edition.end
    if start and end and start != end:
        if start.month == end.month:
            return f"{start.day}–{end.day} {end:%B %Y}"
        return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
    day = start or end
    return f"{day.day} {day:%B %Y}" if day else None


def sources(record: Record) -> list[dict[str, Any]]:
    return [citation(s) for s in record.sources]


def territory_path(kb: KnowledgeBase, territory_id: str) -> list[dict[str, str]]:
    """The territory and its ancestors, innermost first: Bogotá, Colombia."""
    chain = [*kb.ancestors(territory_id), kb.territories[territory_id]]
    return [ref(e) for e in reversed(chain)]


def _territory_sort_key(kb: KnowledgeBase) -> Callable[[str], tuple[str, ...]]:
    cache: dict[str, tuple[str, ...]] = {}

    def key(territory_id: str) -> tuple[str, ...]:
        if territory_id not in cache:
            chain = [*kb.ancestors(territory_id), kb.territories[territory_id]]
            cache[territory_id] = (*(e.name.casefold() for e in chain), territory_id)
        return cache[territory_id]

    return key


def cluster_item(kb: KnowledgeBase, entry: Entry[Cluster]) -> dict[str, Any]:
    """A cluster as a listing entry: link, territory and sectors."""
    record = entry.record
    return {
        **ref(entry),
        "territory": ref(kb.territories[record.territory]),
        "sectors": [ref(kb.sectors[s]) for s in record.sectors],
        "specialisation": record.specialisation,
    }


# -- listings: grouped, then paginated ------------------------------------------------------------


def _paginate(items: Sequence[Any], size: int = PAGE_SIZE) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [items[:0]]


def _page_src(base: str, number_: int) -> str:
    """``clusters/index.md`` -> ``clusters/page/2.md``; ``sectors/health.md`` -> ``sectors/health/page/2.md``."""
    stem = base[: -len("/index.md")] if base.endswith("/index.md") else base[: -len(".md")]
    return base if number_ == 1 else f"{stem}/page/{number_}.md"


def _groups(items: Sequence[tuple[dict[str, str] | None, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Consecutive items under the same group heading (a territory, a cluster...)."""
    groups: list[dict[str, Any]] = []
    current: str | None = None
    for group, item in items:
        key = group["src"] if group else None
        if not groups or key != current:
            current = key
            groups.append({"group": group, "items": []})
        groups[-1]["items"].append(item)
    return groups


@dataclass
class Listing:
    """A long list shown in pages: the first inside its page, the rest at ``.../page/<n>/``."""

    base: str
    """Source path of the page that shows the first part."""
    noun: str
    items: Sequence[tuple[dict[str, str] | None, dict[str, Any]]]

    def pages(self) -> list[Sequence[tuple[dict[str, str] | None, dict[str, Any]]]]:
        return _paginate(self.items)

    def part(self, number_: int) -> dict[str, Any]:
        """The context for page ``number_`` (1-based) of the listing."""
        pages = self.pages()
        chunk = pages[number_ - 1]
        return {
            "total": len(self.items),
            "noun": self.noun,
            "groups": _groups(chunk),
            "number": number_,
            "count": len(pages),
            "first": (number_ - 1) * PAGE_SIZE + 1,
            "last": (number_ - 1) * PAGE_SIZE + len(chunk),
            "pager": [{"number": n, "src": _page_src(self.base, n)} for n in range(1, len(pages) + 1)],
        }

    def _continuation(self, title: str, back: dict[str, str], number_: int) -> dict[str, Any]:
        return {"title": title, "back": back, "listing": self.part(number_)}

    def continuation_pages(self, title: str, back: dict[str, str]) -> Iterator[PageSpec]:
        """Pages 2 and on, each with a link back to the page that holds the first part."""
        count = len(self.pages())
        for n in range(2, count + 1):
            yield PageSpec(
                _page_src(self.base, n),
                "listing.md.j2",
                f"{title}, page {n} of {count}",
                partial(self._continuation, f"{title}, page {n} of {count}", back, n),
                search=False,
            )


def cluster_listing(kb: KnowledgeBase, base: str, clusters: Sequence[Entry[Cluster]], noun: str = "clusters") -> Listing:
    """Clusters grouped by territory (outer territories first), by name within a territory."""
    key = _territory_sort_key(kb)
    ordered = sorted(clusters, key=lambda e: (key(e.record.territory), e.name.casefold(), e.id))
    items = [(ref(kb.territories[e.record.territory]), cluster_item(kb, e)) for e in ordered]
    return Listing(base, noun, items)


# -- home ------------------------------------------------------------------------------------------


def home(kb: KnowledgeBase) -> PageSpec:
    counts = kb.counts()
    documented = sum(1 for e in kb.decalogue.values() if e.record.status == "documented")
    editions = kb.editions_by_year()
    latest = editions[-1] if editions else None
    context = {
        "counts": counts,
        "documented": documented,
        "latest": None
        if latest is None
        else {
            **ref(latest),
            "year": latest.record.year,
            "host": ref(kb.territories[latest.record.host]),
            "invited": [ref(kb.territories[t]) for t in latest.record.invited],
        },
        "contribute": CONTRIBUTE,
        "data": [(kind, f"data/{kind}.csv") for kind in counts],
    }
    return PageSpec("index.md", "home.md.j2", "Home", context, search=False)


# -- editions --------------------------------------------------------------------------------------


def edition_index(kb: KnowledgeBase) -> PageSpec:
    years: dict[int, list[dict[str, Any]]] = {}
    for entry in reversed(kb.editions_by_year()):
        record = entry.record
        years.setdefault(record.year, []).append(
            {
                **ref(entry),
                "host": ref(kb.territories[record.host]),
                "invited": [ref(kb.territories[t]) for t in record.invited],
                "venue": record.venue,
            }
        )
    context = {"years": [{"year": y, "editions": e} for y, e in years.items()], "contribute": CONTRIBUTE}
    return PageSpec("editions/index.md", "editions.md.j2", "Editions", context, search=False)


def edition_pages(kb: KnowledgeBase, entry: Entry[Edition]) -> Iterator[PageSpec]:
    record = entry.record
    page = src("editions", entry.id)
    by_day: dict[int | None, list[dict[str, Any]]] = {}
    presented: dict[str, dict[str, Any]] = {}
    for session in sorted(record.programme, key=lambda s: (s.day is None, s.day or 0)):
        principles = [kb.decalogue[p] for p in session.principles]
        for p in principles:
            presented[p.id] = {**ref(p), "number": p.record.number}
        by_day.setdefault(session.day, []).append(
            {
                "title": session.title,
                "kind": session.kind,
                "summary": session.summary,
                "principles": [{**ref(p), "number": p.record.number} for p in principles],
            }
        )
    clusters = cluster_listing(kb, page, kb.clusters_at(entry.id))
    delegation = record.delegation
    context = {
        "name": entry.name,
        "year": record.year,
        "ordinal": ordinal(record.ordinal) if record.ordinal else None,
        "organiser": record.organiser,
        "host": territory_path(kb, record.host),
        "invited": [territory_path(kb, t) for t in record.invited],
        "dates": dates(record),
        "venue": record.venue,
        "summary": record.summary,
        "delegation": None
        if delegation is None
        else {
            "summary": delegation.summary,
            "counts": [figure(record, f) for f in delegation.counts],
            "institutions": delegation.institutions,
        },
        "days": [{"day": day, "sessions": sessions} for day, sessions in by_day.items()],
        "participants": [figure(record, f) for f in record.participants],
        "outcomes": [figure(record, f) for f in record.outcomes],
        "sectors": [ref(kb.sectors[s]) for s in record.sectors],
        "principles": sorted(presented.values(), key=lambda p: (p["number"], p["src"])),
        "follow_ups": [
            {
                "what": f.what,
                "when": f.when,
                "clusters": [ref(kb.clusters[c]) for c in f.clusters],
                "territories": [ref(kb.territories[t]) for t in f.territories],
                "source": cite(record, f.source),
            }
            for f in record.follow_ups
        ],
        "clusters": clusters.part(1),
        "sources": sources(record),
        "contribute": CONTRIBUTE,
    }
    yield PageSpec(page, "edition.md.j2", entry.name, context)
    yield from clusters.continuation_pages(f"{entry.name}: clusters that took part", ref(entry))


# -- clusters --------------------------------------------------------------------------------------


def cluster_index(kb: KnowledgeBase) -> Iterator[PageSpec]:
    base = "clusters/index.md"
    listing = cluster_listing(kb, base, list(kb.clusters.values()))
    by_sector = Counter(s for e in kb.clusters.values() for s in e.record.sectors)
    sectors = [
        {**ref(e), "count": by_sector[e.id]}
        for e in sorted(kb.sectors.values(), key=lambda e: (e.name.casefold(), e.id))
    ]
    context = {"listing": listing.part(1), "sectors": sectors, "contribute": CONTRIBUTE}
    yield PageSpec(base, "clusters.md.j2", "Clusters", context, search=False)
    yield from listing.continuation_pages("Clusters", {"name": "Clusters", "src": base})


def cluster_page(kb: KnowledgeBase, entry: Entry[Cluster]) -> PageSpec:
    return PageSpec(src("clusters", entry.id), "cluster.md.j2", entry.name, partial(cluster_values, kb, entry))


def cluster_values(kb: KnowledgeBase, entry: Entry[Cluster]) -> dict[str, Any]:
    """What a cluster's page shows."""
    record = entry.record
    practices = []
    for practice in record.practices:
        principles = sorted((kb.decalogue[p] for p in practice.principles), key=lambda p: p.record.number)
        practices.append(
            {
                "title": practice.title,
                "summary": practice.summary,
                "principles": [{**ref(p), "number": p.record.number} for p in principles],
                "themes": practice.themes,
                "outcome": practice.outcome,
                "source": cite(record, practice.source),
            }
        )
    editions = sorted((kb.editions[e] for e in record.editions), key=lambda e: (e.record.year, e.id))
    return {
        "name": entry.name,
        "territory": territory_path(kb, record.territory),
        "sectors": [ref(kb.sectors[s]) for s in record.sectors],
        "specialisation": record.specialisation,
        "summary": record.summary,
        "founded": record.founded,
        "website": record.website,
        "organisation": record.organisation,
        "members": number(record.members) if record.members is not None else None,
        "practices": practices,
        "editions": [{**ref(e), "year": e.record.year} for e in editions],
        "related": [cluster_item(kb, e) for e in kb.related_clusters(entry.id)],
        "follow_ups": [
            {"edition": {**ref(edition), "year": edition.record.year}, "what": f.what, "when": f.when,
             "source": cite(edition.record, f.source)}
            for edition, f in kb.follow_ups_of(entry.id)
        ],
        "sources": sources(record),
        "contribute": CONTRIBUTE,
    }


# -- decalogue -------------------------------------------------------------------------------------


def decalogue_index(kb: KnowledgeBase) -> PageSpec:
    by_number = {e.record.number: e for e in kb.principles_in_order()}
    principles = []
    for n in range(1, DECALOGUE_SIZE + 1):
        entry: Entry[Principle] | None = by_number.get(n)
        principles.append(
            {
                "number": n,
                "link": ref(entry) if entry else None,
                "summary": entry.record.summary if entry and entry.record.status == "documented" else None,
                "practices": len(kb.practices_for(entry.id)) if entry else 0,
            }
        )
    context = {"principles": principles, "contribute": CONTRIBUTE}
    return PageSpec("decalogue/index.md", "decalogue.md.j2", "Decalogue", context, search=False)


def principle_pages(kb: KnowledgeBase, entry: Entry[Principle]) -> Iterator[PageSpec]:
    record = entry.record
    page = src("decalogue", entry.id)
    items = [
        (
            ref(cluster),
            {
                "title": practice.title,
                "cluster": ref(cluster),
                "territory": ref(kb.territories[cluster.record.territory]),
                "anchor": f"practice-{index + 1}",
            },
        )
        for cluster, practice in kb.practices_for(entry.id)
        for index in [cluster.record.practices.index(practice)]
    ]
    practices = Listing(page, "practices", items)
    context = {
        "name": entry.name,
        "number": record.number,
        "documented": record.status == "documented",
        "summary": record.summary,
        "practices": practices.part(1),
        "sessions": [
            {**ref(edition), "year": edition.record.year, "session": session.title}
            for edition, session in kb.sessions_for(entry.id)
        ],
        "sources": sources(record),
        "contribute": CONTRIBUTE,
    }
    yield PageSpec(page, "principle.md.j2", f"{record.number}. {entry.name}", context)
    yield from practices.continuation_pages(f"{entry.name}: practices", ref(entry))


# -- territories -----------------------------------------------------------------------------------


def territory_index(kb: KnowledgeBase) -> PageSpec:
    direct = Counter(e.record.territory for e in kb.clusters.values())

    def node(entry: Entry[Territory]) -> dict[str, Any]:
        total = direct[entry.id] + sum(direct[d] for d in kb.descendants(entry.id))
        return {
            **ref(entry),
            "kind": entry.record.kind,
            "clusters": total,
            "children": [node(child) for child in kb.children(entry.id)],
        }

    context = {"roots": [node(e) for e in kb.roots()], "contribute": CONTRIBUTE}
    return PageSpec("territories/index.md", "territories.md.j2", "Territories", context, search=False)


def _counted(table: dict[str, Entry[Any]], counts: Counter[str]) -> list[dict[str, Any]]:
    """Links to the counted records with their counts, the most frequent first, then by name."""
    return sorted(
        ({**ref(table[key]), "count": n} for key, n in counts.items()),
        key=lambda item: (-item["count"], item["name"].casefold(), item["src"]),
    )


def territory_pages(kb: KnowledgeBase, entry: Entry[Territory]) -> Iterator[PageSpec]:
    record = entry.record
    page = src("territories", entry.id)
    clusters = kb.clusters_in(entry.id)
    listing = cluster_listing(kb, page, clusters)
    hosted, invited = kb.editions_of(entry.id)
    sectors = _counted(kb.sectors, Counter(s for c in clusters for s in c.record.sectors))
    context = {
        "name": entry.name,
        "kind": record.kind,
        "parents": [ref(e) for e in reversed(kb.ancestors(entry.id))],
        "country_code": record.country_code,
        "summary": record.summary,
        "cluster_policy": record.cluster_policy,
        "figures": [figure(record, f) for f in record.figures],
        "children": [{**ref(c), "kind": c.record.kind} for c in kb.children(entry.id)],
        "clusters": listing.part(1),
        "hosted": [{**ref(e), "year": e.record.year} for e in hosted],
        "invited": [{**ref(e), "year": e.record.year} for e in invited],
        "sectors": sectors,
        "sources": sources(record),
        "contribute": CONTRIBUTE,
    }
    yield PageSpec(page, "territory.md.j2", entry.name, context)
    yield from listing.continuation_pages(f"{entry.name}: clusters", ref(entry))


# -- sectors ---------------------------------------------------------------------------------------


def sector_index(kb: KnowledgeBase) -> PageSpec:
    counts = Counter(s for e in kb.clusters.values() for s in e.record.sectors)
    by_ecosystem: dict[str, list[Entry[Sector]]] = {}
    for entry in sorted(kb.sectors.values(), key=lambda e: (e.name.casefold(), e.id)):
        by_ecosystem.setdefault(entry.record.ecosystem, []).append(entry)
    ecosystems = [
        {"name": name, "sectors": [{**ref(e), "count": counts[e.id]} for e in by_ecosystem.get(name, [])]}
        for name in ECOSYSTEMS
    ]
    context = {"ecosystems": ecosystems, "contribute": CONTRIBUTE}
    return PageSpec("sectors/index.md", "sectors.md.j2", "Sectors", context, search=False)


def sector_pages(kb: KnowledgeBase, entry: Entry[Sector]) -> Iterator[PageSpec]:
    record = entry.record
    page = src("sectors", entry.id)
    clusters = kb.clusters_in_sector(entry.id)
    listing = cluster_listing(kb, page, clusters)
    territories = _counted(kb.territories, Counter(c.record.territory for c in clusters))
    context = {
        "name": entry.name,
        "ecosystem": record.ecosystem,
        "aliases": record.aliases,
        "summary": record.summary,
        "clusters": listing.part(1),
        "territories": territories,
        "sources": sources(record),
        "contribute": CONTRIBUTE,
    }
    yield PageSpec(page, "sector.md.j2", entry.name, context)
    yield from listing.continuation_pages(f"{entry.name}: clusters", ref(entry))


# -- everything ------------------------------------------------------------------------------------


def generate_pages(kb: KnowledgeBase, *, home_page: bool = True) -> list[PageSpec]:
    """Every generated page, sorted by source path (builds are reproducible)."""
    pages: list[PageSpec] = [edition_index(kb), decalogue_index(kb), territory_index(kb), sector_index(kb)]
    if home_page:
        pages.append(home(kb))
    pages.extend(cluster_index(kb))
    for edition in kb.editions.values():
        pages.extend(edition_pages(kb, edition))
    for cluster in kb.clusters.values():
        pages.append(cluster_page(kb, cluster))
    for principle in kb.decalogue.values():
        pages.extend(principle_pages(kb, principle))
    for territory in kb.territories.values():
        pages.extend(territory_pages(kb, territory))
    for sector in kb.sectors.values():
        pages.extend(sector_pages(kb, sector))
    return sorted(pages, key=lambda p: p.src_uri)


def page_meta(spec: PageSpec) -> dict[str, Any]:
    """The page's metadata, written as its front matter: its title and search settings."""
    meta: dict[str, Any] = {"title": html.escape(spec.title)}
    if not spec.search:
        meta["search"] = {"exclude": True}
    return meta


def render_page(renderer: Renderer, spec: PageSpec) -> str:
    """The page's Markdown: front matter (title, search settings) then the template's output."""
    return front_matter(page_meta(spec)) + "\n" + renderer.render(spec.template, spec.values(), spec.src_uri)


def render_pages(kb: KnowledgeBase, renderer: Renderer | None = None, *, home_page: bool = True) -> dict[str, str]:
    """Markdown of every generated page by source path."""
    renderer = renderer or Renderer()
    return {spec.src_uri: render_page(renderer, spec) for spec in generate_pages(kb, home_page=home_page)}
