"""Reading a sealed site back as the browser does (tests, benchmarks, the deploy check): every hash checked."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
from typing import Any

from tsunagu.seal import locator, wire
from tsunagu.seal.dictionary import read_sections
from tsunagu.seal.encrypt import entry_ad, open_sealed, unframe
from tsunagu.seal.packs import (
    DIR,
    DIR_AD,
    ENTRY,
    FRAGMENT,
    LOC,
    ROOT_AD,
    ROOT_VERSION,
    SOLO,
    file_name,
    short_hash,
    slot_of,
)
from tsunagu.seal.rows import assemble, is_store
from tsunagu.search.output import read_bundle

BUNDLED = re.compile(wire.BUNDLED)


class Reader:
    """The Python side of what the service worker does: find, check and decrypt any logical path."""

    def __init__(self, files: dict[str, bytes], content_key: bytes, root_name: str, root_hash: bytes):
        self.files, self.key, self.root_name = files, content_key, root_name
        root = files[root_name]
        if hashlib.sha256(root).digest() != root_hash:
            raise ValueError("root manifest does not match keys.json")
        self.root = json.loads(unframe(open_sealed(content_key, ROOT_AD, root)))
        if self.root.get("v") != ROOT_VERSION:
            raise ValueError("unknown root manifest version")
        self.group = base64.b64decode(self.root["group"])
        self.solo = {(e[SOLO["path"]], e[SOLO["part"]]): e for e in self.root["solo"]}
        self._dirs: dict[int, dict[str, Any]] = {}
        self._loc: dict[int, dict[int, dict[bytes, tuple[int, int]]]] = {}
        self.located = 0  # entries read at the place the locator gave (checked against the directory)
        self.listed = 0  # fragments read from their pack's fragment list, without its directory
        self._frgs: dict[int, dict[bytes, tuple[int, int, str]]] = {}
        self._sections: list[bytes] | None = None

    def directory(self, number: int) -> dict[str, Any]:
        """The listing of one pack, checked against the root manifest."""
        if number not in self._dirs:
            row = self.root["dirs"][number]
            digest, offset, length = row[DIR["digest"]], row[DIR["offset"]], row[DIR["length"]]
            name = file_name(digest)
            blob = self.files[name][offset : offset + length]
            if short_hash(blob) != digest:
                raise ValueError(f"pack {number}: directory hash mismatch")
            listing = json.loads(unframe(open_sealed(self.key, DIR_AD + struct.pack(">I", number), blob)))
            self._dirs[number] = {"name": name, "entries": {(e[ENTRY["path"]], e[ENTRY["part"]]): e for e in listing}}
        return self._dirs[number]

    def locate(self, path: str, part: int) -> tuple[str, int, int, int, str]:
        """(file name, offset, length, parts, hash or short hash) of one part of a logical file; KeyError if absent."""
        if (path, part) in self.solo:
            e = self.solo[(path, part)]
            return file_name(e[SOLO["digest"]]), 0, e[SOLO["length"]], e[SOLO["parts"]], e[SOLO["digest"]]
        number = int.from_bytes(slot_of(self.group, path, part)[:4], "big") % self.root["packs"]
        if self.root["dirs"][number] is None:
            raise KeyError(path)
        pack = self.directory(number)
        e = pack["entries"][(path, part)]
        return pack["name"], e[ENTRY["offset"]], e[ENTRY["length"]], e[ENTRY["parts"]], e[ENTRY["sha256"]]

    def locator(self, number: int) -> dict[bytes, tuple[int, int]]:
        """tag -> (offset, length) of the record pages of one pack, from the locator part covering it."""
        for index, row in enumerate(self.root.get("loc", [])):
            digest, length, first, end = (row[LOC[f]] for f in ("digest", "length", "first", "end"))
            if first <= number < end:
                if index not in self._loc:
                    blob = self.files[file_name(digest)][:length]
                    if short_hash(blob) != digest:
                        raise ValueError(f"locator {index}: hash mismatch")
                    body = unframe(open_sealed(self.key, locator.ad(first), blob))
                    self._loc[index] = locator.decode(body, first, end)
                return self._loc[index].get(number, {})
        return {}

    def fast(self, path: str, part: int) -> tuple[int, bytes] | None:
        """(parts, body) read where the locator says, as the browser does in parallel with the directory;
        None when the locator has no such entry or the directory disagrees (then the directory is used)."""
        if (path, part) in self.solo or not locator.is_located(path):
            return None
        slot = slot_of(self.group, path, part)
        number = int.from_bytes(slot[:4], "big") % self.root["packs"]
        hit = self.locator(number).get(slot[locator.TAG])
        if hit is None or self.root["dirs"][number] is None:
            return None
        pack = self.directory(number)
        blob = self.files[pack["name"]][hit[0] : hit[0] + hit[1]]  # fetched at once, judged below
        entry = pack["entries"].get((path, part))
        if entry is None or (entry[ENTRY["offset"]], entry[ENTRY["length"]]) != hit:
            return None
        self.located += 1
        return entry[ENTRY["parts"]], self._checked(path, part, entry[ENTRY["parts"]], blob, entry[ENTRY["sha256"]])

    def fragments(self, number: int) -> dict[bytes, tuple[int, int, str]]:
        """tag -> (offset, length, hash) of the search fragments of one pack, from its list (checked against the
        root manifest); empty when the pack has none."""
        rows = self.root.get("frg") or []
        row = rows[number] if number < len(rows) else None
        if row is None:
            return {}
        if number not in self._frgs:
            digest, offset, length = (row[wire.FRG_ROW.index(f)] for f in ("digest", "offset", "length"))
            blob = self._in_pack(number, offset, length)
            if short_hash(blob) != digest:
                raise ValueError(f"pack {number}: fragment list hash mismatch")
            self._frgs[number] = locator.decode_fragments(unframe(open_sealed(self.key, locator.frg_ad(number), blob)))
        return self._frgs[number]

    def _in_pack(self, number: int, offset: int, length: int) -> bytes:
        """Bytes of pack `number` at offset, as a Range request fetches them."""
        return self.files[file_name(self.root["dirs"][number][DIR["digest"]])][offset : offset + length]

    def listed_fragment(self, path: str, part: int) -> tuple[int, bytes] | None:
        """(1, body) of a search fragment read where its pack's fragment list says, checked against the list's
        hash, as the browser reads a search result; None when the list does not have it."""
        if part != 0 or (path, part) in self.solo or not FRAGMENT.match(path):
            return None
        slot = slot_of(self.group, path, part)
        number = int.from_bytes(slot[:4], "big") % self.root["packs"]
        hit = self.fragments(number).get(slot[locator.TAG])
        if hit is None:
            return None
        offset, length, digest = hit
        blob = self._in_pack(number, offset, length)
        self.listed += 1
        return 1, self._checked(path, part, 1, blob, digest)

    def part(self, path: str, part: int) -> tuple[int, bytes]:
        """(parts, body) of one part of a logical file; KeyError if absent."""
        got = self.listed_fragment(path, part) or self.fast(path, part)
        if got is not None:
            return got
        name, offset, length, parts, digest = self.locate(path, part)
        return parts, self._checked(path, part, parts, self.files[name][offset : offset + length], digest)

    def _checked(self, path: str, part: int, parts: int, blob: bytes, digest: str) -> bytes:
        if len(digest) not in (wire.SHORT_HASH_HEX, 64) or hashlib.sha256(blob).hexdigest()[: len(digest)] != digest:
            raise ValueError(f"{path}: entry hash mismatch")
        return unframe(open_sealed(self.key, entry_ad(path, part, parts), blob), self.sections)

    def sections(self) -> list[bytes]:
        """The dictionary's sections (record pages and fragments are deflated against them), read once."""
        if self._sections is None:
            self._sections = read_sections(self.read(wire.DICT_PATH))
        return self._sections

    def read(self, path: str) -> bytes:
        """The plaintext of one logical file, every part checked; a composite with its rows put back; a shard's
        index chunk from its bundle (search/bundle.py), as the service worker answers Pagefind."""
        bundled = BUNDLED.match(path)
        if bundled and (path, 0) not in self.solo:
            try:
                mine = read_bundle(self.read(wire.BUNDLE_DIR + bundled.group(2)))[int(bundled.group(1) or 0)]
                if mine:  # empty: the shard has no such file
                    return mine
            except KeyError:
                pass  # a build without bundles: the chunk is a file (or a packed entry) of its own
        parts, body = self.part(path, 0)
        body += b"".join(self.part(path, i)[1] for i in range(1, parts))
        return assemble(body, self.part) if body.startswith(b"\0") and not is_store(path) else body

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
    from tsunagu.seal.keys import unwrap

    doc = json.loads(files["keys.json"])
    if doc["epoch"] < seen_epoch:
        raise RollbackError(f"build of epoch {doc['epoch']} is older than one already seen ({seen_epoch})")
    return Reader(files, unwrap(files["keys.json"], password), doc["root"], bytes.fromhex(doc["root_sha256"]))


def decrypt_site(files: dict[str, bytes], password: str) -> dict[str, bytes]:
    """Every logical file of a built site, decrypted and checked (composites whole, their stores left out)."""
    reader = open_site(files, password)
    return {path: reader.read(path) for path in sorted(reader.paths()) if not is_store(path)}
