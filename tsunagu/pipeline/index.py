"""Index stage: Pagefind over the plaintext record pages, in a private temporary folder.

Only the generic Pagefind runtime (JS, wasm) is kept public later; the index files come back
as bytes for the encrypt stage, and the temporary folder is removed before the build goes on.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tsunagu.domain.errors import BuildError

# Pagefind runtime files that hold no data (plus its wasm, *.pagefind); the rest is the index.
RUNTIME = ("pagefind.js", "pagefind-worker.js")
UNUSED = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")


def is_runtime(name: str) -> bool:
    """True for Pagefind's generic runtime files, which may stay public."""
    base = name.rsplit("/", 1)[-1]
    return base in RUNTIME or base.endswith(".pagefind")


async def _run(site_dir: Path, out_dir: Path) -> int:
    from pagefind.index import IndexConfig, PagefindIndex

    # The index holds ASCII n-gram tokens (see textsearch.py), so no language's segmenter or
    # stemmer should touch it: "zz" is no language Pagefind knows, and it leaves words as they are.
    config = IndexConfig(force_language="zz", output_path=str(out_dir))
    async with PagefindIndex(config=config) as index:  # leaving the block writes the files
        result = await index.add_directory(str(site_dir), glob="r/*.html")
        return int(result.get("page_count", 0))


BODY_START = b"<div hidden data-pagefind-body>"
BODY_END = b"</div><!-- /pagefind-body -->"


def index_document(page: bytes) -> bytes:
    """Only the part of a record page that Pagefind reads (templates/_search_data.html).

    Parsing whole pages took Pagefind three times as long for the same index.
    """
    start, end = page.find(BODY_START), page.find(BODY_END)
    if start < 0 or end < start:
        return page
    return b'<!doctype html><html lang="ja"><head><meta charset="utf-8"></head><body>' + \
        page[start:end + len(BODY_END)] + b"</body></html>"


def index_pages(pages: dict[str, bytes]) -> dict[str, bytes]:
    """Pagefind's output for the record pages, as 'pagefind/<name>' -> bytes."""
    records = {p: index_document(b) for p, b in pages.items() if p.startswith("r/") and p.endswith(".html")}
    # Plaintext goes to memory-backed /dev/shm where there is one: nothing readable touches a disk.
    shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="tsunagu-index-", dir=shm) as tmp:
        os.chmod(tmp, 0o700)
        site_dir, out_dir = Path(tmp, "pages"), Path(tmp, "pagefind")
        for path, data in records.items():
            target = site_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        try:
            # Its own thread, so callers that already run an event loop (a browser driver) can build.
            with ThreadPoolExecutor(max_workers=1) as pool:
                count = pool.submit(asyncio.run, _run(site_dir, out_dir)).result()
        except Exception as exc:  # the Pagefind service reports failures as plain exceptions
            raise BuildError(f"search index: Pagefind failed: {exc}") from exc
        if records and count != len(records):
            raise BuildError(f"search index: Pagefind indexed {count} of {len(records)} record pages")
        out = {}
        for file in sorted(out_dir.rglob("*")):
            rel = file.relative_to(out_dir).as_posix()
            if file.is_file() and not file.name.startswith(UNUSED):
                out[f"pagefind/{rel}"] = file.read_bytes()
        return out
