"""Japanese descriptions of every data field, set on the pydantic models: JSON Schema (editors) and docs/data-format.md."""

from __future__ import annotations

import functools
from typing import Any

from pydantic import BaseModel

from tsunagu.domain.models import Contact, Desk, Notice, Physician, Provider, Site, Source, Status, Window

_RECORD_COMMON = {
    "id": "記録の ID。ファイル名（拡張子なし）と同じで、書かなくてもかまいません。",
    "name_kana": "読み（カタカナ）。検索と並び順に使います。",
    "area": "地域。site.yaml の areas のどれか。",
    "address": "住所。",
    "phone": "電話番号（例 029-000-1111）。",
    "fax": "FAX 番号。",
    "url": "ホームページ（http:// か https://）。",
    "maintainers": "このファイルを直してよい GitHub のアカウント（事業所・医療機関の担当者）。",
    "link_version": "更新用リンクの版。1 つ上げると、それまでのリンクが使えなくなります（tsunagu link-revoke）。",
    "notes": "備考（Markdown）。",
}

MODELS: dict[type[BaseModel], tuple[str, dict[str, str]]] = {
    Site: (
        "サイトの設定と、選べる値の一覧（data/site.yaml）。",
        {
            "title": "サイトの名前（例 つなぐ 水戸市）。",
            "region": "地域の名前（市区町村名など）。",
            "site_id": "サイトの短い英字の名前（小文字・数字・-）。",
            "stale_after_days": "この日数より前の確認は「更新が古い」と表示します（1〜365、既定 14）。",
            "demo_as_of": "デモのデータだけが使う日付（デモのビルドは日付をビルドの日にずらします）。地域のデータでは書きません。",
            "repository": "このデータのリポジトリの URL（更新フォームへのリンクに使います）。",
            "admins": "管理者の GitHub アカウント。",
            "areas": "地域の区分。事業所と医師の area はこのどれかです。",
            "services": "サービスの種類（名前: 介護サービス情報公表システムの 3 桁のコード）。事業所の services はこのどれかです。",
            "area_map": "住所に含まれる町名（または市区町村名） → 地域。オープンデータの取り込みが地域を決めるのに使います。",
            "synonyms": "この地域の検索の言葉（言葉: [言い換え]）。[] で tsunagu の言葉を使わないようにします。",
            "desks": "相談窓口の一覧。",
            "reply_fax": "状況確認票（tsunagu sheets）の返信先の FAX 番号。",
            "salt": "鍵の元になる公開の乱数（init か最初のビルドが作ります）。変えると全員がログアウトされます。",
            "allow_shared_origin": "ほかのサイトと同じドメイン（owner.github.io など）で開くことを許すか（既定 false）。",
            "seal_key": "更新ページが回答を暗号化する公開鍵（tsunagu link-keys が作ります）。",
            "relay_url": "更新ページの送信先（既定: サイトと同じドメインの ../api/）。",
        },
    ),
    Desk: (
        "相談窓口。",
        {"name": "窓口の名前。", "phone": "電話番号。", "hours": "受付時間。", "note": "相談できること。"},
    ),
    Status: (
        "受入状況。いちばんよく更新される部分です。",
        {
            "updated": "最後に確認した日（未来の日付は不可）。書いていなければ「未回答」です。",
            "operation": "営業の状況: open（通常）| reduced（縮小）| suspended（休止）| closed（廃止）。",
            "new_clients": "新規利用者の受入れ: accepting（受入可）| conditional（条件付きで可）| not_accepting（受入不可）| unknown（未回答）。",
            "alternative_support": "休止・閉鎖した事業所の利用者への代替支援の受入れ（値は new_clients と同じ）。",
            "post_infection": "感染者が出た医療機関の受診者・退院者の受入れ（値は new_clients と同じ）。",
            "vacancies": "空きの人数（0 以上）。",
            "conditions": "受入れの条件（文章。改行はそのまま、Markdown やリンクは使えません）。",
            "confirmed_via": "最後の確認の方法: form | pr | phone | fax | link。",
            "confirmed_by": "最後の確認を入力した GitHub のアカウント。",
            "confirmed_with": "管理者が電話・FAX で確認した相手。",
        },
    ),
    Source: (
        "オープンデータから取り込んだ記録の出どころ（取り込みが書きます。変えないでください）。",
        {
            "dataset": "データセットの名前。",
            "license": "ライセンス。",
            "files": "取り込んだファイル。",
            "published": "オープンデータの公開日。",
            "imported": "取り込んだ日。",
            "vanished": "オープンデータから消えた日（記録は消さずに残します）。",
            "original": "取り込んだときの値。人が直した項目を再取り込みで上書きしないために使います。",
        },
    ),
    Provider: (
        "介護事業所（data/providers/<id>.yaml）。",
        {
            **_RECORD_COMMON,
            "name": "事業所名。",
            "office_number": "介護保険事業所番号（10 桁、文字列で書きます）。",
            "services": "提供するサービス。site.yaml の services のどれか。",
            "email": "メールアドレス。",
            "capacity": "定員（0〜10000）。",
            "hours": "営業日・時間（自由な文章）。",
            "status": "受入状況。",
            "source": "オープンデータからの出どころ。",
        },
    ),
    Window: (
        "連絡してよい時間帯。",
        {
            "days": "曜日: mon tue wed thu fri sat sun。",
            "time": '時間（例 "13:00-14:00"、日本時間）。',
            "methods": "この時間帯の連絡方法（なければ contact.methods）。",
            "holidays": "祝日にあたる日も連絡してよいか（既定 false）。",
        },
    ),
    Contact: (
        "ケアマネジャーからの連絡のしかた。",
        {
            "windows": "連絡してよい時間帯。",
            "methods": "連絡方法（希望の順）: phone | fax | email | visit（面談）| ict（MCS 等）| letter（文書）。",
            "appointment_required": "面談は要予約か。",
            "via": "取り次ぎ（例 看護師長 経由）。",
            "notes": "連絡時のお願い（文章。Markdown やリンクは使えません）。",
            "updated": "この連絡方法を最後に確認した日。",
            "confirmed_via": "最後の確認の方法: form | pr | phone | fax | link。",
            "confirmed_by": "最後の確認を入力した GitHub のアカウント。",
            "confirmed_with": "管理者が電話・FAX で確認した相手。",
        },
    ),
    Physician: (
        "医師・医療機関の連絡先（data/physicians/<id>.yaml）。",
        {
            **_RECORD_COMMON,
            "name": "医師の名前。",
            "clinic": "医療機関の名前。",
            "clinic_kana": "医療機関の名前の読み（カタカナ）。",
            "specialties": "診療科。",
            "home_visits": "訪問診療に対応するか。",
            "care_support_doctor": "地域ケアサポート医か。",
            "contact": "連絡のしかた。",
        },
    ),
    Notice: (
        "お知らせ（data/notices/<日付>-<名前>.md の先頭）。",
        {
            "title": "見出し。",
            "date": "日付。",
            "pinned": "先頭に固定するか（既定 false）。",
        },
    ),
}


@functools.cache
def describe_models() -> None:
    """Put the Japanese descriptions on the models' fields (once); every field must have one."""
    for model, (about, fields) in MODELS.items():
        missing = set(model.model_fields) - set(fields)
        if missing:
            raise AssertionError(f"{model.__name__}: no description for {sorted(missing)}")
        for name, info in model.model_fields.items():
            info.description = fields[name]
        model.model_config["json_schema_extra"] = {"description": about}
    # Parts first, then the models that hold them, so every schema carries every description.
    for model in (Desk, Status, Source, Window, Contact, Site, Provider, Physician, Notice):
        model.model_rebuild(force=True)


def field_reference() -> str:
    """docs/data-format.md's field tables, from the same descriptions (tsunagu schema --doc writes them)."""
    describe_models()
    out: list[str] = []
    for model, (about, fields) in MODELS.items():
        out += [f"### {model.__name__}", "", about, "", "| 項目 | 必須 | 説明 |", "|---|---|---|"]
        for name, info in model.model_fields.items():
            required = "必須" if info.is_required() else ""
            out.append(f"| `{name}` | {required} | {_cell(fields[name])} |")
        out.append("")
    return "\n".join(out)


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|")
