"""The README's table of commands, read from the CLI itself: `cog -r README.md` rewrites it, a test fails when stale."""

from __future__ import annotations

import re

import click

from tsunagu.cli import cli


def _usage(command: click.Command, ctx: click.Context) -> str:
    """The command line as --help would show each parameter: options bracketed unless required."""
    parts = []
    for param in command.get_params(ctx):
        if param.hidden if isinstance(param, click.Option) else False:
            continue
        if isinstance(param, click.Argument):
            parts.append(param.make_metavar(ctx).replace("...", "…"))
            continue
        record = param.get_help_record(ctx)
        if record is None or record[0].startswith("--help"):
            continue
        usage = record[0].split(", ")[-1]  # the long form of "-o, --out PATH"
        parts.append(usage if param.required else f"[{usage}]")
    return " ".join(parts)


def _summary(command: click.Command) -> str:
    """The first paragraph of the command's help, on one line."""
    text = (command.help or command.short_help or "").split("\n\n")[0]
    return re.sub(r"\s+", " ", text).strip().replace("|", "\\|")


def rows(group: click.Group = cli, prefix: str = "python build.py", parent: click.Context | None = None) -> list[str]:
    """One Markdown row per command, subcommands of a group included, in the order --help lists them."""
    ctx = click.Context(group, info_name=prefix.split()[-1], parent=parent)
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        sub = click.Context(command, info_name=name, parent=ctx)
        if isinstance(command, click.Group):
            found += rows(command, f"{prefix} {name}", ctx)
            continue
        line = f"{prefix} {name} {_usage(command, sub)}".strip()
        cell = line.replace("|", "\\|")  # a table cell, even inside backticks
        found.append(f"| `{cell}` | {_summary(command)} |")
    return found


def markdown() -> str:
    """The whole table, header included, ending with a newline."""
    head = [
        "| command | what it does |",
        "| --- | --- |",
        f"| `python build.py` | {_summary(cli)} |",
        "| `python build.py --version` | the version of tsunagu (`tsunagu --version` once installed) |",
    ]
    return "\n".join(head + rows()) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
