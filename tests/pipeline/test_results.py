"""What the build's stages hand on: sealed entries spooled to disk during the index come back whole."""

from __future__ import annotations

from tsunagu.pipeline.results import Content
from tsunagu.seal.packs import SealedEntry


def test_spooled_entries_come_back_in_order_with_later_ones_after():
    first = [SealedEntry(f"r/{i}.html", 0, 1, bytes([i]) * (100 + i)) for i in range(50)]
    content = Content(list(first), [], 0)
    content.spool()
    assert content.entries == [] and content.spool_file is not None
    later = [SealedEntry("pagefind/pagefind-entry.json", 0, 1, b"x")]
    content.add({"pagefind/pagefind-entry.json": b"{}"}, later)
    assert content.take_entries() == first + later
    assert content.spool_file is None and content.take_entries() == []
