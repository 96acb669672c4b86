"""Packs and manifests: every sealed entry lives in one of a few hundred immutable pack files.

An entry's pack is HMAC(pack-grouping key, path, part) mod the pack count (never anything public),
and entries are ordered in a pack by the same keyed hash. A pack is  entries ‖ directory, where the
directory (sealed, AD "tsunagu/v2/dir\\0" ‖ pack number) lists path, part, parts, offset, length
and SHA-256 of each entry. The root manifest (sealed, AD "tsunagu/v2/root\\0") lists, per pack
number, the pack's name, and its directory's offset, length and SHA-256; it carries the grouping
key so the browser finds a path's pack. Every file is named by a hash of its own ciphertext.
The SHA-256 of the root manifest is bound into every key slot, so one old file, or a whole old
build under a new keys.json, is detected.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import struct

from tsunagu.pipeline.encrypt import DEFLATE, entry_ad, frame, open_sealed, seal, unframe
from tsunagu.pipeline.keys import RootKeys

DIR_AD = b"tsunagu/v2/dir\0"
ROOT_AD = b"tsunagu/v2/root\0"
PACK_DIR = "p/"
TARGET_PACK = 40 * 1024          # average pack size aimed at: small packs keep an edit's re-upload small
MAX_PACKS = 1024


def pack_count(total_bytes: int) -> int:
    """A power of two near total/TARGET_PACK, so the count (and every pack) only moves when the site doubles."""
    count = 1
    while count < MAX_PACKS and count * TARGET_PACK < total_bytes:
        count *= 2
    return count


def slot_of(group_key: bytes, path: str, part: int) -> bytes:
    """The keyed hash that picks an entry's pack and its place in it (mirrored in tsunagu-crypto.js)."""
    return hmac.new(group_key, b"pack\0" + path.encode() + b"\0" + struct.pack(">I", part), hashlib.sha256).digest()


def pack_name(blob: bytes) -> str:
    """A file's public name: a hash of its own ciphertext (immutable, cacheable forever)."""
    return PACK_DIR + hashlib.sha256(blob).hexdigest()[:32] + ".bin"


def _seal_json(keys: RootKeys, ad: bytes, doc: object) -> bytes:
    import zlib

    text = json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    return seal(keys, ad, frame(comp.compress(text) + comp.flush(), DEFLATE))


# Entries that change with almost any edit (Pagefind's entry, meta and filter files, the home page):
# each is a file of its own, so an edit does not re-upload the pack neighbours they would drag along.
SOLO = re.compile(r"(^|/)(pagefind-entry\.json|shards\.json)$|\.pf_(meta|filter)$|^index\.html$")


def build_packs(sealed: list[tuple[str, int, int, bytes]], keys: RootKeys) -> tuple[dict[str, bytes], str, bytes]:
    """Pack files, the root manifest's name, and its SHA-256, from (path, part, parts, blob).

    The list is emptied as it goes, so each entry's bytes are held once (in its pack), not twice.
    """
    files: dict[str, bytes] = {}
    solo: list[list] = []
    count = pack_count(sum(len(e[3]) for e in sealed if not SOLO.search(e[0])))
    buckets: dict[int, list] = {}
    while sealed:
        path, part, parts, blob = sealed.pop()
        if SOLO.search(path):
            name = pack_name(blob)
            files[name] = blob
            solo.append([path, part, parts, name, len(blob), hashlib.sha256(blob).hexdigest()])
            continue
        slot = slot_of(keys.group, path, part)
        buckets.setdefault(int.from_bytes(slot[:4], "big") % count, []).append((slot, path, part, parts, blob))
    dirs: list[list | None] = [None] * count
    for number in sorted(buckets):
        bucket = sorted(buckets.pop(number), key=lambda i: i[0])
        chunks, listing, offset = [], [], 0
        for _slot, path, part, parts, blob in bucket:
            listing.append([path, part, parts, offset, len(blob), hashlib.sha256(blob).hexdigest()])
            chunks.append(blob)
            offset += len(blob)
        del bucket
        directory = _seal_json(keys, DIR_AD + struct.pack(">I", number), listing)
        body = b"".join([*chunks, directory])
        del chunks
        name = pack_name(body)
        files[name] = body
        dirs[number] = [name, offset, len(directory), hashlib.sha256(directory).hexdigest()]
    root = _seal_json(keys, ROOT_AD, {"v": 2, "packs": count, "group": base64.b64encode(keys.group).decode(),
                                      "dirs": dirs, "solo": sorted(solo)})
    root_name = pack_name(root)
    files[root_name] = root
    return files, root_name, hashlib.sha256(root).digest()


class Reader:
    """The Python side of what the service worker does: find, check and decrypt any logical path."""

    def __init__(self, files: dict[str, bytes], content_key: bytes, root_name: str, root_hash: bytes):
        self.files, self.key = files, content_key
        root = files[root_name]
        if hashlib.sha256(root).digest() != root_hash:
            raise ValueError("root manifest does not match keys.json")
        self.root = json.loads(unframe(open_sealed(content_key, ROOT_AD, root)))
        self.group = base64.b64decode(self.root["group"])
        self.solo = {(e[0], e[1]): e for e in self.root["solo"]}
        self._dirs: dict[int, dict] = {}

    def directory(self, number: int) -> dict:
        """The listing of one pack, checked against the root manifest."""
        if number not in self._dirs:
            name, offset, length, digest = self.root["dirs"][number]
            blob = self.files[name][offset:offset + length]
            if hashlib.sha256(blob).hexdigest() != digest:
                raise ValueError(f"pack {number}: directory hash mismatch")
            listing = json.loads(unframe(open_sealed(self.key, DIR_AD + struct.pack(">I", number), blob)))
            self._dirs[number] = {"name": name, "entries": {(e[0], e[1]): e for e in listing}}
        return self._dirs[number]

    def part(self, path: str, part: int) -> tuple[int, bytes]:
        """(parts, body) of one part of a logical file; KeyError if absent."""
        if (path, part) in self.solo:
            _p, _i, parts, name, length, digest = self.solo[(path, part)]
            return parts, self._checked(path, part, parts, self.files[name][:length], digest)
        number = int.from_bytes(slot_of(self.group, path, part)[:4], "big") % self.root["packs"]
        if self.root["dirs"][number] is None:
            raise KeyError(path)
        pack = self.directory(number)
        _p, _i, parts, offset, length, digest = pack["entries"][(path, part)]
        return parts, self._checked(path, part, parts, self.files[pack["name"]][offset:offset + length], digest)

    def _checked(self, path: str, part: int, parts: int, blob: bytes, digest: str) -> bytes:
        if hashlib.sha256(blob).hexdigest() != digest:
            raise ValueError(f"{path}: entry hash mismatch")
        return unframe(open_sealed(self.key, entry_ad(path, part, parts), blob))

    def read(self, path: str) -> bytes:
        """The plaintext of one logical file, every part checked."""
        parts, body = self.part(path, 0)
        return body + b"".join(self.part(path, i)[1] for i in range(1, parts))

    def paths(self) -> set[str]:
        """Every logical path in the build."""
        out: set[str] = {p for p, _i in self.solo}
        for number, entry in enumerate(self.root["dirs"]):
            if entry is not None:
                out.update(p for p, _i in self.directory(number)["entries"])
        return out


class RollbackError(ValueError):
    """A build older than one already seen."""


def open_site(files: dict[str, bytes], password: str, seen_epoch: int = 0) -> Reader:
    """A built site (relative path -> bytes) opened with a password, as the browser opens it."""
    from tsunagu.pipeline.keys import unwrap

    doc = json.loads(files["keys.json"])
    if doc["epoch"] < seen_epoch:
        raise RollbackError(f"build of epoch {doc['epoch']} is older than one already seen ({seen_epoch})")
    return Reader(files, unwrap(files["keys.json"], password), doc["root"], bytes.fromhex(doc["root_sha256"]))


def decrypt_site(files: dict[str, bytes], password: str) -> dict[str, bytes]:
    """Every logical file of a built site, decrypted and checked."""
    reader = open_site(files, password)
    return {path: reader.read(path) for path in sorted(reader.paths())}
