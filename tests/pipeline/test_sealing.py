"""The shared files are sealed where they are rendered (pipeline/sealing.py): what comes back opens to the same files."""

from __future__ import annotations

import hashlib

from conftest import fast_config, load_directory, make_tree

from tsunagu.domain.paths import is_record
from tsunagu.pipeline.results import SharedFile
from tsunagu.pipeline.sealing import seal_shared
from tsunagu.render.pages import render_site
from tsunagu.render.sample import dictionary
from tsunagu.seal import wire
from tsunagu.seal.dictionary import read_sections
from tsunagu.seal.encrypt import entry_ad, open_sealed, unframe
from tsunagu.seal.keys import root_keys
from tsunagu.seal.rows import assemble, is_store

KEYS = root_keys({"caremanagers": "a-password"}, b"s" * 16, 1000)


def _shared(tmp_path):
    data = make_tree(tmp_path)
    config = fast_config(data, tmp_path / "site")
    directory = load_directory(data)
    text = dictionary(directory.site, config)
    return directory, config, text, read_sections(text)


def test_render_site_hands_every_shared_file_to_the_hook_and_returns_what_it_gives(tmp_path):
    directory, config, _text, _sections = _shared(tmp_path)
    plain = render_site(directory, config)
    seen: dict[str, bytes] = {}

    def hook(files: dict[str, bytes]) -> dict[str, int]:
        seen.update(files)
        return {path: len(data) for path, data in files.items()}

    hooked = render_site(load_directory(config.data_dir), config, shared_hook=hook)
    assert seen == {p: b for p, b in plain.items() if not is_record(p)}
    assert hooked == {p: (b if is_record(p) else len(b)) for p, b in plain.items()}


def test_the_sealed_shared_files_open_to_their_plaintext_with_their_sizes_and_digests(tmp_path):
    directory, config, text, sections = _shared(tmp_path)
    files = {p: b for p, b in render_site(directory, config).items() if not is_record(p)}
    sealed = seal_shared(KEYS, sections, text, 2, 2, dict(files))
    files[wire.DICT_PATH] = text
    stores = {p for p in sealed if is_store(p)}
    assert stores and set(sealed) == set(files) | stores
    assert all(sealed[s].size == 0 and sealed[s].digest == b"" for s in stores)

    def part(path: str, number: int) -> tuple[int, bytes]:
        """One part's plaintext, as the reader opens it (seal/reader.py)."""
        _number, parts, blob = sealed[path].entries[number]
        return parts, unframe(open_sealed(KEYS.content, entry_ad(path, number, parts), blob), lambda: sections)

    for path, plaintext in files.items():
        file = sealed[path]
        assert isinstance(file, SharedFile)
        assert (file.size, file.digest) == (len(plaintext), hashlib.sha256(plaintext).digest())
        parts = file.entries[0][1]
        assert [e[:2] for e in file.entries] == [(i, parts) for i in range(parts)]
        body = b"".join(part(path, i)[1] for i in range(parts))
        assert (assemble(body, part) if body.startswith(b"\0") else body) == plaintext, path
