"""The build's compression dictionary: the region's own pages for two fictional records, and no real one.

Each record page (and each record's search fragment) is still compressed in a context of its own, but
against this fixed text as deflate's preset dictionary, so the markup, labels and shell every page
repeats cost a few bytes instead of a few kB. The dictionary holds only the region's templates and
site settings filled with made-up values: nothing a contributor writes changes it (SECURITY.md).
"""

from __future__ import annotations

import datetime as dt

from tsunagu.domain.config import Config
from tsunagu.domain.directory import Directory
from tsunagu.domain.models import Contact, Physician, Provider, Site, Status
from tsunagu.domain.paths import DATA_DIR, RECORD_DIR
from tsunagu.seal import wire
from tsunagu.seal.encrypt import units_of

LIMIT = 32 * 1024 - 262  # deflate's window, less what zlib keeps back: older bytes could not be referred to
SMALL = 6 * 1024  # for files of many small units: each unit is decoded after its own copy of the section
TEXT = "サンプル事業所の受入条件と連絡のお願いです。入浴、送迎、認知症の方の受入れは要相談。"


def _sample(site: Site, today: dt.date) -> Directory:
    """One provider and one physician with every field the templates show, all made up."""
    area, service = site.areas[0], next(iter(site.services))
    provider = Provider(
        id="sample-provider",
        name="サンプル事業所",
        name_kana="サンプルジギョウショ",
        office_number="0000000000",
        services=[service],
        area=area,
        address=f"{site.region}サンプル町1-2-3",
        phone="000-000-0000",
        fax="000-000-0001",
        capacity=20,
        hours="月〜金 9:00-17:00",
        status=Status.model_validate(
            {
                "updated": today,
                "new_clients": "conditional",
                "alternative_support": "accepting",
                "post_infection": "not_accepting",
                "vacancies": 2,
                "conditions": TEXT,
            }
        ),
        notes=TEXT,
    )
    physician = Physician(
        id="sample-physician",
        name="サンプル 医師",
        name_kana="サンプル イシ",
        clinic="サンプル診療所",
        clinic_kana="サンプルシンリョウジョ",
        specialties=["内科"],
        area=area,
        address=f"{site.region}サンプル町4-5-6",
        phone="000-000-0002",
        fax="000-000-0003",
        home_visits=True,
        care_support_doctor=True,
        contact=Contact.model_validate(
            {
                "windows": [
                    {"days": ["mon", "wed"], "time": "13:00-14:00", "methods": ["phone"]},
                    {"days": ["fri"], "time": "17:00-18:00", "methods": ["fax"]},
                ],
                "methods": ["phone", "fax"],
                "via": "受付",
                "notes": TEXT,
                "updated": today,
            }
        ),
        notes=TEXT,
    )
    return Directory(site=site.model_copy(), providers=[provider], physicians=[physician], notices=[])


def dictionary(site: Site, config: Config) -> bytes:
    """The sections of the dictionary (wire.DICT_SECTIONS), framed: magic, count (u32), then length (u32) and
    bytes each (never a NUL first: that marks a composite, seal/rows.py)."""
    from tsunagu.render.pages import render_site  # pages imports this module's callers' stage, not this one

    pages = render_site(_sample(site, config.today), config)
    records = b"".join(body for path, body in sorted(pages.items()) if path.startswith(RECORD_DIR))
    # A shared page's rows and cards (not its shell: a part holds it once), a data file's records and lines.
    lists = ("status/index.html", "physicians/index.html", "providers/1/index.html")
    sheet = b"".join(b"".join(units_of(pages[path], "sheet")[1:]) for path in lists if path in pages)
    data = pages[f"{DATA_DIR}records.json"] + pages[f"{DATA_DIR}status.csv"]
    fragment = (
        b'pagefind_dcd{"url":"/r/","content":"","word_count":0,"filters":{},"meta":{"area":"","badges":"accepting '
        b'conditional not_accepting unknown","conditions":"","kind":"","phone":"","services":"","status":"","title":'
        b'"","updated":"","vacancies":""},"anchors":[]}'
    )
    # Every area and service named once: a row compresses about alike whatever its area (the sample's records
    # have one each), so the size of an edit's parts says as little about the area as before.
    names = "\n".join([*site.areas, *site.services]).encode()
    sections = {
        "record": (names + records)[-LIMIT:],
        "fragment": names + fragment,
        "sheet": names + sheet[-SMALL:],
        "data": names + data[-SMALL:],
    }
    out = [wire.DICT_MAGIC.encode(), len(wire.DICT_SECTIONS).to_bytes(4, "big")]
    for name in wire.DICT_SECTIONS:
        out += [len(sections[name]).to_bytes(4, "big"), sections[name]]
    return b"".join(out)
