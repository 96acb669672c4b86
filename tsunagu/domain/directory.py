"""The validated directory: what every stage after validation reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tsunagu.domain.kinds import Kind

from tsunagu.domain.models import Notice, Physician, Provider, Record, Site


@dataclass
class NoticeRecord:
    """A notice with its Markdown body."""

    id: str
    meta: Notice
    body: str


@dataclass
class Directory:
    """The validated directory: everything the later stages need."""

    site: Site
    providers: list[Provider]
    physicians: list[Physician]
    notices: list[NoticeRecord]
    files: dict[str, str] = field(default_factory=dict)  # record id -> source file as shown

    def records(self, kind: Kind) -> Sequence[Record]:
        """The records of one kind."""
        records: Sequence[Record] = getattr(self, kind.folder)
        return records
