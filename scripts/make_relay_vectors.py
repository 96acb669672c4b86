#!/usr/bin/env python3
"""Writes tests/vectors/relay-token.json: the token, receipt, link-id and sealing vectors of docs/relay-protocol.md."""

from __future__ import annotations

import hashlib
import hmac
import json
import struct
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

from tsunagu.contribute import links as L
from tsunagu.contribute.relay import seal as S
from tsunagu.contribute.relay.drain import issue_text

NOW = 1796000000  # 2026-12-01T20:53:20Z, the clock every case is checked at
LINK_KEY = bytes.fromhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
OTHER_KEY = bytes.fromhex("ff" * 32)


def signed(body: bytes, key: bytes = LINK_KEY, mac: bytes | None = None) -> str:
    """Tags any body bytes (even ones no encoder makes), so the parser's refusals can be tested."""
    mac = mac if mac is not None else hmac.new(L.mac_key(key), L.MAC_LABEL + body, "sha256").digest()[:16]
    rtag = hmac.new(L.relay_key(key), L.RELAY_LABEL + body + mac, "sha256").digest()[:8]
    return L.b64(body + mac + rtag)


def flip(text: str, index: int) -> str:
    """The token with one byte changed (index into the decoded bytes)."""
    raw = bytearray(L.unb64(text))
    raw[index] ^= 0x01
    return L.b64(bytes(raw))


def rec(kind: int, version: int, rid: bytes) -> bytes:
    return struct.pack(">BHB", kind, version, len(rid)) + rid


def cases() -> list[dict]:
    one = L.Token(L.HOLDER, 0, (L.Ref("provider", "day-sakura", 1),))
    group = L.Token(
        L.HOLDER,
        NOW + 30 * 86400,
        (L.Ref("provider", "home-aoba", 2), L.Ref("provider", "day-sakura", 1), L.Ref("physician", "yamada-naika", 1)),
    )
    admin = L.Token(L.ADMIN, NOW + 86400, (), "city-admin")
    note = L.Token(L.NOTE, 0, (L.Ref("physician", "yamada-naika", 3),))
    expired = L.Token(L.HOLDER, NOW, (L.Ref("provider", "day-sakura", 1),))
    t_one = L.make_token(one, LINK_KEY)
    head = struct.pack(">BBIB", 1, 0, 0, 2)
    ok_body = L.encode_body(one)
    bogus_mac = bytes(16)
    out = [
        ("holder, one record, no expiry", t_one, "ok", "ok"),
        ("holder, a 法人's three records, expires in 30 days", L.make_token(group, LINK_KEY), "ok", "ok"),
        ("admin (proxy entry), any record, expires", L.make_token(admin, LINK_KEY), "ok", "ok"),
        ("note token of a record page", L.make_token(note, LINK_KEY), "ok", "ok"),
        ("expiry equal to now", L.make_token(expired, LINK_KEY), "expired", "expired"),
        ("record id changed (body byte flipped)", flip(t_one, 12), "bad_token", "bad_token"),
        ("mac byte flipped (the relay tag binds the mac)", flip(t_one, len(ok_body) + 3), "bad_token", "bad_token"),
        ("relay tag byte flipped", flip(t_one, len(ok_body) + 16 + 2), "bad_token", "ok"),
        ("made with another link key", L.make_token(one, OTHER_KEY), "bad_token", "bad_token"),
        (
            "relay-made: valid relay tag over a guessed mac (the relay cannot forge)",
            signed(ok_body, mac=bogus_mac),
            "ok",
            "bad_token",
        ),
        ("padding '=' appended", t_one + "=", "bad_token", "bad_token"),
        (
            "records out of order",
            signed(head + rec(1, 1, b"home-aoba") + rec(1, 1, b"day-sakura")),
            "bad_token",
            "bad_token",
        ),
        (
            "a record twice",
            signed(head + rec(1, 1, b"day-sakura") + rec(1, 1, b"day-sakura")),
            "bad_token",
            "bad_token",
        ),
        ("a byte after the last record", signed(ok_body + b"\x00"), "bad_token", "bad_token"),
        (
            "link version 0",
            signed(struct.pack(">BBIB", 1, 0, 0, 1) + rec(1, 0, b"day-sakura")),
            "bad_token",
            "bad_token",
        ),
        ("format byte 2", signed(b"\x02" + ok_body[1:]), "bad_token", "bad_token"),
        ("purpose 3", signed(ok_body[:1] + b"\x03" + ok_body[2:]), "bad_token", "bad_token"),
        (
            "upper-case id",
            signed(struct.pack(">BBIB", 1, 0, 0, 1) + rec(1, 1, b"Day-sakura")),
            "bad_token",
            "bad_token",
        ),
        (
            "admin link without expiry",
            signed(struct.pack(">BBIB", 1, 1, 0, 0) + b"\x0acity-admin"),
            "bad_token",
            "bad_token",
        ),
        ("too short", t_one[:30], "bad_token", "bad_token"),
    ]
    # A second spelling of the same bytes: nonzero unused bits in the last character.
    last = next(t for _, t, relay, _ in out if relay == "ok" and len(t) % 4)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    noncanon = last[:-1] + alphabet[alphabet.index(last[-1]) + 1]
    out.append(("same bytes, nonzero unused bits (not canonical)", noncanon, "bad_token", "bad_token"))
    result = []
    for name, token, relay, repository in out:
        entry = {"name": name, "token": token, "relay": relay, "repository": repository}
        if relay == "ok" or relay == "expired":
            try:
                t = L.decode_body(L.unb64(token)[:-24])
                entry["decoded"] = {
                    "purpose": t.purpose,
                    "expiry": t.expiry,
                    "login": t.login,
                    "records": [{"kind": r.kind, "id": r.id, "link_version": r.version} for r in t.records],
                }
            except ValueError:
                pass
        result.append(entry)
    return result


def check(entry: dict, k_relay: bytes) -> tuple[str, str]:
    """What the implementation says about a case at NOW (the vectors are tested against it)."""

    def outcome(fn, key):
        try:
            fn(entry["token"], key, NOW)
            return "ok"
        except L.LinkRefused as exc:
            return exc.reason

    return outcome(L.relay_check, k_relay), outcome(L.verify_token, LINK_KEY)


def vectors() -> dict:
    replays = [bytes(16), bytes(range(16)), hashlib.sha256(b"x").digest()[:16]]
    seal_private = L.b64(hashlib.sha256(b"tsunagu seal vector").digest())
    eph = ec.derive_private_key(int.from_bytes(hashlib.sha256(b"ephemeral").digest(), "big"), ec.SECP256R1())
    nonce = bytes(range(12))
    plaintext = json.dumps(
        {"v": 1, "type": "update", "record": {"kind": "provider", "id": "day-sakura"}}, ensure_ascii=False
    ).encode()
    receipt = L.receipt_of(replays[1])
    tokens = cases()
    sealed = S.seal(plaintext, S.public_key_text(seal_private), receipt, eph_private=eph, nonce=nonce)
    title, body = issue_text(L.relay_key(LINK_KEY), "update", receipt, L.link_id(tokens[0]["token"]), sealed)
    return {
        "about": "docs/relay-protocol.md; regenerate with python scripts/make_relay_vectors.py",
        "now": NOW,
        "link_key": LINK_KEY.hex(),
        "k_mac": L.mac_key(LINK_KEY).hex(),
        "k_relay": L.relay_key(LINK_KEY).hex(),
        "tokens": tokens,
        "receipts": [{"replay": L.b64(r), "receipt": L.receipt_of(r)} for r in replays],
        "link_ids": [{"token": t["token"], "link": L.link_id(t["token"])} for t in tokens[:2]],
        "seal": {
            "private": seal_private,
            "public": S.public_key_text(seal_private),
            "ephemeral_private": L.b64(eph.private_numbers().private_value.to_bytes(32, "big")),
            "nonce": L.b64(nonce),
            "receipt": receipt,
            "plaintext": plaintext.decode(),
            "sealed": sealed,
        },
        "issue": {"token": tokens[0]["token"], "title": title, "body": body},
    }


def main() -> None:
    data = vectors()
    k_relay = bytes.fromhex(data["k_relay"])
    for entry in data["tokens"]:
        assert check(entry, k_relay) == (entry["relay"], entry["repository"]), entry
    path = Path(__file__).resolve().parent.parent / "tests" / "vectors" / "relay-token.json"
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    if "--check" in sys.argv:
        sys.exit(0 if path.read_text(encoding="utf-8") == text else 1)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
