"""The SVG charts and the map of territories: valid, escaped, linked only as told, small, reproducible."""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from cluster_kb.site import charts
from cluster_kb.site.charts import (
    Bar,
    MapLink,
    MapPoint,
    TimelineItem,
    bar_chart,
    figures_table,
    territory_chart,
    territory_map,
    timeline,
)

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = "<img src=x onerror=alert(1)>\"'&\x00\x1b"
MAPDATA = Path(charts.__file__).with_name("mapdata")
BUDGET = 30_000
"""Bytes (UTF-8) of the map's SVG on one page."""

# Territories the knowledge base has, and made-up ones around them, to reach 60 points.
REAL = [
    ("catalonia", "Catalunya", 41.82, 1.47, 34),
    ("barcelona", "Barcelona", 41.39, 2.17, 12),
    ("girona", "Girona", 41.98, 2.82, 3),
    ("lleida", "Lleida", 41.61, 0.62, 2),
    ("tarragona", "Tarragona", 41.12, 1.25, 2),
    ("spain", "Espanya", 40.42, -3.70, 5),
    ("basque-country", "País Basc", 43.26, -2.93, 7),
    ("navarre", "Navarra", 42.82, -1.64, 2),
    ("colombia", "Colòmbia", 4.61, -74.08, 9),
    ("bogota", "Bogotà", 4.71, -74.07, 6),
    ("medellin", "Medellín", 6.25, -75.56, 5),
    ("cali", "Cali", 3.45, -76.53, 2),
    ("norway", "Noruega", 59.91, 10.75, 7),
    ("denmark", "Dinamarca", 55.68, 12.57, 5),
    ("france", "França", 48.85, 2.35, 6),
    ("auvergne-rhone-alpes", "Alvèrnia-Roine-Alps", 45.76, 4.84, 8),
    ("italy", "Itàlia", 41.89, 12.48, 4),
    ("lombardy", "Llombardia", 45.46, 9.19, 9),
]


def realistic_points(n: int = 60) -> list[MapPoint]:
    points = []
    for key, name, lat, lon, count in REAL:
        points.append(
            MapPoint(
                key,
                name,
                f"../{key}/",
                count,
                f"{count} clústers",
                lat,
                lon,
                label=f"{name}: {count} clústers",
                labelled=count >= 7,
            )
        )
    i = 0
    while len(points) < n:
        # Spread made-up regions over Catalonia, Colombia and the rest of Europe.
        lat, lon = [
            (41.0 + (i % 9) * 0.2, 0.5 + (i % 7) * 0.35),
            (2.0 + (i % 8), -77.0 + (i % 6)),
            (44.0 + (i % 11) * 1.5, -1.0 + (i % 13)),
        ][i % 3]
        count = 1 + i % 6
        name = f"Comarca número {i} de l'exemple"
        key = f"example-territory-{i:02d}"
        points.append(MapPoint(key, name, f"../{key}/", count, f"{count} clústers", lat, lon, label=f"{name}: {count} clústers"))
        i += 1
    return points


def realistic_links() -> list[MapLink]:
    pairs = [
        ("catalonia", "norway", 2013),
        ("catalonia", "denmark", 2014),
        ("catalonia", "auvergne-rhone-alpes", 2016),
        ("catalonia", "basque-country", 2017),
        ("catalonia", "navarre", 2017),
        ("catalonia", "colombia", 2018),
        ("catalonia", "lombardy", 2018),
        ("catalonia", "france", 2019),
        ("catalonia", "italy", 2020),
        ("catalonia", "colombia", 2022),
    ]
    return [MapLink(h, v, f"Trobada {v} {y}", f"../../editions/{v}-{y}/") for h, v, y in pairs]


def draw(**kwargs: object) -> charts.MapResult:
    args: dict = {"title": "Mapa dels territoris", "desc": "Un cercle per territori, mida segons els clústers."}
    args.update(kwargs)
    points = args.pop("points", realistic_points())
    links = args.pop("links", realistic_links())
    return territory_map(points, links, **args)


def xml(text: str) -> ET.Element:
    """Parse markup this module just made (our own output, not untrusted input)."""
    return ET.fromstring(text)  # noqa: S314


def parse(svg: str) -> ET.Element:
    root = xml(svg)
    assert root.tag == f"{NS}svg"
    return root


def hrefs(root: ET.Element) -> list[str]:
    return [a.get("href", "") for a in root.iter(f"{NS}a")]


def circles_by_href(root: ET.Element) -> dict[str, float]:
    group = next(g for g in root.iter(f"{NS}g") if g.get("class") == "ckb-territories")
    return {a.get("href"): float(a.find(f"{NS}circle").get("r")) for a in group.iter(f"{NS}a")}


def all_svgs() -> dict[str, str]:
    return {
        "map": draw(current="barcelona").svg,
        "bars": bar_chart([Bar("Agroalimentari", 12, "12"), Bar("Salut", 3, "3")], title="Sectors", desc="Barres").svg,
        "territory": territory_chart(Bar("Catalunya", 4, "4"), [Bar("Girona", 2, "2")], title="T", desc="D").svg,
        "timeline": timeline([TimelineItem("Noruega 2013", "../norway-2013/", 2013)], title="Edicions", desc="D").svg,
    }


# -- every SVG -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["map", "bars", "territory", "timeline"])
def test_svg_is_valid_responsive_and_named(kind: str) -> None:
    svg = all_svgs()[kind]
    root = parse(svg)
    assert root.get("width") == "100%"
    assert root.get("height") is None
    assert re.fullmatch(r"0 0 \d+(\.\d)? \d+(\.\d)?", root.get("viewBox", ""))
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title is not None and title.text and desc is not None and desc.text
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    # role="img" makes its children presentational: it must hold no link (axe: nested-interactive).
    assert root.get("role") in ("img", "group")
    if root.get("role") == "img":
        assert not list(root.iter(f"{NS}a"))
    else:
        assert list(root.iter(f"{NS}a"))


@pytest.mark.parametrize("kind", ["map", "bars", "territory", "timeline"])
def test_colours_are_theme_variables_with_fallbacks(kind: str) -> None:
    root = parse(all_svgs()[kind])
    for element in root.iter():
        for attribute in ("fill", "stroke"):
            value = element.get(attribute)
            if value is not None and value != "none":
                assert re.fullmatch(r"var\(--md-[a-z-]+, #[0-9a-f]{6,8}\)", value), (element.tag, attribute, value)


@pytest.mark.parametrize("kind", ["map", "bars", "territory", "timeline"])
def test_nothing_is_fetched_or_scripted(kind: str) -> None:
    svg = all_svgs()[kind]
    root = parse(svg)
    allowed = {"svg", "title", "desc", "g", "a", "path", "rect", "circle", "text"}
    for element in root.iter():
        assert element.tag.removeprefix(NS) in allowed
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on")
            assert "url(" not in value and "javascript" not in value.lower()
    assert svg.count("http") == 1  # the SVG namespace only


def test_same_bytes_on_every_call() -> None:
    first = all_svgs()
    charts.map_data.cache_clear()
    assert all_svgs() == first
    assert draw().entries == draw().entries


# -- escaping and links --------------------------------------------------------------------------


def test_hostile_text_stays_text_everywhere() -> None:
    point = MapPoint("evil", HOSTILE, "../evil/?a=1&b=<2>", 3, HOSTILE, 41.4, 2.2, label=HOSTILE, labelled=True)
    svgs = [
        territory_map(
            [point],
            [MapLink("evil", "evil", HOSTILE)],
            title=HOSTILE,
            desc=HOSTILE,
            current="evil",
            insets={"europe": HOSTILE},
            legend=[(3, HOSTILE)],
        ).svg,
        bar_chart([Bar(HOSTILE, 2, HOSTILE)], title=HOSTILE, desc=HOSTILE).svg,
        territory_chart(Bar(HOSTILE, 1, HOSTILE), [Bar(HOSTILE, 2, HOSTILE)], title=HOSTILE, desc=HOSTILE).svg,
        timeline([TimelineItem(HOSTILE, "../e/", 2015, label=HOSTILE)], title=HOSTILE, desc=HOSTILE).svg,
    ]
    shown = "<img src=x onerror=alert(1)>\"'&"
    for svg in svgs:
        root = parse(svg)
        assert not [e for e in root.iter() if "img" in e.tag]
        assert "<img" not in svg and "\x00" not in svg and "\x1b" not in svg
        assert root.find(f"{NS}title").text == shown
        assert any(shown in (e.text or "") for e in root.iter(f"{NS}text")) or root.get("role") == "img"
    map_root = parse(svgs[0])
    assert hrefs(map_root) == ["../evil/?a=1&b=<2>"]
    assert map_root.find(f"{NS}g[@class='ckb-territories']/{NS}a").get("aria-label") == shown

    table = figures_table(HOSTILE, (HOSTILE, HOSTILE), [Bar(HOSTILE, 1, HOSTILE, href="../x/?a&b")])
    table_root = xml(table)
    assert not list(table_root.iter("img"))
    assert table_root.find("caption").text == shown
    assert table_root.find("tbody/tr/th/a").get("href") == "../x/?a&b"


@pytest.mark.parametrize("href", ["javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:alert(1)", "data:text/html,x", ""])
def test_hrefs_that_could_run_code_are_refused(href: str) -> None:
    with pytest.raises(ValueError):
        territory_map([MapPoint("a", "A", href, 1, "1", 41.0, 2.0)], title="t", desc="d")
    with pytest.raises(ValueError):
        territory_map([MapPoint("a", "A", "../a/", 1, "1")], [MapLink("a", "a", "x", href)], title="t", desc="d")
    with pytest.raises(ValueError):
        timeline([TimelineItem("E", href, 2014)], title="t", desc="d")
    with pytest.raises(ValueError):
        figures_table("c", ("a", "b"), [Bar("A", 1, "1", href=href)])


def test_map_links_only_to_the_hrefs_given() -> None:
    points, links = realistic_points(), realistic_links()
    root = parse(draw(points=points, links=links).svg)
    given = {p.href for p in points} | {link.href for link in links}
    found = hrefs(root)
    assert set(found) <= given
    assert sorted(found) == sorted([p.href for p in points] + [link.href for link in links])


# -- the map -------------------------------------------------------------------------------------


def test_map_of_60_territories_and_10_editions_stays_within_budget() -> None:
    result = draw(
        current="catalonia", insets={"europe": "Europa", "colombia": "Colòmbia"}, legend=[(1, "1 clúster"), (34, "34 clústers")]
    )
    size = len(result.svg.encode("utf-8"))
    assert len([e for e in result.entries if e.drawn]) == 60
    assert all(link.drawn for link in result.links)
    assert size <= BUDGET, f"map is {size} bytes"


def test_current_territory_is_highlighted() -> None:
    root = parse(draw(current="girona").svg)
    marked = [a for a in root.iter(f"{NS}a") if a.get("aria-current") == "page"]
    assert [a.get("href") for a in marked] == ["../girona/"]
    current = marked[0].find(f"{NS}circle")
    others = [
        a.find(f"{NS}circle") for a in root.iter(f"{NS}a") if a.get("aria-current") is None and a.find(f"{NS}circle") is not None
    ]
    assert current.get("stroke-dasharray") and current.get("stroke-width") == "3"
    assert all(c.get("stroke-dasharray") is None for c in others)
    # Drawn last, on top of its neighbours, and its name written out (not by colour alone).
    territories = next(g for g in root.iter(f"{NS}g") if g.get("class") == "ckb-territories")
    assert list(territories)[-1] is marked[0]
    labels = next(g for g in root.iter(f"{NS}g") if g.get("class") == "ckb-labels")
    assert "Girona" in [t.text for t in labels] and any(t.get("font-weight") == "bold" for t in labels)
    result = draw(current="girona")
    assert [e.key for e in result.entries if e.current] == ["girona"]


def test_points_without_coordinates_or_outside_the_frame_are_skipped() -> None:
    points = [
        *realistic_points(20),
        MapPoint("nowhere", "Sense coordenades", "../nowhere/", 4, "4", None, None),
        MapPoint("half", "Mig", "../half/", 4, "4", 41.0, None),
        MapPoint("tokyo", "Tòquio", "../tokyo/", 4, "4", 35.68, 139.69),
        MapPoint("nan", "NaN", "../nan/", 4, "4", math.nan, 2.0),
    ]
    links = [MapLink("catalonia", "tokyo", "A Tòquio", "../../editions/tokyo/"), MapLink("catalonia", "norway", "A Noruega")]
    result = territory_map(points, links, title="t", desc="d")
    found = hrefs(parse(result.svg))
    skipped = ["nowhere", "half", "tokyo", "nan"]
    assert [e.key for e in result.missing] == skipped
    assert all(f"../{key}/" not in found for key in skipped)
    assert "../../editions/tokyo/" not in found
    assert [(link.label, link.drawn) for link in result.links] == [("A Tòquio", False), ("A Noruega", True)]
    assert [e.key for e in result.entries] == [p.key for p in points]  # every point, in the order given


def test_circle_areas_grow_with_counts() -> None:
    counts = [1, 2, 3, 5, 8, 13, 21, 34, 55]
    points = [MapPoint(f"t{c}", f"T{c}", f"../t{c}/", c, str(c), 45.0 + i, 5.0) for i, c in enumerate(counts)]
    radii = circles_by_href(parse(territory_map(points, title="t", desc="d").svg))
    r = [radii[f"../t{c}/"] for c in counts]
    assert r == sorted(r) and r[-1] > r[0]
    assert r[0] >= charts.R_MIN
    # Above the minimum visible size, area is proportional to the count (to the rounding of r).
    for c, radius in zip(counts, r, strict=True):
        if radius > charts.R_MIN:
            assert math.isclose(radius**2 / r[-1] ** 2, c / counts[-1], rel_tol=0.03)


def test_edition_arcs_link_host_and_invited() -> None:
    result = draw(current="colombia")
    root = parse(result.svg)
    editions = next(g for g in root.iter(f"{NS}g") if g.get("class") == "ckb-editions")
    arcs = [a.find(f"{NS}path") for a in editions.iter(f"{NS}a")]
    assert len(arcs) == 10
    assert all(re.fullmatch(r"M[\d.-]+ [\d.-]+Q[\d.-]+ [\d.-]+ [\d.-]+ [\d.-]+", a.get("d")) for a in arcs)
    thick = [a for a in arcs if a.get("stroke-width") == "3"]
    assert len(thick) == 2  # the two editions with Colombia
    d = [a.get("d") for a in arcs]
    assert d[5] != d[9]  # the same pair twice bends apart
    assert [(link.host, link.invited) for link in result.links][5] == ("Catalunya", "Colòmbia")


def test_map_data_is_committed_small_and_matches_the_projection() -> None:
    raw = (MAPDATA / "outlines.json").read_bytes()
    assert len(raw) < 40_000
    assert (MAPDATA / "PROVENANCE.md").is_file() and (MAPDATA / "LICENSE.md").is_file()
    data = json.loads(raw)
    assert [inset["id"] for inset in data["insets"]] == ["colombia", "europe"]

    def on_land(inset_id: str, lat: float, lon: float) -> bool:
        inset = next(i for i in data["insets"] if i["id"] == inset_id)
        xy = charts._to_svg(inset, lon, lat)
        assert xy is not None, (inset_id, lat, lon)
        x, y = xy
        inside = False
        for ring in inset["land"]:
            pts = list(zip(ring[::2], ring[1::2], strict=True))
            for (ax, ay), (bx, by) in zip(pts, pts[1:] + pts[:1], strict=True):
                if (ay > y) != (by > y) and x < ax + (y - ay) * (bx - ax) / (by - ay):
                    inside = not inside
        return inside

    for inset_id, lat, lon in [
        ("europe", 41.39, 2.17),
        ("europe", 59.91, 10.75),
        ("europe", 45.46, 9.19),
        ("colombia", 4.71, -74.07),
    ]:
        assert on_land(inset_id, lat, lon)
    assert not on_land("europe", 43.0, 5.0)  # the Gulf of Lion


# -- bar charts ----------------------------------------------------------------------------------

SECTORS = [
    ("Aeroespacial i defensa", 3),
    ("Agroalimentari", 12),
    ("Construcció", 2),
    ("Indústries culturals i creatives", 5),
    ("Digital", 9),
    ("Electrònica", 4),
    ("Indústries intensives en energia", 1),
    ("Energies renovables", 7),
    ("Salut", 11),
    ("Mobilitat, transport i automoció", 6),
    ("Proximitat, economia social i seguretat civil", 0),
    ("Comerç", 2),
    ("Tèxtil", 3),
    ("Turisme", 1234),
]


def test_bar_chart_labels_match_the_input_and_lengths_are_proportional() -> None:
    bars = [Bar(name, value, f"{value:,}".replace(",", "."), href=f"../s{i}/") for i, (name, value) in enumerate(SECTORS)]
    chart = bar_chart(bars, title="Clústers per sector", desc="Una barra per sector.")
    root = parse(chart.svg)
    groups = [g for g in root.iter(f"{NS}g") if g.get("class", "").startswith("ckb-bar")]
    assert len(groups) == 14
    names = [g.find(f"{NS}text").text for g in groups]
    values = [g.find(f"{NS}text[@class='ckb-value']").text for g in groups]
    assert names == [name for name, _ in SECTORS]
    assert values == [b.value_text for b in bars] and "1.234" in values
    widths = [float(g.find(f"{NS}rect").get("width")) for g in groups]
    longest = max(widths)
    for (_, value), width in zip(SECTORS, widths, strict=True):
        assert math.isclose(width, max(1.0, longest * value / 1234), abs_tol=0.1)
    assert chart.rows == tuple(bars)
    table = xml(figures_table("Clústers per sector", ("Sector", "Clústers"), chart.rows))
    assert [td.text for td in table.iter("td")] == values
    assert [a.get("href") for a in table.iter("a")] == [b.href for b in bars]


def test_territory_chart_draws_its_own_clusters_apart() -> None:
    chart = territory_chart(
        Bar("Catalunya", 4, "4"),
        [Bar("Barcelona", 12, "12"), Bar("Girona", 3, "3"), Bar("Tarragona", 0, "0")],
        title="t",
        desc="d",
    )
    root = parse(chart.svg)
    groups = [g for g in root.iter(f"{NS}g") if g.get("class", "").startswith("ckb-bar")]
    assert [g.get("class") for g in groups] == ["ckb-bar ckb-own", "ckb-bar", "ckb-bar", "ckb-bar"]
    assert [g.find(f"{NS}text[@class='ckb-value']").text for g in groups] == ["4", "12", "3", "0"]
    assert [r.name for r in chart.rows] == ["Catalunya", "Barcelona", "Girona", "Tarragona"]


def test_empty_and_invalid_bar_charts() -> None:
    parse(bar_chart([], title="t", desc="d").svg)
    parse(bar_chart([Bar("A", 0, "0")], title="t", desc="d").svg)
    with pytest.raises(ValueError):
        bar_chart([Bar("A", -1, "-1")], title="t", desc="d")
    with pytest.raises(ValueError):
        bar_chart([Bar("A", 1, "1")], title="t", desc="d", id_prefix='x" onload="alert(1)')


# -- the timeline --------------------------------------------------------------------------------


def test_timeline_places_editions_in_year_order_and_lists_undated_apart() -> None:
    items = [
        TimelineItem("Colòmbia 2018", "../colombia-2018/", 2018),
        TimelineItem("Noruega 2013", "../norway-2013/", 2013),
        TimelineItem("Sense any", "../undated/", None),
        TimelineItem("Llombardia 2018", "../lombardy-2018/", 2018),
        TimelineItem("Dinamarca 2014", "../denmark-2014/", 2014),
        TimelineItem("La primera", "../first/", 2001),
        TimelineItem("Una altra sense any", "../undated-2/", None),
    ]
    result = timeline(items, title="Edicions", desc="Les edicions per any.")
    root = parse(result.svg)
    links = list(root.iter(f"{NS}a"))
    assert [a.get("href") for a in links] == [
        "../first/",
        "../norway-2013/",
        "../denmark-2014/",
        "../colombia-2018/",
        "../lombardy-2018/",
    ]
    ys = [float(a.find(f"{NS}circle").get("cy")) for a in links]
    assert ys == sorted(ys) and len(set(ys)) == len(ys)
    # The gap 2001-2013 is a break in the axis, not twelve empty years.
    assert ys[1] - ys[0] < 12 * charts.TIMELINE_EMPTY_YEAR
    assert ys[2] - ys[1] > 0
    years = [t.text for t in root.iter(f"{NS}text") if t.get("class") == "ckb-year"]
    assert years == ["2001", "2013", "2014", "2018"]
    assert [e.name for e in result.dated] == ["La primera", "Noruega 2013", "Dinamarca 2014", "Colòmbia 2018", "Llombardia 2018"]
    assert [e.href for e in result.undated] == ["../undated/", "../undated-2/"]
    assert "Sense any" not in result.svg and "../undated/" not in result.svg
    assert links[0].get("aria-label") == "La primera"


def test_timeline_with_only_undated_editions() -> None:
    result = timeline([TimelineItem("Sense any", "../u/", None)], title="t", desc="d")
    root = parse(result.svg)
    assert not list(root.iter(f"{NS}a"))
    assert root.get("role") == "img"
    assert len(result.undated) == 1
