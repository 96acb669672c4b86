"""Place words in a region of many municipalities, and abbreviations ranking their own service first.

The region is real open data (../shared/samples/mhlw-east, imported by `init` into tmp_path): 札幌市中央区,
札幌市北区, 東京都中央区 and 千代田区, two prefectures and two wards called 中央区. Its query table
(tests/fixtures/region-east/search_queries.yaml) names places, not records, so it holds for any
publication of the data; the ranking is search.js's order as test_search_quality models it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from samples import mhlw_east
from test_search_quality import Index, load_index
from tools import ROOT

from tsunagu.data.load import load_tree
from tsunagu.data.validate import validate_tree
from tsunagu.domain.services import SERVICE_NAMES
from tsunagu.search.places import peel, place_words, region_places, split_address
from tsunagu.search.textsearch import exact_token, normalize, query_parts, query_tokens
from tsunagu.search.vocabulary import shipped

TABLE = ROOT / "tests" / "fixtures" / "region-east" / "search_queries.yaml"
CITIES = ["011011", "011029", "131024", "131016"]  # 札幌市中央区, 札幌市北区, 東京都中央区, 千代田区


@pytest.mark.parametrize(
    "address, places, rest",
    [
        ("北海道札幌市中央区北1条西2丁目", ["北海道", "札幌市", "中央区"], "北1条西2丁目"),
        ("東京都中央区築地市場1-2", ["東京都", "中央区"], "築地市場1-2"),  # a ward, not a city 中央区築地市
        ("茨城県那珂郡東海村舟石川1", ["茨城県", "那珂郡", "東海村"], "舟石川1"),
        ("三重県四日市市諏訪町1", ["三重県", "四日市市"], "諏訪町1"),
        ("千葉県市川市八幡1", ["千葉県", "市川市"], "八幡1"),
        ("さくら市北条1-2", ["さくら市"], "北条1-2"),
        ("北条1-2", [], "北条1-2"),
    ],
)
def test_an_address_starts_with_its_places(address, places, rest):
    assert split_address(address) == (places, rest)


def test_short_forms_are_prefectures_and_cities_only():
    assert place_words(["東京都", "中央区", "札幌市", "北海道", "東海村"]) == [
        "東京都",
        "東京",
        "中央区",
        "札幌市",
        "札幌",
        "北海道",
        "東海村",
    ]


def test_a_place_on_nearly_every_address_is_no_search_word():
    addresses = ["茨城県さくら市北条1"] * 19 + ["茨城県みどり市旭1"]
    common, words = region_places(addresses)
    assert common == ("さくら市", "茨城県")
    assert words == ("みどり市", "みどり")
    assert query_parts("茨城県さくら市北条 みどり市", common, words) == (["北条"], ["みどり市"])
    assert query_tokens("さくら市", common, words) == []
    assert query_tokens("さくら", common, words) != []  # the short form of a common place is an ordinary word
    assert peel("札幌市中央区", (), ("札幌", "札幌市", "中央区")) == (["札幌市", "中央区"], "")


@pytest.fixture(scope="module")
def east_data(tmp_path_factory) -> Path:
    """The region's data folder, as `init` writes it from the open data."""
    from tsunagu.region.init import Request, init_region

    wheel = tmp_path_factory.mktemp("wheel") / "tsunagu-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"not installed by this test")
    target = tmp_path_factory.mktemp("east") / "region"
    init_region(
        Request(
            target,
            CITIES,
            [mhlw_east(tmp_path_factory)],
            "つなぐ 札幌・東京",
            ["a-admin"],
            site_url="https://example.jp/",
            tsunagu_wheel=wheel,
            today=dt.date(2026, 11, 22),
        )
    )
    return target / "data"


@pytest.fixture(scope="module")
def east(east_data) -> tuple[Index, dict[str, str], dict[str, list[str]]]:
    directory = validate_tree(load_tree(east_data), dt.date(2026, 11, 22))
    addresses = {p.id: p.address for p in directory.providers}
    services = {p.id: list(p.services) for p in directory.providers}
    return load_index(east_data), addresses, services


def _in(address: str, places: list[str]) -> bool:
    return any(address.replace(" ", "").startswith(p) for p in places)


def test_place_words_find_their_places_and_nothing_else(east):
    index, addresses, services = east
    assert len(addresses) > 100 and {"北海道", "東京都", "札幌市", "中央区"} <= set(index.place_words)
    problems, expected, found_expected = [], 0, 0
    for row in yaml.safe_load(TABLE.read_text(encoding="utf-8")):
        found = index.find(row["q"])
        if row.get("none"):
            if found:
                problems.append(f"{row['q']!r}: expected nothing, found {found[:3]}")
            continue
        want = {
            rid
            for rid, a in addresses.items()
            if _in(a, row["places"]) and ("service" not in row or row["service"] in services[rid])
        }
        outside = [rid for rid in found if not _in(addresses[rid], row["places"])]
        expected, found_expected = expected + len(want), found_expected + len(want & set(found))
        if want - set(found):
            problems.append(f"{row['q']!r}: missing {len(want - set(found))} of {len(want)}")
        if outside:
            problems.append(f"{row['q']!r}: {len(outside)} outside {row['places']}, e.g. {addresses[outside[0]]}")
        if "service" not in row and set(found) != want:
            problems.append(f"{row['q']!r}: lists {len(found)}, expected {len(want)}")
    print(
        f"\nplace queries (札幌市中央区・北区, 東京都中央区・千代田区): recall {found_expected / max(expected, 1):.2f}"
    )
    assert not problems, "\n".join(problems)


def test_every_abbreviation_puts_its_own_service_first(east):
    index, addresses, services = east
    offered = {s for ss in services.values() for s in ss}
    checked, wrong = 0, []
    for word, targets in shipped().items():
        mine = [t for t in targets if t in SERVICE_NAMES.values() and t in offered]
        if not mine or normalize(word) == normalize(mine[0]):
            continue
        found = index.find(word)
        checked += 1
        if not found or not set(services.get(found[0], [])) & set(targets):
            first = found[0] if found else None
            wrong.append(f"{word}: first is {first} {services.get(first or '', [])}, expected one of {mine}")
    print(f"\nabbreviations: {checked} words of the vocabulary, {checked - len(wrong)} put their service first")
    assert checked >= 20 and not wrong, "\n".join(wrong)


def test_a_place_word_is_one_whole_token(east):
    index, _, _ = east
    assert query_tokens("札幌市中央区", index.places, index.place_words) == [
        exact_token("札幌市"),
        exact_token("中央区"),
    ]


def test_every_cards_title_is_the_offices_name(east_data):
    """Pagefind's title meta of each record is its name (the national data once showed an address)."""
    import json

    from tsunagu.domain.config import Config
    from tsunagu.render.pages import render_site
    from tsunagu.search.index import index_pages
    from tsunagu.search.output import SIGNATURE

    directory = validate_tree(load_tree(east_data), dt.date(2026, 11, 22))
    config = Config(data_dir=east_data, out_dir=east_data.parent / "site", today=dt.date(2026, 11, 22), workers=1)
    files = index_pages(render_site(directory, config))
    titles = sorted(
        json.loads(b.removeprefix(SIGNATURE))["meta"]["title"] for p, b in files.items() if p.endswith(".pf_fragment")
    )
    assert titles == sorted(r.name for r in [*directory.providers, *directory.physicians])


def test_an_area_that_is_a_place_is_a_place_word_not_ngrams(data_dir):
    # A region of prefectures (areas: [東京都, …]): the area's bigrams made 京都 find every 東京都 office.
    from conftest import SITE, load_directory, write

    from tsunagu.search.searchdoc import search_context, search_text

    write(data_dir / "site.yaml", SITE.replace("areas: [北部, 中部, 南部]", "areas: [東京都, 北部, 中部, 南部]"))
    sakura = data_dir / "providers" / "day-sakura.yaml"
    sakura.write_text(sakura.read_text(encoding="utf-8").replace("area: 北部", "area: 東京都"), encoding="utf-8")
    directory = load_directory(data_dir)
    records = [*directory.providers, *directory.physicians]
    ctx = search_context(directory.site, records)
    tokens = set(search_text(next(r for r in records if r.id == "day-sakura"), ctx).split())
    assert {exact_token("東京都"), exact_token("東京")} <= tokens
    assert not set(query_tokens("京都", ctx.places, ctx.place_words)) <= tokens
    other = set(search_text(next(r for r in records if r.area == "中部"), ctx).split())
    assert set(query_tokens("中部")) <= other  # an area that is no place: its words as before
