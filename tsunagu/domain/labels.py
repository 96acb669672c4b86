"""Every Japanese label of the interface, in one place: Python, templates and the browser scripts read these."""

from __future__ import annotations

ACCEPTANCE_JA = {"accepting": "受入可", "conditional": "条件付きで可", "not_accepting": "受入不可", "unknown": "未回答"}
OPERATION_JA = {"open": "通常営業", "reduced": "縮小営業", "suspended": "休止中", "closed": "廃止"}
WEEKDAY_JA = {"mon": "月", "tue": "火", "wed": "水", "thu": "木", "fri": "金", "sat": "土", "sun": "日"}
METHOD_JA = {
    "phone": "電話",
    "fax": "FAX",
    "email": "メール",
    "visit": "面談",
    "ict": "ICT（MCS 等）",
    "letter": "文書",
}
STATUS_FIELDS_JA = {"new_clients": "新規受入", "alternative_support": "代替支援", "post_infection": "感染後受入"}
# status.csv's columns (render/sheet.py writes them; seal/free.py stores the 条件 cell as it is, never deflated).
STATUS_CSV_COLUMNS = (
    "事業所名",
    "サービス",
    "地域",
    "電話",
    "営業",
    *STATUS_FIELDS_JA.values(),
    "空き",
    "条件",
    "確認日",
    "更新が古い",
)
STATUS_CSV_FREE_COLUMN = STATUS_CSV_COLUMNS.index("条件")
APPOINTMENT_JA = {True: "要予約", False: "予約不要"}
KIND_JA = {"provider": "事業所", "physician": "医師"}
# Physician marks, shown as tags and searchable like specialties (a vocabulary target may name them).
HOME_VISITS, CARE_SUPPORT = "訪問診療", "地域ケアサポート医"
VIA_JA = {
    "form": "フォーム",
    "pr": "プルリクエスト",
    "phone": "電話",
    "fax": "FAX",
    "link": "リンク",
}  # status/contact confirmed_via
VIA_FORM_JA = {"form": "本人が入力", "phone": "電話で確認（管理者が代理入力）", "fax": "FAXで受領（管理者が代理入力）"}

FIELD_JA = {
    "name": "名称",
    "name_kana": "フリガナ",
    "office_number": "事業所番号",
    "services": "サービス種別",
    "area": "地域",
    "address": "住所",
    "phone": "電話",
    "fax": "FAX",
    "email": "メール",
    "url": "ウェブサイト",
    "capacity": "定員",
    "hours": "営業時間",
    "maintainers": "更新担当者",
    "link_version": "更新リンクの版",
    "notes": "備考",
    "source": "出典",
    "status.updated": "確認日",
    "status.operation": "営業状況",
    "status.vacancies": "空き",
    "status.conditions": "受入条件",
    **{f"status.{k}": v for k, v in STATUS_FIELDS_JA.items()},
    "clinic": "医療機関",
    "clinic_kana": "医療機関フリガナ",
    "specialties": "診療科",
    "home_visits": "訪問診療",
    "care_support_doctor": "地域ケアサポート医",
    "contact.windows": "連絡しやすい時間帯",
    "contact.methods": "連絡方法",
    "contact.appointment_required": "面談の予約",
    "contact.via": "取次ぎ",
    "contact.notes": "連絡時のお願い",
    "contact.updated": "確認日",
    **{
        f"{section}.{key}": label
        for section in ("status", "contact")
        for key, label in (
            ("confirmed_via", "確認方法"),
            ("confirmed_by", "入力者"),
            ("confirmed_with", "確認した相手"),
        )
    },
}
PHYSICIAN_FIELD_JA = {"name": "氏名"}


def browser_labels() -> dict[str, dict[str, str]]:
    """The labels the browser scripts need, as generated data (JSON) rather than copies in JavaScript."""
    return {
        "acceptance": ACCEPTANCE_JA,
        "operation": OPERATION_JA,
        "weekday": WEEKDAY_JA,
        "method": METHOD_JA,
        "status_fields": STATUS_FIELDS_JA,
        "kind": KIND_JA,
    }
