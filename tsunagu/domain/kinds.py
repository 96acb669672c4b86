"""The kinds of record a directory holds, and everything that differs between them, in one registry.

No module asks "provider or physician?" by hand: it looks the kind up here (folder, model, the
section a record keeps current, its form, its Japanese label, how to read its confirmation date,
its page and card templates, what the search indexes of it, its weekly table).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from pydantic import BaseModel

from tsunagu.domain.labels import (
    CARE_SUPPORT,
    FIELD_JA,
    HOME_VISITS,
    KIND_JA,
    METHOD_JA,
    PHYSICIAN_FIELD_JA,
    WEEKDAY_JA,
)
from tsunagu.domain.models import Contact, Physician, Provider, Record, Status

WEEKDAYS = tuple(WEEKDAY_JA)


@dataclass(frozen=True)
class SearchText:
    """A record's own text for the search index, by weight, with the services its vocabulary matches."""

    names: list[str]  # what people call it (heaviest)
    kind: list[str]  # what it is or offers
    other: list[str]  # the rest of its own text
    services: list[str] = field(default_factory=list)  # matched to the vocabulary by service code
    numbers: list[str] = field(default_factory=list)  # searchable only whole (an office number)


@dataclass(frozen=True)
class Kind:
    """One kind of record: provider (介護事業所) or physician (医師)."""

    name: str  # provider | physician
    folder: str  # its folder under data/
    model: type[Record]
    section: str  # the part its maintainers keep current: status | contact
    section_model: type[BaseModel]
    form: str  # the issue form (.github/ISSUE_TEMPLATE/<form>) that updates it
    title_fields: tuple[str, ...]  # the fields people know a record by, in reading order

    @property
    def label(self) -> str:
        """The Japanese name of the kind: 事業所 or 医師."""
        return KIND_JA[self.name]

    @property
    def template(self) -> str:
        """The template of a record's page."""
        return f"{self.name}.html"

    @property
    def card(self) -> str:
        """The macro of _macros.html that shows a record in a list."""
        return f"{self.name}_card"

    @property
    def search_template(self) -> str:
        """The template of the search metadata and filters of a record page."""
        return f"_search_{self.name}.html"

    def field_label(self, path: str) -> str:
        """The Japanese label of one of its fields (a dotted path such as status.new_clients)."""
        return FIELD_JA.get(path, path)

    def confirmed(self, record: Record) -> dt.date | None:
        """The date the record's maintainers last confirmed it; None while nobody has answered (an import)."""
        return cast(dt.date | None, getattr(record, self.section).updated)

    def waiting_since(self, record: Record) -> dt.date | None:
        """The confirmation date, or for a never-answered import the date it was imported."""
        source = getattr(record, "source", None)
        return self.confirmed(record) or (source.imported if source else None)

    def title(self, record: Record | Mapping[str, Any]) -> str:
        """The name people know the record by (a model, or a mapping as read from YAML)."""
        get = record.get if isinstance(record, Mapping) else lambda f: getattr(record, f, None)
        return " ".join(str(v) for f in self.title_fields if (v := get(f)))

    def search_text(self, record: Record) -> SearchText:
        """The record's own text as the search weighs it."""
        raise NotImplementedError

    def weekly(self, record: Record) -> list[dict[str, Any]]:
        """The record's contact windows as rows of a weekly table; none for a kind without windows."""
        return []


class ProviderKind(Kind):
    """Providers: a status board of what they accept now."""

    def search_text(self, record: Record) -> SearchText:
        """Name and reading; services; office number and hours. Nothing of the status (条件, 営業, the answers):
        a provider changes it without review, and an index chunk is shared by many records (SECURITY.md)."""
        r = cast(Provider, record)
        return SearchText(
            [r.name, r.name_kana or ""],
            [*r.services],
            [r.office_number or "", r.hours or ""],
            services=list(r.services),
            numbers=[r.office_number or ""],
        )


class PhysicianKind(Kind):
    """Physicians: when and how they welcome contact."""

    def field_label(self, path: str) -> str:
        """A physician's name is a person's (氏名), not an office's."""
        return PHYSICIAN_FIELD_JA.get(path) or super().field_label(path)

    def search_text(self, record: Record) -> SearchText:
        """Names and readings of physician and clinic; specialties and marks. Nothing of the contact (取次ぎ,
        連絡時のお願い): the physician changes it without review, like a provider's status (SECURITY.md)."""
        r = cast(Physician, record)
        marks = ([HOME_VISITS] if r.home_visits else []) + ([CARE_SUPPORT] if r.care_support_doctor else [])
        return SearchText([r.name, r.name_kana or "", r.clinic, r.clinic_kana or ""], [*r.specialties, *marks], [])

    def weekly(self, record: Record) -> list[dict[str, Any]]:
        """Contact windows as rows of a weekly table: one row per time, a cell per weekday."""
        r = cast(Physician, record)
        rows: dict[str, dict[str, list[str]]] = {}
        for window in r.contact.windows:
            row = rows.setdefault(window.time, {d: [] for d in WEEKDAYS})
            for day in window.days:
                row[day].extend(METHOD_JA[m] for m in (window.methods or r.contact.methods or []))
                row[day] = list(dict.fromkeys(row[day])) or ["可"]
        return [{"time": t, "days": rows[t]} for t in sorted(rows)]


PROVIDER = ProviderKind("provider", "providers", Provider, "status", Status, "status-update.yml", ("name",))
PHYSICIAN = PhysicianKind(
    "physician", "physicians", Physician, "contact", Contact, "contact-update.yml", ("clinic", "name")
)
KINDS: tuple[Kind, ...] = (PROVIDER, PHYSICIAN)
BY_NAME = {k.name: k for k in KINDS}
BY_FOLDER = {k.folder: k for k in KINDS}
BY_MODEL: dict[type[Record], Kind] = {k.model: k for k in KINDS}


def kind_of(record: Record) -> Kind:
    """The kind of a validated record."""
    return BY_MODEL[type(record)]
