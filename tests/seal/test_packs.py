"""Packs at prefecture scale and beyond: few files, none too big for a static host, whatever the size."""

from __future__ import annotations

import os
import zlib

import pytest

from tsunagu.seal import locator
from tsunagu.seal.encrypt import STORED, entry_ad, frame, part_scale, seal
from tsunagu.seal.keys import root_keys
from tsunagu.seal.packs import MAX_PACKS, build_packs, pack_count, slot_of
from tsunagu.seal.reader import Reader

HOST_FILE_LIMIT = 20 * 1024 * 1024  # Cloudflare Pages' largest file (the smallest limit of the hosts)
SITE_FILE_LIMIT = 2_000  # issue 10: at most 2,000 files at 10,000 + 3,000 (shell included)
SHELL_FILES = 120  # the public shell: unlock page, assets, Pagefind's runtime, keys.json


def test_the_pack_count_is_a_power_of_two_capped_at_max_packs():
    assert pack_count(0) == 1
    assert [pack_count(n) for n in (10**5, 10**7, 10**9, 10**11)] == [8, 512, MAX_PACKS, MAX_PACKS]
    assert MAX_PACKS + SHELL_FILES < SITE_FILE_LIMIT


@pytest.mark.slow
def test_many_entries_make_few_files_none_over_a_host_limit():
    keys = root_keys({"caremanagers": "x"}, b"\0" * 16, 1)
    # 60,000 entries (more than three times a prefecture's records and fragments), 3 kB each: 180 MB.
    sealed = [(f"r/{i:05d}/index.html", 0, 1, os.urandom(3000)) for i in range(60_000)]
    sealed += [(f"pagefind/filter/f{i}.pf_filter", 0, 1, os.urandom(500)) for i in range(12)]
    files, root_name, _root_hash = build_packs(sealed, keys)
    assert root_name in files
    assert len(files) + SHELL_FILES <= SITE_FILE_LIMIT, len(files)
    assert max(len(b) for b in files.values()) <= HOST_FILE_LIMIT
    assert all(name.startswith("p/") and name.endswith(".bin") for name in files)


@pytest.mark.slow
def test_solo_files_and_packs_stay_within_the_file_budget():
    keys = root_keys({"caremanagers": "x"}, b"\0" * 16, 1)
    # Record pages go to packs; 1,500 parts of shared pages are files of their own: packs give way.
    sealed = [(f"r/{i:05d}.html", 0, 1, os.urandom(3000)) for i in range(60_000)]
    sealed += [("status/index.html", i, 1500, os.urandom(300)) for i in range(1500)]
    files, _root_name, _root_hash = build_packs(sealed, keys)
    assert len(files) + SHELL_FILES <= SITE_FILE_LIMIT, len(files)
    # solos, the largest power of two of packs that fits, the locator's parts, the root
    assert len(files) == 1500 + 256 + locator.PARTS + 1


def test_shared_parts_grow_with_the_region_by_powers_of_two():
    assert [part_scale(n) for n in (0, 13_000, 16_000, 16_001, 60_000, 200_000)] == [1, 1, 1, 2, 4, 16]


def _small_site():
    keys = root_keys({"caremanagers": "x"}, b"\0" * 16, 1)
    pages = {f"r/{i:04d}.html": bytes([i % 251]) * (300 + 7 * i) for i in range(400)}
    bodies = {
        **pages,
        **{f"pagefind/fragment/zz_{i:04d}.pf_fragment": b"f" * 500 for i in range(400)},
        "index.html": b"home",
    }
    sealed = [(path, 0, 1, seal(keys, entry_ad(path, 0, 1), frame(body, STORED))) for path, body in bodies.items()]
    files, root_name, root_hash = build_packs(sealed, keys)
    return Reader(files, keys.content, root_name, root_hash), pages, keys


def test_the_locator_places_each_record_page_where_its_directory_does():
    reader, pages, _keys = _small_site()
    assert len(reader.root["loc"]) == min(locator.PARTS, reader.root["packs"])
    for path in sorted(pages):
        name, offset, length, _parts, _digest = reader.locate(path, 0)
        slot = slot_of(reader.group, path, 0)
        number = int.from_bytes(slot[:4], "big") % reader.root["packs"]
        assert reader.locator(number)[slot[locator.TAG]] == (offset, length)
    # Fragments and shared files are found through the directory or the root, never through the locator.
    assert reader.fast("pagefind/fragment/zz_0001.pf_fragment", 0) is None and reader.fast("index.html", 0) is None
    assert reader.located == 0
    assert all(reader.part(path, 0)[1] == pages[path] for path in pages)
    assert reader.located == len(pages)


def test_a_locator_that_disagrees_with_the_directory_is_not_followed():
    reader, pages, _keys = _small_site()
    path, other = "r/0005.html", "r/0006.html"
    slot = slot_of(reader.group, path, 0)
    number = int.from_bytes(slot[:4], "big") % reader.root["packs"]
    rows = reader.locator(number)
    # Pointed at another entry (as an entry moved by a newer build would be): the directory wins.
    rows[slot[locator.TAG]] = reader.locate(other, 0)[1:3]
    assert reader.fast(path, 0) is None
    assert reader.part(path, 0) == (1, pages[path]) and reader.located == 0


def test_a_search_fragment_is_read_from_its_packs_fragment_list_without_the_directory():
    reader, _pages, _keys = _small_site()
    fragments = [f"pagefind/fragment/zz_{i:04d}.pf_fragment" for i in range(400)]
    for path in fragments:
        assert reader.listed_fragment(path, 0) == (1, b"f" * 500)
    assert reader.listed == len(fragments) and not reader._dirs, "no directory read"
    # What the list says is what the directory says.
    for path in fragments[:50]:
        slot = slot_of(reader.group, path, 0)
        number = int.from_bytes(slot[:4], "big") % reader.root["packs"]
        _name, offset, length, _parts, sha256 = reader.locate(path, 0)
        listed_offset, listed_length, digest = reader.fragments(number)[slot[locator.TAG]]
        assert (listed_offset, listed_length) == (offset, length) and sha256.startswith(digest) and len(digest) == 32
    assert reader.listed_fragment("r/0001.html", 0) is None and reader.listed_fragment("index.html", 0) is None


def test_a_changed_fragment_or_fragment_list_is_refused():
    reader, _pages, _keys = _small_site()
    path = "pagefind/fragment/zz_0007.pf_fragment"
    slot = slot_of(reader.group, path, 0)
    number = int.from_bytes(slot[:4], "big") % reader.root["packs"]
    name = f"p/{reader.root['dirs'][number][0]}.bin"
    offset, _length, _digest = reader.fragments(number)[slot[locator.TAG]]
    pack = bytearray(reader.files[name])
    pack[offset + 20] ^= 1
    reader.files[name] = bytes(pack)
    with pytest.raises(ValueError, match="entry hash mismatch"):
        reader.listed_fragment(path, 0)
    fresh, _pages, _keys = _small_site()
    list_offset = fresh.root["frg"][number][1]
    pack = bytearray(fresh.files[name])
    pack[list_offset + 20] ^= 1
    fresh.files[name] = bytes(pack)
    with pytest.raises(ValueError, match="fragment list hash mismatch"):
        fresh.listed_fragment(path, 0)


def test_tags_shared_within_a_pack_are_left_out_of_the_locator():
    rows = {0: [(b"abc", 0, 10), (b"abc", 10, 20), (b"xyz", 30, 5)], 2: [(b"big", 1 << 24, 5)]}
    body = locator.encode(rows, 0, 4)
    plain = zlib.decompressobj(-15).decompress(body)
    assert locator.decode(plain, 0, 4) == {0: {b"xyz": (30, 5)}, 1: {}, 2: {}, 3: {}}
    listed = locator.encode_fragments(
        [(b"abc", 0, 10, b"1" * 32), (b"abc", 10, 20, b"2" * 32), (b"xyz", 30, 5, b"3" * 32)]
    )
    assert locator.decode_fragments(listed) == {b"xyz": (30, 5, (b"3" * 16).hex())}
    with pytest.raises(ValueError, match="bad fragment list"):
        locator.decode_fragments(listed + b"\0")


def test_a_crowded_site_packs_its_index_chunks_and_every_path_still_reads():
    keys = root_keys({"caremanagers": "x"}, b"\0" * 16, 1)
    # Five prefectures: 1,000 shared parts and 1,200 index chunks would be 2,200 files of their own.
    bodies = {f"r/{i:04d}.html": b"page %d" % i for i in range(2000)}
    bodies |= {f"status/p{i:04d}.html": b"part %d" % i for i in range(1000)}
    bodies |= {f"pagefind/s{i % 10}/index/zz_i{i:04d}.pf_index": b"chunk %d" % i for i in range(1200)}
    sealed = [(path, 0, 1, seal(keys, entry_ad(path, 0, 1), frame(body, STORED))) for path, body in bodies.items()]
    files, root_name, root_hash = build_packs(sealed, keys)
    assert len(files) + SHELL_FILES <= SITE_FILE_LIMIT, len(files)
    reader = Reader(files, keys.content, root_name, root_hash)
    assert reader.read("pagefind/s3/index/zz_i0013.pf_index") == b"chunk 13"
    assert reader.read("status/p0999.html") == b"part 999" and reader.read("r/1999.html") == b"page 1999"
