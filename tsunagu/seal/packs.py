"""Packs and manifests: record pages and their search fragments live in a few hundred immutable pack files.

An entry's pack is HMAC(pack-grouping key, placement, part) mod the pack count (never anything public),
where the placement is the path itself, except that a record's Pagefind fragment is placed with its
record page (one edit of a record changes one pack); entries are ordered in a pack by the same keyed
hash. A pack is  entries ‖ directory, where the directory (sealed, AD "tsunagu/v2/dir\\0" ‖ pack number)
lists path, part, parts, offset, length and SHA-256 of each entry; the pack is named by the first 128
bits of the SHA-256 of its directory's ciphertext, which holds the hash of every entry (so the name
changes whenever any byte of the pack does). Every other entry (shared pages and data files, Pagefind's
index, filter and meta files: what many edits touch) is SOLO, a file of its own named by the first
128 bits of the SHA-256 of its ciphertext. The root manifest (sealed, AD "tsunagu/v2/root\\0") lists,
per pack number, the name (= directory hash) and the directory's offset and length, and each solo
entry's path, part, parts, name (= hash) and length, the locator's parts (locator.py: where each
record page sits, so a cold page view fetches directory and entry at once), and each pack's fragment list
(where, and by what hash, each search fragment of the pack is: sealed in the pack before its directory, so a
search result needs neither the directory nor a second file); it carries the grouping key so
the browser finds a path's pack. The SHA-256 of the root manifest is bound into every key slot, so one old file, or a
whole old build under a new keys.json, is detected.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import struct
from typing import Any, NamedTuple

from tsunagu.domain.paths import is_record, record_path
from tsunagu.seal import locator, wire
from tsunagu.seal.encrypt import DEFLATE, STORED, frame, seal
from tsunagu.seal.keys import RootKeys

DIR_AD = wire.DIR_AD.encode()
ROOT_AD = wire.ROOT_AD.encode()
PACK_DIR = wire.FILE_DIR
TARGET_PACK = (
    20 * 1024
)  # average pack size aimed at: small packs keep an edit's re-upload small (its pack is most of it)
MAX_PACKS = 1024
MIN_PACKS = 64
INDEX_CHUNK = ".pf_index"  # Pagefind's index chunks: packed, not files of their own, in a crowded site
FILE_BUDGET = 1_880  # packs and solo files: with the public shell, at most 2,000 files (a host's count stays low)
ROOT_VERSION = wire.ROOT_VERSION
# A record's fragment, named after its page's token by output.canonical: placed with r/<token>.html.
FRAGMENT = re.compile(wire.FRAGMENT)
DIR, SOLO, LOC, ENTRY = (wire.fields(r) for r in (wire.DIR_ROW, wire.SOLO_ROW, wire.LOC_ROW, wire.ENTRY_ROW))


def pack_count(total_bytes: int, solo: int = 0) -> int:
    """A power of two near total/TARGET_PACK, so the count (and every pack) only moves when the site doubles;
    fewer (larger packs) when the solo files would otherwise take the site over FILE_BUDGET."""
    count = 1
    while (
        count < MAX_PACKS
        and count * TARGET_PACK < total_bytes
        and (2 * count + solo <= FILE_BUDGET or count < MIN_PACKS)
    ):
        count *= 2
    return count


def placement(path: str) -> str:
    """The path whose keyed hash places an entry: a fragment goes with its record page."""
    match = FRAGMENT.match(path)
    return record_path(match.group(1)) if match else path


def slot_of(group_key: bytes, path: str, part: int) -> bytes:
    """The keyed hash that picks an entry's pack and its place in it (mirrored in static/packs.js)."""
    message = (wire.PACK_LABEL + placement(path) + "\0").encode() + struct.pack(">I", part)
    return hmac.digest(group_key, message, "sha256")


def short_hash(blob: bytes) -> str:
    """The first 128 bits of SHA-256, in hex: a file's name and the check of its bytes in the root manifest."""
    return hashlib.sha256(blob).hexdigest()[: wire.SHORT_HASH_HEX]


def file_name(digest: str) -> str:
    """A file's public name from its short hash (of ciphertext only: immutable, cacheable forever)."""
    return PACK_DIR + digest + wire.FILE_SUFFIX


def pack_name(blob: bytes) -> str:
    """A file's public name: a hash of its own ciphertext."""
    return file_name(short_hash(blob))


def _seal_json(keys: RootKeys, ad: bytes, doc: object) -> bytes:
    """A directory or the root manifest, stored: compressed, its size would wobble with the hashes it
    lists, so the sizes an editor sees would change from guess to guess for no reason it controls."""
    text = json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()
    return seal(keys, ad, frame(text, STORED))


def is_solo(path: str) -> bool:
    """Entries many edits touch (everything but record pages and their fragments): each a file of its own,
    so an edit re-uploads the entry alone, not the pack neighbours it would drag along."""
    return not (is_record(path) or FRAGMENT.match(path))


class SealedEntry(NamedTuple):
    """One sealed entry of a protected file, before it is packed."""

    path: str
    part: int
    parts: int
    blob: bytes


def build_packs(sealed: list[SealedEntry], keys: RootKeys) -> tuple[dict[str, bytes], str, bytes]:
    """Pack and solo files, the root manifest's name, and its SHA-256, from (path, part, parts, blob).

    The list is emptied as it goes, so each entry's bytes are held once (in its file), not twice.
    """
    files: dict[str, bytes] = {}
    solo: list[list[Any]] = []
    # A region so large that its shared parts and index chunks alone would take the site over FILE_BUDGET
    # packs its index chunks too (an edit then re-uploads the packs of the chunks it touches).
    files_of = [is_solo(e[0]) for e in sealed]  # whether each entry is a file of its own, in the list's order
    if sum(files_of) + locator.PARTS + MIN_PACKS > FILE_BUDGET:  # crowded
        files_of = [solo and not e[0].endswith(INDEX_CHUNK) for solo, e in zip(files_of, sealed, strict=True)]
    packed = sum(len(e[3]) for e, is_file in zip(sealed, files_of, strict=True) if not is_file)
    count = pack_count(packed, sum(files_of) + locator.PARTS)
    buckets: dict[int, list[Any]] = {}
    located: dict[int, list[tuple[bytes, int, int]]] = {}
    while sealed:
        path, part, parts, blob = sealed.pop()
        if files_of.pop():
            digest = short_hash(blob)
            files[file_name(digest)] = blob
            solo.append(wire.row(wire.SOLO_ROW, path=path, part=part, parts=parts, digest=digest, length=len(blob)))
            continue
        slot = slot_of(keys.group, path, part)
        buckets.setdefault(int.from_bytes(slot[:4], "big") % count, []).append((slot, path, part, parts, blob))
    dirs: list[list[Any] | None] = [None] * count
    frgs: list[list[Any] | None] = [None] * count
    for number in sorted(buckets):
        bucket = sorted(buckets.pop(number), key=lambda i: i[:3])
        chunks, listing, offset, fragments = [], [], 0, []
        for slot, path, part, parts, blob in bucket:
            if locator.is_located(path):
                located.setdefault(number, []).append((slot[locator.TAG], offset, len(blob)))
            sha256 = hashlib.sha256(blob).digest()
            if (part, parts) == (0, 1) and FRAGMENT.match(path):
                fragments.append((slot[locator.TAG], offset, len(blob), sha256))
            listing.append(
                wire.row(
                    wire.ENTRY_ROW,
                    path=path,
                    part=part,
                    parts=parts,
                    offset=offset,
                    length=len(blob),
                    sha256=sha256.hex(),
                )
            )
            chunks.append(blob)
            offset += len(blob)
        del bucket
        listed = locator.encode_fragments(fragments)
        if listed:
            blob = seal(keys, locator.frg_ad(number), frame(listed, STORED))
            frgs[number] = wire.row(wire.FRG_ROW, digest=short_hash(blob), offset=offset, length=len(blob))
            chunks.append(blob)
            offset += len(blob)
        directory = _seal_json(keys, DIR_AD + struct.pack(">I", number), listing)
        digest = short_hash(directory)
        files[file_name(digest)] = b"".join([*chunks, directory])
        del chunks
        dirs[number] = wire.row(wire.DIR_ROW, digest=digest, offset=offset, length=len(directory))
    locators = []
    for first, end in locator.ranges(count):
        blob = seal(keys, locator.ad(first), frame(locator.encode(located, first, end), DEFLATE))
        digest = short_hash(blob)
        files[file_name(digest)] = blob
        locators.append(wire.row(wire.LOC_ROW, digest=digest, length=len(blob), first=first, end=end))
    root = _seal_json(
        keys,
        ROOT_AD,
        {
            "v": ROOT_VERSION,
            "packs": count,
            "group": base64.b64encode(keys.group).decode(),
            "dirs": dirs,
            "solo": sorted(solo),
            "loc": locators,
            "frg": frgs,
        },
    )
    root_name = pack_name(root)
    files[root_name] = root
    return files, root_name, hashlib.sha256(root).digest()
