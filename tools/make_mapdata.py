"""Regenerate generator/cluster_kb/site/mapdata/outlines.json from Natural Earth via world-atlas.

Run at data-preparation time only (the site build never fetches anything):

    .venv/bin/python tools/make_mapdata.py            # npm pack world-atlas@2.0.2 into a temp dir
    .venv/bin/python tools/make_mapdata.py --source countries-50m.json   # a file already at hand

What it does, in order (mapdata/PROVENANCE.md records the result):

1. Takes ``countries-50m.json`` (Natural Earth 1:50m Admin 0 countries, version 4.1.0, as
   TopoJSON) from the npm package ``world-atlas``, checking the tarball's SHA-256.
2. Decodes the TopoJSON arcs itself (quantised, delta-encoded integers times the transform).
3. For each inset (Europe, Colombia) projects every arc with :func:`cluster_kb.site.charts.project_lonlat`,
   the same function the map uses for territory points, and scales it to viewBox units.
4. Simplifies each arc with Douglas-Peucker in viewBox units. Arcs are shared between
   neighbouring countries, so a border is simplified once and both sides stay identical.
5. Builds the land (the ``land`` object: coastlines) as rings, clips them to the inset's frame
   (Sutherland-Hodgman) and drops islands smaller than a few square units; takes the internal
   borders (arcs used by two different countries) as polylines, clipped to the frame (Liang-Barsky).
6. Rounds to integer viewBox units and writes compact, sorted JSON, the same bytes on every run.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import itertools
import json
import math
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generator"))

from cluster_kb.site.charts import project_lonlat  # noqa: E402

OUT = ROOT / "generator" / "cluster_kb" / "site" / "mapdata" / "outlines.json"

PACKAGE = "world-atlas@2.0.2"
TARBALL_SHA256 = "032e7765f2ce00edaeafec23ff22bc3b77e42987c257da944cc585b452c05b97"
MEMBER = "package/countries-50m.json"

SCALE = 600.0
"""ViewBox units per Earth radius, the same in both insets, so they share one scale (~10.6 km a unit)."""
TOLERANCE = 0.9
"""Douglas-Peucker tolerance, in viewBox units."""
MIN_AREA = 6.0
"""Land rings smaller than this (square viewBox units) after clipping are dropped."""
MARGIN = 8
GAP = 12

# Each inset: its projection and the points its frame must hold (lon, lat), plus a margin in units.
INSETS = [
    {
        "id": "colombia",
        "projection": {"type": "equirectangular", "lon0": -73.5, "lat_ts": 4.0},
        # San Andrés, Leticia, La Guajira, Nariño's coast, the Venezuelan border east of Guainía.
        "anchors": [(-81.8, 12.6), (-69.9, -4.3), (-71.5, 12.5), (-79.1, 1.5), (-66.8, 1.2), (-78.0, 7.5)],
        "margin": 14,
    },
    {
        "id": "europe",
        # ETRS89-LCC (EPSG:3034)'s parameters: true to scale at 35° and 65° N, centred on 52° N, 10° E.
        "projection": {"type": "lcc", "lon0": 10.0, "lat0": 52.0, "lat1": 35.0, "lat2": 65.0},
        # Ireland's west, Cabo de São Vicente, Gibraltar, Malta, Crete, Finland's east, North Cape, Shetland.
        "anchors": [
            (-10.5, 52.0),
            (-9.0, 37.0),
            (-5.6, 36.0),
            (14.5, 35.8),
            (25.0, 34.9),
            (31.6, 62.0),
            (25.8, 71.2),
            (-1.0, 60.8),
            (30.0, 69.8),
        ],
        "margin": 10,
    },
]


# -- reading the source ----------------------------------------------------------------------------


def fetch_source() -> bytes:
    """``npm pack`` the pinned world-atlas into a temporary folder, check it, return its countries-50m.json."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=tmp, check=True, capture_output=True)
        (tarball,) = Path(tmp).glob("*.tgz")
        blob = tarball.read_bytes()
    digest = hashlib.sha256(blob).hexdigest()
    if digest != TARBALL_SHA256:
        raise SystemExit(f"{PACKAGE}: tarball SHA-256 {digest} is not the pinned {TARBALL_SHA256}")
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        member = tar.extractfile(MEMBER)
        if member is None:
            raise SystemExit(f"{PACKAGE} has no {MEMBER}")
        return member.read()


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """TopoJSON arcs as (lon, lat) lists: undo the delta encoding, then apply the transform."""
    (kx, ky), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * kx + tx, y * ky + ty))
        arcs.append(points)
    return arcs


def polygons(geometry: dict) -> list[list[list[int]]]:
    """A geometry's polygons, each a list of rings, each a list of arc indices (~i: reversed)."""
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


# -- geometry ------------------------------------------------------------------------------------


def simplify(points: Sequence[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker, iterative, keeping both ends (arc ends are junctions between countries)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        norm = math.hypot(dx, dy)
        best, index = -1.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            d = abs(dy * (px - ax) - dx * (py - ay)) / norm if norm > 0 else math.hypot(px - ax, py - ay)
            if d > best:
                best, index = d, i
        if index >= 0 and best > tolerance:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [p for p, k in zip(points, keep, strict=True) if k]


def clip_ring(ring: list[tuple[float, float]], box: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    """Sutherland-Hodgman against an axis-aligned box; right for fills (edges along the box are harmless)."""
    x0, y0, x1, y1 = box
    edges = [
        (lambda p: p[0] >= x0, lambda p, q: (x0, p[1] + (q[1] - p[1]) * (x0 - p[0]) / (q[0] - p[0]))),
        (lambda p: p[0] <= x1, lambda p, q: (x1, p[1] + (q[1] - p[1]) * (x1 - p[0]) / (q[0] - p[0]))),
        (lambda p: p[1] >= y0, lambda p, q: (p[0] + (q[0] - p[0]) * (y0 - p[1]) / (q[1] - p[1]), y0)),
        (lambda p: p[1] <= y1, lambda p, q: (p[0] + (q[0] - p[0]) * (y1 - p[1]) / (q[1] - p[1]), y1)),
    ]
    out = ring
    for inside, cross in edges:
        if not out:
            break
        points, out = out, []
        prev = points[-1]
        for cur in points:
            if inside(cur):
                if not inside(prev):
                    out.append(cross(prev, cur))
                out.append(cur)
            elif inside(prev):
                out.append(cross(prev, cur))
            prev = cur
    return out


def clip_line(line: list[tuple[float, float]], box: tuple[float, float, float, float]) -> list[list[tuple[float, float]]]:
    """Liang-Barsky on each segment; the pieces of the polyline inside the box."""
    x0, y0, x1, y1 = box
    pieces: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for (ax, ay), (bx, by) in itertools.pairwise(line):
        dx, dy = bx - ax, by - ay
        t0, t1 = 0.0, 1.0
        ok = True
        for p, q in ((-dx, ax - x0), (dx, x1 - ax), (-dy, ay - y0), (dy, y1 - ay)):
            if p == 0:
                if q < 0:
                    ok = False
                    break
            else:
                t = q / p
                if p < 0:
                    t0 = max(t0, t)
                else:
                    t1 = min(t1, t)
        if not ok or t0 > t1:
            if current:
                pieces.append(current)
                current = []
            continue
        start, end = (ax + t0 * dx, ay + t0 * dy), (ax + t1 * dx, ay + t1 * dy)
        if not current:
            current = [start]
        current.append(end)
        if t1 < 1.0:
            pieces.append(current)
            current = []
    if current:
        pieces.append(current)
    return pieces


def rounded(points: Sequence[tuple[float, float]]) -> list[tuple[int, int]]:
    """Integer points without consecutive repeats."""
    out: list[tuple[int, int]] = []
    for x, y in points:
        p = (round(x), round(y))
        if not out or out[-1] != p:
            out.append(p)
    return out


def area(ring: Sequence[tuple[float, float]]) -> float:
    return abs(sum(ax * by - bx * ay for (ax, ay), (bx, by) in zip(ring, [*ring[1:], ring[0]], strict=True))) / 2


def flat(points: Sequence[tuple[int, int]]) -> list[int]:
    return [v for p in points for v in p]


# -- the insets ----------------------------------------------------------------------------------


def layout() -> tuple[list[dict], int, int]:
    """Frames at one scale, Colombia at the bottom left, Europe to its right; the viewBox size."""
    frames = []
    for spec in INSETS:
        projected = [project_lonlat(spec["projection"], lon, lat) for lon, lat in spec["anchors"]]
        m = spec["margin"] / SCALE
        x0, x1 = min(p[0] for p in projected) - m, max(p[0] for p in projected) + m
        y0, y1 = min(p[1] for p in projected) - m, max(p[1] for p in projected) + m
        w, h = math.ceil((x1 - x0) * SCALE), math.ceil((y1 - y0) * SCALE)
        # Widen the projected bounds to the rounded frame so that points and outlines agree exactly.
        frames.append({"spec": spec, "bounds": [x0, y1 - h / SCALE, x0 + w / SCALE, y1], "w": w, "h": h})
        # (y0 is recomputed from y1 and the rounded height; x1 from x0 and the rounded width.)
    colombia, europe = frames
    height = MARGIN * 2 + max(colombia["h"], europe["h"])
    colombia["rect"] = [MARGIN, height - MARGIN - colombia["h"], colombia["w"], colombia["h"]]
    europe["rect"] = [MARGIN + colombia["w"] + GAP, MARGIN, europe["w"], europe["h"]]
    width = europe["rect"][0] + europe["w"] + MARGIN
    return frames, width, height


def build_inset(frame: dict, arcs: list, land: list[list[int]], borders: list[int]) -> dict:
    """One inset: its land rings and border lines projected, simplified, clipped and rounded."""
    spec = frame["spec"]
    x0, _y0, _x1, y1 = frame["bounds"]
    rx, ry, rw, rh = frame["rect"]
    box = (rx, ry, rx + rw, ry + rh)
    # A generous lon/lat window around the frame, so Antarctica and the far side are never projected.
    lons = [a[0] for a in spec["anchors"]]
    lats = [a[1] for a in spec["anchors"]]
    window = (min(lons) - 25, min(lats) - 15, max(lons) + 25, max(lats) + 15)

    def near(points: list[tuple[float, float]]) -> bool:
        return any(window[0] <= lon <= window[2] and window[1] <= lat <= window[3] for lon, lat in points)

    cache: dict[int, list[tuple[float, float]]] = {}

    def arc(i: int) -> list[tuple[float, float]]:
        """Arc i (~i: reversed) projected into viewBox units and simplified, once per inset."""
        index = i if i >= 0 else ~i
        if index not in cache:
            pts = []
            for lon, lat in arcs[index]:
                px, py = project_lonlat(spec["projection"], lon, lat)
                pts.append((rx + (px - x0) * SCALE, ry + (y1 - py) * SCALE))
            cache[index] = simplify(pts, TOLERANCE)
        return cache[index] if i >= 0 else cache[index][::-1]

    rings = []
    for ring in land:
        if not any(near(arcs[a if a >= 0 else ~a]) for a in ring):
            continue
        points: list[tuple[float, float]] = []
        for a in ring:
            part = arc(a)
            points.extend(part[1:] if points else part)
        clipped = rounded(clip_ring(points[:-1], box))
        if len(clipped) > 1 and clipped[0] == clipped[-1]:
            clipped.pop()
        if len(clipped) >= 3 and area(clipped) >= MIN_AREA:
            rings.append(flat(clipped))
    lines = []
    for a in borders:
        if not near(arcs[a]):
            continue
        for piece in clip_line(arc(a), box):
            pts = rounded(piece)
            if len(pts) >= 2:
                lines.append(flat(pts))
    return {
        "id": spec["id"],
        "projection": spec["projection"],
        "scale": SCALE,
        "bounds": frame["bounds"],
        "rect": frame["rect"],
        "land": rings,
        "borders": lines,
    }


def build(topology: dict, note: str) -> dict:
    """The whole map data: the viewBox size and each inset."""
    arcs = decode_arcs(topology)
    land = [ring for g in topology["objects"]["land"]["geometries"] for poly in polygons(g) for ring in poly]
    # Internal borders: arcs that two different countries use (coastlines have one user).
    users: dict[int, set[int]] = {}
    for n, g in enumerate(topology["objects"]["countries"]["geometries"]):
        for poly in polygons(g):
            for ring in poly:
                for a in ring:
                    users.setdefault(a if a >= 0 else ~a, set()).add(n)
    borders = sorted(a for a, who in users.items() if len(who) > 1)
    frames, width, height = layout()
    return {
        "source": f"Natural Earth 1:50m Admin 0 countries (public domain), from {note}; see PROVENANCE.md",
        "width": width,
        "height": height,
        "insets": [build_inset(frame, arcs, land, borders) for frame in frames],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="a countries-50m.json already at hand (skips npm)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    raw = args.source.read_bytes() if args.source else fetch_source()
    note = f"{PACKAGE} {MEMBER} (sha256 {hashlib.sha256(raw).hexdigest()})"
    data = build(json.loads(raw), note)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    for inset in data["insets"]:
        points = sum(len(r) // 2 for r in inset["land"]) + sum(len(b) // 2 for b in inset["borders"])
        print(f"{inset['id']}: {len(inset['land'])} land rings, {len(inset['borders'])} border lines, {points} points")
    print(f"{args.out.relative_to(ROOT)}: {len(text.encode())} bytes, viewBox {data['width']}x{data['height']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
