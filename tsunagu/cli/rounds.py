"""Admins' rounds: the FAX bridge (the 状況確認票 of every, or every stale, record as one PDF) and revoking a link."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from tsunagu.cli.options import data_option, in_existing_folder, today_option
from tsunagu.contribute.linklist import expiry_of, link_rows
from tsunagu.contribute.relay.local import local_keys
from tsunagu.contribute.revoke import revoke
from tsunagu.contribute.sheets import write_sheets
from tsunagu.data.load import load_tree
from tsunagu.data.validate import validate_tree
from tsunagu.domain.errors import TsunaguError
from tsunagu.domain.kinds import BY_NAME, KINDS


@click.command("sheets")
@click.option(
    "--base-url",
    required=True,
    metavar="URL",
    help="The site's address, e.g. https://care.example.jp/ (the QR codes open <URL>/update/#…).",
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    callback=in_existing_folder,
    help="The PDF to write (one A4 page per record).",
)
@data_option()
@click.option("--stale-only", is_flag=True, help="Only records past stale_after_days (a reminder round).")
@click.option(
    "--expires-days",
    type=click.IntRange(1, 3650),
    default=None,
    help="The printed links stop working after this many days (e.g. one FAX round).",
)
@click.option("--only", "only", multiple=True, metavar="ID", help="Only this record (repeat for more).")
@today_option("Date printed on the sheets and used to find stale records (default: today in Japan).")
def sheets_command(
    base_url: str,
    out: Path,
    data_dir: Path,
    stale_only: bool,
    expires_days: int | None,
    only: tuple[str, ...],
    today: dt.date,
) -> None:
    """Write a PDF of status sheets to FAX: current answers, boxes to tick, the record's QR link, the FAX to answer to."""
    directory = validate_tree(load_tree(data_dir), today)
    if not directory.site.reply_fax:
        raise TsunaguError(
            f"{data_dir / 'site.yaml'}: reply_fax: expected the admins' FAX number the sheets are "
            "answered to, such as 029-000-0101; got nothing"
        )
    link_key, _ = local_keys(data_dir, create=True)
    expiry = expiry_of(today, expires_days)  # the same day boundary as `links`: the same links
    rows = link_rows(directory, link_key, base_url, today, stale_only=stale_only, expiry=expiry)
    if unknown := sorted(set(only) - {row["id"] for row in rows}):
        raise TsunaguError(
            f"--only: no record with the id {', '.join(unknown)}" + (" among the stale records" if stale_only else "")
        )
    rows = [row for row in rows if not only or row["id"] in only]
    records = {(k.name, r.id): r for k in KINDS for r in directory.records(k)}
    chosen = [(BY_NAME[row["kind"]], records[row["kind"], row["id"]]) for row in rows]
    links = {(row["kind"], row["id"]): row["url"] for row in rows}
    pages = write_sheets(chosen, directory.site, lambda kind, record: links[kind.name, record.id], out, today)
    click.echo(f"{out}: {pages} 枚（A4）を書き出しました。FAX 返信先 {directory.site.reply_fax}")


@click.command("link-revoke")
@click.argument("record_id", metavar="ID")
@data_option()
@today_option()
def link_revoke_command(record_id: str, data_dir: Path, today: dt.date) -> None:
    """Revoke every update link of record ID (its link_version goes up by one); `links` then prints its new link."""
    path, old, new = revoke(data_dir, record_id, today)
    click.echo(f"{path}: link_version {old} → {new}（これまでのリンクは使えなくなりました）")


COMMANDS = (sheets_command, link_revoke_command)
