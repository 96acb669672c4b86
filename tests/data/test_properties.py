"""Property-based tests: any YAML text and any document of the contract's shape loads and validates without
crashing or hanging, and every rejection names the file, the line and (below the document) the field."""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from conftest import SITE, TODAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tsunagu.data.load import load_tree
from tsunagu.data.validate import validate_tree
from tsunagu.domain.errors import DataError, Problem
from tsunagu.domain.text import forbidden_character
from tsunagu.yamlio.strict import parse_yaml

pytestmark = pytest.mark.slow  # hypothesis: a minute or more on a loaded machine
SETTINGS = settings(max_examples=200, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
SHOWN = "data/providers/day-p.yaml"
# Problems about the document as a whole: no single field to name.
DOCUMENT_LEVEL = (
    "not valid YAML",
    "tab character in indentation",
    "only one YAML document",
    "a key must",
    "key too long",
    "expected a mapping of fields",
    "YAML anchors and aliases",
    "too many values",
    "unsupported YAML tag",
    "nesting deeper than",
    "duplicate key",
)

YAMLISH = st.lists(
    st.sampled_from(
        [
            *":-[]{}&*!|>#'\"?,%@` \n\t\r",
            "a",
            "b",
            "1",
            "0.5",
            "名",
            "\\",
            "\x1b",
            "\u202e",
            "\x85",
            "\ufeff",
            "---",
            "...",
            "!!str",
            "- ",
            ": ",
            "9" * 5000,
        ]
    ),
    max_size=40,
).map("".join)
ANY_TEXT = st.text(max_size=200)


def _check(problem: Problem, shown: str) -> None:
    assert problem.file == shown
    assert problem.line >= 1, problem
    assert problem.field or problem.message.startswith(DOCUMENT_LEVEL), problem
    assert forbidden_character(str(problem)) is None, f"raw control character in {problem!r}"


@SETTINGS
@given(st.one_of(YAMLISH, ANY_TEXT))
def test_any_text_parses_or_is_refused_with_a_located_problem(text):
    problems: list[Problem] = []
    start = time.perf_counter()
    doc = parse_yaml(text, SHOWN, problems)
    assert time.perf_counter() - start < 1
    assert (doc is None) == bool(problems)
    for problem in problems:
        _check(problem, SHOWN)


# Values of every kind YAML can carry, including ones no field expects.
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**30, max_value=10**60),
    st.floats(allow_nan=False),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    ANY_TEXT,
    st.sampled_from(["北部", "通所介護", "accepting", "yes", "13:00-14:00", "029-000-1111", "mon", "phone"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=12,
)
STATUS = st.fixed_dictionaries(
    {"updated": VALUES},
    optional={
        "operation": VALUES,
        "new_clients": VALUES,
        "alternative_support": VALUES,
        "post_infection": VALUES,
        "vacancies": VALUES,
        "conditions": VALUES,
        "surprise": VALUES,
    },
)
PROVIDER = st.fixed_dictionaries(
    {"name": VALUES, "services": VALUES, "area": VALUES, "address": VALUES, "phone": VALUES, "status": STATUS},
    optional={
        "name_kana": VALUES,
        "office_number": VALUES,
        "fax": VALUES,
        "email": VALUES,
        "url": VALUES,
        "capacity": VALUES,
        "hours": VALUES,
        "maintainers": VALUES,
        "notes": VALUES,
        "id": VALUES,
        "source": VALUES,
        "extra": VALUES,
    },
)
CONTACT = st.fixed_dictionaries(
    {"updated": VALUES},
    optional={
        "windows": st.lists(
            st.fixed_dictionaries({"days": VALUES, "time": VALUES}, optional={"methods": VALUES}), max_size=3
        )
        | VALUES,
        "methods": VALUES,
        "appointment_required": VALUES,
        "via": VALUES,
        "notes": VALUES,
    },
)
PHYSICIAN = st.fixed_dictionaries(
    {"name": VALUES, "clinic": VALUES, "area": VALUES, "address": VALUES, "phone": VALUES, "contact": CONTACT},
    optional={
        "name_kana": VALUES,
        "clinic_kana": VALUES,
        "specialties": VALUES,
        "home_visits": VALUES,
        "care_support_doctor": VALUES,
        "maintainers": VALUES,
        "notes": VALUES,
        "url": VALUES,
    },
)


def _validate(folder: str, document: object, dump: bool = True) -> list[Problem]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        (data / folder).mkdir(parents=True)
        (data / "site.yaml").write_text(SITE, encoding="utf-8")
        path = data / folder / "day-p.yaml"
        text = yaml.safe_dump(document, allow_unicode=True) if dump else str(document)
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        start = time.perf_counter()
        try:
            validate_tree(load_tree(data, keep_going=True), TODAY)
            found: list[Problem] = []
        except DataError as exc:
            found = exc.problems
        assert time.perf_counter() - start < 2
        for problem in found:
            _check(problem, str(path))
        return found


@SETTINGS
@given(PROVIDER)
def test_any_provider_shaped_document_validates_or_names_each_field(document):
    _validate("providers", document)


@SETTINGS
@given(PHYSICIAN)
def test_any_physician_shaped_document_validates_or_names_each_field(document):
    _validate("physicians", document)


@SETTINGS
@given(st.one_of(YAMLISH, ANY_TEXT))
def test_any_file_content_in_the_data_folder_never_crashes(text):
    _validate("providers", text.replace("\x00", ""), dump=False)


def test_a_known_good_document_passes_so_the_properties_are_not_vacuous():
    good = {
        "name": "デイ",
        "services": ["通所介護"],
        "area": "北部",
        "address": "x",
        "phone": "029-000-1111",
        "status": {"updated": dt.date(2026, 11, 1)},
    }
    assert _validate("providers", good) == []
    found = _validate("providers", {**good, "capacity": 10**50})
    assert [(p.line, p.field) for p in found] == [(3, "capacity")]  # keys sorted: address, area, capacity
