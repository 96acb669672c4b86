"""Encrypt stage: a fresh content key per build, wrapped under a key derived from each password.

File format (every protected file, stored at its path + ".enc"):
    b"TSG1" | build id (8 bytes) | nonce (12 bytes) | AES-256-GCM ciphertext and tag
The associated data is the 12-byte header followed by the file's path, so a ciphertext moved to
another path, or to another build, fails to decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

MAGIC = b"TSG1"
SUFFIX = ".enc"
HEADER = 12


@dataclass(frozen=True)
class Keyring:
    """The build's content key and the public keys.json that lets each password unwrap it."""

    build_id: bytes
    content_key: bytes
    keys_json: bytes


def site_salt(site_id: str) -> bytes:
    """A salt that is the same for every build of one site, so stored keys survive data updates.

    All labels share it: the browser then derives once and tries each slot, instead of running
    600,000 iterations per label on a phone.
    """
    return hashlib.sha256(b"tsunagu/v1/salt\0" + site_id.encode()).digest()[:16]


def derive_key(password: str, salt: bytes, iterations: int) -> bytes:
    """PBKDF2-HMAC-SHA256, as WebCrypto does it in the browser."""
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations)
    return kdf.derive(password.encode("utf-8"))


def _wrap_aad(build_id: bytes) -> bytes:
    return b"tsunagu/v1/key\0" + build_id


def make_keyring(passwords: dict[str, str], site_id: str, iterations: int) -> Keyring:
    """A new content key, wrapped once per password, in a random order that hides the labels."""
    build_id, content_key = os.urandom(8), AESGCM.generate_key(bit_length=256)
    salt = site_salt(site_id)
    slots = []
    for password in passwords.values():
        nonce = os.urandom(12)
        wrapped = AESGCM(derive_key(password, salt, iterations)).encrypt(nonce, content_key, _wrap_aad(build_id))
        slots.append({"salt": _b64(salt), "iterations": iterations, "wrapped": _b64(nonce + wrapped)})
    slots.sort(key=lambda s: str(s["wrapped"]))
    keys = {"version": 1, "build": build_id.hex(), "kdf": "PBKDF2-SHA256", "cipher": "AES-256-GCM", "slots": slots}
    return Keyring(build_id, content_key, json.dumps(keys, indent=1).encode())


def unwrap(keys_json: bytes, password: str) -> bytes:
    """The content key that a password opens (raises InvalidTag for a wrong password)."""
    keys = json.loads(keys_json)
    build_id = bytes.fromhex(keys["build"])
    keks: dict[tuple[str, int], bytes] = {}  # slots share a salt: derive once, as the browser does
    for slot in keys["slots"]:
        blob = base64.b64decode(slot["wrapped"])
        params = (slot["salt"], slot["iterations"])
        if params not in keks:
            keks[params] = derive_key(password, base64.b64decode(slot["salt"]), slot["iterations"])
        kek = keks[params]
        try:
            return AESGCM(kek).decrypt(blob[:12], blob[12:], _wrap_aad(build_id))
        except InvalidTag:
            continue
    raise InvalidTag("no key slot opens with this password")


def encrypt_file(path: str, data: bytes, keyring: Keyring) -> bytes:
    """One file's ciphertext, bound to its path and build."""
    nonce = os.urandom(12)
    header = MAGIC + keyring.build_id
    return header + nonce + AESGCM(keyring.content_key).encrypt(nonce, data, header + path.encode())


def decrypt_file(path: str, blob: bytes, content_key: bytes) -> bytes:
    """The plaintext of one file (raises InvalidTag if it was changed, moved or mis-keyed)."""
    if blob[:4] != MAGIC:
        raise InvalidTag("not a tsunagu ciphertext")
    header, nonce = blob[:HEADER], blob[HEADER:HEADER + 12]
    return AESGCM(content_key).decrypt(nonce, blob[HEADER + 12:], header + path.encode())


def encrypt_files(files: dict[str, bytes], keyring: Keyring) -> dict[str, bytes]:
    """Every protected file as ciphertext at its path + '.enc'."""
    return {path + SUFFIX: encrypt_file(path, data, keyring) for path, data in files.items()}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
