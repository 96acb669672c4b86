#!/usr/bin/env python3
"""Explain what one data edit changed in a built site: per changed file, its size and the logical entries in it.

    python bench/incremental.py BEFORE_SITE AFTER_SITE [PASSWORD]

Both folders are opened as the browser opens them (keys.json, root manifest, pack directories);
each logical entry (path, part) is compared by the SHA-256 of its sealed bytes.
"""

from __future__ import annotations

import hashlib
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from steps import PASSWORD  # noqa: E402

from tsunagu.seal.packs import file_name  # noqa: E402
from tsunagu.seal.reader import Reader, open_site  # noqa: E402


def read_folder(folder: Path) -> dict[str, bytes]:
    """Every file of a built site, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def entry_map(reader: Reader, files: dict[str, bytes]) -> dict[tuple[str, int], tuple[str, str, int]]:
    """(path, part) -> (file holding it, SHA-256 of its sealed bytes, sealed length)."""
    out = {}
    for path in reader.paths():
        parts = reader.locate(path, 0)[3]
        for part in range(parts):
            name, offset, length, _parts, _digest = reader.locate(path, part)
            out[(path, part)] = (name, hashlib.sha256(files[name][offset : offset + length]).hexdigest(), length)
    return out


def explain(before: dict[str, bytes], after: dict[str, bytes], password: str) -> dict:
    """Changed files (name -> size, changed entries in it), removed files, and the byte totals."""
    reader = open_site(after, password)
    old, new = entry_map(open_site(before, password), before), entry_map(reader, after)
    changed = sorted(p for p in after if before.get(p) != after[p])
    per_file: dict[str, list[str]] = defaultdict(list)
    for key, (name, digest, length) in sorted(new.items()):
        if key not in old or old[key][1] != digest:
            per_file[name].append(f"{key[0]}#{key[1]} ({length:,} B)")
    for key in sorted(set(old) - set(new)):
        per_file["(removed entries)"].append(f"{key[0]}#{key[1]}")
    # Files that hold no logical entry: the root manifest and the locator's parts.
    per_file.setdefault(reader.root_name, ["(root manifest)"])
    for index, (digest, _length, first, end) in enumerate(reader.root.get("loc", [])):
        per_file.setdefault(file_name(digest), [f"(locator part {index}: packs {first}-{end - 1})"])
    total = sum(len(b) for b in after.values())
    return {
        "changed": {name: (len(after[name]), per_file.get(name, [])) for name in changed},
        "removed": sorted(set(before) - set(after)),
        "orphans": dict(per_file),
        "bytes": sum(len(after[n]) for n in changed),
        "total": total,
    }


def print_report(before_dir: Path, after_dir: Path, password: str = PASSWORD) -> None:
    """Print what changed between two builds, file by file."""
    report = explain(read_folder(before_dir), read_folder(after_dir), password)
    for name, (size, entries) in report["changed"].items():
        print(f"{name}  {size:,} B")
        for entry in entries:
            print(f"    {entry}")
    if report["orphans"].get("(removed entries)"):
        print("removed entries:", ", ".join(report["orphans"]["(removed entries)"]))
    print(
        f"{len(report['changed'])} file(s) changed or added, {len(report['removed'])} removed; "
        f"{report['bytes']:,} of {report['total']:,} B ({report['bytes'] / report['total']:.2%})"
    )


def main() -> None:
    print_report(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else PASSWORD)


if __name__ == "__main__":
    main()
