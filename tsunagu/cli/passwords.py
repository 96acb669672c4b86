"""Commands for the passwords of a production build."""

from __future__ import annotations

from pathlib import Path

import click

from tsunagu.cli.options import data_option
from tsunagu.seal.passwords import ENV_VAR, WORDS, new_passwords, passwords_yaml, read_site


@click.group("passwords")
def passwords_group() -> None:
    """Passwords for the TSUNAGU_PASSWORDS secret."""


@passwords_group.command("new")
@click.argument("labels", nargs=-1, required=True)
@click.option(
    "--words", type=int, default=WORDS, show_default=True, help="Words per password (at least 5, or 6 with --ja)."
)
@click.option(
    "--ja",
    "japanese",
    is_flag=True,
    help="Japanese words (hiragana, BIP-39's list of 2,048: 11 bits each), typed on any phone.",
)
@data_option("Data folder whose site.yaml words a password must not lean on.")
def new_command(labels: tuple[str, ...], words: int, japanese: bool, data_dir: Path) -> None:
    """Print a random password of six words for each LABEL, as YAML for the secret."""
    passwords = new_passwords(labels, words=words, site=read_site(data_dir), japanese=japanese)
    click.echo(
        f"# Paste these lines into the {ENV_VAR} secret (or a --passwords-file); give each group only its own line.",
        err=True,
    )
    click.echo(passwords_yaml(passwords), nl=False)


COMMANDS = (passwords_group,)
