"""Files sealed into entries by threads, now or aside while the index is still being made."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from tsunagu.seal.encrypt import entries
from tsunagu.seal.keys import RootKeys
from tsunagu.seal.packs import SealedEntry


def seal_all(
    files: dict[str, bytes],
    keys: RootKeys,
    workers: int,
    scale: int = 1,
    generation: bytes = b"",
    sections: Sequence[bytes] | None = None,
) -> list[SealedEntry]:
    """Every file as sealed entries; deflate releases the GIL, so threads share the big files out to every core."""

    def one(item: tuple[str, bytes]) -> list[SealedEntry]:
        return [
            SealedEntry(item[0], part, parts, blob)
            for part, parts, blob in entries(item[0], item[1], keys, scale, generation, sections)
        ]

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return [entry for sealed in pool.map(one, sorted(files.items())) for entry in sealed]


class Aside:
    """Files sealed in a thread of their own as they come (search.index's fragments, shard by shard), while
    the build goes on (Pagefind's other shard, the merge): the same entries seal_all makes of them later."""

    def __init__(self, keys: RootKeys, workers: int, sections: Sequence[bytes] | None) -> None:
        self.keys, self.workers, self.sections = keys, workers, sections
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.paths: set[str] = set()
        self.sealed: list[Future[list[SealedEntry]]] = []
        self.lock = threading.Lock()  # shards hand their files over from threads of their own

    def seal(self, files: dict[str, bytes]) -> None:
        with self.lock:
            self.paths.update(files)
            self.sealed.append(self.pool.submit(seal_all, files, self.keys, self.workers, sections=self.sections))

    def take(self) -> list[SealedEntry]:
        """Every entry sealed aside (waiting for the last); the paths stay known."""
        with self.lock:
            futures, self.sealed = self.sealed, []
        out = [entry for future in futures for entry in future.result()]
        self.pool.shutdown()
        return out
