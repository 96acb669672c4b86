"""Capability links: the token format of docs/relay-protocol.md, its vectors, and what a token may do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tsunagu.contribute import links as L
from tsunagu.contribute.relay import seal as S

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "relay-token.json").read_text(encoding="utf-8"))
KEY = bytes.fromhex(VECTORS["link_key"])
NOW = VECTORS["now"]


def outcome(fn, token: str, key: bytes) -> str:
    try:
        fn(token, key, NOW)
        return "ok"
    except L.LinkRefused as exc:
        return exc.reason


@pytest.mark.parametrize("case", VECTORS["tokens"], ids=lambda c: c["name"])
def test_vectors_token(case):
    assert outcome(L.relay_check, case["token"], L.relay_key(KEY)) == case["relay"]
    assert outcome(L.verify_token, case["token"], KEY) == case["repository"]


def test_vectors_keys_receipts_links_seal():
    assert L.mac_key(KEY).hex() == VECTORS["k_mac"] and L.relay_key(KEY).hex() == VECTORS["k_relay"]
    for r in VECTORS["receipts"]:
        assert L.receipt_of(L.parse_replay(r["replay"])) == r["receipt"]
    for r in VECTORS["link_ids"]:
        assert L.link_id(r["token"]) == r["link"]
    v = VECTORS["seal"]
    opened = S.unseal(v["sealed"], S.private_key(v["private"]), v["receipt"])
    assert opened.decode() == v["plaintext"]
    with pytest.raises(S.Unsealed):
        S.unseal(v["sealed"], S.private_key(v["private"]), "0000-0000-0000")  # moved to another receipt


def test_every_token_reencodes_to_itself():
    for case in VECTORS["tokens"]:
        if case["repository"] == "ok":
            raw = L.unb64(case["token"])
            token = L.decode_body(raw[:-24])
            assert L.b64(L.encode_body(token) + raw[-24:]) == case["token"]


def test_link_for_one_record_cannot_change_another():
    token = L.verify_token(L.make_token(L.Token(L.HOLDER, 0, (L.Ref("provider", "day-sakura", 1),)), KEY), KEY, NOW)
    versions = {("provider", "day-sakura"): 1, ("provider", "home-aoba"): 1}
    L.authorise(token, "provider", "day-sakura", versions)
    with pytest.raises(L.LinkRefused) as exc:
        L.authorise(token, "provider", "home-aoba", versions)
    assert exc.value.reason == "not_allowed" and str(exc.value) == "このリンクでは、この情報は変更できません。"


def test_bumped_link_version_revokes():
    token = L.verify_token(L.make_token(L.Token(L.HOLDER, 0, (L.Ref("provider", "day-sakura", 1),)), KEY), KEY, NOW)
    with pytest.raises(L.LinkRefused) as exc:
        L.authorise(token, "provider", "day-sakura", {("provider", "day-sakura"): 2})
    assert exc.value.reason == "revoked"
    assert (
        str(exc.value)
        == "このリンクは無効になりました（新しいリンクが発行されています）。事務局にお問い合わせください。"
    )


def test_vectors_file_is_what_the_generator_writes():
    import subprocess
    import sys

    root = Path(__file__).parents[2]
    run = subprocess.run(
        [sys.executable, "scripts/make_relay_vectors.py", "--check"],
        cwd=root,
        env={"PYTHONPATH": str(root)},
        capture_output=True,
    )
    assert run.returncode == 0, run.stderr


def test_vectors_issue_text():
    from tsunagu.contribute.relay.drain import issue_text

    v, issue = VECTORS["seal"], VECTORS["issue"]
    title, body = issue_text(L.relay_key(KEY), "update", v["receipt"], L.link_id(issue["token"]), v["sealed"])
    assert (title, body) == (issue["title"], issue["body"])
