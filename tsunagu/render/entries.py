"""Records as entries: each with its kind, its opaque page path and its age, as every page shows it."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Generic, TypeVar

from tsunagu.domain.config import Config
from tsunagu.domain.directory import Directory
from tsunagu.domain.kinds import PHYSICIAN, PROVIDER, Kind
from tsunagu.domain.models import Physician, Provider, Record
from tsunagu.domain.paths import record_path
from tsunagu.seal.keys import page_key

R = TypeVar("R", bound=Record, covariant=True)  # an Entry[Provider] is an Entry[Record]
M = TypeVar("M", bound=Record)


@dataclass(frozen=True)
class Entry(Generic[R]):
    """A record with what every page needs to show it."""

    kind: Kind
    record: R
    path: str  # output file, e.g. r/k3j2….html
    updated: dt.date | None  # last confirmation; None: never answered (an import nobody confirmed)
    age_days: int | None  # at build time; the browser recomputes it from today in Japan
    stale: bool
    imported: dt.date | None = None

    @property
    def confirmed(self) -> bool:
        """Whether someone confirmed this entry (sorts and counts before the never-answered)."""
        return self.updated is not None


def page_token(key: str, kind: str, rid: str) -> str:
    """An opaque, stable folder name for a record: a keyed hash of its id, not its text."""
    digest = hmac.new(key.encode(), f"{kind}:{rid}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode().lower()


def make_entries(directory: Directory, config: Config) -> tuple[list[Entry[Provider]], list[Entry[Physician]]]:
    """Providers and physicians as entries with paths and staleness, sorted by reading."""
    # Keyed with the page-token key derived from the passwords (never from the public site id), so
    # nobody without a password can test a guessed id against the published paths.
    key = config.path_key or page_key(config, directory.site.salt)
    limit = directory.site.stale_after_days

    def entry(kind: Kind, record: M) -> Entry[M]:
        updated = kind.confirmed(record)
        age = None if updated is None else (config.today - updated).days
        source = getattr(record, "source", None)
        imported = source.imported if source else None
        # One file per record, no folder: at prefecture scale a folder each costs seconds of mkdir.
        return Entry(
            kind,
            record,
            record_path(page_token(key, kind.name, record.id)),
            updated,
            age,
            age is not None and age > limit,
            imported,
        )

    def by_reading(e: Entry[Record]) -> tuple[str, str]:
        return e.record.name_kana or e.record.name, e.record.id

    return (
        sorted((entry(PROVIDER, r) for r in directory.providers), key=by_reading),
        sorted((entry(PHYSICIAN, r) for r in directory.physicians), key=by_reading),
    )
