"""Sealing a submission to the site's public key (ECDH P-256 + HKDF-SHA256 + AES-256-GCM), as the page does in WebCrypto."""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tsunagu.contribute.links import b64, unb64

SEAL_FORMAT = 1
INFO = b"tsunagu/seal/v1"
AAD_LABEL = b"tsunagu/seal/v1\x00"
MAX_PLAINTEXT = 16 * 1024


class Unsealed(ValueError):
    """A blob that does not open under this key (wrong key, tampered, or another receipt)."""


def new_private_key() -> str:
    """A fresh private scalar, base64url (the TSUNAGU_SEAL_KEY secret)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return b64(key.private_numbers().private_value.to_bytes(32, "big"))


def private_key(text: str) -> ec.EllipticCurvePrivateKey:
    """The private key from TSUNAGU_SEAL_KEY (base64url of 32 bytes)."""
    raw = unb64(text.strip())
    if len(raw) != 32:
        raise ValueError("TSUNAGU_SEAL_KEY: expected base64url of 32 bytes")
    return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())


def _raw(public: ec.EllipticCurvePublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def public_key_text(private_text: str) -> str:
    """The public key published in site.yaml (`seal_key`), base64url of the 65-byte point."""
    return b64(_raw(private_key(private_text).public_key()))


def _key(shared: bytes, eph: bytes, recipient: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=eph + recipient, info=INFO).derive(shared)


def seal(
    plaintext: bytes,
    public_text: str,
    receipt: str,
    *,
    eph_private: ec.EllipticCurvePrivateKey | None = None,
    nonce: bytes | None = None,
) -> str:
    """A sealed blob (tests and vectors; the page seals with WebCrypto the same way)."""
    recipient_raw = unb64(public_text)
    recipient = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), recipient_raw)
    eph_private = eph_private or ec.generate_private_key(ec.SECP256R1())
    eph = _raw(eph_private.public_key())
    key = _key(eph_private.exchange(ec.ECDH(), recipient), eph, recipient_raw)
    nonce = nonce or os.urandom(12)
    ct = AESGCM(key).encrypt(nonce, plaintext, AAD_LABEL + receipt.encode("ascii"))
    return b64(bytes([SEAL_FORMAT]) + eph + nonce + ct)


def unseal(blob: str, private: ec.EllipticCurvePrivateKey, receipt: str) -> bytes:
    """The plaintext of a sealed blob bound to this receipt, or Unsealed."""
    try:
        raw = unb64(blob)
        if len(raw) < 1 + 65 + 12 + 16 or raw[0] != SEAL_FORMAT:
            raise Unsealed("format")
        eph, nonce, ct = raw[1:66], raw[66:78], raw[78:]
        eph_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), eph)
        key = _key(private.exchange(ec.ECDH(), eph_key), eph, _raw(private.public_key()))
        plaintext = AESGCM(key).decrypt(nonce, ct, AAD_LABEL + receipt.encode("ascii"))
    except Unsealed:
        raise
    except Exception as exc:  # bad point, bad tag, bad base64: all the same to the sender
        raise Unsealed("does not open") from exc
    if len(plaintext) > MAX_PLAINTEXT:
        raise Unsealed("too large")
    return plaintext
