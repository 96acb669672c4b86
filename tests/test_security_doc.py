"""SECURITY.md stays true: every file it links exists, and every test it names is defined."""

from __future__ import annotations

import re

from tools import ROOT

TEXT = (ROOT / "SECURITY.md").read_text(encoding="utf-8")


def test_linked_files_exist():
    links = re.findall(r"\]\(([^)#]+)\)", TEXT)
    assert len(links) > 20
    missing = [link for link in links if not (ROOT / link).exists()]
    assert missing == []


def test_named_tests_are_defined():
    names = set(re.findall(r"`(test_[a-z0-9_]+)`", TEXT)) | set(re.findall(r"\[`(test_[a-z0-9_]+)`\]", TEXT))
    defined = {
        m
        for path in (ROOT / "tests").rglob("test_*.py")
        for m in re.findall(r"^def (test_[a-z0-9_]+)", path.read_text(encoding="utf-8"), re.M)
    }
    assert len(names) > 30
    assert sorted(names - defined) == []


def test_threat_model_covers_every_adversary():
    for heading in (
        "An outsider with the whole site",
        "A former member with an old password or a remembered device",
        "A provider editing someone else's entry, or injecting script or code",
        "Other sites on the same origin",
        "A compromised CI secret",
        "A lost phone",
        "What it reveals by design",
        "Reporting a vulnerability",
    ):
        assert heading in TEXT, heading


def _table() -> list[tuple[str, list[str]]]:
    """(claim, tests) of every row of the claims table."""
    section = TEXT.split("## Claims and their tests", 1)[1].split("\n## ", 1)[0]
    rows = [
        line for line in section.splitlines() if line.startswith("| ") and not line.startswith(("| threat", "| ---"))
    ]
    return [(row.split(" | ")[1], re.findall(r"`(test_[a-z0-9_]+)`", row)) for row in rows]


def test_the_claims_table_is_complete_and_every_test_in_it_exists():
    table = _table()
    assert len(table) >= 30
    defined = {
        m
        for path in (ROOT / "tests").rglob("test_*.py")
        for m in re.findall(r"^def (test_[a-z0-9_]+)", path.read_text(encoding="utf-8"), re.M)
    }
    listed = {t for _claim, tests in table for t in tests}
    assert [claim for claim, tests in table if not tests] == []
    assert sorted(listed - defined) == []
    outside = TEXT.split("## Claims and their tests", 1)[0]
    named = set(re.findall(r"`(test_[a-z0-9_]+)`", outside))
    assert sorted(named - listed) == [], "named on the page but missing from the claims table"


def test_every_point_of_the_threat_model_names_its_test():
    model = TEXT.split("## Threat model", 1)[1].split("## What it reveals by design", 1)[0]
    points = [
        p
        for p in re.split(r"\n(?=- |### |What the design does)", model)
        if p.startswith("- ") or p.startswith("What the design does:") and len(p.strip()) > len("What the design does:")
    ]
    assert len(points) >= 25
    silent = [p[:80] for p in points if not re.search(r"`test_[a-z0-9_]+`|\(tests/[^)]+\)", p)]
    assert silent == []
