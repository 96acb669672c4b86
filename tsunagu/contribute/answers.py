"""Bulk entry of a FAX or phone round's answers: one CSV (Japanese headers), every row checked first, one commit."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tsunagu.contribute.relay.apply import Plan, edit_record
from tsunagu.contribute.relay.commit import identity, repo_root, run_git
from tsunagu.contribute.submission import Rejected, parse_methods, parse_windows, plain_text
from tsunagu.data.load import load_tree
from tsunagu.data.validate import validate_tree
from tsunagu.domain.errors import TsunaguError
from tsunagu.domain.forms import CLEAR
from tsunagu.domain.kinds import BY_NAME, KINDS
from tsunagu.domain.labels import ACCEPTANCE_JA, METHOD_JA, OPERATION_JA
from tsunagu.domain.text import spreadsheet_cell

ID, NAME, CONFIRM, WHOM = "ID", "名称", "変更なし", "確認した相手"
PROVIDER_COLUMNS = {
    "新規受入": "new_clients",
    "代替支援": "alternative_support",
    "感染後受入": "post_infection",
    "空き": "vacancies",
    "受入条件": "conditions",
    "営業状況": "operation",
}
PHYSICIAN_COLUMNS = {
    "連絡しやすい時間帯": "windows",
    "連絡方法": "methods",
    "取次ぎ": "via",
    "面談の予約": "appointment_required",
    "連絡時のお願い": "notes",
}
HEADER = (ID, NAME, *PROVIDER_COLUMNS, *PHYSICIAN_COLUMNS, CONFIRM, WHOM)
YES = {"○", "〇", "はい", "✓", "✔", "1", "y", "yes"}
ACCEPT = {**{v: k for k, v in ACCEPTANCE_JA.items()}, "未定": "unknown"}
OPERATION = {v: k for k, v in OPERATION_JA.items()}
APPOINTMENT = {"要予約": True, "予約不要": False}


class AnswersError(TsunaguError):
    """Rows of the CSV that cannot be entered; nothing was written."""


@dataclass
class Row:
    """One checked row: the record it answers for, the answers as the update page would send them, whom."""

    line: int
    kind: str
    record_id: str
    answers: dict[str, Any]
    whom: str


def template(directory: Any) -> bytes:
    """The spreadsheet to print or fill in: the header and one row per record (ID and name filled in)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for kind in KINDS:
        for r in directory.records(kind):
            writer.writerow([r.id, spreadsheet_cell(kind.title(r)), *([""] * (len(HEADER) - 2))])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _named(names: dict[str, Any]) -> Any:
    def read(_column: str, text: str) -> Any:
        if text not in names:
            raise ValueError(f"expected one of {', '.join(names)}; got {text!r}")
        return names[text]

    return read


def _count(_column: str, text: str) -> int:
    plain = re.sub(r"\s*(人|名)$", "", plain_text(text))
    if not plain.isdigit() or int(plain) > 10000:
        raise ValueError(f"expected a number of places such as 3 (or - to clear); got {text!r}")
    return int(plain)


def _methods(_column: str, text: str) -> list[str]:
    methods, unknown = parse_methods(text)
    if unknown:
        raise ValueError(f"expected methods among {', '.join(METHOD_JA.values())}; got {text!r}")
    return methods


def _windows(column: str, text: str) -> list[dict[str, Any]]:
    windows, problems = parse_windows(re.sub(r"\s*[;；／]\s*", "\n", text), column)
    if problems:
        raise ValueError(f"expected windows such as 月,木 13:00-14:00 電話 (separated by ／); got {text!r}")
    return windows


def _free_text(_column: str, text: str) -> str:
    if len(text) > 500:
        raise ValueError(f"expected at most 500 characters; got {len(text)}")
    return text


_READERS = {
    **dict.fromkeys(("new_clients", "alternative_support", "post_infection"), _named(ACCEPT)),
    "operation": _named(OPERATION),
    "appointment_required": _named(APPOINTMENT),
    "vacancies": _count,
    "methods": _methods,
    "windows": _windows,
    "conditions": _free_text,
    "via": _free_text,
    "notes": _free_text,
}
_CLEARABLE: dict[str, Any] = {
    "vacancies": None,
    "conditions": None,
    "via": None,
    "notes": None,
    "windows": [],
    "methods": None,
}


def _value(column: str, key: str, text: str) -> Any:
    """A cell as the value the page would send (- clears an optional answer); ValueError with the expected form."""
    if text == CLEAR and key in _CLEARABLE:
        return _CLEARABLE[key]
    return _READERS[key](column, text)


def _row(cell: dict[str, str], where: str, start: int, kind: str, problems: list[str]) -> Row | None:
    """One row's answers, or None when the record was not answered in this round; problems appended."""
    columns = PROVIDER_COLUMNS if kind == "provider" else PHYSICIAN_COLUMNS
    given = {h: v for h, v in cell.items() if v and h not in (ID, NAME, WHOM, CONFIRM)}
    confirm = cell.get(CONFIRM, "")
    answers = {}
    for column, value in given.items():
        if column not in columns:
            problems.append(f"{where}: {column}: a {BY_NAME[kind].label} has no such answer; leave it empty")
            continue
        try:
            answers[columns[column]] = _value(column, columns[column], value)
        except ValueError as exc:
            problems.append(f"{where}: {column}: {exc}")
    if confirm and confirm.lower() not in YES:
        problems.append(f"{where}: {CONFIRM}: expected ○ or empty; got {confirm!r}")
    elif confirm and given:
        problems.append(f"{where}: {CONFIRM}: ○ with answers in the same row; leave one of them empty")
    elif not confirm and not given:
        return None
    if not cell.get(WHOM):
        problems.append(
            f"{where}: {WHOM}: expected whom you spoke to or whose FAX this is, such as 施設長; got nothing"
        )
    return Row(start, kind, cell[ID], answers, cell.get(WHOM, ""))


def read_rows(raw: bytes, shown: str, records: dict[str, str]) -> list[Row]:
    """Every row checked against the header and the records; AnswersError lists every problem at once."""
    problems: list[str] = []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AnswersError(f"{shown}:1: expected a UTF-8 CSV (save as 「CSV UTF-8」); got another encoding") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    missing = [h for h in (ID, CONFIRM, WHOM) if h not in header]
    unknown = [h for h in header if h not in HEADER]
    if missing or unknown:
        raise AnswersError(
            f"{shown}:1: header: expected the columns {', '.join(HEADER)}; "
            f"missing {', '.join(missing) or 'none'}, unknown {', '.join(unknown) or 'none'}"
        )
    rows: list[Row] = []
    seen: dict[str, int] = {}
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        cell = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}
        if not any(v for h, v in cell.items() if h not in (NAME, WHOM)):
            continue
        where = f"{shown}:{start}"
        rid = cell.get(ID, "")
        if rid not in records:
            problems.append(f"{where}: {ID}: expected the id of a record; got {rid!r}")
        elif rid in seen:
            problems.append(f"{where}: {ID}: {rid} is already on line {seen[rid]}")
        else:
            seen[rid] = start
            row = _row(cell, where, start, records[rid], problems)
            if row is not None:
                rows.append(row)
    if problems:
        raise AnswersError("\n".join([*problems, f"{len(problems)} error(s) found; nothing was written."]))
    return rows


def apply_answers(csv_path: Path, data_dir: Path, via: str, by: str, today: dt.date) -> list[Plan]:
    """Check every row, edit every record, validate, and commit them together (one commit, one deploy)."""
    tree = load_tree(data_dir)
    directory = validate_tree(tree, today)
    if directory.site.admins and by.casefold() not in {a.casefold() for a in directory.site.admins}:
        raise AnswersError(f"--by: expected an admin listed in site.yaml; got {by!r}")
    records = {r.id: k.name for k in KINDS for r in directory.records(k)}
    rows = read_rows(csv_path.read_bytes(), str(csv_path), records)
    plans, problems = [], []
    docs = {(k.name, Path(d.path).stem): d for k in KINDS for d in tree.docs(k)}
    for row in rows:
        doc = docs[row.kind, row.record_id]
        confirmation = {"updated": today, "confirmed_via": via, "confirmed_by": by, "confirmed_with": row.whom}
        try:
            plans.append(edit_record(tree, doc, row.kind, row.answers, confirmation, today))
        except Rejected as exc:
            problems += [f"{csv_path}:{row.line}: {p}" for p in exc.problems]
    if problems:
        raise AnswersError("\n".join([*problems, f"{len(problems)} error(s) found; nothing was written."]))
    if plans:
        _commit(data_dir, plans, via, by)
    return plans


def _commit(data_dir: Path, plans: list[Plan], via: str, by: str) -> None:
    root = repo_root(data_dir)
    rels = []
    for plan in plans:
        assert plan.path is not None and plan.text is not None
        plan.path.write_text(plan.text, encoding="utf-8")
        rels.append(plan.path.resolve().relative_to(root.resolve()).as_posix())
    lines = [f"- {p.record_id}: {'、'.join(p.changes) or '変更なし（確認のみ）'}" for p in plans]
    msg = (
        f"{len(plans)} record(s) answered by {via}, entered by {by}\n\n"
        + "\n".join(lines)
        + f"\n\nTsunagu-Via: {via}\nTsunagu-By: {by}\n"
    )
    run_git(root, "add", "--", *rels, env=identity(root))
    run_git(
        root, "commit", "-q", "--no-verify", "-F", "-", "--only", "--", *rels, env=identity(root), data=msg.encode()
    )
