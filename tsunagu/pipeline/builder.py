"""The whole build, stage after stage: load, validate, render, index, seal, publish."""

from __future__ import annotations

import dataclasses
import functools
import gc
import hashlib
import os
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import IO, Any

from tsunagu.data.demo import demo_shift, shift_directory, shift_history
from tsunagu.data.history import read_history
from tsunagu.data.load import load_tree
from tsunagu.data.validate import validate_tree
from tsunagu.domain.config import Config
from tsunagu.domain.kinds import KINDS
from tsunagu.domain.paths import DATA_DIR, is_record
from tsunagu.pipeline.forked import in_child
from tsunagu.pipeline.heap import keep_small_blocks, release_free_memory
from tsunagu.pipeline.results import Checked, Content, RecordPage, SharedFile
from tsunagu.pipeline.sealing import as_entries, seal_files, seal_shared
from tsunagu.publish.publish import write_site
from tsunagu.publish.shell import shell_files
from tsunagu.render.pages import render_site
from tsunagu.render.sample import dictionary
from tsunagu.seal.buildinfo import build_epoch, epoch_date, site_salt
from tsunagu.seal.dictionary import read_sections
from tsunagu.seal.encrypt import entries
from tsunagu.seal.keys import RootKeys, derive_key, make_keys_json, root_keys
from tsunagu.seal.packs import SealedEntry, build_packs
from tsunagu.seal.passwords import check_passwords
from tsunagu.seal.rows import is_store
from tsunagu.search.index import compact_record, index_records, is_runtime, without_index_block
from tsunagu.search.output import sealed_together

FORK_LIMIT = 20_000  # above this many records one process renders: two forked workers each copy about 250 MB
SPOOL_RECORDS = 20_000  # above this, sealed entries wait in a temporary file during the index
_Stages = tuple[Checked, Content, int, int]  # checked data, sealed content, providers, physicians
REFUSED_NOTE = "（この過去の版は読まずに、最近の変更から除きました）"


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

    @property
    def stages(self) -> dict[str, float]:
        """Seconds per stage, by the stage packages' names: validate includes deriving the keys and reading
        the history; render includes sealing the record pages and the shared files (done where they are
        rendered); seal is the rest."""
        laps = self.seconds
        return {
            "load": laps.get("load", 0.0),
            "validate": laps.get("validate", 0.0) + laps.get("keys", 0.0) + laps.get("history", 0.0),
            "render": laps.get("render", 0.0),
            "index": laps.get("index", 0.0),
            "seal": laps.get("seal shared", 0.0) + laps.get("encrypt", 0.0),
            "publish": laps.get("publish", 0.0),
        }


def build(requested: Config) -> BuildReport:
    """Build the encrypted site into config.out_dir; nothing is written unless every check passes."""
    timer = _Timer()
    keep_small_blocks()
    if _record_files(requested) > SPOOL_RECORDS:
        checked, content, providers, physicians = _stages_in_child(requested, timer)
    else:
        checked, content, providers, physicians = _checked_and_sealed(requested, timer)
    config = checked.config  # every later step builds for the checked date, never the clock's
    workers = worker_count(config)
    gc.collect()
    release_free_memory()
    index = index_records(content.take_documents(), workers) if config.search else {}
    content.plaintext_bytes += sum(len(b) for b in index.values())
    timer.lap("index")
    protected_index = {p: b for p, b in index.items() if not is_runtime(p)}
    together = sealed_together(protected_index)
    generation = hashlib.sha256(content.status_digest + b"".join(protected_index[p] for p in together)).digest()
    rest = {p: b for p, b in protected_index.items() if p not in together}
    # Thousands of fragments: in forked processes, as the render's are, up to FORK_LIMIT records.
    processes = workers if providers + physicians <= FORK_LIMIT else 1
    content.add(
        protected_index,
        as_entries(seal_files(rest, checked.keys, workers, sections=content.sections, processes=processes)),
    )
    # Sealed anew at every status edit, or which of them changed would name the field (search.output.sealed_together).
    content.add(
        {}, as_entries(seal_files({p: protected_index[p] for p in together}, checked.keys, workers, 1, generation))
    )
    with ThreadPoolExecutor(max_workers=workers) as pool:
        # PBKDF2 lets go of the GIL: each password's slot key is derived while the packs are made.
        keks = pool.map(
            functools.partial(derive_key, salt=checked.salt, iterations=config.iterations), checked.passwords.values()
        )
        packs, root_name, root_hash = build_packs(content.take_entries(), checked.keys)
        keys_json = make_keys_json(
            checked.passwords,
            checked.salt,
            config.iterations,
            checked.keys,
            checked.epoch,
            root_name,
            root_hash,
            list(keks),
        )
    public = shell_files(
        content.names,
        index,
        keys_json,
        config,
        allow_shared_origin=checked.directory.site.allow_shared_origin,
        site=checked.directory.site,
    )
    timer.lap("encrypt")
    output = {**packs, **public}
    write_site(output, config.out_dir)
    timer.lap("publish")
    return BuildReport(
        providers,
        physicians,
        content.pages,
        len(output),
        sum(len(b) for b in output.values()),
        timer.laps,
        content.plaintext_bytes,
        checked.notes,
    )


def _checked_and_sealed(config: Config, timer: _Timer, spool: IO[bytes] | None = None) -> _Stages:
    """Load, validate and render with sealing: the protected content and what later stages need of the data."""
    checked = _check(config, timer)
    providers, physicians = len(checked.directory.providers), len(checked.directory.physicians)
    workers = worker_count(checked.config)
    content = _render_and_seal(checked, workers, timer)  # releases the records once rendered
    if spool is not None or providers + physicians > SPOOL_RECORDS:
        content.spool(spool)  # a few hundred MB of sealed pages wait on disk while Pagefind runs
    return checked, content, providers, physicians


def _stages_in_child(config: Config, timer: _Timer) -> _Stages:
    """_checked_and_sealed in a forked process: the records' memory (several hundred MB at 23,000, much of it
    heap the allocator cannot hand back once the records are freed) ends with it, before Pagefind needs room.
    The sealed entries (ciphertext) come back through a temporary file; the rest through a pipe."""
    spool = tempfile.TemporaryFile(prefix="tsunagu-sealed-")

    def stages() -> tuple[_Stages, dict[str, float]]:
        done = _checked_and_sealed(config, timer, spool)
        spool.flush()
        done[1].spool_file = None  # the parent holds the same file
        return done, timer.laps

    try:
        (checked, content, providers, physicians), laps = in_child(stages)
    except BaseException:
        spool.close()
        raise
    content.spool_file = spool
    timer.laps.update(laps)
    timer.last = time.perf_counter()
    return checked, content, providers, physicians


def worker_count(config: Config) -> int:
    """Threads and processes for the build's parallel steps: the configured count, or up to 4 cores."""
    return config.workers or min(4, os.cpu_count() or 1)


def _record_files(config: Config) -> int:
    """How many record files the data folder holds (before reading them)."""
    return sum(
        1
        for kind in KINDS
        if (config.data_dir / kind.folder).is_dir()
        for p in (config.data_dir / kind.folder).iterdir()
        if p.suffix in (".yaml", ".yml")
    )


def _check(config: Config, timer: _Timer) -> Checked:
    """Everything checked before anything is made: data, then passwords; then the keys and the history."""
    tree = load_tree(config.data_dir, keep_going=True, workers=worker_count(config))
    timer.lap("load")
    epoch = (
        config.epoch
        if config.epoch is not None
        else build_epoch(config.data_dir, demo=config.demo, require=config.require_passwords)
    )
    if config.today_from_epoch:
        # Nothing in a production build depends on the day it runs: its date is its commit's.
        config = dataclasses.replace(config, today=epoch_date(epoch))
    directory = validate_tree(tree, config.today)
    timer.lap("validate")
    check_passwords(config.passwords, require=config.require_passwords, site=directory.site)
    salt, note = site_salt(config.data_dir, directory.site.salt, require=config.require_passwords)
    directory.site.salt = salt.hex()
    passwords = config.effective_passwords()
    keys = root_keys(passwords, salt, config.iterations)
    timer.lap("keys")
    # The demo's dates move to the build day (demo builds only), its recorded changes with them.
    shift = demo_shift(directory, config.today, config.demo)
    shift_directory(directory, shift)
    history = shift_history(read_history(config.data_dir, config.today - shift), shift, config.today)  # for 最近の変更
    timer.lap("history")
    notes = ([note] if note else []) + [f"{p}{REFUSED_NOTE}" for p in history.refused]
    return Checked(config, directory, passwords, salt, keys, epoch, history, notes)


def _render_and_seal(checked: Checked, workers: int, timer: _Timer) -> Content:
    """Every protected page and data file, rendered and sealed; plaintext exists only in memory, in here."""
    # Record pages are indexed, compressed and sealed where they are rendered. Each forked render
    # worker ends up with its own copy of much of the parent's memory: above FORK_LIMIT records one
    # process renders, so a large region stays within a CI runner's memory.
    config, directory = checked.config, checked.directory
    records_count = len(directory.providers) + len(directory.physicians)
    render_workers = 1 if records_count > FORK_LIMIT and not config.workers else workers
    # The region's pages for made-up records: the preset dictionary each record page is deflated against.
    shared_text = dictionary(directory.site, config)
    sections = read_sections(shared_text)
    hook = functools.partial(_record_page, checked.keys, sections)
    # The shared files are sealed where they are rendered: beside the record pages, on a core of their own;
    # when one process renders, once the records are gone (sealing beside them took 60,000 to 1,043 MB from 825).
    beside = functools.partial(seal_shared, checked.keys, sections, shared_text, records_count, workers)
    serial = render_workers == 1
    rendered: dict[str, Any] = render_site(
        directory,
        config,
        checked.history,
        record_hook=hook,
        shared_hook=None if serial else beside,
        workers=render_workers,
    )
    # Nothing after the render reads the records: they go now, before the index runs
    # (60,000 validated records and their source text are about half a GB).
    for records_of_a_kind in (directory.providers, directory.physicians, directory.notices):
        records_of_a_kind.clear()
    directory.files.clear()
    gc.collect()
    release_free_memory()
    if serial:  # handed over, not copied: each page's plaintext goes as soon as its rows have left it (seal.rows)
        rendered.update(beside({p: rendered.pop(p) for p in [p for p in rendered if not is_record(p)]}))
    timer.lap("render")
    shared: dict[str, SharedFile] = {p: v for p, v in rendered.items() if not is_record(p)}
    records: list[tuple[str, RecordPage]] = sorted((p, v) for p, v in rendered.items() if is_record(p))
    rendered.clear()  # the records' sealed entries are all that is left of them
    sealed = [SealedEntry(p, part, parts, blob) for p, page in records for part, parts, blob in page.entries]
    sealed += [SealedEntry(p, part, parts, blob) for p, file in shared.items() for part, parts, blob in file.entries]
    names = sorted([*(p for p in shared if not is_store(p)), *(p for p, _ in records)])
    plaintext = sum(file.size for file in shared.values()) + sum(page.size for _, page in records)
    status = shared.get(f"{DATA_DIR}status.csv")
    status_digest = status.digest if status else hashlib.sha256(b"").digest()
    timer.lap("seal shared")  # what is left of it after the render: the sealed files handed over
    return Content(
        sealed,
        names,
        plaintext,
        [page.document for _, page in records] if config.search else [],
        status_digest,
        sections=sections,
    )


def _record_page(keys: RootKeys, sections: Sequence[bytes], path: str, page: bytes) -> RecordPage:
    """What the build keeps of a record page: its size, its search record, its sealed entries."""
    sealed = entries(path, without_index_block(page), keys, sections=sections)
    return RecordPage(len(page), compact_record(path, page), list(sealed))


class _Timer:
    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self.last
        self.last = now
