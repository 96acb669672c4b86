"""The shared files and the search index's files, sealed: in parts, their rows in the row stores (seal.rows)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from tsunagu.domain.paths import DATA_DIR
from tsunagu.pipeline.forked import in_slices
from tsunagu.pipeline.results import SharedFile
from tsunagu.seal import wire
from tsunagu.seal.encrypt import entries, part_count, part_scale
from tsunagu.seal.keys import RootKeys
from tsunagu.seal.packs import SealedEntry
from tsunagu.seal.rows import GLANCE_STORE, layout, store_entries

SHARED_PARTS = 1_200  # sealed parts of shared files at most: packs.FILE_BUDGET keeps room for packs and the index
MANY_FILES = 1_000  # from this many files on, sealed in forked processes if the build may fork (seal_files)
STATUS = f"{DATA_DIR}status.csv"
Parts = list[tuple[int, int, bytes]]  # (part, parts, sealed blob) of one file


def seal_shared(
    keys: RootKeys,
    sections: Sequence[bytes],
    dictionary: bytes,
    records: int,
    workers: int,
    shared: dict[str, bytes],
) -> dict[str, SharedFile]:
    """The shared files and the dictionary, sealed where they were rendered (render.pages' shared_hook: beside the
    record pages, on a core of its own): path -> size, digest and sealed entries, row stores included (size 0).
    Takes shared over: its composites' plaintext goes as soon as their rows have left them (skeletons)."""
    shared[wire.DICT_PATH] = dictionary  # in place: a copy kept every page's plaintext until the end (60,000: +260 MB)
    sums = {path: (len(data), hashlib.sha256(data).digest()) for path, data in shared.items()}
    status_digest = hashlib.sha256(shared.get(STATUS, b"")).digest()
    out: dict[str, SharedFile] = {}
    # Rows of records leave the lists, the sheet and the data files for stores keyed by record (seal/rows.py).
    skeletons, stores = layout(shared, keys.group)
    shared.update(skeletons)
    # The home page's counts (row) and newest confirmations (skeleton) change with some status edits: anew at each.
    for store, rows in sorted(stores.items()):
        generation = status_digest if store == GLANCE_STORE else b""
        out[store] = SharedFile(0, b"", store_entries(store, rows, keys, generation, sections))
    scale = part_scale(records)
    # Shared pages with much text per record (long conditions and notes): larger parts, within the file budget.
    while sum(part_count(p, b, keys, scale) for p, b in shared.items()) > SHARED_PARTS and scale < 1024:
        scale *= 2
    sealed = seal_files({"index.html": shared.pop("index.html")}, keys, workers, scale, status_digest, sections)
    sealed.update(seal_files(shared, keys, workers, scale, sections=sections))
    out.update((path, SharedFile(*sums[path], parts)) for path, parts in sealed.items())
    return out


def seal_files(
    files: dict[str, bytes],
    keys: RootKeys,
    workers: int,
    scale: int = 1,
    generation: bytes = b"",
    sections: Sequence[bytes] | None = None,
    processes: int = 1,
) -> dict[str, Parts]:
    """Every file's sealed entries, by path in sorted order: many files (Pagefind's fragments) in `processes`
    forked processes, if more than one; else in threads, as deflate releases the GIL for the big ones."""

    def one(item: tuple[str, bytes]) -> Parts:
        return list(entries(item[0], item[1], keys, scale, generation, sections))

    def each(items: Sequence[tuple[str, bytes]]) -> list[Parts]:
        return [one(item) for item in items]

    ordered = sorted(files.items())
    paths = (path for path, _ in ordered)
    if processes > 1 and len(ordered) >= MANY_FILES and hasattr(os, "fork"):
        # Thousands of small files: per file, the GIL is held longer than deflate lets it go (two threads sealed
        # 13,000 fragments in 1.8 s against 2.0 s in one).
        return dict(zip(paths, in_slices(each, ordered, processes), strict=True))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return dict(zip(paths, pool.map(one, ordered), strict=True))


def as_entries(sealed: dict[str, Parts]) -> list[SealedEntry]:
    """Sealed files (seal_files) as the packs' entries, in path order."""
    return [SealedEntry(path, *entry) for path, parts in sealed.items() for entry in parts]
