"""Packs at prefecture scale and beyond: few files, none too big for a static host, whatever the size."""

from __future__ import annotations

import os

from tsunagu.pipeline.encrypt import part_scale
from tsunagu.pipeline.keys import root_keys
from tsunagu.pipeline.packs import MAX_PACKS, build_packs, pack_count

HOST_FILE_LIMIT = 20 * 1024 * 1024     # Cloudflare Pages' largest file (the smallest limit of the hosts)
SITE_FILE_LIMIT = 2_000                 # issue 10: at most 2,000 files at 10,000 + 3,000 (shell included)
SHELL_FILES = 120                       # the public shell: unlock page, assets, Pagefind's runtime, keys.json


def test_the_pack_count_is_a_power_of_two_capped_at_max_packs():
    assert pack_count(0) == 1
    assert [pack_count(n) for n in (10**5, 10**7, 10**9, 10**11)] == [4, 256, MAX_PACKS, MAX_PACKS]
    assert MAX_PACKS + SHELL_FILES < SITE_FILE_LIMIT


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


def test_solo_files_and_packs_stay_within_the_file_budget():
    keys = root_keys({"caremanagers": "x"}, b"\0" * 16, 1)
    # Record pages go to packs; 1,500 parts of shared pages are files of their own: packs give way.
    sealed = [(f"r/{i:05d}.html", 0, 1, os.urandom(3000)) for i in range(60_000)]
    sealed += [("status/index.html", i, 1500, os.urandom(300)) for i in range(1500)]
    files, _root_name, _root_hash = build_packs(sealed, keys)
    assert len(files) + SHELL_FILES <= SITE_FILE_LIMIT, len(files)
    assert len(files) == 1500 + 256 + 1   # solos, the largest power of two of packs that fits, the root


def test_shared_parts_grow_with_the_region_by_powers_of_two():
    assert [part_scale(n) for n in (0, 13_000, 16_000, 16_001, 60_000, 200_000)] == [1, 1, 1, 2, 4, 16]
