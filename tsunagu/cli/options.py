"""Command-line options that every command spells the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from tsunagu.domain.config import today_jst


def data_option(help: str = "Data folder (site.yaml, providers/, physicians/, notices/).") -> Callable[..., Any]:  # noqa: A002
    """--data DIR, default data/."""
    return click.option(
        "--data", "data_dir", type=click.Path(path_type=Path), default=Path("data"), show_default=True, help=help
    )


def _to_date(_ctx: click.Context, _param: click.Parameter, value: dt.datetime | None) -> dt.date:
    return value.date() if value else today_jst()


def today_option(help: str = "Date to use (default: today in Japan), for reproducible runs.") -> Callable[..., Any]:  # noqa: A002
    """--today YYYY-MM-DD, passed on as a date (today in Japan when absent)."""
    return click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, callback=_to_date, help=help)


def in_existing_folder(_ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """An output file's folder must exist: said before any work is done, not as a traceback after it."""
    if value is not None and not value.resolve().parent.is_dir():
        raise click.BadParameter(f"{value.parent}: folder not found (create it first)", param=param)
    return value
