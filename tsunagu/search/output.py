"""Pagefind's output read and rewritten: one order and stable names, so the same pages give the same bytes."""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
import zlib
from typing import Any

import cbor2

from tsunagu.domain.errors import BuildError
from tsunagu.domain.labels import STATUS_FIELDS_JA
from tsunagu.seal import wire

SIGNATURE = b"pagefind_dcd"
GZIP = 16 + zlib.MAX_WBITS  # zlib reads a gzip member


# The filters of a provider's status (the three answers, 営業 and 空き): sealed together (pipeline.builder).
STATUS_FILTER_NAMES = frozenset({*STATUS_FIELDS_JA.values(), wire.OPERATION_FILTER, wire.VACANCY_FILTER})


MAGIC = wire.BUNDLE_MAGIC.encode()


def pack_bundle(files: list[bytes]) -> bytes:
    """A bundle (wire.BUNDLED) from the shards' files, in shard order."""
    return MAGIC + struct.pack(f">I{len(files)}I", len(files), *map(len, files)) + b"".join(files)


def read_bundle(data: bytes) -> list[bytes]:
    """The shards' files of a bundle (ValueError if malformed)."""
    if not data.startswith(MAGIC):
        raise ValueError("bad bundle")
    try:
        (count,) = struct.unpack_from(">I", data, len(MAGIC))
        lengths = struct.unpack_from(f">{count}I", data, len(MAGIC) + 4)
    except struct.error:
        raise ValueError("bad bundle") from None
    at, out = len(MAGIC) + 4 + 4 * count, []
    for length in lengths:
        out.append(data[at : at + length])
        at += length
    if at != len(data):
        raise ValueError("bad bundle")
    return out


def _filter_names(data: bytes) -> set[str]:
    """The filter a filter file holds (every shard's, for a bundle)."""
    pieces = read_bundle(data) if data.startswith(MAGIC) else [data]
    return {str(unpack(piece)[0]) for piece in pieces if piece}


def sealed_together(files: dict[str, bytes]) -> list[str]:
    """The index files that change with some status edits and not others, sealed anew together at every one
    (pipeline.builder): the status fields' filter files (by the filter name inside each), whose change would name
    the field, and each shard's meta file, which holds the order of the confirmation dates (Pagefind's sort)."""
    return sorted(
        p
        for p, b in files.items()
        if p.endswith(".pf_meta") or (p.endswith(".pf_filter") and _filter_names(b) & STATUS_FILTER_NAMES)
    )


def unpack(data: bytes) -> Any:
    """The CBOR document of a Pagefind file (gzip, its signature, CBOR)."""
    raw = gzip.decompress(data)
    if not raw.startswith(SIGNATURE):
        raise BuildError("search index: unexpected Pagefind file format")
    return cbor2.loads(raw[len(SIGNATURE) :])


def pack(doc: Any) -> bytes:
    """A Pagefind file of a CBOR document, gzipped as Pagefind writes it (with no time in its header)."""
    return gzip.compress(SIGNATURE + cbor2.dumps(doc), compresslevel=6, mtime=0)


def fragments(files: dict[str, bytes], card: dict[str, dict[str, str]]) -> dict[str, str]:
    """Each fragment with its record's card metadata, as plain bytes under a stable name; old stem -> new stem."""
    # Decoded once and kept as Pagefind's plain bytes (signature and JSON): its runtime takes them as they are, and
    # the seal deflates them against the dictionary, so gzip here would only be undone there. The card metadata is
    # never read by Pagefind (search/index.py). Named after the record page's token (zz_<token>), an edited record's
    # fragment keeps its logical path and its pack, next to its page.
    names: dict[str, str] = {}
    renamed: dict[str, bytes] = {}
    for path in [p for p in files if p.endswith(".pf_fragment")]:
        raw = zlib.decompress(files.pop(path), GZIP)
        if not raw.startswith(SIGNATURE):
            raise BuildError("search index: unexpected Pagefind file format")
        url, text = _with_card(raw[len(SIGNATURE) :].decode(), card)
        new = path.rsplit("/", 1)[0] + f"/zz_{url.rsplit('/', 1)[-1].removesuffix('.html')}.pf_fragment"
        names[_stem(path)] = _stem(new)
        renamed[new] = SIGNATURE + text.encode()
    files.update(renamed)
    return names


JSON = json.JSONDecoder()
# The top level's metadata: a quote after a comma never is inside a string, and no other object holds an object.
META_KEY = ',"meta":{'


def _with_card(text: str, card: dict[str, dict[str, str]]) -> tuple[str, str]:
    """A fragment's URL, and its JSON with the record's card metadata in its metadata (sorted by key)."""
    # Only the URL and the metadata are decoded, the rest (the content is most of a fragment) stays as Pagefind wrote
    # it: compact and not ASCII-escaped, as json.dumps would write it again (the same bytes, in half the time).
    at = text.find(META_KEY) + len(META_KEY) - 1
    if not text.startswith('{"url":"') or at < len(META_KEY) - 1:
        raise BuildError("search index: unexpected Pagefind fragment")
    url = JSON.raw_decode(text, len('{"url":'))[0]
    meta, end = JSON.raw_decode(text, at)
    merged = json.dumps(dict(sorted({**meta, **card.get(url, {})}.items())), ensure_ascii=False, separators=(",", ":"))
    return url, text[:at] + merged + text[end:]


META = "pagefind.zz_m000000000.pf_meta"  # one stable name: an edit that changes a word count changes its bytes only


def filter_name(key: str) -> str:
    """A filter's file name, after its key (not its place among a shard's filters): a filter of every shard has the
    same name, and is one bundle (search/bundle.py), whichever filters a shard lacks."""
    return f"zz_f{int.from_bytes(hashlib.blake2b(key.encode(), digest_size=4).digest(), 'big'):010d}"


def _stem(path: str) -> str:
    return path.rsplit("/", 1)[-1].split(".")[0]


def canonical(files: dict[str, bytes], card: dict[str, dict[str, str]]) -> dict[str, bytes]:
    """Pagefind's output in one order and under stable names, each fragment with its card metadata (fragments).

    Pagefind writes filter values and filter lists in hash-map order, which differs from run to run:
    sorted, the same pages give byte-identical files. It names files by a hash of their content, so
    an edit would rename (and move) every file it touches, and the meta file listing them: fragments
    are named after their record's page token, index chunks after their place in the meta file, filters
    after their key, and the meta file is META, so an edit changes the bytes of the files it touches and
    nothing else (pagefind-entry.json only when the page count changes).
    """
    out = dict(files)
    names = fragments(out, card)  # old file stem -> new file stem
    for path in [p for p in files if p.endswith(".pf_filter")]:
        doc = unpack(out.pop(path))
        doc[1].sort(key=lambda entry: str(entry[0]))
        out[path] = pack(doc)
    for path in [p for p in files if p.endswith(".pf_meta")]:
        doc = unpack(out.pop(path))
        doc[1] = [[names.get(h, h), count] for h, count in doc[1]]
        folder = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
        for number, chunk in enumerate(doc[2]):
            new = f"zz_i{number:04d}"
            out[f"{folder}index/{new}.pf_index"] = out.pop(f"{folder}index/{chunk[2]}.pf_index")
            chunk[2] = new
        doc[3] = sorted(doc[3], key=lambda e: str(e[0]))
        for entry in doc[3]:
            new = filter_name(str(entry[0]))
            out[f"{folder}filter/{new}.pf_filter"] = out.pop(f"{folder}filter/{entry[1]}.pf_filter")
            entry[1] = new
        new_path = path.rsplit("/", 1)[0] + "/" + META if "/" in path else META
        out[new_path] = pack(doc)
        entry_name = "pagefind-entry.json"
        old_hash, new_hash = path.rsplit("/", 1)[-1].split(".")[1], new_path.rsplit("/", 1)[-1].split(".")[1]
        if entry_name in out:
            out[entry_name] = out[entry_name].replace(f'"{old_hash}"'.encode(), f'"{new_hash}"'.encode())
    return out
