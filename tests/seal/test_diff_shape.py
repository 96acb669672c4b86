"""Two builds' difference does not name the area or the field of a status edit.

A watcher of the public site keeps every build and compares them: which files went, which came, and
their sizes. One provider status edit must change the same files (by name, in the build before) and
add files of the same sizes whatever the edited provider's area and whatever status field it touched,
beside the record's own pack (which names nothing but a keyed group of records). The region is the
benchmark's generator at 600 providers and 150 physicians (five areas); the same edits also keep
within the incremental budget: at most 20 files and 2 % of the output's bytes.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import STRONG, fast_config, read_tree

from tsunagu.pipeline.builder import build
from tsunagu.seal.reader import open_site

pytestmark = pytest.mark.slow  # builds a generated region six times

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

FIELDS = ("new_clients", "alternative_support", "post_infection")


def _flip(text: str, field: str) -> str:
    """One status edit: an answer turned over (受入可 <-> 受入不可), or one more vacancy."""
    if field == "vacancies":
        return re.sub(r"vacancies: (\d+)", lambda m: f"vacancies: {int(m.group(1)) + 1}", text, count=1)
    old = re.search(rf"{field}: (\w+)", text)
    assert old, field
    new = "not_accepting" if old.group(1) == "accepting" else "accepting"
    return text.replace(old.group(0), f"{field}: {new}", 1)


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    """A built region, and a function building it again with one provider's status edited."""
    from synth import write_data

    root = tmp_path_factory.mktemp("diffshape")
    data = write_data(root / "data", 600, 150)
    config = fast_config(data, root / "site", passwords=dict(STRONG))
    patch = pytest.MonkeyPatch()
    patch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    build(config)
    base = read_tree(root / "site")
    reader = open_site(base, STRONG["city"])
    records = json.loads(reader.read("data/records.json"))["records"]
    # Provider id -> (area, its page's pack in the base build, its answers, its page).
    providers = {
        r["id"]: (r["area"], reader.locate(r["path"], 0)[0], r["status"], r["path"])
        for r in records
        if r["kind"] == "provider"
    }

    def edited(rid: str, field: str) -> dict[str, bytes]:
        path = data / "providers" / f"{rid}.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(_flip(text, field), encoding="utf-8")
        try:
            build(config)
            return read_tree(root / "site")
        finally:
            path.write_text(text, encoding="utf-8")

    yield base, providers, edited
    patch.undo()


def _shape(base: dict[str, bytes], after: dict[str, bytes], page: str) -> tuple[list[str], list[int]]:
    """What a watcher sees, the edited record's own pack aside (before and after): the names of the base's
    files that went or changed, and the sorted sizes of the files that came or changed."""
    old = open_site(base, STRONG["city"]).locate(page, 0)[0]
    new = open_site(after, STRONG["city"]).locate(page, 0)[0]
    gone = sorted(p for p in base if p != old and base[p] != after.get(p))
    came = sorted(len(after[p]) for p in after if p != new and base.get(p) != after[p])
    return gone, came


def _two_areas_one_pack(providers) -> tuple[str, str, str]:
    """Two providers in different areas whose pages share a pack, both accepting or not for new_clients."""
    by_pack: dict[str, list[str]] = {}
    for rid, (_area, pack, _status, _page) in providers.items():
        by_pack.setdefault(pack, []).append(rid)
    for pack, rids in sorted(by_pack.items()):
        for a in rids:
            for b in rids:
                if providers[a][0] != providers[b][0] and all(
                    (providers[a][2][f] == "accepting") == (providers[b][2][f] == "accepting") for f in FIELDS
                ):
                    return a, b, pack
    raise AssertionError("no two providers of different areas share a pack")


def test_a_status_edit_changes_the_same_files_whatever_the_providers_area(region):
    base, providers, edited = region
    a, b, _pack = _two_areas_one_pack(providers)
    assert providers[a][0] != providers[b][0]
    shapes = {}
    for rid in (a, b):
        after = edited(rid, "new_clients")
        shapes[providers[rid][0]] = _shape(base, after, providers[rid][3])
    (area_a, shape_a), (area_b, shape_b) = shapes.items()
    # The same files of the base went (by name), and files of the same sizes came.
    assert shape_a[0] == shape_b[0], (area_a, area_b, sorted(set(shape_a[0]) ^ set(shape_b[0])))
    assert Counter(shape_a[1]) == Counter(shape_b[1]), (area_a, area_b, Counter(shape_a[1]) - Counter(shape_b[1]))


def test_a_status_edit_changes_the_same_files_whatever_its_field(region):
    base, providers, edited = region
    rid = next(r for r, (_a, _p, s, _) in providers.items() if s["new_clients"] == s["post_infection"] == "accepting")
    shapes = {}
    for field in ("new_clients", "post_infection", "vacancies"):
        after = edited(rid, field)
        shapes[field] = _shape(base, after, providers[rid][3])
    assert shapes["new_clients"][0] == shapes["post_infection"][0] == shapes["vacancies"][0], {
        f: len(s[0]) for f, s in shapes.items()
    }
    assert Counter(shapes["new_clients"][1]) == Counter(shapes["post_infection"][1]), shapes
    # A vacancy count changes no label's length: the same files, each within a byte of its padding bucket's
    # size class (sizes are padded, so equal sizes here are the padding buckets of the same files).
    assert len(shapes["vacancies"][1]) == len(shapes["new_clients"][1])


def test_a_status_edit_changes_at_most_20_files_and_2_percent_of_the_bytes(region):
    base, providers, edited = region
    for rid in ("p00000", "p00300"):
        after = edited(rid, "new_clients")
        changed = [p for p in after if base.get(p) != after[p]]
        size, total = sum(len(after[p]) for p in changed), sum(len(b) for b in after.values())
        assert len(changed) <= 20, (rid, len(changed))
        assert size / total <= 0.02, (rid, size, total)
