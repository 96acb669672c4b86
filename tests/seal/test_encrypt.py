"""Encrypted output, tested by opening what the build wrote as the browser does (reader.Reader)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from conftest import FAST, STRONG, fast_config, load_directory, make_tree, read_tree
from cryptography.exceptions import InvalidTag

from tsunagu.domain.config import Config
from tsunagu.pipeline.builder import build
from tsunagu.render.entries import page_token
from tsunagu.render.pages import render_site
from tsunagu.seal import wire
from tsunagu.seal.encrypt import deflate, entry_ad, frame, padme, seal, split_parts, unframe
from tsunagu.seal.keys import derive_key, root_keys, synthetic_nonce, unwrap, unwrap_with_kek
from tsunagu.seal.packs import file_name
from tsunagu.seal.reader import Reader, RollbackError, decrypt_site, open_site
from tsunagu.search.index import without_index_block

NEW_PASSWORD = "plum-teacup-glacier-mosaic-91"
SHELL = {".nojekyll", "404.html", "keys.json", "robots.txt", "sw.js", "unlock/index.html"}


@contextmanager
def epoch(value: int) -> Iterator[None]:
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(value)
    try:
        yield
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("encrypt")
    data = make_tree(root)
    config = fast_config(data, root / "site", passwords=dict(STRONG))
    out = {}
    with epoch(1_780_000_000):
        build(config)
        out["first"] = read_tree(root / "site")
        build(config)  # the same commit again
        out["again"] = read_tree(root / "site")
    sakura = data / "providers" / "day-sakura.yaml"
    sakura.write_text(sakura.read_text().replace("new_clients: accepting", "new_clients: not_accepting"))
    with epoch(1_780_000_100):
        build(config)
    out["second"] = read_tree(root / "site")
    out["rendered"] = render_site(load_directory(data), config)
    # The city's password removed, the care managers' password changed.
    with epoch(1_780_000_200):
        build(fast_config(data, root / "site", passwords={"caremanagers": NEW_PASSWORD}))
    out["third"] = read_tree(root / "site")
    out["salt"] = bytes.fromhex(load_directory(data).site.salt)
    return out


def test_decrypting_gives_back_exactly_the_rendered_files(built):
    expected = {p: without_index_block(b) if p.startswith("r/") else b for p, b in built["rendered"].items()}
    for password in STRONG.values():
        plain = decrypt_site(built["second"], password)
        # Besides, the dictionary record pages and fragments are deflated against (tests/render/test_sample.py).
        assert {p: b for p, b in plain.items() if not p.startswith("pagefind/") and p != wire.DICT_PATH} == expected
        assert any(p.endswith(".pf_fragment") for p in plain)
        assert wire.DICT_PATH in plain


def test_rebuilding_the_same_commit_is_byte_identical(built):
    assert built["first"] == built["again"]


def test_one_status_edit_changes_few_files_and_keeps_the_other_names(built):
    first, second = built["first"], built["second"]
    changed = {p for p in second if first.get(p) != second[p]}
    kept = set(first) & set(second)
    assert len(changed) <= 20, sorted(changed)  # the budget of issue 21; the status filters change together
    assert all(p.startswith("p/") or p == "keys.json" for p in changed)
    assert len(kept) >= len(second) - len(changed)


def test_keys_json_is_canonical_and_holds_no_password_or_label(built):
    text = built["second"]["keys.json"].decode()
    keys = json.loads(text)
    assert text == json.dumps(keys, sort_keys=True, separators=(",", ":"))
    assert (keys["version"], keys["kdf"], keys["cipher"], keys["iterations"]) == (
        2,
        "PBKDF2-SHA256",
        "AES-256-GCM",
        FAST,
    )
    assert base64.b64decode(keys["salt"]) == built["salt"] and len(built["salt"]) == 16
    assert len(keys["slots"]) == 2 and keys["slots"] == sorted(keys["slots"])
    for label, password in STRONG.items():
        assert label not in text and password not in text


def test_the_salt_is_random_and_kept_in_site_yaml(tmp_path):
    a, b = make_tree(tmp_path / "a"), make_tree(tmp_path / "b")
    for data in (a, b):
        report = build(fast_config(data, data.parent / "site", search=False))
        assert "salt を追加しました" in report.notes[0]
        assert re.search(r'^salt: "[0-9a-f]{32}"$', (data / "site.yaml").read_text(), re.M)
        assert build(fast_config(data, data.parent / "site", search=False)).notes == []
    assert load_directory(a).site.salt != load_directory(b).site.salt  # same site id, different salts


def test_wrong_password_fails(built):
    for wrong in ("correct horse battery staple kagoshimA", ""):
        with pytest.raises(InvalidTag):
            unwrap(built["second"]["keys.json"], wrong)


def test_a_data_update_logs_nobody_out(built):
    for password in STRONG.values():
        kek = derive_key(password, built["salt"], FAST)  # what a device remembered since the first build
        key = unwrap_with_kek(built["second"]["keys.json"], kek)
        doc = json.loads(built["second"]["keys.json"])
        csv = Reader(built["second"], key, doc["root"], bytes.fromhex(doc["root_sha256"])).read("data/status.csv")
        assert "デイサービスさくら,通所介護,北部,029-000-1011,通常営業,受入不可".encode() in csv


def test_a_removed_or_changed_password_is_locked_out(built):
    third = built["third"]
    for password in STRONG.values():
        with pytest.raises(InvalidTag):
            unwrap(third["keys.json"], password)
        with pytest.raises(InvalidTag):
            unwrap_with_kek(third["keys.json"], derive_key(password, built["salt"], FAST))
    # The old content key opens nothing of the new build.
    old_key = unwrap(built["second"]["keys.json"], STRONG["city"])
    doc = json.loads(third["keys.json"])
    with pytest.raises(InvalidTag):
        Reader(third, old_key, doc["root"], bytes.fromhex(doc["root_sha256"]))
    assert decrypt_site(third, NEW_PASSWORD)["index.html"].startswith(b"<!doctype html>")
    assert len(doc["slots"]) == 1


def test_flipping_any_byte_of_any_file_is_detected(built):
    files = built["second"]
    reader = open_site(files, STRONG["city"])
    paths = sorted(reader.paths())
    for name in sorted(p for p in files if p.startswith("p/")):
        blob = files[name]
        for pos in (0, 13, len(blob) // 2, len(blob) - 1):
            tampered = dict(files)
            tampered[name] = blob[:pos] + bytes([blob[pos] ^ 1]) + blob[pos + 1 :]
            with pytest.raises((ValueError, InvalidTag)):
                bad = open_site(tampered, STRONG["city"])
                for path in paths:
                    bad.read(path)


def test_moving_an_entry_to_another_path_is_detected(built):
    keys = root_keys(STRONG, built["salt"], FAST)
    blob = seal(keys, entry_ad("index.html", 0, 1), frame(b"<p>home</p>", 0))
    with pytest.raises(InvalidTag):
        from tsunagu.seal.encrypt import open_sealed

        open_sealed(keys.content, entry_ad("desks/index.html", 0, 1), blob)
    with pytest.raises(InvalidTag):
        open_sealed(keys.content, entry_ad("index.html", 0, 2), blob)  # a part count is bound too


def test_rollback_of_one_file_is_detected(built):
    first, second = built["first"], built["second"]
    changed = [
        p for p in second if p.startswith("p/") and p not in first and p != json.loads(second["keys.json"])["root"]
    ]
    assert changed
    gone = [p for p in first if p.startswith("p/") and p not in second]
    for name in changed:
        for old in gone:  # an old pack served under a new pack's name
            tampered = {**second, name: first[old]}
            with pytest.raises((ValueError, KeyError, InvalidTag)):
                reader = open_site(tampered, STRONG["city"])
                for path in reader.paths():
                    reader.read(path)
    # The old root manifest under the new keys.json.
    old_root = json.loads(first["keys.json"])["root"]
    new_root = json.loads(second["keys.json"])["root"]
    with pytest.raises(ValueError):
        open_site({**second, new_root: first[old_root]}, STRONG["city"])


def test_rollback_of_a_whole_build_is_refused_after_a_newer_one(built):
    seen = json.loads(built["second"]["keys.json"])["epoch"]
    with pytest.raises(RollbackError):
        open_site(built["first"], STRONG["city"], seen_epoch=seen)
    assert open_site(built["second"], STRONG["city"], seen_epoch=seen)
    # Raising the epoch of an old keys.json breaks its slots: the epoch is bound into them.
    doc = json.loads(built["first"]["keys.json"])
    doc["epoch"] = seen
    forged = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    with pytest.raises(InvalidTag):
        unwrap(forged, STRONG["city"])


def _sealed_blobs(files: dict[str, bytes], password: str) -> Iterator[bytes]:
    reader = open_site(files, password)
    yield files[json.loads(files["keys.json"])["root"]]
    yield from (files[file_name(digest)] for _p, _i, _n, digest, _len in reader.root["solo"])
    for number, entry in enumerate(reader.root["dirs"]):
        if entry is None:
            continue
        digest, offset, length = entry
        name = file_name(digest)
        yield files[name][offset : offset + length]
        for _p, _i, _n, off, size, _d in reader.directory(number)["entries"].values():
            yield files[name][off : off + size]


def test_a_nonce_never_repeats_for_a_different_payload(built):
    # Under one content key (first and second build share the passwords): nonce -> one ciphertext only.
    seen: dict[bytes, bytes] = {}
    for name in ("first", "second"):
        for blob in _sealed_blobs(built[name], STRONG["city"]):
            assert seen.setdefault(blob[:12], blob) == blob
    # Wrapped keys: a password kept while another changes wraps a new content key under a new nonce.
    salt = built["salt"]
    a, b = root_keys(STRONG, salt, FAST), root_keys({"caremanagers": STRONG["caremanagers"]}, salt, FAST)
    assert a.content != b.content
    from tsunagu.seal.keys import make_keys_json

    ka = json.loads(make_keys_json({"c": STRONG["caremanagers"]}, salt, FAST, a, 5, "p/x.bin", bytes(32)))
    kb = json.loads(make_keys_json({"c": STRONG["caremanagers"]}, salt, FAST, b, 5, "p/x.bin", bytes(32)))
    assert base64.b64decode(ka["slots"][0])[:12] != base64.b64decode(kb["slots"][0])[:12]
    # The nonce is over the exact payload: a different compression of the same text takes a new nonce.
    text = b"<p>" + "同じ本文".encode() * 50 + b"</p>"
    one, two = frame(deflate([text], False), 1), frame(text, 0)
    ad = entry_ad("index.html", 0, 1)
    assert unframe(one) == unframe(two) and synthetic_nonce(a.nonce, ad, one) != synthetic_nonce(a.nonce, ad, two)


def test_every_entry_is_padded_to_a_bucket(built):
    for blob in _sealed_blobs(built["second"], STRONG["city"]):
        payload = len(blob) - 12 - 16
        assert padme(payload) == payload, payload
    assert [padme(n) for n in (1, 256, 257, 1000, 5000, 70000)] == [256, 256, 272, 1024, 5120, 71680]


def test_no_published_name_or_byte_comes_from_plaintext(built):
    files = built["second"]
    plain = decrypt_site(files, STRONG["city"])
    hashes = {m.group(1) for p in plain if (m := re.search(r"(\w+_[0-9a-f]{7,})\.pf_", p))}
    hashes |= {m.group(0) for p in plain if (m := re.search(r"[0-9a-f]{7,}(?=\.pf_)", p))}
    hashes |= {m.group(1) for p in plain if (m := re.fullmatch(r"r/([a-z0-9]+)\.html", p))}  # record tokens
    assert len(hashes) >= 5
    reader = open_site(files, STRONG["city"])
    # A pack is named by the hash of its directory (its tail), which holds the hash of every entry in it.
    tails = {file_name(d[0]): d[2] for d in reader.root["dirs"] if d}
    for name, data in files.items():
        own = (
            re.fullmatch(r"p/[0-9a-f]{32}\.bin", name)
            and hashlib.sha256(data[-tails.get(name, len(data)) :]).hexdigest()[:32] == name[2:34]
        )
        assert (
            name in SHELL
            or name.startswith(("assets/", "pagefind/pagefind", "pagefind/wasm."))
            or own
            or (name.endswith("index.html") and not name.startswith("r/"))
        ), name
        for h in hashes:
            assert h not in name and h.encode() not in data, (name, h)
    record_names = {p for p in plain if p.startswith("r/")}
    assert record_names and not any(p in files for p in record_names), "record pages have no public stub"


def test_page_names_cannot_be_tested_against_a_guessed_id(built, tmp_path):
    plain = decrypt_site(built["second"], STRONG["city"])
    directory = load_directory(make_tree(tmp_path))
    for key in ("test-city", directory.site.title, built["salt"].hex()):  # everything public
        assert f"r/{page_token(key, 'provider', 'day-sakura')}.html" not in plain
    # They depend on the passwords (a secret), not on the public site id.
    third = decrypt_site(built["third"], NEW_PASSWORD)
    assert {p for p in plain if p.startswith("r/")}.isdisjoint(third)


def test_data_files_compress_each_record_in_a_context_of_its_own():
    neighbour_a = b'{"kind":"provider","notes":"secret note of the neighbour"}'
    neighbour_b = b'{"kind":"provider","notes":"something else entirely"}'
    guess = b'{"kind":"provider","notes":"secret note of the neighbour?"}'
    with_a, with_b = deflate([neighbour_a, guess], True), deflate([neighbour_b, guess], True)
    # The guess compresses to the same bytes whatever its neighbour says: sizes tell nothing.
    tail = len(deflate([guess], True)) - 2
    assert with_a[-tail:] == with_b[-tail:] and len(with_a) - len(deflate([neighbour_a], True)) == len(with_b) - len(
        deflate([neighbour_b], True)
    )
    assert len(deflate([neighbour_a, guess], False)) != len(deflate([neighbour_b, guess], False))


def test_big_shared_files_are_cut_at_record_boundaries():
    key = b"k" * 32
    data = b"".join(b'{"kind":"provider","id":"p%05d"},' % i for i in range(20000))
    parts = split_parts(data, key)
    assert len(parts) > 3 and b"".join(b"".join(p) for p in parts) == data
    assert all(p[0].startswith(b'{"kind":') for p in parts)
    # One record edited: only the part that holds it changes.
    edited = data.replace(b'"p10000"', b'"p10000-edited"')
    again = split_parts(edited, key)
    assert sum(a != b for a, b in zip(parts, again, strict=False)) <= 2 and abs(len(parts) - len(again)) <= 1


def test_production_iterations():
    assert Config().iterations >= 600_000


def test_changing_the_path_key_renames_record_pages_and_locks_nobody_out(tmp_path):
    # TSUNAGU_PATH_KEY only names record pages: a new one moves every record page to a new address (old
    # links stop working) while the same passwords open the new build with the same content key.
    data = make_tree(tmp_path)
    sites = {}
    with epoch(1_764_000_000):
        for name, key in (("one", "first path key, long and random"), ("two", "second path key, long and random")):
            build(fast_config(data, tmp_path / name, passwords=dict(STRONG), path_key=key))
            sites[name] = read_tree(tmp_path / name)
    one, two = (open_site(sites[n], STRONG["city"]) for n in ("one", "two"))
    assert one.key == two.key == unwrap(sites["two"]["keys.json"], STRONG["caremanagers"])
    pages_one, pages_two = ({p for p in r.paths() if p.startswith("r/")} for r in (one, two))
    assert len(pages_one) == len(pages_two) == 5 and pages_one.isdisjoint(pages_two)
