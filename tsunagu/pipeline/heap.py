"""The C heap (glibc's malloc) tuned for the build, and its free pages handed back to the system."""

from __future__ import annotations

import ctypes
import ctypes.util

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h
# Each sealed unit copies a compressor: four blocks of 64-128 kB, freed a few microseconds later. By
# default glibc maps blocks of 128 kB or more afresh and trims the heap's top when as much is free, so
# each copy faulted its pages in again: 67 µs a copy, against 9 µs from the heap (about 100,000 units at
# 13,000 records). Larger blocks are still mapped and given back on free; malloc_trim still trims.
MMAP_THRESHOLD = 1 << 20
TRIM_THRESHOLD = 4 << 20


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def keep_small_blocks() -> None:
    """Blocks under 1 MB from the heap, and 4 MB of free heap kept at its top (glibc; elsewhere nothing)."""
    libc = _libc()
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)


def release_free_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc), before Pagefind needs its share."""
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):  # not glibc: its allocator keeps its own ways
        libc.malloc_trim(0)
