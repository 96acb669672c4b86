"""Write an import plan: the only part of the importer that touches files."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tsunagu.importers.mhlw.plan import Plan


def write_plan(plan: Plan, data_dir: Path) -> None:
    """Write what the plan changes, each file atomically; the only function here that writes."""
    if plan.site_text is not None:
        _write(data_dir / "site.yaml", plan.site_text)
    for change in plan.changes:
        if change.kind != "unchanged":
            _write(data_dir / change.path, change.text)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
        out.write(text)
    os.replace(tmp, path)
