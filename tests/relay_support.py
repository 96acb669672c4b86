"""Shared helpers of the relay tests: keys, links and sealed submissions as the update page makes them."""

from __future__ import annotations

import json
import os

from tsunagu.contribute import links as L
from tsunagu.contribute.relay import seal as S

LINK_KEY = bytes.fromhex("11" * 32)
SEAL_PRIVATE = L.b64(bytes.fromhex("22" * 32))
SEAL_PUBLIC = S.public_key_text(SEAL_PRIVATE)
NOW = 1796000000  # fixed clock: 2026-12-01T20:53:20Z


def holder(kind: str, record_id: str, version: int = 1, expiry: int = 0, key: bytes = LINK_KEY) -> str:
    """A provider's or physician's own link token."""
    return L.make_token(L.Token(L.HOLDER, expiry, (L.Ref(kind, record_id, version),)), key)


def admin(login: str = "city-admin", expiry: int = NOW + 86400) -> str:
    """An admin's proxy-entry token."""
    return L.make_token(L.Token(L.ADMIN, expiry, (), login), LINK_KEY)


def submission(
    token: str,
    kind: str,
    record_id: str,
    answers: dict | None = None,
    *,
    confirm_only: bool = False,
    proxy: dict | None = None,
    note: str | None = None,
    replay: bytes | None = None,
) -> tuple[str, str, str]:
    """(sealed, receipt, replay) of a submission, sealed like the page does."""
    replay = replay or os.urandom(16)
    receipt = L.receipt_of(replay)
    body = {
        "v": 1,
        "type": "note" if note else "update",
        "token": token,
        "replay": L.b64(replay),
        "receipt": receipt,
        "record": {"kind": kind, "id": record_id},
        "confirm_only": confirm_only,
        "answers": answers or {},
        "proxy": proxy,
        "note": note,
        "sent_at": None,
    }
    return S.seal(json.dumps(body, ensure_ascii=False).encode(), SEAL_PUBLIC, receipt), receipt, L.b64(replay)
