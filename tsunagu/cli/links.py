"""Commands of the personal update links: links, link-keys, admin-link, relay drain/show."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from tsunagu.cli.options import data_option, in_existing_folder, today_option
from tsunagu.contribute.linklist import LINK_HEADER, expiry_of, group_link, link_rows, to_csv
from tsunagu.contribute.links import ADMIN, Token, link_url, make_token, parse_key, relay_key
from tsunagu.contribute.relay.local import local_keys
from tsunagu.contribute.relay.seal import new_private_key, public_key_text
from tsunagu.data.load import load_tree
from tsunagu.data.validate import validate_tree
from tsunagu.domain.errors import TsunaguError

BASE_URL = click.option(
    "--base-url",
    required=True,
    metavar="URL",
    help="The site's address, e.g. https://care.example.jp/ (links go to <URL>/update/#…).",
)


def _expiry(days: int | None) -> int:
    return int(time.time()) + days * 86400 if days else 0


@click.command("links")
@BASE_URL
@data_option()
@click.option("--stale-only", is_flag=True, help="Only records past stale_after_days (a reminder round).")
@click.option(
    "--expires-days",
    type=click.IntRange(1, 3650),
    default=None,
    help="Links stop working after this many days (e.g. one FAX round).",
)
@click.option(
    "--group",
    "groups",
    multiple=True,
    metavar="ID,ID,…",
    help="Also one link for these records together (one 法人); repeat for more groups.",
)
@today_option()
def links_command(
    base_url: str, data_dir: Path, stale_only: bool, expires_days: int | None, groups: tuple[str, ...], today: dt.date
) -> None:
    """Print CSV id,kind,name,phone,fax,email,url (UTF-8 with BOM) with each record's personal update link."""
    link_key, _ = local_keys(data_dir, create=True)
    directory = validate_tree(load_tree(data_dir), today)
    expiry = expiry_of(today, expires_days)
    rows = link_rows(directory, link_key, base_url, today, stale_only=stale_only, expiry=expiry)
    for group in groups:
        try:
            rows.append(
                group_link(directory, [g.strip() for g in group.split(",") if g.strip()], link_key, base_url, expiry)
            )
        except KeyError as exc:
            raise TsunaguError(f"--group {group}: no record with the id {exc.args[0]}") from None
    sys.stdout.buffer.write(to_csv(rows, LINK_HEADER))


@click.command("admin-link")
@BASE_URL
@data_option()
@click.option("--login", required=True, help="The admin who will enter answers by proxy (recorded as confirmed_by).")
@click.option("--days", type=click.IntRange(1, 90), default=30, show_default=True, help="The link works this long.")
def admin_link_command(base_url: str, data_dir: Path, login: str, days: int) -> None:
    """Print an admin's proxy-entry link (any record, 確認方法 電話・FAX and 確認した相手), valid for --days."""
    link_key, _ = local_keys(data_dir, create=True)
    try:
        token = make_token(Token(ADMIN, _expiry(days), (), login), link_key)
    except ValueError:
        raise TsunaguError(f"--login: expected a login such as city-admin; got {login!r}") from None
    click.echo(link_url(base_url, token))


@click.command("link-keys")
def link_keys_command() -> None:
    """Print new secrets: TSUNAGU_LINK_KEY (admins, CI), TSUNAGU_RELAY_KEY (the relay), TSUNAGU_SEAL_KEY (CI),
    and the seal_key line for site.yaml. With TSUNAGU_LINK_KEY set, its relay key instead of a new link key."""
    existing = os.environ.get("TSUNAGU_LINK_KEY")
    link_key = parse_key(existing) if existing else os.urandom(32)
    seal = new_private_key()
    if not existing:
        click.echo(f"TSUNAGU_LINK_KEY={link_key.hex()}")
    click.echo(f"TSUNAGU_RELAY_KEY={relay_key(link_key).hex()}")
    click.echo(f"TSUNAGU_SEAL_KEY={seal}")
    click.echo(f"# data/site.yaml:\nseal_key: {public_key_text(seal)}")


def _read_issues(path: Path) -> list[dict[str, Any]]:
    """The issues file as the REST API writes it (a JSON list of objects), or a message saying what it is not."""
    try:
        issues = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise TsunaguError(
            f"{path}: expected the JSON the REST API returns (gh api repos/OWNER/REPO/issues); "
            f"got unreadable text ({exc})"
        ) from None
    if not isinstance(issues, list) or not all(isinstance(issue, dict) for issue in issues):
        got = "a list with other values than objects" if isinstance(issues, list) else type(issues).__name__
        raise TsunaguError(f"{path}: expected a JSON list of issues (objects); got {got}")
    return issues


@click.group("relay")
def relay_group() -> None:
    """The repository's side of the relay (the workflow runs these)."""


@relay_group.command("drain")
@click.option(
    "--issues",
    "issues_file",
    required=True,
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="The open issues as the REST API lists them (gh api … > issues.json).",
)
@data_option()
@click.option(
    "--outcomes",
    "outcomes_file",
    required=True,
    type=click.Path(path_type=Path),
    callback=in_existing_folder,
    help="Write what became of each issue here (JSON, for labelling and closing).",
)
@today_option()
def drain_command(issues_file: Path, data_dir: Path, outcomes_file: Path, today: dt.date) -> None:
    """Apply every relay issue (oldest first): commit auto ones here, review ones on update/<id>-<n>."""
    from tsunagu.contribute.relay.drain import drain

    bot = os.environ.get("TSUNAGU_RELAY_BOT", "")
    if not bot:
        raise TsunaguError("TSUNAGU_RELAY_BOT: set it to the relay App's bot login, e.g. tsunagu-relay[bot]")
    link_key, seal = local_keys(data_dir, create=False)
    issues = _read_issues(issues_file)
    outcomes = drain(
        issues, bot, data_dir=data_dir, link_key=link_key, seal_text=seal, now=int(time.time()), today=today
    )
    outcomes_file.write_text(json.dumps(outcomes, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    click.echo(f"{len(outcomes)} issue(s): " + ", ".join(f"#{o['number']} {o['outcome']}" for o in outcomes))


@relay_group.command("show")
@click.option("--issues", "issues_file", required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@data_option()
def show_command(issues_file: Path, data_dir: Path) -> None:
    """Print what each relay issue says (sealed to TSUNAGU_SEAL_KEY), e.g. 「情報が違う」 notes, for an admin's eyes."""
    from tsunagu.contribute.relay.apply import open_submission
    from tsunagu.contribute.relay.drain import BODY_RE
    from tsunagu.contribute.relay.seal import private_key

    _, seal = local_keys(data_dir, create=False)
    for issue in _read_issues(issues_file):
        match = BODY_RE.fullmatch(issue.get("body") or "")
        if not match:
            continue
        try:
            sub = open_submission(match[4], match[2], private_key(seal))
        except TsunaguError as exc:
            click.echo(f"#{issue.get('number')} {match[2]}: {exc}")
            continue
        what = sub.note if sub.type == "note" else json.dumps(sub.answers, ensure_ascii=False)
        click.echo(f"#{issue.get('number')} {match[2]} {sub.kind}/{sub.record_id} {sub.type}: {what}")


@click.group("answers")
def answers_group() -> None:
    """Bulk entry of a FAX or phone round (one CSV, one commit)."""


@answers_group.command("template")
@data_option()
@click.option(
    "--out", "out_file", required=True, type=click.Path(path_type=Path, dir_okay=False), callback=in_existing_folder
)
@today_option()
def answers_template_command(data_dir: Path, out_file: Path, today: dt.date) -> None:
    """Write the spreadsheet (UTF-8 CSV, Japanese headers) with one row per record to fill in."""
    from tsunagu.contribute.answers import template

    out_file.write_bytes(template(validate_tree(load_tree(data_dir), today)))
    click.echo(f"{out_file} に書き出しました。", err=True)


@answers_group.command("apply")
@click.argument("csv_file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--via", type=click.Choice(["phone", "fax"]), required=True, help="How the answers came in.")
@click.option("--by", "login", required=True, help="The admin entering them (recorded as confirmed_by).")
@data_option()
@today_option("Confirmation date (default: today in Japan).")
def answers_apply_command(csv_file: Path, via: str, login: str, data_dir: Path, today: dt.date) -> None:
    """Check every row first (file:line errors), then edit every answered record in one commit."""
    from tsunagu.contribute.answers import apply_answers

    plans = apply_answers(csv_file, data_dir, via, login, today)
    click.echo(
        f"{len(plans)} 件を反映し、1 つのコミットにしました。" if plans else "反映する回答はありませんでした。",
        err=True,
    )


COMMANDS = (links_command, admin_link_command, link_keys_command, relay_group, answers_group)
