"""What each step of the build hands to the next, by name."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from typing import IO, NamedTuple

from tsunagu.data.history import History
from tsunagu.domain.config import Config
from tsunagu.domain.directory import Directory
from tsunagu.seal.keys import RootKeys
from tsunagu.seal.packs import SealedEntry


@dataclass(frozen=True)
class Checked:
    """The data and the passwords, checked; the keys derived; the recent history read."""

    config: Config  # the settings the build runs with: a production build's date is its epoch's
    directory: Directory
    passwords: dict[str, str]
    salt: bytes
    keys: RootKeys
    epoch: int
    history: History
    notes: list[str]  # for the person running the build (a new salt, refused old versions)


class RecordPage(NamedTuple):
    """What a render worker sends back for one record page: never its plaintext."""

    size: int  # plaintext bytes, for the report
    document: tuple[str, bytes]  # its search record, compact (search.index.compact_record)
    entries: list[tuple[int, int, bytes]]  # (part, parts, sealed blob)


class SharedFile(NamedTuple):
    """What the render sends back for a shared file or a row store (seal.rows), sealed: never its plaintext."""

    size: int  # plaintext bytes (a row store: 0, its rows are counted in their files)
    digest: bytes  # SHA-256 of the plaintext (b"" for a row store)
    entries: list[tuple[int, int, bytes]]  # (part, parts, sealed blob)


@dataclass
class Content:
    """The protected files, sealed; their search records wait for the index."""

    entries: list[SealedEntry]
    names: list[str]  # every protected path, sorted
    plaintext_bytes: int
    documents: list[tuple[str, bytes]] = field(default_factory=list)
    status_digest: bytes = b""  # SHA-256 of status.csv: changes with any provider's status
    spooled: list[tuple[str, int, int, int]] = field(default_factory=list)  # (path, part, parts, length) in the spool
    spool_file: IO[bytes] | None = None
    sections: list[bytes] = field(
        default_factory=list
    )  # the dictionary record pages and fragments are deflated against

    def spool(self, file: IO[bytes] | None = None) -> None:
        """The sealed entries out to a temporary file (or file) while the index runs (the peak of memory): ciphertext only."""
        self.spool_file = file or tempfile.TemporaryFile(prefix="tsunagu-sealed-")
        for entry in self.entries:
            self.spool_file.write(entry.blob)
            self.spooled.append((entry.path, entry.part, entry.parts, len(entry.blob)))
        self.entries = []

    def add(self, files: dict[str, bytes], entries: list[SealedEntry]) -> None:
        """More protected files (the encrypted search index), sealed."""
        self.entries += entries
        self.names = sorted([*self.names, *files])

    def take_documents(self) -> list[tuple[str, bytes]]:
        """The search records, handed over once: the index is the peak of memory, nothing else keeps them."""
        documents, self.documents = self.documents, []
        return documents

    def take_entries(self) -> list[SealedEntry]:
        """The sealed entries, handed over once to be packed (read back from the spool first)."""
        entries, self.entries = self.entries, []
        if self.spool_file is not None:
            self.spool_file.seek(0)
            back = [
                SealedEntry(path, part, parts, self.spool_file.read(length))
                for path, part, parts, length in self.spooled
            ]
            self.spool_file.close()
            self.spool_file, self.spooled = None, []
            entries = back + entries
        return entries

    @property
    def pages(self) -> int:
        """How many pages the site protects."""
        return sum(p.endswith(".html") for p in self.names)
