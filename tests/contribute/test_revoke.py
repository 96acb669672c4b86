"""Revoking a record's links: one line of its file changes, its old links are refused, its new link works."""

from __future__ import annotations

import pytest
from conftest import TODAY, load_directory, read_tree

from tsunagu.contribute.links import HOLDER, LinkRefused, Ref, Token, authorise, make_token, verify_token
from tsunagu.contribute.revoke import revoke
from tsunagu.domain.errors import TsunaguError
from tsunagu.domain.kinds import KINDS

KEY = bytes(range(32))


def versions(data_dir):
    directory = load_directory(data_dir)
    return {(k.name, r.id): r.link_version for k in KINDS for r in directory.records(k)}


def allowed(token: str, data_dir) -> str:
    try:
        authorise(verify_token(token, KEY, 0), "provider", "day-sakura", versions(data_dir))
    except LinkRefused as refused:
        return refused.reason
    return "ok"


def test_revoking_bumps_the_version_and_refuses_the_old_link(data_dir):
    old = make_token(Token(HOLDER, 0, (Ref("provider", "day-sakura", 1),)), KEY)
    before = read_tree(data_dir)
    assert allowed(old, data_dir) == "ok"
    path, was, now = revoke(data_dir, "day-sakura", TODAY)
    assert (path.as_posix(), was, now) == ("data/providers/day-sakura.yaml", 1, 2)
    after = read_tree(data_dir)
    assert [f for f in after if after[f] != before[f]] == ["providers/day-sakura.yaml"]
    added = set(after["providers/day-sakura.yaml"].decode().splitlines()) - set(
        before["providers/day-sakura.yaml"].decode().splitlines()
    )
    assert added == {"link_version: 2"}
    assert allowed(old, data_dir) == "revoked"
    assert allowed(make_token(Token(HOLDER, 0, (Ref("provider", "day-sakura", 2),)), KEY), data_dir) == "ok"
    revoke(data_dir, "day-sakura", TODAY)
    assert "link_version: 3" in (data_dir / "providers" / "day-sakura.yaml").read_text(encoding="utf-8")


def test_an_unknown_record_or_the_last_version_is_refused(data_dir):
    with pytest.raises(TsunaguError) as error:
        revoke(data_dir, "no-such-record", TODAY)
    assert str(error.value) == "no-such-record: no provider or physician has this id in data"
    path = data_dir / "physicians" / "yamada-naika.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "link_version: 65535\n", encoding="utf-8")
    with pytest.raises(TsunaguError) as error:
        revoke(data_dir, "yamada-naika", TODAY)
    assert str(error.value) == (
        "data/physicians/yamada-naika.yaml: link_version: expected below 65535 to revoke once more; got 65535"
    )
