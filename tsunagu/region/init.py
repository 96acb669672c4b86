"""`tsunagu init DIR`: a region repository from city codes and the open data (data, workflows, pinned tsunagu)."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tsunagu.domain.config import today_jst
from tsunagu.domain.errors import TsunaguError
from tsunagu.importers.mhlw.cells import check_city, city_key, tidy
from tsunagu.importers.mhlw.plan import Plan, plan_import
from tsunagu.importers.mhlw.read import C_CITY, C_CITY_NAME, Row, csv_files, read_csv
from tsunagu.importers.mhlw.records import Options
from tsunagu.importers.mhlw.write import write_plan
from tsunagu.region.areas import Suggestion, suggest_areas
from tsunagu.region.pins import FILES, RELAY, requirements, shipped, tsunagu_pin

HOSTS = ("github-pages", "cloudflare", "netlify")
SALT_COMMENT_JA = (
    "# 鍵の導出に使う公開の乱数（init が一度だけ作りました）。消したり変えたりしないでください:\n"
    "# 変えると、全員がログアウトされます。"
)
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")


class InitError(TsunaguError):
    """The region repository cannot be made as asked."""


@dataclass
class Request:
    """Everything `init` needs; the CLI fills it from flags or prompts."""

    target: Path
    cities: list[str]  # 5/6-digit municipality codes, or 2-digit prefecture codes
    sources: list[Path]
    title: str
    admins: list[str]
    region: str | None = None  # default: the municipalities' names
    host: str = "github-pages"
    site_url: str = ""
    tsunagu_wheel: Path | None = None
    find_links: str | None = None
    today: dt.date = field(default_factory=today_jst)
    published: dt.date | None = None


@dataclass
class Result:
    """What `init` made, for the summary the admin reviews."""

    suggestion: Suggestion
    plan: Plan
    cities: list[str]
    files: list[str]


def check_request(req: Request) -> list[str]:
    """Every problem with the request, in Japanese, all at once."""
    problems = []
    if req.target.exists() and any(p.name != ".git" for p in req.target.iterdir()):
        problems.append(f"{req.target}: 空のフォルダーではありません（新しいフォルダーを指定してください）")
    if not req.cities:
        problems.append("--city: 市区町村コード（例 082015）か都道府県コード（例 08）を 1 つ以上指定してください")
    for code in req.cities:
        if not re.fullmatch(r"\d{2}", code) and (why := check_city(code)):
            problems.append(f"--city {code}: {why}")
    if not req.sources:
        problems.append(
            "--mhlw: 介護サービス情報公表システムのオープンデータ（CSV ファイルかフォルダー）を指定してください"
        )
    if not req.title.strip():
        problems.append("--title: サイトの名前を指定してください（例 つなぐ 水戸市）")
    if not req.admins:
        problems.append("--admin: 管理者の GitHub アカウント名を 1 つ以上指定してください")
    problems += [f"--admin {a}: GitHub のアカウント名ではありません" for a in req.admins if not _LOGIN.match(a)]
    if req.host not in HOSTS:
        problems.append(f"--host: {', '.join(HOSTS)} のどれかを指定してください; got {req.host!r}")
    if not re.fullmatch(r"https://[^\s/]+/\S*", req.site_url):
        problems.append(
            f"--site-url: https:// で始まる配信先の URL（独自ドメイン）を指定してください"
            f"（配信のたびに、そこの keys.json と版を比べます）; got {req.site_url!r}"
        )
    return problems


def read_rows(sources: list[Path]) -> tuple[list[str], list[Row]]:
    """The open-data files and every row in them."""
    paths = csv_files(tuple(sources))
    return [p.name for p in paths], [row for p in paths for row in read_csv(p)]


def region_rows(rows: list[Row], codes: list[str]) -> tuple[list[str], list[Row]]:
    """The 5-digit municipality keys asked for (a prefecture code stands for all its municipalities) and their rows."""
    prefectures = {c for c in codes if len(c) == 2}
    keys = {city_key(c) for c in codes if len(c) != 2}
    keys |= {city_key(r.cells[C_CITY]) for r in rows if city_key(r.cells[C_CITY])[:2] in prefectures}
    mine = [r for r in rows if city_key(r.cells[C_CITY]) in keys]
    return sorted(keys), mine


def _yaml_text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def site_yaml(req: Request, region: str, suggestion: Suggestion) -> str:
    """data/site.yaml as the admins first see it: commented, areas for review, the salt generated."""
    why = {
        "市区町村": "複数の市区町村なので、市区町村ごと",
        "町名": "町名ごと",
        "方角": "事業所の位置から、中心部（中部）と北部・東部・南部・西部",
    }[suggestion.basis]
    lines = [
        f"# {region} のサイトの設定。項目の説明: tsunagu の docs/data-format.md",
        f"title: {_yaml_text(req.title.strip())}",
        f"region: {_yaml_text(region)}",
        "stale_after_days: 14      # この日数より前の確認は「更新が古い」と表示します",
        f"admins: [{', '.join(req.admins)}]",
        f"# 地域の区分（オープンデータの住所から自動で提案: {why}）。実際の担当区域に合わせて直してください。",
        f"areas: [{', '.join(_yaml_text(a) for a in suggestion.areas)}]",
        "# 住所に含まれる町名（または市区町村名） → 地域。取り込み（import-mhlw）が事業所の地域を決めるのに使います。",
        "area_map:",
    ]
    lines += [f"  {_yaml_text(k)}: {_yaml_text(v)}" for k, v in sorted(suggestion.area_map.items())]
    lines += [
        "# サービスの種類（名前: コード）。取り込みが見つけたものを足していきます。",
        "services: {}",
        SALT_COMMENT_JA,
        f'salt: "{secrets.token_hex(16)}"',
    ]
    return "\n".join(lines) + "\n"


def _fill(text: str, values: dict[str, str]) -> str:
    """{{NAME}} placeholders of a shipped file (GitHub's own ${{ … }} expressions are left alone)."""
    return re.sub(r"\{\{([A-Z_]+)\}\}", lambda m: values[m[1]], text)


def _write(root: Path, rel: str, text: str | bytes) -> str:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="\n")
    return rel


def init_region(req: Request, review: Callable[[Suggestion], bool] | None = None) -> Result:
    """Make the region repository in req.target; nothing is written unless every check passes (and review agrees)."""
    problems = check_request(req)
    if problems:
        raise InitError("\n".join(problems))
    version, digest = tsunagu_pin(req.tsunagu_wheel)
    names, rows = read_rows(req.sources)
    keys, mine = region_rows(rows, req.cities)
    if not mine:
        raise InitError(
            f"--city {' '.join(req.cities)}: 指定した市区町村の行がオープンデータにありません"
            f"（{len(rows)} 行を読みました）。コードとファイルを確かめてください。"
        )
    suggestion = suggest_areas(mine)
    if review is not None and not review(suggestion):
        raise InitError(
            "中止しました。何も書いていません。--region や地域の区分は、作ったあとで data/site.yaml でも直せます。"
        )
    cities = sorted({tidy(r.cells[C_CITY_NAME]).replace(" ", "") for r in mine})
    region = req.region or "・".join(cities)
    site = site_yaml(req, region, suggestion)
    published = req.published or req.today
    plan = plan_import(names, mine, site, {}, Options(keys, req.today, published), "data/site.yaml")
    root = req.target
    root.mkdir(parents=True, exist_ok=True)
    written = [_write(root, "data/site.yaml", site)]
    write_plan(plan, root / "data")
    for folder in ("physicians", "notices"):
        written.append(_write(root, f"data/{folder}/.gitkeep", ""))
    values = {
        "TITLE": req.title.strip(),
        "REGION": region,
        "VERSION": version,
        "HOST": req.host,
        "SITE_URL": req.site_url,
        "CLOUDFLARE_PROJECT": re.sub(
            r"[^a-z0-9-]", "", req.site_url.split("//")[1].split("/")[0].replace(".", "-").lower()
        )[:58]
        or "tsunagu",
        "BASIS": {"市区町村": "市区町村ごと", "町名": "町名ごと", "方角": "事業所の位置の方角ごと"}[suggestion.basis],
    }
    written += [
        _write(root, "requirements.txt", requirements(version, digest, req.find_links)),
        _write(
            root, ".github/workflows/deploy.yml", _fill((FILES / "workflows/deploy.yml").read_text("utf-8"), values)
        ),
        _write(root, ".github/workflows/check.yml", (FILES / "workflows/check.yml").read_text("utf-8")),
        _write(
            root,
            ".github/workflows/relay-intake.yml",
            _fill((FILES / "workflows/relay-intake.yml").read_text("utf-8"), values),
        ),
        _write(root, ".github/dependabot.yml", (FILES / "dependabot.yml").read_text("utf-8")),
        _write(root, ".github/deploy/netlify_upload.py", (FILES / "netlify_upload.py").read_text("utf-8")),
        _write(root, ".github/deploy/package.json", shipped("deploy/package.json")),
        _write(root, ".github/deploy/package-lock.json", shipped("deploy/package-lock.json")),
        _write(root, ".gitignore", (FILES / "gitignore").read_text("utf-8")),
        _write(root, "README.md", _fill((FILES / "README.md").read_text("utf-8"), values)),
    ]
    written += [_write(root, f"relay/{name}", shipped(f"relay/{name}")) for name in RELAY]
    return Result(suggestion, plan, cities, written)
