"""Synthetic prefecture-scale data (fictional) for the benchmark: N providers, M physicians."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

import varied as varied_text
import yaml

SURNAMES = "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林 清水 山崎".split()
GIVEN = "太郎 花子 一郎 健 美穂 誠 裕子 大輔 直子 隆 由美 拓也 恵子 浩二 幸子".split()
PLACE = "さくら みどり ひかり あおば こすもす ふれあい やすらぎ ひまわり なのはな かえで つばき わかば".split()
KIND = {
    "通所介護": "デイサービス",
    "訪問介護": "ヘルパーステーション",
    "訪問看護": "訪問看護ステーション",
    "短期入所生活介護": "ショートステイ",
    "居宅介護支援": "ケアプランセンター",
    "認知症対応型共同生活介護": "グループホーム",
    "福祉用具貸与": "福祉用具センター",
    "小規模多機能型居宅介護": "小規模多機能ホーム",
    "介護老人保健施設": "介護老人保健施設",
    "通所リハビリテーション": "デイケア",
}
CONDITIONS = [
    "入浴は午前のみ。",
    "送迎は市内に限ります。",
    "胃ろう・喀痰吸引は要相談。",
    "認知症の方の受入れ実績があります。",
    "感染後の方は PCR 陰性確認後。",
    "看取りに対応します。",
    "",
]
ACCEPT = ["accepting", "conditional", "not_accepting", "unknown"]
# A prefecture has many municipalities (fictional names here): addresses are not all alike.
CITIES = "さくら市 みどり市 あおば市 ひかり町 つばき市 かえで市 なのはな町 こすもす市 すずらん村 もみじ市 はなみずき市 やまぶき町".split()


def write_data(root: Path, providers: int, physicians: int, seed: int = 7, varied: bool = False) -> Path:
    """Write a data folder with the demo site.yaml and synthetic records; returns the folder.

    varied: names, addresses, people and conditions composed from many pieces (bench/varied.py), as diverse
    as a real region's text, instead of a handful of repeated phrases.
    """
    rnd = random.Random(seed)
    region = varied_text.Region(rnd) if varied else None
    repo = Path(__file__).resolve().parents[1]
    shutil.rmtree(root, ignore_errors=True)
    (root / "providers").mkdir(parents=True)
    (root / "physicians").mkdir()
    (root / "notices").mkdir()
    site = yaml.safe_load((repo / "data" / "site.yaml").read_text(encoding="utf-8"))
    towns = list(site["area_map"].items())
    today = dt.date(2026, 11, 22)
    for i in range(providers):
        service = rnd.choice(list(KIND))
        town, area = rnd.choice(towns)
        record = {
            "name": f"{KIND[service]} {rnd.choice(PLACE)}{town}{i}",
            "services": [service],
            "area": area,
            "address": f"茨城県{rnd.choice(CITIES)}{town}{rnd.randint(1, 9)}-{rnd.randint(1, 30)}-{rnd.randint(1, 20)}",
            "phone": f"0{rnd.randint(20, 99)}-000-{i % 10000:04d}",
            "maintainers": [f"office-{i}"],
            "status": {
                "updated": today - dt.timedelta(days=rnd.randint(0, 40)),
                "new_clients": rnd.choice(ACCEPT),
                "alternative_support": rnd.choice(ACCEPT),
                "post_infection": rnd.choice(ACCEPT),
                "vacancies": rnd.randint(0, 5),
                "conditions": rnd.choice(CONDITIONS) or None,
            },
        }
        if region is not None:
            record.update(
                name=varied_text.office_name(rnd, service, i),
                address=region.address(rnd),
                notes=f"運営: {varied_text.corporate(rnd)}。{varied_text.notes(rnd) or ''}",
            )
            record["status"]["conditions"] = varied_text.conditions(rnd)
        record["status"] = {k: v for k, v in record["status"].items() if v is not None}
        record = {k: v for k, v in record.items() if v is not None}
        _dump(root / "providers" / f"p{i:05d}.yaml", record)
    for i in range(physicians):
        town, area = rnd.choice(towns)
        record = {
            "name": f"{rnd.choice(SURNAMES)} {rnd.choice(GIVEN)}",
            "clinic": f"{rnd.choice(PLACE)}{town}クリニック{i}",
            "specialties": ["内科"],
            "area": area,
            "address": f"茨城県{rnd.choice(CITIES)}{town}{rnd.randint(1, 9)}-{rnd.randint(1, 30)}",
            "phone": f"0{rnd.randint(20, 99)}-001-{i % 10000:04d}",
            "home_visits": rnd.random() < 0.4,
            "care_support_doctor": rnd.random() < 0.1,
            "contact": {
                "windows": [{"days": ["mon", "thu"], "time": "13:00-14:00", "methods": ["phone"]}],
                "methods": ["fax", "phone"],
                "appointment_required": True,
                "updated": today - dt.timedelta(days=rnd.randint(0, 90)),
            },
        }
        if region is not None:
            record.update(
                name=varied_text.person(rnd),
                address=region.address(rnd),
                clinic=f"{varied_text._word(rnd, 1, 3)}{rnd.choice(['クリニック', '医院', '診療所', '内科'])}",
            )
        _dump(root / "physicians" / f"d{i:05d}.yaml", record)
    shutil.copy(repo / "data" / "site.yaml", root / "site.yaml")
    return root


def _dump(path: Path, record: dict) -> None:
    path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")
