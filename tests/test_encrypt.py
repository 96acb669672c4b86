"""Encrypt stage, tested by decrypting what the build wrote, as the browser would."""

from __future__ import annotations

import base64
import json

import pytest
from conftest import FAST, STRONG, fast_config, load_directory, make_tree, read_tree
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tsunagu.domain.config import Config
from tsunagu.pipeline.builder import build
from tsunagu.pipeline.encrypt import (
    HEADER,
    MAGIC,
    SUFFIX,
    Keyring,
    decrypt_file,
    derive_key,
    encrypt_file,
    make_keyring,
    unwrap,
)
from tsunagu.pipeline.render import render_site


def decrypt_site(files: dict[str, bytes], password: str) -> dict[str, bytes]:
    key = unwrap(files["keys.json"], password)
    return {p.removesuffix(SUFFIX): decrypt_file(p.removesuffix(SUFFIX), b, key)
            for p, b in files.items() if p.endswith(SUFFIX)}


def stored_key(files: dict[str, bytes], password: str) -> bytes:
    """What the browser keeps after unlocking: the password-derived key, not the content key."""
    slot = json.loads(files["keys.json"])["slots"][0]
    return derive_key(password, base64.b64decode(slot["salt"]), slot["iterations"])


def unwrap_with(files: dict[str, bytes], kek: bytes) -> bytes:
    """Unwrap a build's content key with a stored key, trying every slot (as unlock.js does)."""
    keys = json.loads(files["keys.json"])
    aad = b"tsunagu/v1/key\0" + bytes.fromhex(keys["build"])
    for slot in keys["slots"]:
        blob = base64.b64decode(slot["wrapped"])
        try:
            return AESGCM(kek).decrypt(blob[:12], blob[12:], aad)
        except InvalidTag:
            continue
    raise InvalidTag("no slot opens")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("encrypt")
    data = make_tree(root)
    config = fast_config(data, root / "site", passwords=dict(STRONG), search=False)
    build(config)
    first = read_tree(root / "site")
    # A data update, built again with the same passwords.
    sakura = data / "providers" / "day-sakura.yaml"
    sakura.write_text(sakura.read_text().replace("new_clients: accepting", "new_clients: not_accepting"))
    build(config)
    second = read_tree(root / "site")
    expected = render_site(load_directory(data), config)
    # The city's password removed, the care managers' password changed.
    build(fast_config(data, root / "site", search=False,
                      passwords={"caremanagers": "plum-teacup-glacier-mosaic-91"}))
    third = read_tree(root / "site")
    return {"first": first, "second": second, "third": third, "rendered": expected}


def test_decrypting_gives_back_exactly_the_rendered_files(built):
    for password in STRONG.values():
        plain = decrypt_site(built["second"], password)
        assert plain == built["rendered"]


def test_every_protected_file_is_encrypted_and_nothing_else(built):
    files = built["second"]
    assert {p.removesuffix(SUFFIX) for p in files if p.endswith(SUFFIX)} == set(built["rendered"])
    for path, data in files.items():
        if path.endswith(SUFFIX):
            assert data[:4] == MAGIC, path
        elif path.endswith(".html") and not path.startswith("unlock/"):
            assert path + SUFFIX in files, f"{path} is a stub of a protected page"
            assert b"assets/boot.js" in data and len(data) < 2000, path


def test_keys_json_holds_no_password_or_label(built):
    text = built["second"]["keys.json"].decode()
    keys = json.loads(text)
    assert keys["kdf"] == "PBKDF2-SHA256" and keys["cipher"] == "AES-256-GCM"
    assert len(keys["slots"]) == 2
    assert all(slot["iterations"] == FAST for slot in keys["slots"])
    for label, password in STRONG.items():
        assert label not in text and password not in text


def test_wrong_password_fails(built):
    with pytest.raises(InvalidTag):
        unwrap(built["second"]["keys.json"], "correct horse battery staple kagoshimA")
    with pytest.raises(InvalidTag):
        unwrap(built["second"]["keys.json"], "")


def test_flipping_any_byte_is_detected(built):
    files = built["second"]
    key = unwrap(files["keys.json"], STRONG["city"])
    for path, blob in files.items():
        if not path.endswith(SUFFIX):
            continue
        name = path.removesuffix(SUFFIX)
        for pos in (0, 5, HEADER, HEADER + 12, len(blob) // 2, len(blob) - 1):
            tampered = bytearray(blob)
            tampered[pos] ^= 0x01
            with pytest.raises(InvalidTag):
                decrypt_file(name, bytes(tampered), key)
        with pytest.raises(InvalidTag):
            decrypt_file(name, blob[:-1], key)


def test_swapping_two_ciphertexts_is_detected(built):
    files = built["second"]
    key = unwrap(files["keys.json"], STRONG["city"])
    a, b = "index.html.enc", "data/records.json.enc"
    with pytest.raises(InvalidTag):
        decrypt_file("index.html", files[b], key)
    with pytest.raises(InvalidTag):
        decrypt_file("data/records.json", files[a], key)
    pages = sorted(p for p in files if p.startswith("r/") and p.endswith(SUFFIX))
    with pytest.raises(InvalidTag):
        decrypt_file(pages[0].removesuffix(SUFFIX), files[pages[1]], key)


def test_a_ciphertext_from_another_build_fails(built):
    first, second = built["first"], built["second"]
    key2 = unwrap(second["keys.json"], STRONG["city"])
    assert first["keys.json"] != second["keys.json"]
    with pytest.raises(InvalidTag):
        decrypt_file("desks/index.html", first["desks/index.html.enc"], key2)
    # Even under the same content key, the build id in the header is authenticated.
    ring1 = Keyring(b"\x01" * 8, AESGCM.generate_key(bit_length=256), b"{}")
    ring2 = Keyring(b"\x02" * 8, ring1.content_key, b"{}")
    blob = encrypt_file("index.html", b"<p>x</p>", ring1)
    assert decrypt_file("index.html", blob, ring1.content_key) == b"<p>x</p>"
    moved = MAGIC + ring2.build_id + blob[HEADER:]
    with pytest.raises(InvalidTag):
        decrypt_file("index.html", moved, ring2.content_key)


def test_a_data_update_logs_nobody_out(built):
    first, second = built["first"], built["second"]
    assert json.loads(first["keys.json"])["slots"][0]["salt"] == json.loads(second["keys.json"])["slots"][0]["salt"]
    for password in STRONG.values():
        kek = stored_key(first, password)               # remembered since the first build
        key = unwrap_with(second, kek)
        page = decrypt_file("data/status.csv", second["data/status.csv.enc"], key)
        assert "デイサービスさくら,通所介護,北部,029-000-1011,通常営業,受入不可".encode() in page


def test_a_removed_or_changed_password_is_locked_out(built):
    third = built["third"]
    for password in STRONG.values():
        with pytest.raises(InvalidTag):
            unwrap(third["keys.json"], password)
        with pytest.raises(InvalidTag):
            unwrap_with(third, stored_key(built["second"], password))
    assert decrypt_site(third, "plum-teacup-glacier-mosaic-91")["index.html"].startswith(b"<!doctype html>")
    assert len(json.loads(third["keys.json"])["slots"]) == 1


def test_salt_is_per_site():
    a = json.loads(make_keyring({"x": "p"}, "site-a", FAST).keys_json)["slots"][0]["salt"]
    b = json.loads(make_keyring({"x": "p"}, "site-b", FAST).keys_json)["slots"][0]["salt"]
    assert a != b and len(base64.b64decode(a)) == 16


def test_production_iterations(tmp_path):
    assert Config().iterations >= 600_000
    ring = make_keyring({"caremanagers": "correct horse battery staple kagoshima"}, "test-city", Config().iterations)
    keys = json.loads(ring.keys_json)
    assert keys["kdf"] == "PBKDF2-SHA256"
    assert [s["iterations"] for s in keys["slots"]] == [Config().iterations]
    assert unwrap(ring.keys_json, "correct horse battery staple kagoshima") == ring.content_key


def test_derive_key_matches_pbkdf2():
    import hashlib

    assert derive_key("パスワード", b"salt" * 4, 1000) == hashlib.pbkdf2_hmac(
        "sha256", "パスワード".encode(), b"salt" * 4, 1000)


def test_nonces_are_fresh():
    ring = make_keyring({"x": "p"}, "s", FAST)
    a, b = encrypt_file("a", b"same", ring), encrypt_file("a", b"same", ring)
    assert a != b and a[HEADER:HEADER + 12] != b[HEADER:HEADER + 12]


def test_not_a_tsunagu_ciphertext():
    with pytest.raises(InvalidTag):
        decrypt_file("a", b"XXXX" + bytes(40), bytes(32))


def test_public_files_reveal_nothing_of_the_fixture(built):
    files = built["second"]
    for path, data in files.items():
        if path.endswith(SUFFIX):
            continue
        for secret in ("デイサービスさくら", "やまだ内科", "029-000-1011", "北条1-2-3"):
            assert secret.encode() not in data, f"{path} holds {secret}"

