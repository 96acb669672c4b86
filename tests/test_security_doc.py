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
    defined = {m for path in (ROOT / "tests").rglob("test_*.py")
               for m in re.findall(r"^def (test_[a-z0-9_]+)", path.read_text(encoding="utf-8"), re.M)}
    assert len(names) > 30
    assert sorted(names - defined) == []


def test_threat_model_covers_every_adversary():
    for heading in ("An outsider with the whole site", "A former member with an old password or a remembered device",
                    "A provider editing someone else's entry, or injecting script or code",
                    "Other sites on the same origin", "A compromised CI secret", "A lost phone",
                    "What it reveals by design", "Reporting a vulnerability"):
        assert heading in TEXT, heading
