"""One status edit on a generated region changes a few files and a small share of the output bytes."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest
from conftest import STRONG, fast_config, read_tree

from tsunagu.pipeline.builder import build
from tsunagu.seal.reader import open_site

pytestmark = pytest.mark.slow  # builds a generated region twice

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))


def _entries(files: dict[str, bytes]) -> dict[tuple[str, int], tuple[str, str]]:
    """(path, part) -> (the file holding it, SHA-256 of its sealed bytes)."""
    reader = open_site(files, STRONG["city"])
    out = {}
    for path in reader.paths():
        for part in range(reader.locate(path, 0)[3]):
            name, offset, length, _parts, _digest = reader.locate(path, part)
            out[(path, part)] = (name, hashlib.sha256(files[name][offset : offset + length]).hexdigest())
    return out


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    from synth import write_data

    root = tmp_path_factory.mktemp("incremental")
    data = write_data(root / "data", 600, 150)
    config = fast_config(data, root / "site", passwords=dict(STRONG))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1780000000")
        build(config)
        before = read_tree(root / "site")
        record = data / "providers" / "p00300.yaml"
        text = record.read_text(encoding="utf-8")
        old = next(
            f"new_clients: {v}"
            for v in ("accepting", "not_accepting", "conditional", "unknown")
            if f"new_clients: {v}\n" in text
        )
        new = "new_clients: not_accepting" if old == "new_clients: accepting" else "new_clients: accepting"
        record.write_text(text.replace(old, new, 1), encoding="utf-8")
        build(config)
        after = read_tree(root / "site")
    return before, after


def test_one_status_edit_changes_a_few_files_and_under_5_percent_of_the_bytes(edited):
    before, after = edited
    changed = sorted(p for p in after if before.get(p) != after[p])
    size = sum(len(after[p]) for p in changed)
    total = sum(len(b) for b in after.values())
    # At 10,000 + 3,000 the same edit changes 12 files and 0.4 % of the output (bench/benchmark.py);
    # here the region is small, so each changed file is a larger share of it.
    assert len(changed) <= 20, changed
    assert size / total < 0.05, (size, total)


def test_an_edit_moves_no_entry_and_rewrites_one_pack(edited):
    before, after = edited
    old, new = _entries(before), _entries(after)
    assert old.keys() == new.keys()
    touched = {key for key in new if new[key][1] != old[key][1]}
    # The record's page and its Pagefind fragment changed, in one pack together.
    assert {path.split("/")[0] for path, _part in touched} >= {"r", "pagefind"}
    record = {key for key in touched if key[0].startswith("r/") or "/fragment/" in key[0]}
    assert len(record) == 2 and len({new[key][0] for key in record}) == 1
    # Every entry the edit did not touch is where it was: same file, unless it shares the record's pack.
    pack = new[next(iter(record))][0]
    moved = {key for key in new if key not in touched and new[key][0] != old[key][0] and new[key][0] != pack}
    assert not moved, sorted(moved)[:5]


def test_a_status_edit_changes_the_same_filter_files_whatever_its_field(tmp_path, monkeypatch):
    # The status fields' filter files are re-sealed together: a watcher of the public site cannot tell
    # 新規受入 from 感染後受入 (or 営業) by which filter file changed.
    from conftest import make_tree

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    data = make_tree(tmp_path)
    record = data / "providers" / "day-sakura.yaml"
    original = record.read_text(encoding="utf-8")
    config = fast_config(data, tmp_path / "site", passwords=dict(STRONG))
    build(config)
    base = _entries(read_tree(tmp_path / "site"))
    changed = {}
    for field, old, new in (
        ("new_clients", "new_clients: accepting", "new_clients: not_accepting"),
        ("post_infection", "post_infection: not_accepting", "post_infection: accepting"),
        ("vacancies", "vacancies: 3", "vacancies: 4"),
    ):
        record.write_text(original.replace(old, new, 1), encoding="utf-8")
        build(config)
        after = _entries(read_tree(tmp_path / "site"))
        changed[field] = {path for (path, _part), v in after.items() if "/filter/" in path and base[(path, _part)] != v}
    record.write_text(original, encoding="utf-8")
    assert changed["new_clients"] and changed["new_clients"] == changed["post_infection"] == changed["vacancies"], (
        changed
    )
