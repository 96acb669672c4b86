"""Publish stage: write the output into a fresh folder, then swap it in, so a failure leaves site/ as it was."""

from __future__ import annotations

import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tsunagu.domain.errors import BuildError


def write_site(files: dict[str, bytes], out_dir: Path) -> None:
    """Write every file under a temporary sibling of out_dir, then replace out_dir with it."""
    out_dir = Path(out_dir)
    parent = out_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-new-", dir=parent))
    try:
        for path in files:
            if ".." in Path(path).parts or Path(path).is_absolute():
                raise BuildError(f"refusing to write outside the site: {path!r}")
        for folder in sorted({(staging / p).parent for p in files}):
            folder.mkdir(parents=True, exist_ok=True)
        # Many small files: the time goes to file-system latency, which threads overlap.
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda item: (staging / item[0]).write_bytes(item[1]), files.items()))
        os.chmod(staging, 0o755)
        old = None
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-old-", dir=parent))
            os.rename(out_dir, old / "site")
        os.rename(staging, out_dir)
        if old:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
