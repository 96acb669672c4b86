"""The FAX bridge: `sheets` prints a PDF that survives a fax and whose QR codes are the `links` CSV's links."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tools
from conftest import REPO_DIR, make_tree, write
from pypdf import PdfReader

from tsunagu.contribute.links import decode_body, unb64
from tsunagu.contribute.relay.seal import new_private_key

pytestmark = pytest.mark.slow  # runs build.py in subprocesses and renders pages: seconds each
BASE = "https://care.example.jp/sakura/"
MM = 72 / 25.4
# A name heavy in kanji, with the variants a fax-bound PDF most often garbles (髙 and 﨑 outside JIS X 0208).
KANJI_NAME = "社会福祉法人髙橋會 特別養護老人ホーム齋藤記念館 山﨑"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "TSUNAGU_LINK_KEY": "11" * 32, "TSUNAGU_SEAL_KEY": SEAL}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, str(REPO_DIR / "build.py"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


SEAL = new_private_key()


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    root = tmp_path_factory.mktemp("sheets")
    data = make_tree(root)
    site = (data / "site.yaml").read_text(encoding="utf-8")
    write(data / "site.yaml", site + "reply_fax: 029-000-0101\n")
    sakura = (data / "providers" / "day-sakura.yaml").read_text(encoding="utf-8")
    write(data / "providers" / "day-sakura.yaml", sakura.replace("name: デイサービスさくら", f"name: {KANJI_NAME}", 1))
    pdf = root / "sheets.pdf"
    made = run("sheets", "--base-url", BASE, "--out", str(pdf), "--data", "data", "--today", "2026-11-22", cwd=root)
    assert made.returncode == 0, made.stdout + made.stderr
    listed = run("links", "--base-url", BASE, "--data", "data", "--today", "2026-11-22", cwd=root)
    assert listed.returncode == 0, listed.stderr
    rows = list(csv.DictReader(io.StringIO(listed.stdout.removeprefix("\ufeff"))))
    return root, pdf, rows


def test_one_page_per_record_in_the_links_order(printed):
    _, pdf, rows = printed
    reader = PdfReader(pdf)
    assert len(reader.pages) == len(rows) == 5
    for page, row in zip(reader.pages, rows, strict=True):
        assert abs(float(page.mediabox.width) - 210 * MM) < 1 and abs(float(page.mediabox.height) - 297 * MM) < 1
        title = "状況確認票（受入状況）" if row["kind"] == "provider" else "連絡方法の確認票（医師）"
        assert title in page.extract_text()


def test_qr_codes_decode_to_exactly_the_links_the_csv_lists(printed, tmp_path):
    _, pdf, rows = printed
    tools.require("zbarimg", shutil.which("zbarimg") is not None, "apt-get install -y zbar-tools")
    tools.require("pdftoppm", shutil.which("pdftoppm") is not None, "apt-get install -y poppler-utils")
    # 200 dpi, black and white: what a fine-mode fax machine sends.
    subprocess.run(["pdftoppm", "-r", "200", "-mono", str(pdf), str(tmp_path / "page")], check=True)
    decoded = []
    for image in sorted(tmp_path.glob("page-*.pbm")):
        out = subprocess.run(
            ["zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", str(image)], capture_output=True, text=True
        )
        decoded.append(out.stdout.strip())
    assert decoded == [row["url"] for row in rows]
    assert all(url.startswith(BASE + "update/#") for url in decoded)


def test_text_extracts_as_the_same_characters(printed):
    _, pdf, _ = printed
    pages = [page.extract_text() for page in PdfReader(pdf).pages]
    number = next(n for n, text in enumerate(pages, 1) if text.rstrip().endswith("記録 day-sakura"))
    tools.require("pdftotext", shutil.which("pdftotext") is not None, "apt-get install -y poppler-utils")
    poppler = subprocess.run(
        ["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for text in (pages[number - 1], poppler):
        for expected in (
            KANJI_NAME.split()[0],
            KANJI_NAME.split()[1],
            "山﨑",
            "受入可",
            "条件付きで可",
            "受入不可",
            "未定",
            "①代替支援",
            "②新規",
            "③感染後",
            "空き",
            "FAX 返信先",
            "029-000-0101",
        ):
            assert expected in text, (expected, text)
        # Kangxi radicals (U+2F00-U+2FDF) and CJK compatibility forms look the same and search as different words.
        # (﨑 U+FA11 itself lives in the compatibility block as a unified ideograph: it is in the name.)
        assert not [c for c in text if ("\u2f00" <= c <= "\u2fdf" or "\uf900" <= c <= "\ufaff") and c not in KANJI_NAME]


def _operations(pdf: Path):
    for page in PdfReader(pdf).pages:
        yield page, page.get_contents().operations


def test_survives_a_fax_black_on_white_ten_points_and_a_large_qr(printed):
    _, pdf, _ = printed
    colour_ops = {b"rg", b"RG", b"g", b"G", b"k", b"K", b"sc", b"SC", b"scn", b"SCN"}
    for _page, operations in _operations(pdf):
        sizes = [float(args[1]) for args, op in operations if op == b"Tf"]
        assert sizes and min(sizes) >= 10
        colours = {(op, tuple(float(a) for a in args)) for args, op in operations if op in colour_ops}
        assert all(value == 0 for _, values in colours for value in values), colours
        assert not [op for _, op in operations if op in (b"Do", b"BI")]  # no images: nothing to dither
        modules = [
            tuple(float(a) for a in args)
            for args, op in operations
            if op == b"re" and abs(float(args[2]) - float(args[3])) < 1e-6 and float(args[2]) < 2 * MM
        ]
        xs = [x for x, _, _, _ in modules] + [x + w for x, _, w, _ in modules]
        ys = [y for _, y, _, _ in modules] + [y + h for _, y, _, h in modules]
        assert (max(xs) - min(xs)) / MM >= 25 and (max(ys) - min(ys)) / MM >= 25


def test_stale_only_prints_the_stale_records(printed):
    root, _, _ = printed
    pdf = root / "stale.pdf"
    made = run(
        "sheets",
        "--base-url",
        BASE,
        "--out",
        str(pdf),
        "--data",
        "data",
        "--today",
        "2027-03-01",
        "--stale-only",
        cwd=root,
    )
    listed = run("links", "--base-url", BASE, "--data", "data", "--today", "2027-03-01", "--stale-only", cwd=root)
    stale = list(csv.DictReader(io.StringIO(listed.stdout.removeprefix("\ufeff"))))
    assert made.returncode == 0 and 0 < len(stale)
    assert [p.extract_text().split("記録 ")[-1].strip() for p in PdfReader(pdf).pages] == [r["id"] for r in stale]


def test_a_site_without_a_reply_fax_is_told_what_to_add(tmp_path):
    make_tree(tmp_path)
    made = run("sheets", "--base-url", BASE, "--out", "x.pdf", "--data", "data", "--today", "2026-11-22", cwd=tmp_path)
    assert made.returncode == 1
    assert (made.stdout + made.stderr).strip() == (
        "data/site.yaml: reply_fax: expected the admins' FAX number the sheets are "
        "answered to, such as 029-000-0101; got nothing"
    )
    assert not (tmp_path / "x.pdf").exists()


def test_only_prints_the_named_records(printed):
    root, _, rows = printed
    pdf = root / "one.pdf"
    made = run(
        "sheets",
        "--base-url",
        BASE,
        "--out",
        str(pdf),
        "--data",
        "data",
        "--today",
        "2026-11-22",
        "--only",
        "yamada-naika",
        cwd=root,
    )
    assert made.returncode == 0, made.stderr
    assert [p.extract_text().split("記録 ")[-1].strip() for p in PdfReader(pdf).pages] == ["yamada-naika"]
    wrong = run("sheets", "--base-url", BASE, "--out", str(pdf), "--data", "data", "--only", "nobody", cwd=root)
    assert (wrong.returncode, (wrong.stdout + wrong.stderr).strip()) == (1, "--only: no record with the id nobody")


def test_a_round_with_an_expiry_prints_the_same_links_as_the_csv(printed, tmp_path):
    root, _, _ = printed
    tools.require("zbarimg", shutil.which("zbarimg") is not None, "apt-get install -y zbar-tools")
    options = ("--base-url", BASE, "--data", "data", "--today", "2026-11-22", "--expires-days", "14")
    listed = run("links", *options, cwd=root)
    made = run("sheets", *options, "--only", "yamada-naika", "--out", str(tmp_path / "one.pdf"), cwd=root)
    assert listed.returncode == made.returncode == 0, made.stderr
    subprocess.run(["pdftoppm", "-r", "200", "-mono", str(tmp_path / "one.pdf"), str(tmp_path / "page")], check=True)
    image = next(tmp_path.glob("page-*.pbm"))
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(image)], capture_output=True, text=True).stdout.strip()
    row = next(
        r for r in csv.DictReader(io.StringIO(listed.stdout.removeprefix("\ufeff"))) if r["id"] == "yamada-naika"
    )
    assert decoded == row["url"]
    token = decode_body(unb64(decoded.split("#", 1)[1])[:-24])
    # The end of day 2026-11-22 + 14 in Japan: run minutes apart, both commands give this same instant.
    assert token.expiry == int(dt.datetime(2026, 12, 7, tzinfo=dt.timezone(dt.timedelta(hours=9))).timestamp())
