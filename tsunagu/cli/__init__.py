"""Thin command-line interface: the only package that imports click. Parse options, call one function, print."""

from __future__ import annotations

import sys

import click

from tsunagu import __version__
from tsunagu.cli import contribute, importers, links, passwords, region, rounds, site
from tsunagu.cli.site import build_command, console
from tsunagu.domain.config import DEMO_PASSWORD
from tsunagu.domain.errors import TsunaguError


@click.group(invoke_without_command=True)
@click.version_option(__version__, prog_name="tsunagu", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """つなぐ: build the encrypted care directory. Without a command: build the demo site."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(build_command)
        console.print(
            f"開くには: python build.py serve  （http://127.0.0.1:8000/ , デモのパスワード: {DEMO_PASSWORD}）",
            markup=False,
        )


for command in (
    *site.COMMANDS,
    importers.import_mhlw_command,
    *contribute.COMMANDS,
    *passwords.COMMANDS,
    *region.COMMANDS,
    *links.COMMANDS,
    *rounds.COMMANDS,
):
    cli.add_command(command)


def main() -> None:
    """Entry point: user errors print cleanly and exit 1; bugs keep their traceback."""
    try:
        # Without standalone mode click returns ctx.exit()'s code instead of exiting.
        code = cli.main(standalone_mode=False)
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
    sys.exit(code if isinstance(code, int) else 0)
