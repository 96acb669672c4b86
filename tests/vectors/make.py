"""The wire-format test vectors: `python tests/vectors/make.py` writes tests/vectors/*.json from the build's own code.

Python (tests/seal/test_vectors.py) and Node (tests/js/*.test.mjs) check their side against the same files, so a
constant or rule changed on one side only fails a test. Every input is fixed (keys, salt, epoch, texts): the
files are the same on every run, and a test fails when the code would write anything else.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # vector_cases.py, beside this file
if __name__ == "__main__":  # run as a script from the checkout: the package beside it, not an installed copy
    sys.path.insert(0, str(HERE.parents[1]))

from vector_cases import HOSTILE, keys_variants  # noqa: E402

from tsunagu.seal import encrypt, keys, locator, packs, rows, wire  # noqa: E402
from tsunagu.seal import reader as sealed_reader  # noqa: E402
from tsunagu.search import textsearch  # noqa: E402

SALT = bytes(range(16))
EPOCH = 1_800_000_000
PASSWORD = unicodedata.normalize("NFD", "ガイド・パスワード ｶﾀｶﾅ 2026")  # decomposed: both sides must take NFC
PLACES = ("茨城県", "さくら市")  # on nearly every address of the region: no search words
# The region's other place words, longest first, as places.region_places gives them (whole-word terms).
PLACE_WORDS = ("京都市", "水戸市", "中央区", "京都", "水戸")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _keys_vectors() -> dict:
    """keys.json at the browser's iterations, one slot unwrapped by a known password; the table of refusals."""
    root = keys.root_keys({"caremanagers": PASSWORD}, SALT, wire.MIN_ITERATIONS)
    root_name, root_hash = packs.file_name("0" * wire.SHORT_HASH_HEX), hashlib.sha256(b"root").digest()
    text = keys.make_keys_json({"caremanagers": PASSWORD}, SALT, wire.MIN_ITERATIONS, root, EPOCH, root_name, root_hash)
    low = keys.root_keys({"a": "low-iterations"}, SALT, 1000)
    low_text = keys.make_keys_json({"a": "low-iterations", "b": "second"}, SALT, 1000, low, EPOCH, root_name, root_hash)
    doc = json.loads(text)
    return {
        "about": "keys.json as built, unwrapped with a known password; `checks`: what the browser accepts",
        "password": PASSWORD,
        "wrong_password": PASSWORD + "x",
        "keys_json": text.decode(),
        "kek": keys.derive_key(PASSWORD, SALT, wire.MIN_ITERATIONS).hex(),
        "content_key": b64(root.content),
        "slot_ad": keys.slot_ad(EPOCH, root_hash).hex(),
        "low_iterations": {
            "about": "marked: 1,000 iterations, below what the browser accepts; only the slot unwrap "
            "is checked (deriveKek and unwrapContentKey, never checkKeys)",
            "keys_json": low_text.decode(),
            "passwords": ["low-iterations", "second"],
            "content_key": b64(low.content),
        },
        "checks": [
            {
                "why": why,
                "keys_json": json.dumps(variant, ensure_ascii=False) if not isinstance(variant, str) else variant,
                "accept": _accepts(variant),
            }
            for why, variant in keys_variants(doc, SALT)
        ],
    }


def _accepts(variant: object) -> bool:
    try:
        keys.check_keys(json.loads(variant) if isinstance(variant, str) else variant)
    except keys.UnsafeKeys:
        return False
    return True


def _entry(root: keys.RootKeys, kind: str, path: str, part: int, parts: int, plain: bytes, flag: int) -> dict:
    body = plain if flag == wire.STORED else encrypt.deflate([plain], flush_each=False)
    payload, ad = encrypt.frame(body, flag), encrypt.entry_ad(path, part, parts)
    blob = encrypt.seal(root, ad, payload)
    return {
        "kind": kind,
        "path": path,
        "part": part,
        "parts": parts,
        "plain": b64(plain),
        "flag": flag,
        "payload": b64(payload),
        "ad": ad.hex(),
        "nonce": keys.synthetic_nonce(root.nonce, ad, payload).hex(),
        "blob": b64(blob),
    }


def _entries_vectors(root: keys.RootKeys) -> dict:
    """One sealed entry of each kind, Padmé's buckets, the associated data of each label, bad framings."""
    page = "<!doctype html><title>デイサービスさくら</title><p>入浴は午前のみ 029-000-1011</p>".encode()
    rows = "事業所名,新規受入\r\nデイサービスさくら,受入可\r\n".encode() * 8
    deflated = encrypt.deflate([b"abc" * 40], flush_each=False)
    bad = {
        "flag 2": bytes([2]) + (3).to_bytes(4, "big") + b"abc",
        "a length past the end": encrypt.frame(b"abc", wire.STORED)[:1] + (9999).to_bytes(4, "big") + bytes(251),
        "padding that is not zero": encrypt.frame(b"abc", wire.STORED)[:-1] + b"\x01",
        "shorter than its header": b"\x00\x00\x00",
        "a truncated deflate stream": encrypt.frame(deflated[:-4], wire.DEFLATE),
        "bytes after the deflate stream": encrypt.frame(deflated + b"\x00\x01", wire.DEFLATE),
    }
    return {
        "about": "sealed entries (nonce ‖ AES-256-GCM) under content_key with synthetic nonces from nonce_key",
        "content_key": b64(root.content),
        "nonce_key": b64(root.nonce),
        "padme": [[n, encrypt.padme(n)] for n in (0, 1, 256, 257, 1000, 4097, 5000, 70_000, 1_000_000, 123_456_789)],
        "entries": [
            _entry(
                root, "record page", packs.placement("pagefind/fragment/zz_k3j2.pf_fragment"), 0, 1, page, wire.DEFLATE
            ),
            _entry(root, "part of a shared page", "status/index.html", 1, 3, page * 3, wire.DEFLATE),
            _entry(root, "part of a data file", "data/status.csv", 2, 2, rows, wire.DEFLATE),
            _entry(
                root,
                "Pagefind file (gzip already: stored)",
                "pagefind/pagefind-entry.json",
                0,
                1,
                b'{"version":"1.5.2"}',
                wire.STORED,
            ),
            _entry(root, "a path in Japanese", "データ/日本語.html", 0, 1, "ｶﾀｶﾅ".encode(), wire.STORED),
        ],
        "ads": {
            "entry r/a.html 258 65539": encrypt.entry_ad("r/a.html", 258, 65539).hex(),
            "dir 0": (packs.DIR_AD + (0).to_bytes(4, "big")).hex(),
            "dir 258": (packs.DIR_AD + (258).to_bytes(4, "big")).hex(),
            "root": packs.ROOT_AD.hex(),
            "loc 16": locator.ad(16).hex(),
            "slot": keys.slot_ad(EPOCH, bytes(range(32))).hex(),
        },
        "bad_frames": [
            {"why": why, "payload": b64(payload), "valid": _frames(payload)} for why, payload in bad.items()
        ],
    }


def _frames(payload: bytes) -> bool:
    try:
        encrypt.unframe(payload)
    except ValueError:
        return False
    return True


def _pack_vectors(root: keys.RootKeys) -> dict:
    """A small built site: its packs, files of their own, locator part and root manifest, and what each path holds."""
    plain = {
        "r/k3j2.html": "<h1>デイサービスさくら</h1>".encode(),
        "r/m7q4.html": "<h1>やまだ内科クリニック</h1>".encode(),
        "pagefind/fragment/zz_k3j2.pf_fragment": b"\x1f\x8bfragment",
        "status/index.html": "<h1>受入状況一覧</h1>".encode(),
    }
    sealed = [
        packs.SealedEntry(path, 0, 1, encrypt.seal(root, encrypt.entry_ad(path, 0, 1), encrypt.frame(body, 0)))
        for path, body in plain.items()
    ]
    files, root_name, root_hash = packs.build_packs(sealed, root)
    reader = sealed_reader.Reader(files, root.content, root_name, root_hash)
    numbers = [n for n, d in enumerate(reader.root["dirs"]) if d is not None]
    return {
        "about": "build_packs over four entries: the files (name -> bytes), the root manifest and a pack's directory "
        "as read, and each path's slot, pack and locator tag",
        "content_key": b64(root.content),
        "group_key": b64(root.group),
        "root_name": root_name,
        "root_sha256": root_hash.hex(),
        "files": {name: b64(blob) for name, blob in sorted(files.items())},
        "root": reader.root,
        "directories": {str(n): [list(e) for e in reader.directory(n)["entries"].values()] for n in numbers},
        "paths": [
            {
                "path": path,
                "plain": b64(body),
                "placement": packs.placement(path),
                "slot": packs.slot_of(root.group, path, 0).hex(),
                "packs": {
                    str(c): int.from_bytes(packs.slot_of(root.group, path, 0)[:4], "big") % c for c in (1, 7, 256, 1024)
                },
                "solo": packs.is_solo(path),
            }
            for path, body in plain.items()
        ],
    }


def _rows_vectors(root: keys.RootKeys) -> dict:
    """Composites (seal/rows.py): an area's list, records.json and status.csv laid out; each skeleton, each store
    part's plaintext (as unframed), and the file that assembling them gives back."""
    cards = [f'<li class="card" data-stale-scope><a href="../../r/t{i}.html">事業所{i}</a></li>\n' for i in range(40)]
    records = [{"kind": "provider", "path": f"r/t{i}.html", "name": f"事業所{i}"} for i in range(40)]
    shared = {
        "providers/1/index.html": ("<h1>北部</h1><ul>" + "".join(cards) + "</ul>").encode(),
        "data/records.json": json.dumps(
            {"site": {}, "records": records}, ensure_ascii=False, separators=(",", ":")
        ).encode(),
        "data/status.csv": ("\ufeff事業所名\r\n" + "".join(f"事業所{i}\r\n" for i in range(40))).encode(),
    }
    skeletons, stores = rows.layout(shared, root.group)
    parts = {
        store: [
            encrypt.unframe(encrypt.open_sealed(root.content, encrypt.entry_ad(store, i, n), blob))
            for i, n, blob in rows.store_entries(store, got, root)
        ]
        for store, got in stores.items()
    }
    return {
        "about": "rows.layout over a list, records.json and status.csv: skeletons, store parts, files assembled",
        "files": [
            {"path": path, "skeleton": b64(skeletons[path]), "plain": b64(body)}
            for path, body in sorted(shared.items())
        ],
        "stores": {store: [b64(body) for body in bodies] for store, bodies in sorted(parts.items())},
    }


def _locator_vectors(root: keys.RootKeys) -> dict:
    """One locator part: rows per pack (a shared tag and an entry past 16 MiB are left out), its plaintext and blob."""
    rows = {
        16: [(b"\x01\x02\x03", 0, 900), (b"\xaa\xbb\xcc", 900, 70_000)],
        17: [],
        18: [
            (b"\x01\x02\x03", 5, 6),
            (b"\x01\x02\x03", 11, 6),
            (b"\xff\xff\xff", 16_777_000, 216),
            (b"\x00\x00\x01", (1 << 24) - 10, 20),
        ],
    }
    body = locator.encode(rows, 16, 20)
    plain = encrypt.unframe(encrypt.frame(body, wire.DEFLATE))
    blob = encrypt.seal(root, locator.ad(16), encrypt.frame(body, wire.DEFLATE))
    decoded = locator.decode(plain, 16, 20)
    return {
        "about": "a locator part for packs [16, 20): plaintext, sealed blob (AD loc ‖ 16), and the rows it gives",
        "content_key": b64(root.content),
        "first": 16,
        "end": 20,
        "plain": plain.hex(),
        "blob": b64(blob),
        "rows": {str(n): {tag.hex(): list(v) for tag, v in r.items()} for n, r in decoded.items()},
        "malformed": [
            {"why": "one byte short", "plain": plain[:-1].hex()},
            {"why": "one byte too many", "plain": (plain + b"\x00").hex()},
            {"why": "a count past the end", "plain": (b"\x00\x05" + plain[2:]).hex()},
        ],
    }


def _text_vectors() -> dict:
    """The normaliser and the query tokens on hostile strings (with two of the region's own place names)."""
    return {
        "about": "normalize, query words and tokens (common places dropped, place words whole), and the exact token",
        "places": list(PLACES),
        "place_words": list(PLACE_WORDS),
        "cases": [
            {
                "text": t,
                "normalized": textsearch.normalize(t),
                "words": textsearch.query_words(t, PLACES, PLACE_WORDS),
                "tokens": textsearch.query_tokens(t, PLACES, PLACE_WORDS),
                "exact": textsearch.exact_token(t),
            }
            for t in HOSTILE
        ],
    }


def vectors() -> dict[str, dict]:
    """Every vector file: name -> document."""
    root = keys.root_keys({"caremanagers": "vectors"}, SALT, 1000)
    return {
        "keys": _keys_vectors(),
        "entries": _entries_vectors(root),
        "pack": _pack_vectors(root),
        "locator": _locator_vectors(root),
        "rows": _rows_vectors(root),
        "text": _text_vectors(),
    }


def text_of(doc: dict) -> str:
    """A vector file's text (ASCII, so every odd character is visible as an escape)."""
    return json.dumps(doc, ensure_ascii=True, indent=1, sort_keys=False) + "\n"


def main() -> int:
    for name, doc in vectors().items():
        path = HERE / f"{name}.json"
        text = text_of(doc)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
