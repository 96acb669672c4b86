"""The validated directory: what every stage after validation reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tsunagu.domain.kinds import Kind

from tsunagu.domain.models import Notice, Physician, Provider, Site


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

    def records(self, kind: Kind) -> list[Any]:
        """The records of one kind."""
        return getattr(self, kind.folder)
