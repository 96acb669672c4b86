"""The Python side of the wire-format vectors (tests/vectors/*.json); tests/js/*.test.mjs check the browser's side."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json

import pytest
from cryptography.exceptions import InvalidTag
from tools import ROOT

from tsunagu.seal import encrypt, keys, locator, packs, wire
from tsunagu.seal import reader as sealed_reader
from tsunagu.search import textsearch

VECTORS = ROOT / "tests" / "vectors"
_spec = importlib.util.spec_from_file_location("tsunagu_vectors_make", VECTORS / "make.py")
assert _spec and _spec.loader
make = importlib.util.module_from_spec(_spec)  # tests/vectors/make.py, the generator
_spec.loader.exec_module(make)


def vector(name: str) -> dict:
    return json.loads((VECTORS / f"{name}.json").read_text(encoding="utf-8"))


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def test_the_vector_files_are_what_the_build_writes_today():
    for name, doc in make.vectors().items():
        stored = (VECTORS / f"{name}.json").read_text(encoding="utf-8")
        assert stored == make.text_of(doc), (
            f"tests/vectors/{name}.json differs from the build's code: "
            "run `python tests/vectors/make.py` if the change is meant"
        )


def check_keys_vectors(v: dict) -> None:
    for case in v["checks"]:
        try:
            keys.check_keys(json.loads(case["keys_json"]))
            accepted = True
        except keys.UnsafeKeys:
            accepted = False
        assert accepted == case["accept"], case["why"]
    text = v["keys_json"].encode()
    assert keys.unwrap(text, v["password"]) == b64(v["content_key"])
    assert keys.derive_key(v["password"], b64(json.loads(text)["salt"]), wire.MIN_ITERATIONS).hex() == v["kek"]
    with pytest.raises(InvalidTag):
        keys.unwrap(text, v["wrong_password"])
    low = v["low_iterations"]
    for password in low["passwords"]:
        assert keys.unwrap(low["keys_json"].encode(), password) == b64(low["content_key"])


def test_keys_json_and_its_slots():
    check_keys_vectors(vector("keys"))


def check_entries_vectors(v: dict) -> None:
    assert [[n, encrypt.padme(n)] for n, _ in v["padme"]] == v["padme"]
    content, nonce_key = b64(v["content_key"]), b64(v["nonce_key"])
    for e in v["entries"]:
        ad, payload = encrypt.entry_ad(e["path"], e["part"], e["parts"]), b64(e["payload"])
        assert ad.hex() == e["ad"]
        assert keys.synthetic_nonce(nonce_key, ad, payload).hex() == e["nonce"]
        assert encrypt.open_sealed(content, ad, b64(e["blob"])) == payload
        assert encrypt.unframe(payload) == b64(e["plain"]), e["kind"]
        with pytest.raises(InvalidTag):
            encrypt.open_sealed(content, encrypt.entry_ad(e["path"] + "x", e["part"], e["parts"]), b64(e["blob"]))
    for bad in v["bad_frames"]:
        with pytest.raises(ValueError):
            encrypt.unframe(b64(bad["payload"]))
    assert v["ads"]["root"] == packs.ROOT_AD.hex() and v["ads"]["loc 16"] == locator.ad(16).hex()


def test_one_entry_of_each_kind_and_the_bad_framings():
    check_entries_vectors(vector("entries"))


def test_a_built_pack_reads_back_every_path():
    v = vector("pack")
    files = {name: b64(blob) for name, blob in v["files"].items()}
    reader = sealed_reader.Reader(files, b64(v["content_key"]), v["root_name"], bytes.fromhex(v["root_sha256"]))
    assert reader.root == v["root"]
    group = b64(v["group_key"])
    for p in v["paths"]:
        assert reader.read(p["path"]) == b64(p["plain"])
        assert packs.slot_of(group, p["path"], 0).hex() == p["slot"] and packs.placement(p["path"]) == p["placement"]
        assert packs.is_solo(p["path"]) == p["solo"]
    assert hashlib.sha256(files[v["root_name"]]).hexdigest() == v["root_sha256"]


def test_a_locator_part_and_the_malformed_ones():
    v = vector("locator")
    plain = encrypt.unframe(encrypt.open_sealed(b64(v["content_key"]), locator.ad(v["first"]), b64(v["blob"])))
    assert plain.hex() == v["plain"]
    rows = locator.decode(plain, v["first"], v["end"])
    assert {str(n): {t.hex(): list(x) for t, x in r.items()} for n, r in rows.items()} == v["rows"]
    for bad in v["malformed"]:
        with pytest.raises(ValueError):
            locator.decode(bytes.fromhex(bad["plain"]), v["first"], v["end"])


def test_the_normaliser_and_tokens_on_hostile_strings():
    v = vector("text")
    places, words = tuple(v["places"]), tuple(v["place_words"])
    for c in v["cases"]:
        assert textsearch.normalize(c["text"]) == c["normalized"], c["text"]
        assert textsearch.query_words(c["text"], places, words) == c["words"], c["text"]
        assert textsearch.query_tokens(c["text"], places, words) == c["tokens"], c["text"]
        assert textsearch.exact_token(c["text"]) == c["exact"], c["text"]


def test_a_constant_changed_in_one_python_module_fails_the_vectors(monkeypatch):
    """Python's modules copy wire's constants at import: one changed there alone disagrees with the vectors."""
    monkeypatch.setattr(encrypt, "MIN_BUCKET", 512)
    with pytest.raises(AssertionError):
        check_entries_vectors(vector("entries"))
    monkeypatch.undo()
    monkeypatch.setattr(keys, "MIN_ITERATIONS", 500_000)
    with pytest.raises(AssertionError, match="one iteration too few"):
        check_keys_vectors(vector("keys"))
