"""The whole build, stage after stage: load, validate, render, index, encrypt, publish."""

from __future__ import annotations

import dataclasses
import functools
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from tsunagu.data.history import read_history
from tsunagu.data.load import load_tree
from tsunagu.data.validate import validate_tree
from tsunagu.domain.config import Config
from tsunagu.publish.publish import write_site
from tsunagu.publish.shell import shell_files
from tsunagu.render.pages import render_site
from tsunagu.seal.buildinfo import build_epoch, site_salt
from tsunagu.seal.encrypt import entries, part_scale
from tsunagu.seal.keys import RootKeys, make_keys_json, root_keys
from tsunagu.seal.packs import build_packs
from tsunagu.seal.passwords import check_passwords
from tsunagu.search.index import index_record, index_records, is_runtime, without_index_block

FORK_LIMIT = 30_000


@dataclass
class BuildReport:
    """What a build produced, for the CLI and the benchmark."""

    providers: int
    physicians: int
    pages: int
    files: int
    bytes: int
    seconds: dict[str, float]
    plaintext_bytes: int = 0
    notes: list[str] = field(default_factory=list)


def _seal_all(files: dict[str, bytes], keys: RootKeys, workers: int, scale: int = 1) -> list[tuple[str, int, int, bytes]]:
    """Every file as sealed entries; deflate releases the GIL, so threads share the big files out to every core."""
    def one(item: tuple[str, bytes]) -> list[tuple[str, int, int, bytes]]:
        return [(item[0], part, parts, blob) for part, parts, blob in entries(item[0], item[1], keys, scale)]

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return [entry for sealed in pool.map(one, sorted(files.items())) for entry in sealed]


def _record_entries(keys: RootKeys, path: str, page: bytes) -> tuple[int, dict, list[tuple[int, int, bytes]]]:
    """What the build keeps of a record page: its size, its search record, its sealed entries."""
    return len(page), index_record(path, page), list(entries(path, without_index_block(page), keys))


def build(config: Config) -> BuildReport:
    """Build the encrypted site into config.out_dir; nothing is written unless every check passes."""
    timer = _Timer()
    # Gather and check everything first: data, then passwords.
    tree = load_tree(config.data_dir, keep_going=True)
    timer.lap("load")
    directory = validate_tree(tree, config.today)
    del tree   # the parsed YAML with its line marks: not needed once validated
    timer.lap("validate")
    check_passwords(config.passwords, require=config.require_passwords, site=directory.site)
    salt, note = site_salt(config.data_dir, directory.site.salt)
    directory.site.salt = salt.hex()
    passwords = config.effective_passwords()
    keys = root_keys(passwords, salt, config.iterations)
    epoch = build_epoch(config.data_dir)
    timer.lap("keys")
    history = read_history(config.data_dir, config.today)   # status changes from git, for 最近の変更
    timer.lap("history")
    # Plaintext exists only in memory; record pages are indexed, compressed and sealed where they are rendered.
    # Each forked render worker ends up with its own copy of much of the parent's memory: above
    # FORK_LIMIT records one process renders, so a large region stays within a CI runner's memory.
    records_count = len(directory.providers) + len(directory.physicians)
    render_config = dataclasses.replace(config, workers=1) if records_count > FORK_LIMIT and not config.workers else config
    rendered = render_site(directory, render_config, history, record_hook=functools.partial(_record_entries, keys))
    timer.lap("render")
    shared = {p: b for p, b in rendered.items() if not p.startswith("r/")}
    records = sorted((p, v) for p, v in rendered.items() if p.startswith("r/"))
    del rendered
    plaintext = sum(len(b) for b in shared.values()) + sum(v[0] for _p, v in records)
    workers = config.workers or min(4, os.cpu_count() or 1)
    # Split what the workers sent back, and let go of it before Pagefind runs (memory peaks there).
    sealed = [(p, part, parts, blob) for p, v in records for part, parts, blob in v[2]]
    documents = [v[1] for _p, v in records] if config.search else []
    names = [p for p, _v in records]
    del records
    sealed += _seal_all(shared, keys, workers, part_scale(records_count))
    names = sorted([*shared, *names])
    del shared
    index_files = index_records(documents, workers) if config.search else {}
    del documents
    plaintext += sum(len(b) for b in index_files.values())
    timer.lap("index")
    index_data = {p: b for p, b in index_files.items() if not is_runtime(p)}
    sealed += _seal_all(index_data, keys, workers)
    names = sorted([*names, *index_data])
    pages = sum(p.endswith(".html") for p in names)
    del index_data
    packs, root_name, root_hash = build_packs(sealed, keys)
    del sealed
    keys_json = make_keys_json(passwords, salt, config.iterations, keys, epoch, root_name, root_hash)
    public = shell_files(names, index_files, keys_json, config,
                         allow_shared_origin=directory.site.allow_shared_origin, site=directory.site)
    timer.lap("encrypt")
    output = {**packs, **public}
    write_site(output, config.out_dir)
    timer.lap("publish")
    return BuildReport(len(directory.providers), len(directory.physicians), pages, len(output),
                       sum(len(b) for b in output.values()), timer.laps, plaintext,
                       ([note] if note else []) + [f"{p}（この過去の版は読まずに、最近の変更から除きました）"
                                                   for p in history.refused])


class _Timer:
    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self.last
        self.last = now
