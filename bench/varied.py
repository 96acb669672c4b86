"""Varied synthetic text (fictional) for the benchmark: names, addresses and notes as diverse as a real region's.

The plain generator (synth.py) repeats a handful of phrases, which flatters the search index (few distinct
tokens). Here office names, towns, streets, people and conditions are composed from kanji and kana pieces,
so 50,000 records carry tens of thousands of distinct words, as the national open data does.
"""

from __future__ import annotations

import random

KANJI = (
    "山 川 田 中 本 木 林 森 石 岡 原 野 村 松 竹 梅 桜 花 青 緑 赤 白 黒 東 西 南 北 上 下 大 小 高 長 新 古 "
    "若 宮 城 島 浜 崎 沢 谷 坂 橋 井 池 泉 湖 海 星 月 日 光 明 清 水 栄 富 福 寿 吉 平 和 安 幸 豊 久 永 千 "
    "万 金 銀 鶴 亀 鷹 鳥 羽 舟 港 津 浦 根 戸 門 倉 里 郷 丘 台 塚 尾 峰 稲 麦 穂 菊 藤 柳 杉 桐 楓 椿 葵 "
    "萩 芝 草 葉 実 春 夏 秋 冬 朝 夕 雲 雪 風 空 陽 泰 恵 愛 誠 信 義 仁 礼 智 徳 文 武 正 真"
).split()
KANA = (
    "さくら みどり ひかり あおば こすもす ふれあい やすらぎ ひまわり なのはな かえで つばき わかば すみれ "
    "たんぽぽ あじさい ほほえみ えがお きずな ぬくもり ひだまり こもれび せせらぎ そよかぜ はなみずき "
    "あさひ ゆうひ しおさい のぞみ めぐみ いずみ ことぶき まごころ やまびこ"
).split()
KATAKANA = (
    "ケア ライフ ハート サポート ホーム ガーデン ヴィラ コート ハウス リーフ サニー グリーン "
    "オアシス ハーモニー フレンズ ラポール ステラ ルミエール"
).split()
SURNAMES = (
    "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林 清水 "
    "山崎 森 池田 橋本 阿部 石川 山下 中島 石井 小川 前田 岡田 長谷川 藤田 後藤 近藤 村上 遠藤 青木 "
    "坂本 斉藤 福田 太田 西村 藤井 金子 岡本 藤原 三浦 中野 中川 原田 松田 竹内 小野 田村 中山 和田 "
    "石田 森田 上田 原 柴田 酒井 工藤 横山 宮崎 宮本 内田 高木 安藤 谷口 大野 丸山 今井 高田 藤本"
).split()
GIVEN = (
    "太郎 花子 一郎 健 美穂 誠 裕子 大輔 直子 隆 由美 拓也 恵子 浩二 幸子 翔太 陽子 和也 明美 修 "
    "智子 剛 真由美 哲也 久美子 聡 典子 亮 優子 学 京子 大介 美香 健太 洋子 達也 純子 徹 香織"
).split()
KINDS = {
    "通所介護": ["デイサービスセンター", "デイサービス", "デイホーム"],
    "訪問介護": ["ヘルパーステーション", "訪問介護事業所", "ホームヘルプサービス"],
    "訪問看護": ["訪問看護ステーション", "訪問看護事業所"],
    "短期入所生活介護": ["ショートステイ", "短期入所生活介護事業所"],
    "居宅介護支援": ["居宅介護支援事業所", "ケアプランセンター", "介護相談センター"],
    "認知症対応型共同生活介護": ["グループホーム", "認知症グループホーム"],
    "福祉用具貸与": ["福祉用具サービス", "福祉用具センター"],
    "小規模多機能型居宅介護": ["小規模多機能ホーム", "小規模多機能型居宅介護事業所"],
    "介護老人保健施設": ["介護老人保健施設", "老健"],
    "通所リハビリテーション": ["デイケア", "通所リハビリテーション"],
    "訪問入浴介護": ["訪問入浴サービス"],
    "介護老人福祉施設": ["特別養護老人ホーム", "特養"],
    "定期巡回・随時対応型訪問介護看護": ["定期巡回ステーション"],
    "地域密着型通所介護": ["地域密着デイ", "ミニデイ"],
}
CORPORATE = ["社会福祉法人", "医療法人社団", "医療法人", "株式会社", "有限会社", "合同会社", "一般社団法人", "NPO法人"]
PREFECTURES = ["茨城県", "栃木県", "群馬県", "埼玉県", "千葉県"]
CARE = (
    "入浴 送迎 食事 排泄 服薬 胃ろう 喀痰吸引 在宅酸素 インスリン 褥瘡 看取り 認知症 精神疾患 難病 透析 "
    "人工肛門 尿道カテーテル 経管栄養 リハビリ 機能訓練 口腔ケア レクリエーション 個別浴 機械浴"
).split()
WHEN = "午前のみ 午後のみ 平日のみ 土曜も 日曜祝日も 月水金 火木土 夜間も 早朝から 週二回まで".split()
TERMS = (
    "対応します。 要相談です。 実績があります。 受入れ可能です。 空き次第です。 主治医の指示書が必要です。 "
    "事前面談の上で判断します。 ご家族の同意が必要です。 職員体制により変わります。"
).split()


def _word(rnd: random.Random, least: int = 1, most: int = 2) -> str:
    return "".join(rnd.choice(KANJI) for _ in range(rnd.randint(least, most)))


class Region:
    """Municipalities and towns of a fictional multi-prefecture region, fixed by the seed."""

    def __init__(self, rnd: random.Random, cities: int = 300) -> None:
        self.cities = [
            (rnd.choice(PREFECTURES), _word(rnd, 2, 2) + rnd.choice(["市", "市", "町", "村"])) for _ in range(cities)
        ]
        self.towns = [_word(rnd, 1, 3) + rnd.choice(["", "町", "", "台", "丘"]) for _ in range(cities * 8)]

    def address(self, rnd: random.Random) -> str:
        prefecture, city = rnd.choice(self.cities)
        ward = f"{_word(rnd, 1, 1)}区" if city.endswith("市") and rnd.random() < 0.1 else ""
        return (
            f"{prefecture}{city}{ward}{rnd.choice(self.towns)}{rnd.randint(1, 9)}丁目"
            f"{rnd.randint(1, 40)}番{rnd.randint(1, 30)}号"
        )


def office_name(rnd: random.Random, service: str, i: int) -> str:
    """'さくら デイサービスセンター 東山' and the like: one of several realistic patterns."""
    kind = rnd.choice(KINDS.get(service, [service]))
    pattern = rnd.randrange(5)
    if pattern == 0:
        return f"{rnd.choice(KANA)}{kind}{_word(rnd, 1, 2)}"
    if pattern == 1:
        return f"{_word(rnd, 2, 3)}{kind}"
    if pattern == 2:
        return f"{rnd.choice(KATAKANA)}{rnd.choice(KATAKANA)}{_word(rnd, 1, 2)}{kind}"
    if pattern == 3:
        return f"{kind} {_word(rnd, 1, 2)}の{rnd.choice(['家', '里', '郷', '杜', '苑', '園', '庵'])}"
    return f"{_word(rnd, 2, 2)}{rnd.choice(KANA)}{kind}{i % 97 + 1}号館"


def corporate(rnd: random.Random) -> str:
    """A corporation name, as office names are quoted in care plans."""
    return f"{rnd.choice(CORPORATE)}{_word(rnd, 2, 3)}{rnd.choice(['会', '福祉会', '', '厚生会', 'ケア'])}"


def person(rnd: random.Random) -> str:
    return f"{rnd.choice(SURNAMES)} {rnd.choice(GIVEN)}"


def conditions(rnd: random.Random) -> str | None:
    """Zero to three care conditions made of pieces: seldom two alike."""
    count = rnd.choice([0, 1, 1, 2, 3])
    return "".join(f"{rnd.choice(CARE)}は{rnd.choice(WHEN)}{rnd.choice(TERMS)}" for _ in range(count)) or None


def notes(rnd: random.Random) -> str | None:
    """A short free-text note with the people one calls, or none."""
    if rnd.random() < 0.5:
        return None
    return (
        f"担当は{person(rnd)}（{rnd.choice(['管理者', '相談員', '看護師', 'ケアマネジャー'])}）。"
        f"{rnd.choice(CARE)}と{rnd.choice(CARE)}について{rnd.choice(TERMS)}"
    )
