"""Publish stage: write the output into a fresh folder, then swap it in, so a failure leaves site/ as it was."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from tsunagu.errors import BuildError


def write_site(files: dict[str, bytes], out_dir: Path) -> None:
    """Write every file under a temporary sibling of out_dir, then replace out_dir with it."""
    out_dir = Path(out_dir)
    parent = out_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-new-", dir=parent))
    try:
        made: set[Path] = set()
        for path, data in files.items():
            target = staging / path
            if ".." in Path(path).parts or Path(path).is_absolute():
                raise BuildError(f"refusing to write outside the site: {path!r}")
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            target.write_bytes(data)
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
