"""The whole build, stage after stage: load, validate, render, index, encrypt, publish."""

from __future__ import annotations

import time
from dataclasses import dataclass

from tsunagu.domain.config import Config
from tsunagu.pipeline.encrypt import encrypt_files, make_keyring
from tsunagu.pipeline.history import read_history
from tsunagu.pipeline.index import index_pages, is_runtime
from tsunagu.pipeline.load import load_tree
from tsunagu.pipeline.passwords import check_passwords
from tsunagu.pipeline.publish import write_site
from tsunagu.pipeline.render import render_site
from tsunagu.pipeline.shell import shell_files
from tsunagu.pipeline.validate import validate_tree


@dataclass
class BuildReport:
    """What a build produced, for the CLI and the benchmark."""

    providers: int
    physicians: int
    pages: int
    files: int
    bytes: int
    seconds: dict[str, float]


def build(config: Config) -> BuildReport:
    """Build the encrypted site into config.out_dir; nothing is written unless every check passes."""
    timer = _Timer()
    # Gather and check everything first: data, then passwords.
    tree = load_tree(config.data_dir, keep_going=True)
    timer.lap("load")
    directory = validate_tree(tree, config.today)
    timer.lap("validate")
    check_passwords(config.passwords, require=config.require_passwords, site=directory.site)
    site_id = directory.site.site_id or directory.site.title
    keyring = make_keyring(config.effective_passwords(), site_id, config.iterations)
    timer.lap("keys")
    # Plaintext exists only in memory (and briefly in a private temp folder for Pagefind).
    history = read_history(config.data_dir, config.today)   # status changes from git, for 最近の変更
    timer.lap("history")
    protected = render_site(directory, config, history)
    timer.lap("render")
    index_files = index_pages(protected) if config.search else {}
    protected.update({p: b for p, b in index_files.items() if not is_runtime(p)})
    timer.lap("index")
    public = shell_files(protected, index_files, keyring.keys_json, config)
    encrypted = encrypt_files(protected, keyring)
    timer.lap("encrypt")
    output = {**encrypted, **public}
    write_site(output, config.out_dir)
    timer.lap("publish")
    return BuildReport(len(directory.providers), len(directory.physicians),
                       sum(p.endswith(".html") for p in protected), len(output),
                       sum(len(b) for b in output.values()), timer.laps)


class _Timer:
    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self.last
        self.last = now
