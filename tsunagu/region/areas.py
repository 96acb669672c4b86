"""Areas suggested from the open data: towns (町名) from addresses, grouped by where their offices are."""

from __future__ import annotations

import math
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass

from tsunagu.importers.mhlw.cells import tidy
from tsunagu.importers.mhlw.read import C_ADDRESS, C_CITY_NAME, C_PREF, Row

# Where a town name ends: a digit, a kanji number before 丁目, or a 番地/番/号/地割 part.
_TOWN_END = re.compile(r"([0-9０-９]|[一二三四五六七八九十]+丁目|番地|地割|[（(])")
_PREFIX = re.compile(r"^(大字|字)")
COMPASS = ("北部", "東部", "南部", "西部")
CENTRE = "中部"
MAX_TOWN_AREAS = 6  # below this many towns each town is an area of its own


@dataclass
class Suggestion:
    """Areas and the area_map that places every office of the import, with why (shown for review)."""

    areas: list[str]
    area_map: dict[str, str]
    basis: str  # 市区町村 | 町名 | 方角 (the town's offices' position from the region's centre)
    towns: dict[str, int]  # town (or municipality) -> offices counted there


def town_of(address: str, pref: str, city: str) -> str | None:
    """The town (町名) of an address after its prefecture and municipality, e.g. 赤塚 of 水戸市赤塚1丁目376."""
    text = re.sub(r"\s+", "", tidy(address))
    for part in (tidy(pref).replace(" ", ""), tidy(city).replace(" ", "")):
        if part and text.startswith(part):
            text = text[len(part) :]
    text = _PREFIX.sub("", text)
    text = _TOWN_END.split(text, maxsplit=1)[0]
    text = re.sub(r"字.*$", "", text) if len(text) > 2 and "字" in text[1:] else text
    return text or None


def _position(row: Row) -> tuple[float, float] | None:
    try:
        lat, lon = float(row.cells.get("緯度", "")), float(row.cells.get("経度", ""))
    except ValueError:
        return None
    return (lat, lon) if 20 < lat < 46 and 122 < lon < 154 else None  # inside Japan, or unknown


def suggest_areas(rows: list[Row]) -> Suggestion:
    """By municipality for a region of several; for one city by town, or by compass direction when many."""
    cities: dict[str, int] = defaultdict(int)
    for row in rows:
        cities[tidy(row.cells[C_CITY_NAME]).replace(" ", "")] += 1
    if len(cities) > 1:
        names = sorted(cities, key=lambda c: -cities[c])
        return Suggestion(names, {c: c for c in names}, "市区町村", dict(cities))
    towns: dict[str, list[tuple[float, float]]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        town = town_of(row.cells[C_ADDRESS], row.cells[C_PREF], row.cells[C_CITY_NAME])
        if town:
            counts[town] += 1
            if where := _position(row):
                towns[town].append(where)
    city = next(iter(cities), "")
    if len(counts) <= MAX_TOWN_AREAS:
        names = sorted(counts, key=lambda t: -counts[t]) or [city or "全域"]
        return Suggestion(names, {t: t for t in counts}, "町名", dict(counts))
    return _by_direction(towns, counts, city)


def _by_direction(towns: dict[str, list[tuple[float, float]]], counts: dict[str, int], city: str) -> Suggestion:
    """Towns grouped into 中部 (near the median office) and 北部・東部・南部・西部 by their offices' bearing."""
    every = [p for points in towns.values() for p in points]
    if not every:
        return Suggestion([city or "全域"], {city: city or "全域"} if city else {}, "市区町村", dict(counts))
    centre = (statistics.median(p[0] for p in every), statistics.median(p[1] for p in every))
    scale = math.cos(math.radians(centre[0]))
    where = {
        t: (statistics.fmean(p[0] for p in pts) - centre[0], (statistics.fmean(p[1] for p in pts) - centre[1]) * scale)
        for t, pts in towns.items()
    }
    near = statistics.median(math.hypot(*d) for d in where.values()) * 0.6
    area_map = {}
    for town, (north, east) in sorted(where.items()):
        if math.hypot(north, east) <= near:
            area_map[town] = CENTRE
        else:
            bearing = math.degrees(math.atan2(east, north)) % 360  # 0 = north, 90 = east
            area_map[town] = COMPASS[int(((bearing + 45) % 360) // 90)]
    for town in counts:
        area_map.setdefault(town, CENTRE)  # no position in the data: the centre until someone decides
    areas = [a for a in (COMPASS[0], CENTRE, *COMPASS[1:]) if a in area_map.values()]
    return Suggestion(areas, area_map, "方角", dict(counts))
