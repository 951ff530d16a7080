"""Charts and the map of territories, drawn at build time as inline SVG.

Every function here is pure: it takes the figures, names and links already translated and
formatted by the caller (one call per language), and returns SVG markup as a string together with
the same information as plain data, which the caller renders as a list or a table for screen
readers (:func:`figures_table` builds such a table). Nothing here fetches anything; the map's
country outlines are read once from the committed ``mapdata/outlines.json`` (see
``mapdata/PROVENANCE.md``).

Rules every renderer keeps:

- All text is the caller's: names, counts (``"24"``, ``"1.234"``), accessible names, titles and
  descriptions. Nothing here writes a word; it only escapes what it is given.
- Links are only the hrefs given, escaped; an href with a scheme other than http(s) is refused.
- Output is reproducible byte for byte: input order or a stated sort, floats with one decimal.
- Colours are the theme's CSS custom properties with mkdocs-material's indigo as the fallback, and
  no meaning rests on colour alone (the highlighted territory has a thicker, dashed ring and a label;
  numbers are written next to their bars).
- Each SVG has ``width="100%"`` and a viewBox, no fixed pixel width, and a ``<title>`` and ``<desc>``.
  Charts without links have ``role="img"``. The map and the timeline contain links, and axe-core's
  nested-interactive rule (WCAG 4.1.2) forbids a focusable link inside ``role="img"`` (its
  children are presentational), so those two are ``role="group"`` named by the same ``<title>`` and
  ``<desc>``, and each link has its own accessible name.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "Bar",
    "BarChart",
    "MapEntry",
    "MapLink",
    "MapLinkEntry",
    "MapPoint",
    "MapResult",
    "Timeline",
    "TimelineEntry",
    "TimelineItem",
    "bar_chart",
    "figures_table",
    "map_data",
    "project_lonlat",
    "territory_chart",
    "territory_map",
    "timeline",
]

SVG_NS = "http://www.w3.org/2000/svg"

MAPDATA = Path(__file__).with_name("mapdata") / "outlines.json"
"""The committed outlines, made by tools/make_mapdata.py (see mapdata/PROVENANCE.md)."""

# mkdocs-material's indigo palette and its neutral tones, as fallbacks of the theme's variables.
PRIMARY = "var(--md-primary-fg-color, #3f51b5)"
PRIMARY_DARK = "var(--md-primary-fg-color--dark, #303fa1)"
ACCENT = "var(--md-accent-fg-color, #526cfe)"
TEXT = "var(--md-default-fg-color, #000000de)"
TEXT_LIGHT = "var(--md-default-fg-color--light, #0000008a)"
LINE = "var(--md-default-fg-color--lighter, #00000052)"
LAND = "var(--md-default-fg-color--lightest, #00000012)"
BACKGROUND = "var(--md-default-bg-color, #ffffff)"

FONT_SIZE = 17
"""Text size in viewBox units; viewBoxes are about 480-520 units wide, so it reads at phone width."""

CHAR_WIDTH = 0.6
"""A generous average glyph width, in ems, to keep estimated text inside the viewBox."""


# -- text, numbers and links ---------------------------------------------------------------------

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_SAFE_SCHEMES = frozenset({"", "http", "https"})


def _text(value: str) -> str:
    """Text escaped for an XML element or attribute; characters XML 1.0 cannot hold are dropped."""
    return html.escape(_NOT_XML.sub("", str(value)), quote=True)


def _href(value: str) -> str:
    """An href as given, escaped; refused if empty or if its scheme could run code (javascript:)."""
    cleaned = _NOT_XML.sub("", str(value))
    if not cleaned.strip():
        raise ValueError("empty href")
    if urlsplit(cleaned).scheme.lower() not in _SAFE_SCHEMES:
        raise ValueError(f"href with a scheme that is not http(s): {value!r}")
    return html.escape(cleaned, quote=True)


def _id(prefix: str) -> str:
    if not _ID.match(prefix):
        raise ValueError(f"id prefix must be a letter then letters, digits, '-' or '_': {prefix!r}")
    return prefix


def _num(value: float) -> str:
    """A coordinate with at most one decimal, the same on every run: 12, 12.5, -3.2."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def _text_width(value: str, size: float) -> float:
    return len(value) * size * CHAR_WIDTH


def _open_svg(width: float, height: float, role: str, id_prefix: str, title: str, desc: str, css_class: str) -> list[str]:
    pid = _id(id_prefix)
    labelled = f'aria-labelledby="{pid}-title" aria-describedby="{pid}-desc"'
    return [
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 {_num(width)} {_num(height)}" width="100%" '
        f'role="{role}" {labelled} class="{css_class}" font-size="{FONT_SIZE}" fill="{TEXT}">',
        f'<title id="{pid}-title">{_text(title)}</title>',
        f'<desc id="{pid}-desc">{_text(desc)}</desc>',
    ]


# -- tables for screen readers -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its name, its value (for the length) and that value as the caller formats it."""

    name: str
    value: float
    value_text: str
    href: str | None = None
    """Used only in the table (:func:`figures_table`); bars themselves are not links."""


def figures_table(caption: str, headers: tuple[str, str], rows: Sequence[Bar]) -> str:
    """The figures of a chart as an HTML table: a caption, two column headers, one row per bar."""
    out = [
        "<table>",
        f"<caption>{_text(caption)}</caption>",
        f'<thead><tr><th scope="col">{_text(headers[0])}</th><th scope="col">{_text(headers[1])}</th></tr></thead>',
        "<tbody>",
    ]
    for row in rows:
        name = _text(row.name)
        if row.href is not None:
            name = f'<a href="{_href(row.href)}">{name}</a>'
        out.append(f'<tr><th scope="row">{name}</th><td>{_text(row.value_text)}</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


# -- bar charts ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BarChart:
    """A bar chart: the SVG, and its rows (the same names and figures) for a table."""

    svg: str
    rows: tuple[Bar, ...]


BAR_WIDTH = 480
BAR_PAD = 8
BAR_HEIGHT = 16
BAR_ROW = 52


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    desc: str,
    id_prefix: str = "ckb-bars",
    emphasis: int | None = None,
) -> BarChart:
    """A horizontal bar chart, one row per bar in the order given: the name above, the bar, its number.

    Bar lengths are proportional to ``value`` (the longest bar is the largest value); the number
    written at the end of each bar is ``value_text``. ``emphasis`` is the index of a bar drawn
    apart (solid and followed by a rule), e.g. a territory's own clusters before its parts.
    """
    for bar in bars:
        if not math.isfinite(bar.value) or bar.value < 0:
            raise ValueError(f"bar value must be a finite number >= 0: {bar.value!r}")
    longest_value = max((_text_width(b.value_text, FONT_SIZE) for b in bars), default=0.0)
    longest_name = max((_text_width(b.name, FONT_SIZE) for b in bars), default=0.0)
    width = max(BAR_WIDTH, BAR_PAD * 2 + longest_name)
    span = width - BAR_PAD * 2 - longest_value - 8
    top = max((b.value for b in bars), default=0.0)
    height = BAR_PAD * 2 + BAR_ROW * len(bars) + (8 if emphasis is not None else 0)
    out = _open_svg(width, max(height, BAR_ROW), "img", id_prefix, title, desc, "ckb-chart ckb-bars")
    y = float(BAR_PAD)
    for index, bar in enumerate(bars):
        length = span * bar.value / top if top > 0 else 0.0
        own = index == emphasis
        fill = PRIMARY_DARK if own else PRIMARY
        opacity = "" if own else ' fill-opacity="0.75"'
        out.append(f'<g class="ckb-bar{" ckb-own" if own else ""}">')
        bold = ' font-weight="bold"' if own else ""
        out.append(f'<text x="{_num(BAR_PAD)}" y="{_num(y + FONT_SIZE)}"{bold}>{_text(bar.name)}</text>')
        bar_y = y + FONT_SIZE + 5
        out.append(
            f'<rect x="{_num(BAR_PAD)}" y="{_num(bar_y)}" width="{_num(max(length, 1.0))}" height="{BAR_HEIGHT}" '
            f'fill="{fill}"{opacity} stroke="{PRIMARY_DARK}" stroke-width="1"/>'
        )
        out.append(
            f'<text class="ckb-value" x="{_num(BAR_PAD + max(length, 1.0) + 6)}" y="{_num(bar_y + BAR_HEIGHT - 3)}" '
            f'font-weight="bold">{_text(bar.value_text)}</text>'
        )
        out.append("</g>")
        y += BAR_ROW
        if own:
            out.append(f'<path d="M{_num(BAR_PAD)} {_num(y - 6)}H{_num(width - BAR_PAD)}" stroke="{LINE}" stroke-width="1"/>')
            y += 8
    out.append("</svg>")
    return BarChart("".join(out), tuple(bars))


def territory_chart(own: Bar, parts: Sequence[Bar], *, title: str, desc: str, id_prefix: str = "ckb-territory-bars") -> BarChart:
    """A territory's own clusters (first, drawn apart) and each sub-territory's, one bar each."""
    return bar_chart([own, *parts], title=title, desc=desc, id_prefix=id_prefix, emphasis=0)


# -- the timeline of editions --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimelineItem:
    """An edition for the timeline: its name, its page, and its year (None when no source gives it)."""

    name: str
    href: str
    year: int | None
    label: str | None = None
    """The link's accessible name; the name when not given."""


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    name: str
    href: str
    year: int | None
    label: str


@dataclass(frozen=True, slots=True)
class Timeline:
    """The timeline's SVG, its dated editions in year order, and the undated ones (not on the axis)."""

    svg: str
    dated: tuple[TimelineEntry, ...]
    undated: tuple[TimelineEntry, ...]


TIMELINE_WIDTH = 480
TIMELINE_ROW = 36
TIMELINE_EMPTY_YEAR = 12
TIMELINE_BREAK = 28
TIMELINE_MAX_EMPTY = 4
"""A run of more empty years than this is drawn as a break in the axis, not year by year."""


def timeline(editions: Sequence[TimelineItem], *, title: str, desc: str, id_prefix: str = "ckb-timeline") -> Timeline:
    """The editions on a vertical axis of years, earliest at the top, each a link to its page.

    Editions of the same year keep the order given. Editions without a year are returned in
    ``undated`` (in the order given) for the caller to list apart; they are not drawn.
    """
    entries = [TimelineEntry(e.name, e.href, e.year, e.label if e.label is not None else e.name) for e in editions]
    for entry in entries:
        _href(entry.href)
    dated = sorted((e for e in entries if e.year is not None), key=lambda e: e.year)  # type: ignore[arg-type, return-value]
    undated = [e for e in entries if e.year is None]
    axis_x, name_x, pad = 64.0, 84.0, 12.0
    longest = max((_text_width(e.name, FONT_SIZE) for e in dated), default=0.0)
    width = max(TIMELINE_WIDTH, name_x + longest + pad)
    body: list[str] = []
    y = pad + 6
    top = y
    previous: int | None = None
    by_year: dict[int, list[TimelineEntry]] = {}
    for entry in dated:
        by_year.setdefault(entry.year, []).append(entry)  # type: ignore[arg-type]
    for year in sorted(by_year):
        if previous is not None:
            empty = year - previous - 1
            if empty > TIMELINE_MAX_EMPTY:
                # A break in the axis: two short slanted strokes across it.
                mid = y + TIMELINE_BREAK / 2
                for dy in (-3, 3):
                    body.append(
                        f'<path d="M{_num(axis_x - 7)} {_num(mid + dy + 3)}L{_num(axis_x + 7)} {_num(mid + dy - 3)}" '
                        f'stroke="{TEXT_LIGHT}" stroke-width="1.5"/>'
                    )
                y += TIMELINE_BREAK
            else:
                for _ in range(empty):
                    y += TIMELINE_EMPTY_YEAR
                    body.append(
                        f'<path d="M{_num(axis_x - 4)} {_num(y)}H{_num(axis_x + 4)}" stroke="{TEXT_LIGHT}" stroke-width="1"/>'
                    )
                y += TIMELINE_EMPTY_YEAR
        first = True
        for entry in by_year[year]:
            y += TIMELINE_ROW / 2
            if first:
                body.append(
                    f'<text class="ckb-year" x="{_num(axis_x - 12)}" y="{_num(y + 5)}" text-anchor="end" '
                    f'font-weight="bold">{year}</text>'
                )
            first = False
            body.append(
                f'<a href="{_href(entry.href)}" aria-label="{_text(entry.label)}">'
                f"<title>{_text(entry.label)}</title>"
                f'<circle cx="{_num(axis_x)}" cy="{_num(y)}" r="7" fill="{PRIMARY}" stroke="{BACKGROUND}" stroke-width="2"/>'
                f'<text x="{_num(name_x)}" y="{_num(y + 5)}" fill="{PRIMARY}" text-decoration="underline">'
                f"{_text(entry.name)}</text></a>"
            )
            y += TIMELINE_ROW / 2
        previous = year
    bottom = y
    height = bottom + pad
    role = "group" if dated else "img"  # links inside role="img" would fail axe's nested-interactive
    out = _open_svg(width, max(height, 2 * pad), role, id_prefix, title, desc, "ckb-chart ckb-timeline")
    if dated:
        out.append(f'<path d="M{_num(axis_x)} {_num(top - 6)}V{_num(bottom + 6)}" stroke="{TEXT_LIGHT}" stroke-width="2"/>')
    out.extend(body)
    out.append("</svg>")
    return Timeline("".join(out), tuple(dated), tuple(undated))


# -- the map -------------------------------------------------------------------------------------


def project_lonlat(projection: Mapping[str, Any], lon: float, lat: float) -> tuple[float, float]:
    """Project longitude/latitude (degrees) onto the unit sphere's plane with ``projection``.

    ``{"type": "lcc", "lon0", "lat0", "lat1", "lat2"}`` is Lambert's conformal conic with two
    standard parallels (Snyder, Map Projections: A Working Manual, 15-1 to 15-5); ``{"type":
    "equirectangular", "lon0", "lat_ts"}`` is the plate carrée true to scale at ``lat_ts``. y grows
    northwards. tools/make_mapdata.py projects the outlines with this same function.
    """
    kind = projection["type"]
    if kind == "lcc":
        phi1, phi2, phi0 = (math.radians(projection[k]) for k in ("lat1", "lat2", "lat0"))
        phi = math.radians(max(-89.5, min(89.5, lat)))

        def t(p: float) -> float:
            return math.tan(math.pi / 4 + p / 2)

        n = math.log(math.cos(phi1) / math.cos(phi2)) / math.log(t(phi2) / t(phi1))
        f = math.cos(phi1) * t(phi1) ** n / n
        rho, rho0 = f / t(phi) ** n, f / t(phi0) ** n
        theta = n * math.radians(lon - projection["lon0"])
        return rho * math.sin(theta), rho0 - rho * math.cos(theta)
    if kind == "equirectangular":
        return math.radians(lon - projection["lon0"]) * math.cos(math.radians(projection["lat_ts"])), math.radians(lat)
    raise ValueError(f"unknown projection {kind!r}")


@lru_cache(maxsize=1)
def map_data() -> dict[str, Any]:
    """The committed outlines (read once): the viewBox and each inset's projection, frame and lines."""
    raw = MAPDATA.read_text(encoding="utf-8")
    data = json.loads(raw)
    for inset in data["insets"]:
        for key in ("land", "borders"):
            for line in inset[key]:
                if len(line) % 2 or not all(isinstance(v, int) for v in line):
                    raise ValueError(f"mapdata: {inset['id']}.{key} holds a line that is not integer x, y pairs")
    return data


def _to_svg(inset: Mapping[str, Any], lon: float, lat: float) -> tuple[float, float] | None:
    """Where a point falls in the viewBox, or None when it is outside the inset's frame."""
    px, py = project_lonlat(inset["projection"], lon, lat)
    x0, _y0, _x1, y1 = inset["bounds"]
    rx, ry, rw, rh = inset["rect"]
    x = rx + (px - x0) * inset["scale"]
    y = ry + (y1 - py) * inset["scale"]
    if rx <= x <= rx + rw and ry <= y <= ry + rh:
        return x, y
    return None


def _path(lines: Sequence[Sequence[int]], close: bool) -> str:
    """Integer polylines as compact path data: an absolute move, then relative lines."""
    out = []
    for line in lines:
        x, y = line[0], line[1]
        parts = [f"M{x} {y}"]
        for i in range(2, len(line), 2):
            dx, dy = line[i] - x, line[i + 1] - y
            x, y = line[i], line[i + 1]
            parts.append(f"l{dx}{'' if dy < 0 else ' '}{dy}")
        if close:
            parts.append("z")
        out.append("".join(parts))
    return "".join(out)


@cache
def _outlines(index: int) -> str:
    """One inset's frame, land and borders: the same on every map, so drawn once (an immutable string)."""
    inset = map_data()["insets"][index]
    rx, ry, rw, rh = inset["rect"]
    return (
        f'<rect x="{rx}" y="{ry}" width="{rw}" height="{rh}" fill="{BACKGROUND}" stroke="{LINE}" stroke-width="1"/>'
        f'<path d="{_path(inset["land"], True)}" fill="{LAND}" stroke="{LINE}" stroke-width="0.6"/>'
        f'<path d="{_path(inset["borders"], False)}" fill="none" stroke="{LINE}" stroke-width="0.6"/>'
    )


@dataclass(frozen=True, slots=True)
class MapPoint:
    """A territory for the map. ``key`` is its id (for links and ``current``); the rest is the caller's text."""

    key: str
    name: str
    href: str
    count: int
    count_text: str
    lat: float | None = None
    lon: float | None = None
    label: str | None = None
    """The link's accessible name, e.g. "Catalonia, 24 clusters"; the name when not given."""
    labelled: bool = False
    """Write the name next to the circle (the highlighted territory always is)."""


@dataclass(frozen=True, slots=True)
class MapLink:
    """An edition between its host and an invited territory (keys of points); a link to its page if href."""

    host: str
    invited: str
    label: str
    href: str | None = None


@dataclass(frozen=True, slots=True)
class MapEntry:
    key: str
    name: str
    href: str
    count_text: str
    label: str
    current: bool
    drawn: bool
    """False when the territory has no coordinates or lies outside the map's frame."""


@dataclass(frozen=True, slots=True)
class MapLinkEntry:
    label: str
    href: str | None
    host: str
    invited: str
    """The host's and invited territory's names."""
    drawn: bool


@dataclass(frozen=True, slots=True)
class MapResult:
    """The map's SVG and the same information as data: every point and link, in the order given."""

    svg: str
    entries: tuple[MapEntry, ...]
    links: tuple[MapLinkEntry, ...]

    @property
    def missing(self) -> tuple[MapEntry, ...]:
        """Territories not drawn (no coordinates, or outside the frame): list them in the text."""
        return tuple(e for e in self.entries if not e.drawn)


R_MAX = 20.0
R_MIN = 3.5
MAP_FONT = 16


def _radius(count: int, top: int) -> float:
    """Circle area proportional to the count (the largest gets R_MAX), never smaller than R_MIN."""
    if top <= 0 or count <= 0:
        return R_MIN
    return max(R_MIN, R_MAX * math.sqrt(count / top))


def _place_labels(
    points: Sequence[MapPoint], placed: Mapping[str, tuple[float, float]], top: int, current: str | None, width: float
) -> list[str]:
    """Names beside their circles: the current one first, then by count; right side, else left, else none.

    A name that would overlap one already placed is left out (every name is in the caller's list
    anyway); the widths are estimates, the same on every run.
    """
    taken: list[tuple[float, float, float, float]] = []
    out = []
    for point in sorted(points, key=lambda p: (p.key != current, -p.count, p.key)):
        x, y = placed[point.key]
        r = _radius(point.count, top)
        w = _text_width(point.name, MAP_FONT)
        here = point.key == current
        sides = [end for end in (False, True) if _label_fits(x, y, r, w, end, width, taken)]
        if not sides and here:
            sides = [x + r + 4 + w > width]  # the current territory is always named, if need be over the edge
        if sides:
            end = sides[0]
            x0 = x - r - 4 - w if end else x + r + 4
            taken.append((x0, y - MAP_FONT * 0.75, x0 + w, y + MAP_FONT * 0.4))
            extra = (' text-anchor="end"' if end else "") + (' font-weight="bold"' if here else "")
            lx = x - r - 4 if end else x + r + 4
            out.append(f'<text x="{_num(lx)}" y="{_num(y + 5)}"{extra}>{_text(point.name)}</text>')
    return out


def _label_fits(
    x: float, y: float, r: float, w: float, end: bool, width: float, taken: Sequence[tuple[float, float, float, float]]
) -> bool:
    x0 = x - r - 4 - w if end else x + r + 4
    box = (x0, y - MAP_FONT * 0.75, x0 + w, y + MAP_FONT * 0.4)
    if box[0] < 0 or box[2] > width:
        return False
    return not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in taken)


def territory_map(
    points: Sequence[MapPoint],
    links: Sequence[MapLink] = (),
    *,
    title: str,
    desc: str,
    current: str | None = None,
    insets: Mapping[str, str] | None = None,
    legend: Sequence[tuple[int, str]] = (),
    id_prefix: str = "ckb-map",
) -> MapResult:
    """The map: country outlines, a circle per territory sized by its clusters, editions as arcs.

    Each circle is a link to ``href`` named by ``label``. Points without coordinates, or outside
    every inset, are not drawn (``MapResult.missing``); links with an undrawn end are not drawn
    either. ``current`` (a key) is highlighted: dashed thick ring, accent fill, its name written,
    ``aria-current="page"``, and its editions' arcs drawn thicker. ``insets`` maps an inset id
    ("europe", "colombia") to a caption; ``legend`` is (count, text) pairs drawn as sample circles.
    """
    data = map_data()
    keys = [p.key for p in points]
    if len(set(keys)) != len(keys):
        raise ValueError("map points must have distinct keys")
    for point in points:
        if point.count < 0:
            raise ValueError(f"negative count for {point.key!r}")
        _href(point.href)
    for link in links:
        if link.href is not None:
            _href(link.href)
    top = max((p.count for p in points), default=0)

    placed: dict[str, tuple[float, float]] = {}
    entries = []
    for point in points:
        xy = None
        if point.lat is not None and point.lon is not None and math.isfinite(point.lat) and math.isfinite(point.lon):
            for inset in data["insets"]:
                xy = _to_svg(inset, point.lon, point.lat)
                if xy is not None:
                    break
        if xy is not None:
            placed[point.key] = xy
        label = point.label if point.label is not None else point.name
        entries.append(MapEntry(point.key, point.name, point.href, point.count_text, label, point.key == current, xy is not None))

    width, height = data["width"], data["height"]
    # Every drawn point is a link (and arcs are drawn only between drawn points).
    out = _open_svg(width, height, "group" if placed else "img", id_prefix, title, desc, "ckb-map")

    # The outlines and frames: decoration, hidden from assistive technology.
    out.append('<g aria-hidden="true">')
    for index, inset in enumerate(data["insets"]):
        rx, ry, _, rh = inset["rect"]
        out.append(_outlines(index))
        if insets and inset["id"] in insets:
            out.append(
                f'<text x="{rx + 5}" y="{ry + rh - 6}" font-size="14" fill="{TEXT_LIGHT}">{_text(insets[inset["id"]])}</text>'
            )
    out.append("</g>")

    # Editions: quadratic arcs bending to the left of host -> invited, more for each repeat of a pair.
    names = {p.key: p.name for p in points}
    link_entries = []
    seen: dict[tuple[str, str], int] = {}
    arcs = []
    for link in links:
        ends = placed.get(link.host), placed.get(link.invited)
        drawn = ends[0] is not None and ends[1] is not None and link.host != link.invited
        link_entries.append(
            MapLinkEntry(link.label, link.href, names.get(link.host, link.host), names.get(link.invited, link.invited), drawn)
        )
        if not drawn:
            continue
        (x1, y1), (x2, y2) = ends  # type: ignore[misc]
        pair = (link.host, link.invited)
        repeat = seen.get(pair, 0)
        seen[pair] = repeat + 1
        bend = 0.18 + 0.1 * repeat
        cx, cy = (x1 + x2) / 2 + (y2 - y1) * bend, (y1 + y2) / 2 - (x2 - x1) * bend
        hot = current is not None and current in pair
        path = f'<path d="M{_num(x1)} {_num(y1)}Q{_num(cx)} {_num(cy)} {_num(x2)} {_num(y2)}"'
        if hot:
            path += ' stroke-width="3" stroke-opacity="0.9"'
        if link.href is not None:
            arcs.append(
                f'<a href="{_href(link.href)}" aria-label="{_text(link.label)}"><title>{_text(link.label)}</title>{path}/></a>'
            )
        else:
            arcs.append(f"{path}><title>{_text(link.label)}</title></path>")
    if arcs:
        out.append(f'<g class="ckb-editions" fill="none" stroke="{PRIMARY_DARK}" stroke-width="1.5" stroke-opacity="0.6">')
        out.extend(arcs)
        out.append("</g>")

    # Circles, largest first so that smaller ones stay on top and clickable; the current one last.
    order = sorted((p for p in points if p.key in placed), key=lambda p: (p.key == current, -p.count, p.key))
    out.append(f'<g class="ckb-territories" fill="{PRIMARY}" fill-opacity="0.55" stroke="{PRIMARY_DARK}" stroke-width="1">')
    for point in order:
        x, y = placed[point.key]
        r = _radius(point.count, top)
        here = point.key == current
        label = point.label if point.label is not None else point.name
        style = f' fill="{ACCENT}" fill-opacity="0.85" stroke="{TEXT}" stroke-width="3" stroke-dasharray="4 2"' if here else ""
        marked = ' aria-current="page" class="ckb-current"' if here else ""
        out.append(
            f'<a href="{_href(point.href)}" aria-label="{_text(label)}"{marked}><title>{_text(label)}</title>'
            f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}"{style}/></a>'
        )
    out.append("</g>")
    labels = _place_labels(
        [p for p in points if p.key in placed and (p.labelled or p.key == current)], placed, top, current, width
    )
    if labels:
        # Names on a halo of the background colour, so they stay legible over outlines and arcs.
        halo = f'stroke="{BACKGROUND}" stroke-width="3" paint-order="stroke"'
        out.append(f'<g class="ckb-labels" aria-hidden="true" font-size="{MAP_FONT}" {halo}>')
        out.extend(labels)
        out.append("</g>")

    if legend:
        # Sample circles at the top left, each with its count text, at the same scale as the map.
        out.append('<g class="ckb-legend" aria-hidden="true">')
        lx, ly = 16.0, 16.0
        for count, text in legend:
            r = _radius(count, top)
            out.append(
                f'<circle cx="{_num(lx + R_MAX)}" cy="{_num(ly + r)}" r="{_num(r)}" fill="{PRIMARY}" fill-opacity="0.55" '
                f'stroke="{PRIMARY_DARK}" stroke-width="1"/>'
                f'<text x="{_num(lx + 2 * R_MAX + 8)}" y="{_num(ly + r + 5)}" font-size="{MAP_FONT}">{_text(text)}</text>'
            )
            ly += 2 * r + 8
        out.append("</g>")
    out.append("</svg>")
    return MapResult("".join(out), tuple(entries), tuple(link_entries))
