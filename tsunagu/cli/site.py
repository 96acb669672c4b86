"""Commands that build and check the site: build, validate, serve, schema."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click
from rich.console import Console
from rich.markup import escape

from tsunagu.cli.options import data_option, today_option
from tsunagu.data.load import load_tree
from tsunagu.data.validate import validate_tree
from tsunagu.domain.config import DEMO_PASSWORD, Config, today_jst
from tsunagu.domain.errors import DataError
from tsunagu.domain.schema import json_schemas, with_field_reference
from tsunagu.pipeline.builder import build, worker_count
from tsunagu.seal.passwords import ENV_VAR, read_passwords

T = TypeVar("T")
console = Console(stderr=True, highlight=False, soft_wrap=True)

DATA_OPTION = data_option()
TODAY_OPTION = today_option("Date to build for (default: today in Japan); for reproducible builds.")


@click.command("build")
@DATA_OPTION
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("site"),
    show_default=True,
    help="Output folder; replaced only when the build succeeds.",
)
@click.option(
    "--passwords-file",
    type=click.Path(path_type=Path),
    default=None,
    help=f"YAML mapping label -> password (otherwise ${ENV_VAR}; neither: a demo build).",
)
@click.option("--require-passwords", is_flag=True, help="Refuse a demo build (use in the deploy workflow).")
@click.option("--no-search", is_flag=True, help="Skip the Pagefind search index.")
@click.option(
    "--timings", is_flag=True, help="Print the seconds of each stage: load, validate, render, index, seal, publish."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "github"]),
    default=None,
    help="github: also print errors as GitHub Actions annotations (default inside GitHub Actions).",
)
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Date to build for (default: the date in Japan of the build's epoch: its commit, or now for a demo).",
)
def build_command(
    data_dir: Path = Path("data"),
    out_dir: Path = Path("site"),
    passwords_file: Path | None = None,
    require_passwords: bool = False,
    no_search: bool = False,
    fmt: str | None = None,
    today: dt.datetime | None = None,
    timings: bool = False,
) -> None:
    """Validate the data and build the encrypted site into --out."""
    config = Config(
        data_dir=data_dir,
        out_dir=out_dir,
        passwords=read_passwords(passwords_file),
        require_passwords=require_passwords,
        search=not no_search,
        today=today.date() if today else today_jst(),
        today_from_epoch=today is None,
        path_key=os.environ.get("TSUNAGU_PATH_KEY") or None,
        note_token=_note_tokens(),
    )
    if config.demo:
        console.print(
            f"[yellow]警告[/]: パスワードが指定されていないため、デモ用のビルドです（パスワード: {DEMO_PASSWORD}）。"
            "本番では TSUNAGU_PASSWORDS か --passwords-file を指定してください。"
        )
    with console.status("ビルド中…"):
        report = _run(lambda: build(config), fmt)
    took = sum(report.seconds.values())
    console.print(
        f"[green]完了[/]: 事業所 {report.providers} 件・医師 {report.physicians} 名、"
        f"{report.pages} ページを暗号化して {out_dir}/ に書き出しました "
        f"({report.files} ファイル, {report.bytes / 1e6:.1f} MB, {took:.1f} 秒)"
    )
    if timings:
        console.print(
            "stages: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in report.stages.items()),
            highlight=False,
        )
    for note in report.notes:
        console.print("[yellow]注意[/]: " + escape(note))  # a note may quote a file's text


@click.command("validate")
@DATA_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "github"]),
    default=None,
    help="github: also print errors as GitHub Actions annotations (default inside GitHub Actions).",
)
@TODAY_OPTION
def validate_command(data_dir: Path, fmt: str | None, today: dt.date) -> None:
    """Check the data only; exit 0 when clean, 1 with every error listed."""
    workers = worker_count(Config(data_dir=data_dir, today=today))  # YAML parsed in as many processes as a build's
    directory = _run(lambda: validate_tree(load_tree(data_dir, keep_going=True, workers=workers), today), fmt)
    console.print(
        f"[green]OK[/]: 事業所 {len(directory.providers)} 件・医師 {len(directory.physicians)} 名・"
        f"お知らせ {len(directory.notices)} 件、エラーはありません。"
    )


@click.command("schema")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Write provider.schema.json, physician.schema.json and site.schema.json here.",
)
@click.option(
    "--doc",
    "doc",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Also rewrite the field tables of this Markdown file (docs/data-format.md) between its markers.",
)
def schema_command(out_dir: Path | None, doc: Path | None) -> None:
    """Print (or write) the JSON Schema of the data files, with Japanese descriptions, for editors."""
    schemas = json_schemas()
    if doc is not None:
        doc.write_text(with_field_reference(doc.read_text(encoding="utf-8")), encoding="utf-8")
        console.print(f"wrote the field tables of {doc}")
    if out_dir is None:
        if doc is None:
            click.echo(json.dumps(schemas, ensure_ascii=False, indent=2))
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, schema in schemas.items():
        (out_dir / f"{name}.schema.json").write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n")
    console.print(f"wrote {len(schemas)} schemas to {out_dir}/")


@click.command("serve")
@DATA_OPTION
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("site"), show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--no-watch", is_flag=True, help="Do not rebuild when data/ or templates/ change.")
@click.option(
    "--relay",
    is_flag=True,
    help="Accept the update page's submissions here: apply them to the git "
    "repository of --data (commit or update/<id>-<n> branch) and rebuild.",
)
@click.option(
    "--passwords-file",
    type=click.Path(path_type=Path),
    default=None,
    help=f"YAML mapping label -> password (otherwise ${ENV_VAR}; neither: the demo password).",
)
def serve_command(
    data_dir: Path, out_dir: Path, port: int, no_watch: bool, relay: bool = False, passwords_file: Path | None = None
) -> None:
    """Build, serve the site on 127.0.0.1 and rebuild when data or templates change."""
    from tsunagu.cli.serve import serve

    serve(
        Config(data_dir=data_dir, out_dir=out_dir, passwords=read_passwords(passwords_file)),
        port,
        watch=not no_watch,
        console=console,
        relay=relay,
    )


def _note_tokens():
    """Record pages carry a note-only link for 「情報が違う」 where the build has the link key (CI's secret)."""
    from tsunagu.contribute.links import note_tokens, parse_key

    key = os.environ.get("TSUNAGU_LINK_KEY")
    return note_tokens(parse_key(key)) if key else None


def _run(step: Callable[[], T], fmt: str | None) -> T:
    """Run a step; with --format github, data errors are also printed as annotations."""
    if fmt is None:
        fmt = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    try:
        return step()
    except DataError as exc:
        if fmt == "github":
            for problem in exc.problems:
                click.echo(problem.annotation())
        raise


COMMANDS = (build_command, validate_command, serve_command, schema_command)
