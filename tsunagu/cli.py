"""Thin command-line interface: parse options, call one function, print the outcome."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from tsunagu.errors import TsunaguError

console = Console(stderr=True, highlight=False)

DATA_OPTION = click.option("--data", "data_dir", type=click.Path(path_type=Path), default=Path("data"),
                           show_default=True, help="Data folder (site.yaml, providers/, physicians/, notices/).")


@click.group(invoke_without_command=True)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """つなぐ: build the encrypted care directory. Without a command: build the demo site."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(build_command)


@cli.command("build")
@DATA_OPTION
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("site"), show_default=True)
def build_command(data_dir: Path, out_dir: Path) -> None:
    """Validate the data and build the site into --out."""
    raise click.ClickException("not implemented yet")


# --- commands from other modules (one line each) ---
from tsunagu.mhlw import import_mhlw_command; cli.add_command(import_mhlw_command)  # noqa: E402, E702
from tsunagu.changes import diff_command  # noqa: E402
from tsunagu.owners import check_owners_command, codeowners_command  # noqa: E402
from tsunagu.intake import intake_command  # noqa: E402
from tsunagu.stale import stale_command  # noqa: E402
cli.add_command(diff_command)
cli.add_command(check_owners_command)
cli.add_command(codeowners_command)
cli.add_command(intake_command)
cli.add_command(stale_command)


def main() -> None:
    """Entry point: user errors print cleanly and exit 1; bugs keep their traceback."""
    try:
        cli.main(standalone_mode=False)
    except TsunaguError as exc:
        console.print(str(exc), markup=False)
        sys.exit(1)
    except click.exceptions.Abort:
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
