"""The compression dictionary: the region's pages for made-up records, never a real record's text."""

from __future__ import annotations

import zlib

import pytest
from conftest import fast_config, load_directory, make_tree

from tsunagu.render.sample import dictionary
from tsunagu.seal import wire
from tsunagu.seal.dictionary import read_sections, with_dictionary, without_dictionary


def test_the_dictionary_holds_no_record_and_does_not_move_when_records_do(tmp_path):
    data = make_tree(tmp_path / "a")
    directory = load_directory(data)
    config = fast_config(data, tmp_path / "site")
    first = dictionary(directory.site, config)
    sakura = data / "providers" / "day-sakura.yaml"
    text = sakura.read_text(encoding="utf-8").replace("new_clients: accepting", "new_clients: not_accepting")
    sakura.write_text(text.replace("\nnotes: ", "\nnotes: 隣の事業所の秘密のメモ。"), encoding="utf-8")
    changed = load_directory(data)
    assert any("秘密のメモ" in (p.notes or "") for p in changed.providers)
    assert dictionary(changed.site, config) == first
    text = first.decode("utf-8", "replace")
    names = [r.name for r in [*directory.providers, *directory.physicians]]
    phones = [r.phone for r in [*directory.providers, *directory.physicians]]
    assert not [n for n in [*names, *phones] if n in text]
    sections = read_sections(first)
    assert len(sections) == len(wire.DICT_SECTIONS) and all(sections)
    assert all(len(s) <= 32 * 1024 for s in sections)  # within deflate's window


def test_units_come_back_exactly_and_each_stands_alone():
    section = '<li class="card"><span class="badge">受入可</span></li>'.encode() * 20
    units = ['<li class="card">さくらデイ 受入可</li>'.encode(), b"", "<li>みどり 条件</li>".encode() * 30]
    body = with_dictionary(units, 2, section)
    assert without_dictionary(body, [b"", b"", section]) == units
    # Each unit's stream refers only to the section and itself: it decodes alone after the section.
    count, at = int.from_bytes(body[1:5], "big"), 5 + 8 * 3
    for i, unit in enumerate(units):
        packed = int.from_bytes(body[5 + 8 * i : 9 + 8 * i], "big")
        inflater = zlib.decompressobj(-15, zdict=section)
        assert inflater.decompress(body[at : at + packed]) == unit
        at += packed
    assert count == 3


@pytest.mark.parametrize("damage", ["flip", "truncate", "lengths"])
def test_a_damaged_dictionary_body_is_refused(damage):
    section = b'<p class="plain-text">' * 50
    body = bytearray(with_dictionary([b'<p class="plain-text">a note</p>', b"<p>b</p>"], 0, section))
    sections = [section]  # (the dictionary itself is a sealed file: authenticated like any other)
    if damage == "flip":
        body[-3] ^= 0x40
    elif damage == "truncate":
        body = body[:-2]
    else:
        body[9] ^= 0x01  # the first unit's plain length
    with pytest.raises(ValueError):
        without_dictionary(bytes(body), sections)
