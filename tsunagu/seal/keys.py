"""Key hierarchy and key slots (keys.json): one root key per password set, every other key derived from it.

Root R = HKDF-Extract(site salt, PBKDF2-SHA256(canonical password set)); K_enc, the nonce key, the
pack-grouping key and the page-token key are HKDF-Expand(R, "tsunagu/v2/<purpose>"). R changes when
any password is added, changed or removed (revocation) and stays the same across data updates
(unchanged files stay byte-identical). Each password gets a slot: K_enc wrapped with AES-GCM under
PBKDF2(password, site salt), with a synthetic nonce and the build's epoch and root-manifest hash as
associated data.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import re
import struct
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

from tsunagu.domain.config import Config
from tsunagu.seal import wire

# What the browser accepts (tests may build with fewer iterations; check_keys says what a browser would refuse).
VERSION, KDF, CIPHER = wire.KEYS_VERSION, wire.KDF, wire.CIPHER
MIN_ITERATIONS, MAX_ITERATIONS = wire.MIN_ITERATIONS, wire.MAX_ITERATIONS
SLOT_AD = wire.SLOT_AD.encode()
_SALT = re.compile(f"[A-Za-z0-9+/]{{{-(-wire.SALT_BYTES * 4 // 3)}}}={{{(3 - wire.SALT_BYTES % 3) % 3}}}")
_ROOT = re.compile(f"{re.escape(wire.FILE_DIR)}[0-9a-f]{{{wire.SHORT_HASH_HEX}}}{re.escape(wire.FILE_SUFFIX)}")


class UnsafeKeys(ValueError):
    """keys.json asks for a version, KDF, cipher or iteration count the browser does not accept."""


@dataclass(frozen=True)
class RootKeys:
    """The keys every build of one password set shares."""

    content: bytes  # K_enc: AES-256-GCM key of every entry
    nonce: bytes  # HMAC key of synthetic nonces
    group: bytes  # HMAC key that places entries in packs and cuts shared files into parts
    page: bytes  # HMAC key of record page names


def derive_key(password: str, salt: bytes, iterations: int) -> bytes:
    """PBKDF2-HMAC-SHA256 of the NFC UTF-8 password, as WebCrypto does it in the browser."""
    return hashlib.pbkdf2_hmac("sha256", unicodedata.normalize("NFC", password).encode(), salt, iterations)


def canonical(passwords: dict[str, str]) -> bytes:
    """The password set as one string: length-prefixed NFC UTF-8 (label, password) pairs sorted by label."""
    out = bytearray()
    for label in sorted(passwords):
        for text in (label, passwords[label]):
            raw = unicodedata.normalize("NFC", text).encode()
            out += struct.pack(">I", len(raw)) + raw
    return bytes(out)


def expand(root: bytes, purpose: str) -> bytes:
    """HKDF-Expand(R, "tsunagu/v2/<purpose>") to 32 bytes."""
    return HKDFExpand(hashes.SHA256(), 32, f"tsunagu/v2/{purpose}".encode()).derive(root)


def root_keys(passwords: dict[str, str], salt: bytes, iterations: int) -> RootKeys:
    """R and its derived keys for one password set and site salt."""
    return _cached_root(canonical(passwords), salt, iterations)


@functools.lru_cache(maxsize=8)
def _cached_root(canon: bytes, salt: bytes, iterations: int) -> RootKeys:
    stretched = hashlib.pbkdf2_hmac("sha256", canon, b"tsunagu/v2/root\0" + salt, iterations)
    root = hmac.new(salt, stretched, hashlib.sha256).digest()  # HKDF-Extract(salt, IKM)
    return RootKeys(*(expand(root, p) for p in ("content", "nonce", "pack-group", "page-token")))


def page_key(config: Config, salt_hex: str | None) -> str:
    """The page-token key of a build (hex): record page names are HMACs of ids under it."""
    salt = bytes.fromhex(salt_hex) if salt_hex else b""
    return root_keys(config.effective_passwords(), salt, config.iterations).page.hex()


def synthetic_nonce(nonce_key: bytes, ad: bytes, payload: bytes, generation: bytes = b"") -> bytes:
    """HMAC-SHA256(nonce key, len(AD) ‖ AD ‖ SHA-256(payload) [‖ generation])[:12]: a new payload never
    reuses a nonce; a generation (files sealed together) gives the same payload a new nonce when it changes."""
    msg = struct.pack(">I", len(ad)) + ad + hashlib.sha256(payload).digest() + generation
    return hmac.new(nonce_key, msg, hashlib.sha256).digest()[:12]


def slot_ad(epoch: int, root_hash: bytes) -> bytes:
    """What every slot is bound to: the build's epoch and the hash of its root manifest."""
    return SLOT_AD + struct.pack(">Q", epoch) + root_hash


def make_keys_json(
    passwords: dict[str, str],
    salt: bytes,
    iterations: int,
    keys: RootKeys,
    epoch: int,
    root_name: str,
    root_hash: bytes,
    keks: Sequence[bytes] | None = None,
) -> bytes:
    """The public keys.json: canonical JSON, no labels, slots sorted; keks, if given, are the passwords' derived
    keys in their order (derive_key: the slow part, which the build runs beside the packing)."""
    ad = slot_ad(epoch, root_hash)
    slots = []
    for i, password in enumerate(passwords.values()):
        kek = keks[i] if keks is not None else derive_key(password, salt, iterations)
        # Domain-separated from file nonces; the payload hash makes a new K_enc take a new nonce.
        nonce = synthetic_nonce(keys.nonce, b"slot" + ad, keys.content + kek_id(kek))
        slots.append(_b64(nonce + AESGCM(kek).encrypt(nonce, keys.content, ad)))
    doc = {
        "cipher": CIPHER,
        "epoch": epoch,
        "iterations": iterations,
        "kdf": KDF,
        "root": root_name,
        "root_sha256": root_hash.hex(),
        "salt": _b64(salt),
        "slots": sorted(slots),
        "version": VERSION,
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


def check_keys(doc: object) -> dict[str, Any]:
    """keys.json as the browser accepts it (seal.js checkKeys): never a weaker KDF, cipher or iteration count."""
    d = doc if isinstance(doc, dict) else {}
    ok = (
        _integer(d.get("version"))
        and d["version"] == VERSION
        and d.get("kdf") == KDF
        and d.get("cipher") == CIPHER
        and _integer(d.get("iterations"))
        and MIN_ITERATIONS <= d["iterations"] <= MAX_ITERATIONS
        and isinstance(d.get("salt"), str)
        and _SALT.fullmatch(d["salt"]) is not None
        and _integer(d.get("epoch"))
        and 0 <= d["epoch"] <= 2**53 - 1
        and isinstance(d.get("root"), str)
        and _ROOT.fullmatch(d["root"]) is not None
        and isinstance(d.get("root_sha256"), str)
        and re.fullmatch("[0-9a-f]{64}", d["root_sha256"]) is not None
        and isinstance(d.get("slots"), list)
        and len(d["slots"]) > 0
        and all(isinstance(x, str) for x in d["slots"])
    )
    if not ok:
        raise UnsafeKeys("keys.json is not one this version accepts")
    return d


def _integer(value: object) -> bool:
    """An integer as JSON gives it to the browser (Number.isInteger): 5.0 counts, True does not."""
    return (type(value) is int) or (type(value) is float and value.is_integer())


def kek_id(kek: bytes) -> bytes:
    """A one-way tag of a slot's key, so two passwords never share a wrap nonce (the tag stays secret)."""
    return hashlib.sha256(b"tsunagu/v2/kek\0" + kek).digest()


def unwrap(keys_json: bytes, password: str) -> bytes:
    """The content key a password opens (InvalidTag for a wrong password or a tampered keys.json)."""
    return unwrap_with_kek(keys_json, derive_key(password, *_kdf_params(keys_json)))


def unwrap_with_kek(keys_json: bytes, kek: bytes) -> bytes:
    """The content key a stored password-derived key opens: what a remembered device does."""
    doc = json.loads(keys_json)
    ad = slot_ad(doc["epoch"], bytes.fromhex(doc["root_sha256"]))
    for slot in doc["slots"]:
        blob = base64.b64decode(slot)
        try:
            return AESGCM(kek).decrypt(blob[:12], blob[12:], ad)
        except InvalidTag:
            continue
    raise InvalidTag("no key slot opens with this password")


def _kdf_params(keys_json: bytes) -> tuple[bytes, int]:
    doc = json.loads(keys_json)
    if (doc.get("version"), doc.get("kdf"), doc.get("cipher")) != (VERSION, KDF, CIPHER):
        raise InvalidTag("unknown keys.json version, kdf or cipher")
    return base64.b64decode(doc["salt"]), int(doc["iterations"])


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
