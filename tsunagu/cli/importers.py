"""The open-data import command."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress

from tsunagu.cli.options import data_option, today_option
from tsunagu.domain.config import JST
from tsunagu.importers.mhlw.cells import check_city
from tsunagu.importers.mhlw.plan import plan_import
from tsunagu.importers.mhlw.read import Row, csv_files, read_csv, read_existing
from tsunagu.importers.mhlw.records import Options
from tsunagu.importers.mhlw.report import summary
from tsunagu.importers.mhlw.site import ImportError_
from tsunagu.importers.mhlw.write import write_plan
from tsunagu.yamlio.strict import display_path


def _city_option(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> list[str]:
    for code in value:
        problem = check_city(code)
        if problem:
            raise click.BadParameter(problem, ctx, param)
    return list(value)


@click.command("import-mhlw")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--city",
    "cities",
    multiple=True,
    required=True,
    callback=_city_option,
    help="Local government code of a municipality to import (6 digits, or 5 without the check digit).",
)
@data_option("Data folder (site.yaml, providers/).")
@click.option("--default-area", help="Area for offices whose address no area_map key matches (else not written).")
@click.option("--no-new-services", is_flag=True, help="Report services site.yaml lacks instead of adding them.")
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@today_option("Import date (default: today in Japan).")
@click.option(
    "--published",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Publication date of the files [default: their modification date].",
)
def import_mhlw_command(
    sources: tuple[Path, ...],
    cities: list[str],
    data_dir: Path,
    default_area: str | None,
    no_new_services: bool,
    dry_run: bool,
    today: dt.date,
    published: dt.datetime | None,
) -> None:
    """Import the MHLW care-service open data (介護サービス情報公表システム) for the given cities."""
    paths = csv_files(sources)
    site_path = data_dir / "site.yaml"
    if not site_path.is_file():
        raise ImportError_(
            f"{display_path(site_path)}: not found; --data must name a data folder "
            "(a new region starts with `tsunagu init DIR`, which writes it and imports)"
        )
    if published is None:
        published = max(dt.datetime.fromtimestamp(p.stat().st_mtime, JST) for p in paths)
    options = Options(cities, today, published.date(), default_area, not no_new_services)
    console = Console(stderr=True, highlight=False)
    rows: list[Row] = []
    with Progress(console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("Reading the open data", total=len(paths))
        for path in paths:
            rows += read_csv(path)
            progress.advance(task)
    existing = read_existing(data_dir / "providers")
    plan = plan_import(
        [p.name for p in paths], rows, site_path.read_text(encoding="utf-8"), existing, options, display_path(site_path)
    )
    if not dry_run:
        write_plan(plan, data_dir)
    click.echo(summary(plan, options, display_path(site_path), dry_run))
