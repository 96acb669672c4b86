"""Personal update links (capability URLs): make and verify tokens; format in docs/relay-protocol.md § 2–3."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tsunagu.domain.errors import TsunaguError

FORMAT = 1
HOLDER, ADMIN, NOTE = 0, 1, 2
PURPOSES = (HOLDER, ADMIN, NOTE)
KIND_CODE = {"provider": 1, "physician": 2}
KIND_NAME = {v: k for k, v in KIND_CODE.items()}
MAX_RECORDS = 32
MAC_LEN, RTAG_LEN = 16, 8
MAC_LABEL = b"tsunagu/link/v1\x00"
RELAY_LABEL = b"tsunagu/relay/v1\x00"
RECEIPT_LABEL = b"tsunagu/receipt/v1\x00"
LINK_ID_LABEL = b"tsunagu/link-id/v1\x00"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{40,2048}$")
REPLAY_RE = re.compile(r"^[A-Za-z0-9_-]{22}$")
RECEIPT_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
_ID_RE = re.compile(rb"^[a-z0-9][a-z0-9-]{1,63}$")
_LOGIN_RE = re.compile(rb"^[A-Za-z0-9][A-Za-z0-9-]{0,38}$")
_HEX_KEY_RE = re.compile(r"^[0-9a-fA-F]{64}$")


class LinkRefused(TsunaguError):
    """A token that must not be acted on; `reason` is one of the codes of the protocol (§ 7)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(REASONS_JA.get(reason, reason))


REASONS_JA = {
    "bad_token": "このリンクは正しくありません。届いた案内のリンクをもう一度開くか、事務局にお問い合わせください。",
    "expired": "このリンクは有効期限が切れています。新しいリンクを事務局にお問い合わせください。",
    "revoked": "このリンクは無効になりました（新しいリンクが発行されています）。事務局にお問い合わせください。",
    "not_allowed": "このリンクでは、この情報は変更できません。",
    "unknown_record": "この情報は名簿に見つかりませんでした。事務局にお問い合わせください。",
    "invalid": "送信内容に誤りがあり、反映できませんでした。もう一度入力してください。",
    "unsealed": "送信内容を開けませんでした。もう一度送信してください。",
}


@dataclass(frozen=True, order=True)
class Ref:
    """One record a token covers: its kind, id and the link version it was issued for."""

    kind: str
    id: str
    version: int = 1


@dataclass(frozen=True)
class Token:
    """A decoded link: what it lets its holder do, until when, for which records."""

    purpose: int
    expiry: int  # Unix seconds; 0 = none
    records: tuple[Ref, ...]
    login: str | None = None  # admin links: who enters by proxy


def parse_key(text: str | None, name: str = "TSUNAGU_LINK_KEY") -> bytes:
    """A 32-byte key from its 64 hex characters, or an error naming the variable."""
    if not text or not _HEX_KEY_RE.match(text.strip()):
        raise TsunaguError(
            f"{name}: expected 64 hex characters (32 random bytes, "
            "made by `python build.py link-keys`); got "
            f"{'nothing' if not text else f'{len(text.strip())} characters'}"
        )
    return bytes.fromhex(text.strip())


def _hkdf(key: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(key)


def mac_key(link_key: bytes) -> bytes:
    """K_mac: the key of the link MAC (admins and CI)."""
    return _hkdf(link_key, b"tsunagu/link/v1/mac")


def relay_key(link_key: bytes) -> bytes:
    """K_relay: the relay's subkey; it checks tags with it and cannot forge the MAC."""
    return _hkdf(link_key, b"tsunagu/link/v1/relay")


def b64(data: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    """Canonical base64url without padding: the only string that encodes these bytes, or ValueError."""
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:
        raise ValueError("not base64url") from exc
    if b64(data) != text:  # nonzero unused bits: a second spelling of the same bytes
        raise ValueError("not canonical")
    return data


def encode_body(token: Token) -> bytes:
    """The canonical body bytes of a token (refuses what no verifier would accept)."""
    if token.purpose not in PURPOSES or not 0 <= token.expiry < 2**32:
        raise ValueError("bad purpose or expiry")
    records = sorted(token.records, key=lambda r: (KIND_CODE[r.kind], r.id.encode()))
    if len(set((r.kind, r.id) for r in records)) != len(records):
        raise ValueError("a record twice")
    if token.purpose == ADMIN:
        if records or not token.expiry or not token.login:
            raise ValueError("an admin link covers every record, expires, and names its admin")
    elif not 1 <= len(records) <= MAX_RECORDS or token.login:
        raise ValueError(f"a link covers 1..{MAX_RECORDS} records")
    out = bytearray(struct.pack(">BBIB", FORMAT, token.purpose, token.expiry, len(records)))
    for ref in records:
        rid = ref.id.encode("ascii")
        if not _ID_RE.match(rid) or not 1 <= ref.version <= 65535:
            raise ValueError(f"bad record {ref}")
        out += struct.pack(">BHB", KIND_CODE[ref.kind], ref.version, len(rid)) + rid
    if token.purpose == ADMIN:
        login = (token.login or "").encode("ascii")
        if not _LOGIN_RE.match(login):
            raise ValueError("bad login")
        out += bytes([len(login)]) + login
    return bytes(out)


def decode_body(body: bytes) -> Token:
    """Parse body bytes exactly to their end, or ValueError (any deviation from the one encoding)."""
    if len(body) < 7:
        raise ValueError("short")
    fmt, purpose, expiry, n = struct.unpack(">BBIB", body[:7])
    if fmt != FORMAT or purpose not in PURPOSES:
        raise ValueError("format")
    pos, records = 7, []
    for _ in range(n):
        if pos + 4 > len(body):
            raise ValueError("short")
        kind, version, length = struct.unpack(">BHB", body[pos : pos + 4])
        rid = body[pos + 4 : pos + 4 + length]
        if kind not in KIND_NAME or version == 0 or len(rid) != length or not _ID_RE.match(rid):
            raise ValueError("record")
        records.append(Ref(KIND_NAME[kind], rid.decode("ascii"), version))
        pos += 4 + length
    login = None
    if purpose == ADMIN:
        length = body[pos] if pos < len(body) else 0
        raw = body[pos + 1 : pos + 1 + length]
        if len(raw) != length or not _LOGIN_RE.match(raw):
            raise ValueError("login")
        login, pos = raw.decode("ascii"), pos + 1 + length
    token = Token(purpose, expiry, tuple(records), login)
    if pos != len(body) or encode_body(token) != body:  # order, duplicates, limits: one encoding only
        raise ValueError("not canonical")
    return token


def _split(text: str) -> tuple[bytes, bytes, bytes]:
    if not isinstance(text, str) or not TOKEN_RE.match(text):
        raise LinkRefused("bad_token")
    try:
        raw = unb64(text)
    except ValueError:
        raise LinkRefused("bad_token") from None
    body, mac, rtag = raw[: -MAC_LEN - RTAG_LEN], raw[-MAC_LEN - RTAG_LEN : -RTAG_LEN], raw[-RTAG_LEN:]
    return body, mac, rtag


def make_token(token: Token, link_key: bytes) -> str:
    """The link's text form: base64url(body ‖ mac ‖ relay tag)."""
    body = encode_body(token)
    mac = hmac.new(mac_key(link_key), MAC_LABEL + body, "sha256").digest()[:MAC_LEN]
    rtag = hmac.new(relay_key(link_key), RELAY_LABEL + body + mac, "sha256").digest()[:RTAG_LEN]
    return b64(body + mac + rtag)


def _parse(body: bytes) -> Token:
    try:
        return decode_body(body)
    except (ValueError, IndexError, struct.error):
        raise LinkRefused("bad_token") from None


def relay_check(text: str, k_relay: bytes, now: int) -> Token:
    """What the relay checks with its subkey only: canonical form, expiry, relay tag."""
    body, mac, rtag = _split(text)
    token = _parse(body)
    if token.expiry and now >= token.expiry:
        raise LinkRefused("expired")
    want = hmac.new(k_relay, RELAY_LABEL + body + mac, "sha256").digest()[:RTAG_LEN]
    if not hmac.compare_digest(want, rtag):
        raise LinkRefused("bad_token")
    return token


def verify_token(text: str, link_key: bytes, now: int) -> Token:
    """The repository's check of the MAC and expiry; revocation is checked against the records (`authorise`)."""
    body, mac, _ = _split(text)
    want = hmac.new(mac_key(link_key), MAC_LABEL + body, "sha256").digest()[:MAC_LEN]
    if not hmac.compare_digest(want, mac):
        raise LinkRefused("bad_token")
    token = _parse(body)
    if token.expiry and now >= token.expiry:
        raise LinkRefused("expired")
    return token


def authorise(token: Token, kind: str, record_id: str, versions: dict[tuple[str, str], int]) -> None:
    """Whether this token may act on (kind, id) now: every record it names exists at its version, and covers this one."""
    for ref in token.records:
        current = versions.get((ref.kind, ref.id))
        if current is None:
            raise LinkRefused("unknown_record")
        if current != ref.version:
            raise LinkRefused("revoked")
    if (kind, record_id) not in versions:
        raise LinkRefused("unknown_record")
    if token.purpose != ADMIN and not any(r.kind == kind and r.id == record_id for r in token.records):
        raise LinkRefused("not_allowed")


def receipt_of(replay: bytes) -> str:
    """The receipt number people see: 60 bits of a hash of the replay id, Crockford base32, XXXX-XXXX-XXXX."""
    bits = int.from_bytes(hashlib.sha256(RECEIPT_LABEL + replay).digest()[:8], "big") >> 4
    symbols = "".join(CROCKFORD[(bits >> (55 - 5 * i)) & 31] for i in range(12))
    return f"{symbols[:4]}-{symbols[4:8]}-{symbols[8:]}"


def parse_replay(text: str) -> bytes:
    """A replay id's 16 bytes, or ValueError."""
    if not isinstance(text, str) or not REPLAY_RE.match(text):
        raise ValueError("replay")
    raw = unb64(text)
    if len(raw) != 16:
        raise ValueError("replay")
    return raw


def link_id(token_text: str) -> str:
    """The link's public name (rate limits, the issue's `link:` line): 128 bits of a hash of the token."""
    return hashlib.sha256(LINK_ID_LABEL + token_text.encode("ascii")).hexdigest()[:32]


def note_tokens(link_key: bytes):
    """(kind, id, link_version) -> the note-only token a record page carries for 「情報が違う」."""

    def make(kind: str, record_id: str, version: int) -> str:
        return make_token(Token(NOTE, 0, (Ref(kind, record_id, version),)), link_key)

    return make


def link_url(base_url: str, token_text: str) -> str:
    """The address people open: <site>/update/#<token>."""
    return f"{base_url.rstrip('/')}/update/#{token_text}"
