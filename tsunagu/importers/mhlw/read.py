"""Read the MHLW care-service open data as published: UTF-8 CSV files, one per service type."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tsunagu.data.load import MAX_FILE_BYTES, UnsafeFile, read_regular_file
from tsunagu.domain.errors import DataError, Problem, TsunaguError
from tsunagu.yamlio.strict import display_path

C_CITY, C_PREF, C_CITY_NAME = "都道府県コード又は市町村コード", "都道府県名", "市区町村名"
C_NAME, C_KANA, C_KIND = "事業所名", "事業所名カナ", "サービスの種類"
C_ADDRESS, C_EXTRA, C_PHONE, C_FAX = "住所", "方書（ビル名等）", "電話番号", "FAX番号"
C_NUMBER, C_DAYS, C_DAYS_NOTE = "事業所番号", "利用可能曜日", "利用可能曜日特記事項"
C_CAPACITY, C_URL = "定員", "URL"
REQUIRED_COLUMNS = (
    C_CITY,
    C_PREF,
    C_CITY_NAME,
    C_NAME,
    C_KANA,
    C_KIND,
    C_ADDRESS,
    C_EXTRA,
    C_PHONE,
    C_FAX,
    C_NUMBER,
    C_DAYS,
    C_DAYS_NOTE,
    C_CAPACITY,
    C_URL,
)


@dataclass(frozen=True)
class Row:
    """One published row, with the file name and line it came from."""

    file: str
    line: int
    cells: dict[str, str]


MAX_CSV_BYTES = 512 * 1024 * 1024  # the largest national file is far smaller
MAX_CELL = 10_000  # longer than any real cell; csv's own limit would raise mid-file


def read_csv(path: Path) -> list[Row]:
    """Read one published CSV (UTF-8 with BOM, CRLF, quoted cells); raises DataError if unreadable."""
    shown = path.name
    try:
        data = read_regular_file(path, MAX_CSV_BYTES, follow=True)
    except (UnsafeFile, OSError) as exc:
        raise DataError(
            [Problem(shown, 0, "", str(exc) if isinstance(exc, UnsafeFile) else f"cannot read file: {exc.strerror}")]
        ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataError(
            [
                Problem(
                    shown,
                    line,
                    "",
                    f"not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                    "use the file as downloaded, not re-saved by a spreadsheet",
                )
            ]
        ) from None
    previous = csv.field_size_limit(max(len(text), 131_072))  # every cell fits; long ones are refused below
    try:
        return _rows(csv.reader(io.StringIO(text, newline="")), shown)
    except csv.Error as exc:
        raise DataError([Problem(shown, 0, "", f"not a CSV file the importer can read: {exc}")]) from None
    finally:
        csv.field_size_limit(previous)


def _rows(reader: Any, shown: str) -> list[Row]:
    header = next(reader, None)
    missing = [c for c in REQUIRED_COLUMNS if header is None or c not in header]
    if header is None or missing:
        raise DataError(
            [Problem(shown, 1, "", f"not the care-service open data: missing column(s) {', '.join(missing)}")]
        )
    rows: list[Row] = []
    problems: list[Problem] = []
    start = reader.line_num + 1
    for cells in reader:
        if cells and any(c.strip() for c in cells):
            long = [(name, cell) for name, cell in zip(header, cells, strict=False) if len(cell) > MAX_CELL]
            if len(cells) != len(header):
                problems.append(Problem(shown, start, "", f"expected {len(header)} cells; found {len(cells)}"))
            elif long:
                problems += [
                    Problem(
                        shown,
                        start,
                        name,
                        f"cell too long ({len(cell):,} characters; at most {MAX_CELL:,}); not the published data",
                    )
                    for name, cell in long
                ]
            else:
                rows.append(Row(shown, start, dict(zip(header, cells, strict=True))))
        start = reader.line_num + 1
    if problems:
        raise DataError(problems)
    return rows


def read_existing(folder: Path) -> dict[str, str]:
    """The provider files an import may update, by name; a link or special file is an error, never followed."""
    if not folder.is_dir():
        return {}
    out: dict[str, str] = {}
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            out[path.name] = read_regular_file(path, MAX_FILE_BYTES).decode("utf-8")
        except UnsafeFile as exc:
            problems.append(Problem(display_path(path), 0, "", str(exc)))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(display_path(path), 0, "", f"cannot read file: {getattr(exc, 'strerror', exc)}"))
    if problems:
        raise DataError(problems)
    return out


def csv_files(sources: tuple[Path, ...]) -> list[Path]:
    """The CSV files named, folders expanded to the .csv files in them."""
    found: list[Path] = []
    for source in sources:
        if source.is_dir():
            inside = sorted(p for p in source.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
            if not inside:
                raise TsunaguError(f"{display_path(source)}: no .csv files in this folder")
            found += inside
        else:
            found.append(source)
    return found
