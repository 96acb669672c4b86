"""The real open data beside the project (../shared/samples): found from any checkout, read once per run."""

from __future__ import annotations

import functools
import os
import tarfile
from pathlib import Path

import pytest
from tools import ROOT


def shared_samples() -> Path | None:
    """The shared samples folder: $TSUNAGU_SAMPLES, else shared/samples beside an ancestor of the checkout."""
    if os.environ.get("TSUNAGU_SAMPLES"):
        return Path(os.environ["TSUNAGU_SAMPLES"])
    for folder in ROOT.parents:
        if (folder / "shared" / "samples").is_dir():
            return folder / "shared" / "samples"
    return None


@functools.cache
def _east_folder(target: str) -> Path:
    archive = (shared_samples() or Path("/nonexistent")) / "mhlw-east" / "mhlw-east.tar.xz"
    if not archive.is_file():
        pytest.skip("../shared/samples/mhlw-east is not here (real open data, never committed)")
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return Path(target)


def mhlw_east(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the 27 eastern-Japan CSV files, as published (extracted once per test run)."""
    return _east_folder(str(tmp_path_factory.getbasetemp() / "mhlw-east"))
