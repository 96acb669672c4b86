"""The kinds of record a directory holds, and everything that differs between them, in one registry.

No module asks "provider or physician?" by hand: it looks the kind up here (folder, model, the
section a record keeps current, its form, its Japanese label, how to read its confirmation date).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from tsunagu.domain.labels import KIND_JA
from tsunagu.domain.models import Contact, Physician, Provider, Status


@dataclass(frozen=True)
class Kind:
    """One kind of record: provider (介護事業所) or physician (医師)."""

    name: str                      # provider | physician
    folder: str                    # its folder under data/
    model: type[BaseModel]
    section: str                   # the part its maintainers keep current: status | contact
    section_model: type[BaseModel]
    form: str                      # the issue form (.github/ISSUE_TEMPLATE/<form>) that updates it
    title_fields: tuple[str, ...]  # the fields people know a record by, in reading order

    @property
    def label(self) -> str:
        """The Japanese name of the kind: 事業所 or 医師."""
        return KIND_JA[self.name]

    def confirmed(self, record: Any) -> dt.date | None:
        """The date the record's maintainers last confirmed it; None while nobody has answered (an import)."""
        return getattr(record, self.section).updated

    def waiting_since(self, record: Any) -> dt.date | None:
        """The confirmation date, or for a never-answered import the date it was imported."""
        source = getattr(record, "source", None)
        return self.confirmed(record) or (source.imported if source else None)

    def title(self, record: Any) -> str:
        """The name people know the record by (a model, or a mapping as read from YAML)."""
        get = record.get if isinstance(record, dict) else lambda f: getattr(record, f, None)
        return " ".join(str(v) for f in self.title_fields if (v := get(f)))


PROVIDER = Kind("provider", "providers", Provider, "status", Status, "status-update.yml", ("name",))
PHYSICIAN = Kind("physician", "physicians", Physician, "contact", Contact, "contact-update.yml", ("clinic", "name"))
KINDS = (PROVIDER, PHYSICIAN)
BY_NAME = {k.name: k for k in KINDS}
BY_FOLDER = {k.folder: k for k in KINDS}
