"""What the importer reads from and adds to site.yaml: areas, services, area_map."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from tsunagu.domain.errors import DataError, Problem, TsunaguError
from tsunagu.yamlio.roundtrip import dump, round_trip


class ImportError_(TsunaguError):
    """The import cannot start: bad options or site settings."""


@dataclass
class SiteInfo:
    """What the import reads from site.yaml."""

    doc: CommentedMap
    areas: list[str]
    services: dict[str, str]
    area_map: dict[str, str]


def read_site(text: str, shown: str) -> SiteInfo:
    """site.yaml's areas, services and area_map; raises ImportError_ for what the import cannot use."""
    doc = round_trip().load(text)
    if not isinstance(doc, CommentedMap):
        raise ImportError_(f"{shown}: expected site settings (a mapping)")
    problems = []
    for key, kind, example in (
        ("areas", list, "areas: [北部, 南部]"),
        ("services", dict, '訪問介護: "110"'),
        ("area_map", dict, "本町: 北部"),
    ):
        if doc.get(key) is not None and not isinstance(doc[key], kind):
            what = "a list" if kind is list else "a mapping"
            problems.append(Problem(shown, doc.lc.key(key)[0] + 1, key, f"expected {what}, such as  {example}"))
    if problems:
        raise DataError(problems)
    areas = [str(a) for a in doc.get("areas") or []]
    services = {str(k): str(v) for k, v in (doc.get("services") or {}).items()}
    area_map = {str(k): str(v) for k, v in (doc.get("area_map") or {}).items()}
    for key, area in area_map.items():
        if area not in areas:
            line = doc["area_map"].lc.key(key)[0] + 1
            problems.append(
                Problem(shown, line, f"area_map.{key}", f"expected one of the areas ({', '.join(areas)}); got {area!r}")
            )
    if problems:
        raise DataError(problems)
    return SiteInfo(cast(CommentedMap, doc), areas, services, area_map)


def add_services(site: SiteInfo, new: dict[str, str]) -> str:
    """site.yaml with new services appended, comments and layout kept (a missing `services:` is added)."""
    services = site.doc.get("services")
    if not isinstance(services, CommentedMap):
        services = site.doc["services"] = CommentedMap()
    last = list(services)[-1] if services else None
    for name, code in new.items():
        services[name] = DoubleQuotedScalarString(code)
    # A comment after the last service belongs to the next section: keep it after the new last one.
    comment = services.ca.items.pop(last, None) if last is not None else None
    if comment:
        services.ca.items[list(services)[-1]] = comment
    return dump(site.doc)


def place(address: str, city_name: str, area_map: dict[str, str]) -> str | None:
    """The area of an address: the longest area_map key after the city name, else the city's own entry."""
    at = address.find(city_name) if city_name else -1
    rest = address[at + len(city_name) :] if at >= 0 else address
    found = [k for k in area_map if k and k in rest]
    if found:
        return area_map[max(found, key=len)]
    return area_map.get(city_name)
