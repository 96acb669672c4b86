"""Values and changes in the words care managers read, shared by summaries, replies and 最近の変更."""

from tsunagu.domain.describe import field_changes, format_value


def test_values_as_a_care_manager_reads_them():
    assert format_value("status.operation", "suspended") == "休止中"
    assert format_value("status.post_infection", "conditional") == "条件付きで可"
    assert format_value("contact.methods", ["fax", "phone"]) == "FAX・電話"
    assert format_value("status.conditions", None) == "（なし）"
    assert format_value("status.conditions", "あ" * 50) == "あ" * 40 + "…"
    assert format_value("contact.appointment_required", True) == "要予約"
    assert format_value("home_visits", False) == "いいえ"
    assert (
        format_value("contact.windows", [{"days": ["sat"], "time": "10:00-12:00", "holidays": True}])
        == "土 10:00-12:00（祝日も可）"
    )
    assert (
        format_value("contact.windows", [{"days": ["mon", "thu"], "time": "13:00-14:00", "methods": ["phone"]}])
        == "月・木 13:00-14:00（電話）"
    )


def test_field_changes_label_by_kind_and_section():
    old = {"name": "山田 太郎", "contact": {"via": "受付", "updated": "2026-11-01"}}
    new = {"name": "山田 次郎", "contact": {"via": "看護師長", "updated": "2026-11-20"}}
    assert field_changes("physician", old, new) == [
        ("氏名", "山田 太郎", "山田 次郎"),
        ("取次ぎ", "受付", "看護師長"),
        ("確認日", "2026-11-01", "2026-11-20"),
    ]
    assert field_changes("physician", old, new, section="contact") == [("取次ぎ", "受付", "看護師長")]
    assert field_changes("provider", {"name": "a"}, {"name": "b"}) == [("名称", "a", "b")]
