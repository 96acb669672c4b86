"""The data contract (see data-format.md) as pydantic models; one-line docs become the JSON Schema."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, field_validator

from tsunagu.domain.fields import (
    EMAIL_RE,
    TIME_RE,
    URL_RE,
    Acceptance,
    Kana,
    LinkVersion,
    Login,
    LongText,
    Method,
    Operation,
    Phone,
    Synonyms,
    Text,
    Via,
    Weekday,
)


class Strict(BaseModel):
    """Unknown keys are errors: a typo must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class Desk(Strict):
    """A consultation desk (相談窓口)."""

    name: Text
    phone: Phone
    hours: Text | None = None
    note: LongText | None = None


class Site(Strict):
    """data/site.yaml: site settings and controlled vocabularies."""

    title: Text
    region: Text
    site_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")] | None = None
    stale_after_days: int = Field(14, ge=1, le=365)
    # The demo's own data only: the day its dates were written for. A demo build (no passwords) moves every
    # date by (build day - this day), so a demo built any day looks like a region in use. Real regions leave it out.
    demo_as_of: dt.date | None = None
    repository: Annotated[str, StringConstraints(pattern=r"^https://[^\s]+$")] | None = None
    admins: list[Login] = []
    areas: list[Text] = Field(min_length=1)
    services: dict[str, Annotated[str, StringConstraints(pattern=r"^\d{3}$")]] = Field(min_length=1)
    area_map: dict[str, str] = {}
    synonyms: Synonyms = {}
    desks: list[Desk] = []
    # The admins' FAX number: the printed 状況確認票 (python build.py sheets) are answered to it.
    reply_fax: Phone | None = None
    # Random, public, generated once by the first build: every key derivation of the site uses it.
    salt: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")] | None = None
    # The site shares its origin with other sites (e.g. https://owner.github.io/repo/): the browser
    # refuses to unlock there unless this is true (every page of that origin could read the key).
    allow_shared_origin: StrictBool = False
    # Public P-256 key (base64url, 65 bytes) the update page seals submissions to; the private half is
    # the CI secret TSUNAGU_SEAL_KEY. Absent: the update page cannot send (serve --relay makes its own).
    seal_key: Annotated[str, StringConstraints(pattern=r"^B[A-P][A-Za-z0-9_-]{85}$")] | None = None
    # Where the update page posts (default ../api/ on the site's own origin; a Worker beside GitHub Pages: its URL).
    relay_url: (
        Annotated[str, StringConstraints(pattern=r"^(https://[A-Za-z0-9.-]+(:\d+)?)?/[A-Za-z0-9/_.-]*/$")] | None
    ) = None

    @field_validator("services", mode="before")
    @classmethod
    def _codes_as_text(cls, value: Any) -> Any:
        # `通所介護: 150` without quotes is an int; the code is still clear.
        if isinstance(value, dict):
            return {k: str(v) if isinstance(v, int) else v for k, v in value.items()}
        return value


class Status(Strict):
    """What a provider accepts now, and when it last confirmed it (no date: never answered yet)."""

    updated: dt.date | None = None
    operation: Operation = "open"
    new_clients: Acceptance = "unknown"
    alternative_support: Acceptance = "unknown"
    post_infection: Acceptance = "unknown"
    vacancies: int | None = Field(None, ge=0, le=10000)
    conditions: LongText | None = None
    confirmed_via: Via | None = None  # how the last confirmation came in
    confirmed_by: Login | None = None  # account that entered it (the maintainer, or an admin by proxy)
    confirmed_with: Text | None = None  # whom an admin spoke to, for a phone or FAX update

    @property
    def answered(self) -> bool:
        """Whether anyone has said anything beyond the importer's defaults (then a date is required)."""
        return (
            self.operation != "open"
            or self.vacancies is not None
            or bool(self.conditions)
            or any(getattr(self, k) != "unknown" for k in ("new_clients", "alternative_support", "post_infection"))
        )


class Source(Strict):
    """Where an imported record came from (open-data attribution and re-import bookkeeping)."""

    dataset: Text
    license: Text = "CC BY 4.0"
    files: list[Text] = []
    published: dt.date | None = None
    imported: dt.date
    vanished: dt.date | None = None
    original: dict[str, Any] = {}


class Record(Strict):
    """What every kind of record has: an id (its file's stem), a name, and how to reach it."""

    if TYPE_CHECKING:
        id: str  # validation sets it from the file's name: every record a stage sees has one
    else:
        id: str | None = None
    name: Text
    name_kana: Kana | None = None
    if TYPE_CHECKING:
        # Declared by each kind in its own place: the order of the fields is the order of the data
        # contract, of records.json and of the JSON Schemas, and pydantic puts a base's fields first.
        area: str
        address: str
        phone: str
        fax: str | None
        url: str | None
        maintainers: list[str]
        link_version: int
        notes: str | None


class Provider(Record):
    """A care-service provider (介護事業所)."""

    office_number: Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{10}$")] | None = None
    services: list[Text] = Field(min_length=1)
    area: Text
    address: Text
    phone: Phone
    fax: Phone | None = None
    email: Annotated[str, StringConstraints(pattern=EMAIL_RE.pattern)] | None = None
    url: Annotated[str, StringConstraints(pattern=URL_RE.pattern)] | None = None
    capacity: int | None = Field(None, ge=0, le=10000)
    hours: Text | None = None
    maintainers: list[Login] = []
    link_version: LinkVersion = 1  # bump to revoke the record's update links
    status: Status
    notes: LongText | None = None
    source: Source | None = None

    @field_validator("office_number", mode="before")
    @classmethod
    def _office_number_text(cls, value: Any) -> Any:
        # Unquoted, a number not starting with 0 (e.g. 1270100011 in Chiba) is read as an int.
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        return unicodedata.normalize("NFKC", value) if isinstance(value, str) else value


class Window(Strict):
    """A time window in which the physician welcomes contact."""

    days: list[Weekday] = Field(min_length=1)
    time: str
    methods: list[Method] = []
    holidays: StrictBool = False  # also on Japan's national holidays falling on these days

    @field_validator("time")
    @classmethod
    def _time_range(cls, value: str) -> str:
        text = unicodedata.normalize("NFKC", value).replace(" ", "")
        match = TIME_RE.match(text)
        if not match:
            raise ValueError(f'expected a time range such as "13:00-14:00"; got {value!r}')
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if (h2, m2) <= (h1, m1):
            raise ValueError(f"the end must come after the start; got {value!r}")
        return f"{h1:02d}:{m1:02d}-{h2:02d}:{m2:02d}"


class Contact(Strict):
    """How a physician wants care managers to get in touch."""

    windows: list[Window] = []
    methods: list[Method] = []
    appointment_required: StrictBool = False
    via: Text | None = None
    notes: LongText | None = None
    updated: dt.date
    confirmed_via: Via | None = None  # how the last confirmation came in
    confirmed_by: Login | None = None  # account that entered it (the maintainer, or an admin by proxy)
    confirmed_with: Text | None = None  # whom an admin spoke to, for a phone or FAX update


class Physician(Record):
    """A physician's contact profile."""

    clinic: Text
    clinic_kana: Kana | None = None
    specialties: list[Text] = []
    area: Text
    address: Text
    phone: Phone
    fax: Phone | None = None
    url: Annotated[str, StringConstraints(pattern=URL_RE.pattern)] | None = None
    home_visits: StrictBool = False
    care_support_doctor: StrictBool = False
    maintainers: list[Login] = []
    link_version: LinkVersion = 1  # bump to revoke the record's update links
    contact: Contact
    notes: LongText | None = None


class Notice(Strict):
    """An admin notice (お知らせ): front matter of notices/<date>-<slug>.md."""

    title: Text
    date: dt.date
    pinned: StrictBool = False
