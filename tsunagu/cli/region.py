"""Region repositories: `init` makes one, `deploy-check` guards its deploys."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click

from tsunagu.cli.options import today_option
from tsunagu.region.areas import Suggestion
from tsunagu.region.deploy import check_deploy
from tsunagu.region.init import HOSTS, InitError, Request, Result, init_region


def _ask(value, prompt: str, interactive: bool, *, many: bool = False, default=None):
    """A flag's value, else (interactively) the answer to a Japanese prompt."""
    if value or not interactive:
        return value if value else (default if default is not None else ([] if many else ""))
    answer = click.prompt(prompt, default=default, show_default=default is not None)
    return answer.split() if many else answer


@click.command("init")
@click.argument("target", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--city",
    "cities",
    multiple=True,
    help="Municipality code (6 or 5 digits) or 2-digit prefecture code; repeat for a 広域連合.",
)
@click.option(
    "--mhlw",
    "sources",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="MHLW open-data CSV file or folder (介護サービス情報公表システム); repeatable.",
)
@click.option("--title", default="", help="Site title, e.g. 「つなぐ 水戸市」.")
@click.option("--admin", "admins", multiple=True, help="GitHub login of an admin; repeatable.")
@click.option("--region", default=None, help="Region name (default: the municipalities' names).")
@click.option("--host", type=click.Choice(HOSTS), default="github-pages", show_default=True, help="Static host.")
@click.option("--site-url", default="", help="Public URL of the site (its own domain), e.g. https://care.example.jp/.")
@click.option(
    "--tsunagu-wheel",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The tsunagu wheel the region installs (its sha256 is pinned); default: the one installed here.",
)
@click.option(
    "--find-links", default=None, help="Where pip finds that wheel (a release page URL), written into requirements.txt."
)
@click.option("--non-interactive", is_flag=True, help="Ask nothing; every answer comes from the flags.")
@today_option("Import date (default: today in Japan).")
def init_command(
    target: Path,
    cities: tuple[str, ...],
    sources: tuple[Path, ...],
    title: str,
    admins: tuple[str, ...],
    region: str | None,
    host: str,
    site_url: str,
    tsunagu_wheel: Path | None,
    find_links: str | None,
    non_interactive: bool,
    today: dt.date,
) -> None:
    """Make a region repository in TARGET: data/site.yaml, the import, workflows and a pinned tsunagu."""
    ask = not non_interactive
    request = Request(
        target=target,
        cities=list(
            _ask(
                cities,
                "市区町村コード（例 082015。複数はスペース区切り、都道府県全体は 08 のように 2 桁）",
                ask,
                many=True,
            )
        ),
        sources=[Path(p) for p in _ask(sources, "オープンデータの CSV ファイルかフォルダー", ask, many=True)],
        title=_ask(title, "サイトの名前（例 つなぐ 水戸市）", ask),
        admins=list(_ask(admins, "管理者の GitHub アカウント名（複数はスペース区切り）", ask, many=True)),
        region=region,
        host=host,
        site_url=_ask(site_url, "配信先の URL（独自ドメイン。例 https://care.example.jp/）", ask),
        tsunagu_wheel=tsunagu_wheel,
        find_links=find_links,
        today=today,
    )

    def review(suggestion: Suggestion) -> bool:
        click.echo(_areas(suggestion))
        return not ask or click.confirm("この地域の区分で進めますか（あとで data/site.yaml で直せます）", default=True)

    result = init_region(request, review)
    click.echo(_summary(request, result))


def _areas(s: Suggestion) -> str:
    """The suggested areas with the towns in each, for review before anything is written."""
    lines = [f"地域の区分の提案（{s.basis}ごと。data/site.yaml の areas と area_map で直せます）:"]
    for area in s.areas:
        towns = [t for t, a in sorted(s.area_map.items()) if a == area]
        count = sum(s.towns.get(t, 0) for t in towns)
        lines.append(f"  {area}: {count} 行 — {'、'.join(towns[:12])}{' ほか' if len(towns) > 12 else ''}")
    return "\n".join(lines)


def _summary(req: Request, result: Result) -> str:
    plan = result.plan
    lines = [
        f"{req.target}/ に地域のリポジトリを作りました（{'・'.join(result.cities)}）。",
        f"事業所 {plan.count('added')} 件を取り込みました。",
    ]
    if plan.unplaced:
        lines.append(
            f"地域が決まらず取り込まなかった事業所 {len(plan.unplaced)} 件（area_map に町名を足して "
            "tsunagu import-mhlw をもう一度実行してください）:"
        )
        lines += [f"  {o.number} {o.values.get('name')}: {o.values.get('address')}" for o, _ in plan.unplaced[:20]]
    if plan.problems:
        lines.append(f"取り込まなかった値・行 {len(plan.problems)} 件（オープンデータ側の誤り）:")
        lines += [f"  {p}" for p in plan.problems[:20]]
    lines += [
        "次にすること（README.md に詳しく書いてあります）:",
        f"  cd {req.target}",
        "  git init -b main && git add -A && git commit -m 'つなぐを始める'",
        "  GitHub に非公開のリポジトリを作って push し、Secrets に TSUNAGU_PASSWORDS を登録します。",
    ]
    return "\n".join(lines)


@click.command("deploy-check")
@click.option(
    "--site",
    "site_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("site"),
    show_default=True,
    help="The new build.",
)
@click.option("--live", "live_url", required=True, help="URL of the live site (its keys.json is fetched).")
def deploy_check_command(site_dir: Path, live_url: str) -> None:
    """Refuse a build whose epoch does not move past the live site's; same epoch and root: nothing to deploy."""
    deploy, why = check_deploy(site_dir, live_url)
    click.echo(why)
    output = os.environ.get("GITHUB_OUTPUT")
    if output:
        with open(output, "a", encoding="utf-8") as out:
            out.write(f"deploy={'true' if deploy else 'false'}\n")


COMMANDS = (init_command, deploy_check_command)
__all__ = ["COMMANDS", "InitError"]
