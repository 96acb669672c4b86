"""Commands of the git-native flow: change summaries, ownership, stale listing, form intake."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

from tsunagu.cli.options import data_option, today_option
from tsunagu.contribute.changes import diff_revisions
from tsunagu.contribute.gate import REFUSED, decide, verdict_markdown
from tsunagu.contribute.intake import IntakeError, Rejected, intake
from tsunagu.contribute.owners import (
    OwnershipError,
    check_owners,
    codeowners,
    data_relative,
    owners_at_revision,
    owners_from_tree,
    read_list,
)
from tsunagu.contribute.replies import failure_reply, success_reply
from tsunagu.contribute.stale import stale_records, stale_report
from tsunagu.data.load import load_tree
from tsunagu.data.validate import validate_tree
from tsunagu.domain.errors import TsunaguError


@click.command("diff")
@click.argument("base")
@click.argument("head")
@data_option("Data folder, relative to the repository's working directory.")
def diff_command(base: str, head: str, data_dir: Path) -> None:
    """Summarise in Japanese what changed in the data between git revisions BASE and HEAD."""
    click.echo(diff_revisions(base, head, data_dir.as_posix()), nl=False)


@click.command("check-owners")
@data_option()
@click.option("--author", required=True, help="Login of the change's author.")
@click.option("--changed", "changed", multiple=True, metavar="FILE", help="A changed file (more may follow).")
@click.option(
    "--changed-from",
    "changed_from",
    metavar="FILE",
    type=click.Path(exists=True, dir_okay=False, allow_dash=True),
    help="Read the changed files from a file, one per line ('-' for standard input).",
)
@click.option(
    "--rev",
    metavar="REV",
    help="Read admins and maintainers at this git revision (the PR's base), so a change cannot grant itself access.",
)
@click.argument("files", nargs=-1)
def check_owners_command(
    data_dir: Path,
    author: str,
    changed: tuple[str, ...],
    changed_from: str | None,
    rev: str | None,
    files: tuple[str, ...],
) -> None:
    """Pass when AUTHOR maintains every changed data file or is an admin; name each file otherwise."""
    paths = [*changed, *files, *(read_list(changed_from) if changed_from else [])]
    rels = [r for p in paths if (r := data_relative(p, data_dir))]
    owners = owners_at_revision(rev, data_dir.as_posix(), rels) if rev else owners_from_tree(data_dir)
    refusals, count = check_owners(owners, author, paths, data_dir)
    if refusals:
        raise OwnershipError(
            "\n".join(
                [*refusals, f"{len(refusals)} 件のファイルは {author} が変更できません。管理者のレビューが必要です。"]
            )
        )
    who = "管理者" if owners.is_admin(author) else "担当者"
    click.echo(f"OK: {author}（{who}）は変更されたデータファイル {count} 件をすべて変更できます。")


@click.command("gate")
@click.option(
    "--base-rev",
    required=True,
    metavar="REV",
    help="The base branch's commit: admins, maintainers and the data folder are read as they stand there.",
)
@click.option("--head-rev", required=True, metavar="REV", help="The change's commit, read as data (never run).")
@click.option("--author", required=True, help="Login of the change's author.")
@data_option("Data folder, relative to the repository root.")
@today_option("Date to validate against (default: today in Japan).")
@click.option("--decision-out", type=click.Path(path_type=Path), help="Write auto, review or refused here.")
@click.option("--summary-out", type=click.Path(path_type=Path), help="Write the decision as Markdown here.")
def gate_command(
    base_rev: str,
    head_rev: str,
    author: str,
    data_dir: Path,
    today: dt.date,
    decision_out: Path | None,
    summary_out: Path | None,
) -> None:
    """Gate a change over every file: refuse what AUTHOR may not change; say whether it may publish itself."""
    verdict = decide(base_rev, head_rev, author, data_dir.as_posix().rstrip("/"), today)
    text = verdict_markdown(verdict, author)
    if decision_out:
        decision_out.write_text(verdict.decision + "\n", encoding="utf-8")
    if summary_out:
        summary_out.write_text(text, encoding="utf-8")
    if verdict.decision == REFUSED:
        raise OwnershipError(
            "\n".join(
                [
                    *verdict.refusals,
                    f"{len(verdict.refusals)} 件のファイルは {author} が変更できません。管理者のレビューが必要です。",
                ]
            )
        )
    click.echo(text, nl=False)


@click.command("codeowners")
@data_option()
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=Path(".github/CODEOWNERS"),
    show_default=True,
    help="Where to write ('-' for standard output).",
)
@click.option("--check", is_flag=True, help="Only check that --out is up to date.")
def codeowners_command(data_dir: Path, out: Path, check: bool) -> None:
    """Generate .github/CODEOWNERS from the maintainers and admins in the data."""
    text = codeowners(owners_from_tree(data_dir), "/" + Path(os.path.relpath(data_dir)).as_posix())
    if str(out) == "-":
        click.echo(text, nl=False)
    elif check:
        if not out.is_file() or out.read_text(encoding="utf-8") != text:
            raise TsunaguError(f"{out} is out of date; run `python build.py codeowners` and commit it.")
        click.echo(f"{out} is up to date.")
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {out}.")


@click.command("stale")
@data_option()
@today_option("Count days up to this date (default: today in Japan).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "csv"]),
    default="text",
    show_default=True,
    help="csv: id,kind,name,updated,days,phone,fax,email,url (UTF-8 with BOM) for a mail merge or FAX round.",
)
@click.option("--base-url", default=None, metavar="URL", help="With --format csv: fill url with each update link.")
def stale_command(data_dir: Path, today: dt.date, fmt: str = "text", base_url: str | None = None) -> None:
    """List records whose status is older than stale_after_days, with their maintainers."""
    day = today
    directory = validate_tree(load_tree(data_dir), day)
    if fmt == "csv":
        from tsunagu.contribute.linklist import STALE_HEADER, link_rows, to_csv
        from tsunagu.contribute.relay.local import local_keys

        key = local_keys(data_dir, create=True)[0] if base_url else None
        sys.stdout.buffer.write(to_csv(link_rows(directory, key, base_url, day, stale_only=True), STALE_HEADER))
        return
    click.echo(stale_report(stale_records(directory, day), directory.site.stale_after_days, day), nl=False)


@click.command("intake")
@click.argument(
    "body_file",
    metavar="ISSUE_BODY_FILE",
    type=click.Path(path_type=Path, allow_dash=True, exists=True, dir_okay=False),
)
@click.option("--author", required=True, help="Login of whoever submitted the form.")
@data_option()
@today_option("Submission date (default: today in Japan).")
@click.option(
    "--reply",
    "reply_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the Japanese reply here instead of standard output.",
)
@click.option(
    "--decision-out",
    type=click.Path(path_type=Path),
    help="Write auto (publishes itself) or review (waits for an admin) here.",
)
def intake_command(
    body_file: Path, author: str, data_dir: Path, today: dt.date, reply_file: Path | None, decision_out: Path | None
) -> None:
    """Apply a submitted update form (issue body) to its record's YAML; exit 1 with a reply listing problems."""
    raw = sys.stdin.buffer.read() if str(body_file) == "-" else body_file.read_bytes()
    try:
        body = raw.decode("utf-8")  # strictly: a replaced byte would be text nobody sent
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        rejected_text: str | None = (
            f"{body_file}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); send the form again"
        )
    else:
        rejected_text = None
    try:
        if rejected_text:
            raise Rejected([rejected_text])
        edit = intake(body, author, data_dir, today)
    except Rejected as rejected:
        reply, code = failure_reply(rejected.problems), 1
    else:
        with open(edit.path, "w", encoding="utf-8", newline="") as out:
            out.write(edit.text)
        reply, code = success_reply(edit, edit.path.as_posix()), 0
        if decision_out:
            decision_out.write_text(edit.decision + "\n", encoding="utf-8")
    if reply_file:
        reply_file.write_text(reply, encoding="utf-8")
    else:
        click.echo(reply, nl=False)
    if code:
        raise IntakeError("The form was not applied; the reply lists the problems.")


COMMANDS = (diff_command, check_owners_command, gate_command, codeowners_command, stale_command, intake_command)
