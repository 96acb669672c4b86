"""Load stage: YAML with the line of every value, and hostile files refused quickly and cleanly."""

from __future__ import annotations

import datetime as dt
import os
import stat
import time
from pathlib import Path

import pytest
from conftest import PROVIDER_X, problems, write

from tsunagu.data.load import MAX_FILE_BYTES, UnsafeFile, load_tree, read_regular_file
from tsunagu.domain.errors import DataError
from tsunagu.yamlio.strict import parse_yaml

HOSTILE_FILE = Path("data/providers/hostile.yaml")


def test_values_and_lines_are_kept():
    found = []
    doc = parse_yaml(PROVIDER_X, "x.yaml", found)
    assert found == []
    assert doc.value["status"]["new_clients"] == "accepting"
    assert doc.value["status"]["updated"] == dt.date(2026, 11, 20)
    assert doc.value["office_number"] == "0870100099"
    assert doc.line(("status", "new_clients")) == 12
    assert doc.line(("services", 0)) == 4
    assert doc.line(("status", "operation")) == 10, "a missing field is located at its parent"


def test_yaml_1_1_surprises_stay_text():
    # yes/no/on/off and 13:00 stay as written, so the error can show what the person wrote.
    found = []
    doc = parse_yaml("a: yes\nb: no\nc: on\nd: 13:00\ne: 0870100011\nf: true\ng: 012\n", "x.yaml", found)
    assert doc.value == {"a": "yes", "b": "no", "c": "on", "d": "13:00", "e": "0870100011", "f": True, "g": "012"}


def test_duplicate_key(data_dir):
    write(HOSTILE_FILE, "name: a\nname: b\n")
    assert problems(data_dir) == ["data/providers/hostile.yaml:2: name: duplicate key 'name' (first at line 1)"]


def test_missing_data_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataError) as info:
        load_tree(Path("nowhere"))
    assert str(info.value) == "nowhere: data folder not found\n1 error found; nothing was written."


def test_missing_site_yaml(data_dir):
    (data_dir / "site.yaml").unlink()
    assert problems(data_dir) == ["data/site.yaml: missing: every data folder needs a site.yaml"]


def test_unexpected_files_and_folders(data_dir):
    write(data_dir / "providers" / "list.json", "{}")
    (data_dir / "physicians" / "old").mkdir()
    assert problems(data_dir) == [
        "data/physicians/old: unexpected folder; expected .yaml or .yml files",
        "data/providers/list.json: unexpected file; expected .yaml or .yml files",
    ]


# The other hostile files (alias bombs, deep nesting, tags, encodings, controls …) are the corpus
# in tests/hostile/, checked by tests/test_hostile.py.


def test_a_file_too_large_is_refused_before_it_is_read(data_dir):
    HOSTILE_FILE.write_bytes(b"name: " + b"x" * (MAX_FILE_BYTES + 10) + b"\n")
    start = time.perf_counter()
    assert problems(data_dir) == [
        f"data/providers/hostile.yaml: file too large ({MAX_FILE_BYTES + 17:,} bytes; at most {MAX_FILE_BYTES:,})"
    ]
    assert time.perf_counter() - start < 2


def test_notice_front_matter_lines_count_from_the_file_top(data_dir):
    write(data_dir / "notices" / "2026-11-21-bad.md", "---\ntitle: お知らせ\ndate: 2026-11-40\n---\n本文\n")
    assert problems(data_dir) == [
        "data/notices/2026-11-21-bad.md:3: date: expected a date such as 2026-11-20; got '2026-11-40'"
    ]


def test_utf8_bom_is_accepted(data_dir):
    (data_dir / "providers" / "day-x.yaml").write_bytes("\ufeff".encode() + PROVIDER_X.encode())
    assert problems(data_dir) == []


def test_many_files_load_the_same_in_worker_processes(tmp_path):
    from tsunagu.data.load import _load_many

    paths = []
    for i in range(2100):
        path = tmp_path / f"p{i:04d}.yaml"
        path.write_text(
            f"name: 事業所{i}\nstatus:\n  new_clients: accepting\n" if i != 7 else "a: [1\n", encoding="utf-8"
        )
        paths.append(path)
    serial_problems, forked_problems = [], []
    serial = _load_many(paths, serial_problems, workers=1)
    forked = _load_many(paths, forked_problems, workers=2)
    assert [(d.path, d.value, d.lines) for d in forked] == [(d.path, d.value, d.lines) for d in serial]
    assert forked_problems == serial_problems and len(serial_problems) == 1


# --- links and special files: reported by name, never followed, never a hang -------------------------

LINK = "symbolic link; data files must be regular files inside the data folder (links are never followed)"


def _problems_within(data_dir: Path, seconds: float = 5) -> list[str]:
    """problems(), failing instead of hanging when a read blocks."""
    import threading

    result: list[list[str]] = []
    worker = threading.Thread(target=lambda: result.append(problems(data_dir)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert result, f"loading did not finish within {seconds} s"
    return result[0]


def test_a_record_that_is_a_symlink_is_refused_not_followed(data_dir, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text(PROVIDER_X.replace("デイサービスエックス", "SECRET-OUTSIDE"), encoding="utf-8")
    (data_dir / "providers" / "day-y.yaml").symlink_to(outside)
    assert _problems_within(data_dir) == [f"data/providers/day-y.yaml: {LINK}"]


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/null", "/etc/passwd", "missing.yaml", "."])
def test_links_anywhere_in_data_are_refused(data_dir, target):
    (data_dir / "physicians" / "doc-z.yaml").symlink_to(target)
    (data_dir / "notices" / ".hidden.md").symlink_to(target)
    assert _problems_within(data_dir) == [f"data/notices/.hidden.md: {LINK}", f"data/physicians/doc-z.yaml: {LINK}"]


def test_a_linked_site_yaml_or_record_folder_is_refused(data_dir, tmp_path):
    (data_dir / "site.yaml").rename(tmp_path / "site.yaml")
    (data_dir / "site.yaml").symlink_to(tmp_path / "site.yaml")
    (data_dir / "physicians").rename(tmp_path / "physicians")
    (data_dir / "physicians").symlink_to(tmp_path / "physicians")
    found = _problems_within(data_dir)
    assert f"data/site.yaml: {LINK}" in found and f"data/physicians: {LINK}" in found


def test_a_fifo_is_refused_without_hanging(data_dir):
    os.mkfifo(data_dir / "providers" / "day-pipe.yaml")
    os.mkfifo(data_dir / "site.yaml.tmp")
    (data_dir / "site.yaml").unlink()
    os.mkfifo(data_dir / "site.yaml")
    assert _problems_within(data_dir) == [
        "data/providers/day-pipe.yaml: FIFO (named pipe), not a regular file; refused",
        "data/site.yaml: FIFO (named pipe), not a regular file; refused",
    ]


def test_a_socket_is_refused(tmp_path, monkeypatch):
    import socket

    monkeypatch.chdir(tmp_path)
    from conftest import make_tree

    make_tree(tmp_path)
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind("data/providers/day-sock.yaml")
        assert _problems_within(Path("data")) == ["data/providers/day-sock.yaml: socket, not a regular file; refused"]
    finally:
        server.close()


@pytest.mark.skipif(os.geteuid() != 0, reason="creating a device node needs root")
def test_a_device_node_is_refused(data_dir):
    os.mknod(data_dir / "providers" / "day-zero.yaml", 0o600 | stat.S_IFCHR, os.makedev(1, 5))  # like /dev/zero
    assert _problems_within(data_dir) == ["data/providers/day-zero.yaml: character device, not a regular file; refused"]


def test_reader_caps_what_it_reads(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100)
    assert read_regular_file(path, 100) == b"x" * 100
    with pytest.raises(UnsafeFile, match=r"file too large \(100 bytes; at most 99\)"):
        read_regular_file(path, 99)
    with pytest.raises(UnsafeFile, match="character device, not a regular file"):
        read_regular_file(Path("/dev/zero"), 10, follow=True)


# --- control characters outside YAML values: notice bodies and file names -------------------------------


def test_notice_body_refuses_controls_but_keeps_tabs_and_newlines(data_dir):
    notice = data_dir / "notices" / "2026-11-21-x.md"
    notice.write_bytes("---\ntitle: お知らせ\ndate: 2026-11-21\n---\n一行目\t表\r\n二行目\r三行目\n".encode())
    assert problems(data_dir) == []
    notice.write_bytes("---\ntitle: お知らせ\ndate: 2026-11-21\n---\n一行目\n二行目\x1b[2J\n\u202eabc\n".encode())
    assert problems(data_dir) == [
        "data/notices/2026-11-21-x.md:6: body: control character U+001B (ESCAPE) is not allowed; delete it"
    ]


def test_notice_body_line_endings_are_normalised(data_dir):
    from tsunagu.data.load import load_markdown_file

    notice = data_dir / "notices" / "2026-11-21-x.md"
    notice.write_bytes(b"---\r\ntitle: t\r\ndate: 2026-11-21\r\n---\r\na\r\nb\rc\n")
    doc = load_markdown_file(notice, [])
    assert doc is not None and doc.body == "a\nb\nc\n" and doc.body_line == 5


def test_a_file_name_with_an_escape_sequence_is_shown_escaped(data_dir):
    (data_dir / "providers" / "\x1b[31mred\u202e.yaml").write_text(PROVIDER_X, encoding="utf-8")
    found = problems(data_dir)
    assert found == [
        "data/providers/\\x1b[31mred\\u202e.yaml: file name must be an id of lower-case letters, digits "
        "and hyphens (2-64 characters), such as day-sakura.yaml; got '\\\\x1b[31mred\\\\u202e'"
    ]
    assert not any(c in found[0] for c in "\x1b\u202e")


@pytest.mark.parametrize(
    "given",
    [
        "data/providers/a.yaml",
        "./data//x.yaml",
        "data/../other/b.yaml",
        ".",
        "..",
        "../elsewhere/c.yaml",
        "/",
        "/tmp/d.yaml",
        "data/\x1b[31mred.yaml",
    ],
)
def test_display_paths_are_those_pathlib_gave(given, tmp_path, monkeypatch):
    # display_path works on strings for speed; what it shows must not change.
    from tsunagu.domain.text import printable
    from tsunagu.yamlio.strict import display_path

    monkeypatch.chdir(tmp_path)
    for path in (given, Path(given)):
        try:
            expected = str(Path(os.path.abspath(path)).relative_to(os.getcwd()))
        except ValueError:
            expected = str(path)
        assert display_path(path) == printable(expected)


@pytest.mark.parametrize("name", ["data/providers/day-sakura.yaml", "a.b.yml", ".hidden", "x.", "plain", "d/.e.yaml"])
def test_record_ids_are_the_file_stems(name):
    from pathlib import PurePosixPath

    from tsunagu.data.validate import _stem

    assert _stem(name) == PurePosixPath(name).stem
