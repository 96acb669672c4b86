"""A provider guessing a neighbour's note through the public sizes of the build sees nothing.

The attack the review ran on the shipped build: a provider edits only its own status (an unreviewed
update), one guess per build, and compares the sizes of the public files. The test calibrates its own
note so that a shared file sits one byte above a padding bucket (reading the true length with the
password stands in for the attacker's dozen calibration builds), then runs 20 guesses (two wordings,
ten digits) through the real build, search index included, and looks at nothing but the public sizes:
every guess of a wording gives the same size to every file, whatever the neighbour's note says. (Before
unreviewed free text was stored as it is (seal/free.py), the attacker's own digit moved its own page by
a bucket: "2名" deflated against the preset dictionary by a few bits less.)
The search index's chunks (each a compression context shared by many records) are the same bytes in
every build, whatever either provider wrote: no status text is a word of the index.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import struct

import pytest
from conftest import STRONG, fast_config, load_directory, make_tree, read_tree

from tsunagu.data.history import History, StatusChange
from tsunagu.pipeline.builder import build
from tsunagu.render.pages import render_site
from tsunagu.seal.encrypt import entry_ad, kind_of, open_sealed, padme, unframe, units_of
from tsunagu.seal.packs import DIR, LOC, SOLO, file_name
from tsunagu.seal.reader import open_site
from tsunagu.seal.rows import store_of

SECRET = "職員に新型コロナ陽性者が3名発生"
OTHER_SECRET = "職員に新型コロナ感染者が7名発生"  # the neighbour's note in the control build
GUESSES = [f"職員に新型コロナ{word}者が{digit}名発生" for word in ("陽性", "感染") for digit in range(10)]
VICTIM, ATTACKER = "day-sakura", "helper-momiji"
ATTACKER_NAME = "ヘルパーステーションもみじ"
_RANDOM = random.Random(21)
FILLER = "".join(_RANDOM.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz") for _ in range(4000))


def _set_conditions(data, rid: str, text: str) -> None:
    path = data / "providers" / f"{rid}.yaml"
    body = re.sub(r"\n  conditions: (\|\n(    .*\n)*|.*)", "\n", path.read_text(encoding="utf-8"))
    body = body.replace("\nstatus:\n", f"\nstatus:\n  conditions: {text}\n", 1)
    path.write_text(body, encoding="utf-8")


def _build(data, out, note: str) -> dict[str, bytes]:
    _set_conditions(data, ATTACKER, note)
    build(fast_config(data, out, passwords=dict(STRONG)))
    return read_tree(out)


def _framed_size(files: dict[str, bytes], path: str) -> int:
    """Flag, length and compressed body of the part holding the attacker's row: what Padmé pads. A file's
    rows live in its store (seal/rows.py), so that is where the attacker's edit moves a size."""
    reader = open_site(files, STRONG["city"])
    path = store_of(path) or path
    for part in range(reader.locate(path, 0)[3]):
        name, offset, length, parts, _digest = reader.locate(path, part)
        payload = open_sealed(reader.key, entry_ad(path, part, parts), files[name][offset : offset + length])
        if ATTACKER_NAME.encode() in unframe(payload, reader.sections):  # rows deflate against the dictionary
            return 5 + struct.unpack(">I", payload[1:5])[0]
    raise AssertionError(f"{path}: no part holds {ATTACKER_NAME}")


def _public_sizes(files: dict[str, bytes]) -> dict[str, int]:
    """What a watcher of the public site sees: each file's size, keyed by what the file is across builds
    (a pack by its number, a solo entry by its path; names are hashes of the bytes, so the test uses the
    password to follow a file from build to build, as an attacker could by elimination)."""
    reader = open_site(files, STRONG["city"])
    what = {reader.root_name: "root manifest"}
    what.update(
        {file_name(row[DIR["digest"]]): f"pack {n}" for n, row in enumerate(reader.root["dirs"]) if row is not None}
    )
    what.update({file_name(e[SOLO["digest"]]): f"{path}#{part}" for (path, part), e in reader.solo.items()})
    what.update({file_name(row[LOC["digest"]]): f"locator {n}" for n, row in enumerate(reader.root.get("loc", []))})
    return {what.get(name, name): len(body) for name, body in files.items()}


def _index_chunks(files: dict[str, bytes]) -> tuple[tuple[str, bytes], ...]:
    """The plaintext of every Pagefind index chunk, by path."""
    reader = open_site(files, STRONG["city"])
    chunks = tuple((p, reader.read(p)) for p in sorted(reader.paths()) if p.endswith(".pf_index"))
    assert chunks, "no index chunk: the build ran without the search index"
    return chunks


def _bucket_below(size: int) -> int:
    return max(b for b in range(size) if padme(b) == b)


def _calibrated(data, out, target: str, guess: str) -> int:
    """How much filler puts the target one byte over a bucket's edge with this guess."""
    used = 0
    for _round in range(16):
        size = _framed_size(_build(data, out, FILLER[:used] + guess), target)
        over = size - _bucket_below(size)
        if over == 1:
            return used
        used += max(1, (padme(size) + 1 - size) * 3 // 4) if over > 1 else 1
    raise AssertionError(f"no calibration: {used} filler characters, {size} bytes")


@pytest.mark.slow
@pytest.mark.parametrize("target", ["data/status.csv"])
def test_guessing_a_neighbours_note_through_public_sizes_sees_nothing(tmp_path, monkeypatch, target):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    data = make_tree(tmp_path)
    with (data / "site.yaml").open("a", encoding="utf-8") as site:
        site.write('salt: "000102030405060708090a0b0c0d0e0f"\n')  # the same packs on every run
    out = tmp_path / "site"
    _set_conditions(data, VICTIM, SECRET)
    chunks: set[tuple[tuple[str, bytes], ...]] = set()
    # Ten guesses per wording (one holds the right digit), each wording calibrated on its guess of 0:
    # within a wording only the digit changes, so only the secret could make one guess's sizes differ.
    for word in ("陽性", "感染"):
        guesses = [g for g in GUESSES if word in g]
        used = _calibrated(data, out, target, guesses[0])
        patterns = []
        for secret in (SECRET, OTHER_SECRET):
            _set_conditions(data, VICTIM, secret)
            sizes = {}
            for guess in guesses:
                files = _build(data, out, FILLER[:used] + guess)
                sizes[guess] = _public_sizes(files)
                chunks.add(_index_chunks(files))
            first = sizes[guesses[0]]
            # What each guess moves against the first guess: which file, by how many bytes.
            patterns.append(
                {g: {f: n - first.get(f, 0) for f, n in s.items() if n != first.get(f, 0)} for g, s in sizes.items()}
            )
        _set_conditions(data, VICTIM, SECRET)
        assert patterns[0] == patterns[1], {
            g: (patterns[0][g], patterns[1][g]) for g in guesses if patterns[0][g] != patterns[1][g]
        }
        # Identical public sizes: no guess moves any file, not even the attacker's own page.
        assert all(not moved for moved in patterns[0].values()), {g: m for g, m in patterns[0].items() if m}
    # Neither note is a word of the search index (status text never is): its chunks, the compression contexts
    # shared by many records, are the same bytes in all 40 builds, whatever either provider wrote.
    assert len(chunks) == 1, f"{len(chunks)} different sets of index chunks in 40 builds"


def test_no_compression_unit_of_a_shared_file_holds_two_records(tmp_path):
    """Every shared page and data file (lists and cards show conditions, the sheet and recent changes
    whole notes) is cut so that no unit holds two records: a record's text is never compressed
    against another's."""
    data = make_tree(tmp_path)
    config = fast_config(data, tmp_path / "site")
    directory = load_directory(data)
    names = [r.name for r in [*directory.providers, *directory.physicians]]
    day = dt.date(2026, 11, 21)
    history = History(
        True,
        dt.date(2026, 10, 1),
        [
            StatusChange(day, "provider", r.id, r.name, "changed", [("受入条件", "なし", f"{r.name}の条件")])
            for r in directory.providers
        ],
    )
    rendered = render_site(directory, config, history)
    free = sorted(p for p in rendered if kind_of(p) in ("data", "sheet"))
    assert {
        "changes/index.html",
        "data/records.json",
        "data/status.csv",
        "status/index.html",
        "index.html",
        "providers/1/index.html",
    } <= set(free) and free == sorted(p for p in rendered if not p.startswith("r/"))
    for path in free:
        units = [u.decode() for u in units_of(rendered[path], kind_of(path))]
        assert "".join(units).encode() == rendered[path]
        crowded = [u for u in units if sum(name in u for name in names) > 1]
        assert crowded == [], path
        # Each record's name sits in a unit of its own (a status sheet or list with every record).
        if path in ("data/records.json", "data/status.csv", "status/index.html", "changes/index.html"):
            assert sum(any(name in u for u in units) for name in names) >= len(directory.providers), path
