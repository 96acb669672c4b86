import datetime as dt

from click.testing import CliRunner
from gitflow import FIXTURE, copy_data, render_body

from tsunagu.cli import cli
from tsunagu.contribute.intake import intake
from tsunagu.contribute.replies import success_reply
from tsunagu.contribute.submission import parse_issue_body, parse_windows
from tsunagu.yamlio.roundtrip import merge_lines

TODAY = "2026-11-20"


def run(tmp_path, body, author, *extra):
    data = tmp_path / "data"
    (tmp_path / "body.md").write_text(body, encoding="utf-8")
    return CliRunner().invoke(
        cli, ["intake", str(tmp_path / "body.md"), "--author", author, "--data", str(data), "--today", TODAY, *extra]
    )


def test_provider_status_update_is_a_minimal_byte_exact_edit(tmp_path):
    data = copy_data(tmp_path)
    body = render_body(
        "provider",
        {
            "record_id": "day-sakura",
            "action": "内容を更新する",
            "operation": "通常営業",
            "new_clients": "条件付きで可",
            "post_infection": "受入不可",
            "vacancies": "2",
            "conditions": "入浴は午前のみ。\n送迎は北部エリアに限ります。",
        },
    )
    result = run(tmp_path, body.replace("\n", "\r\n"), "sakura-day")
    assert result.exit_code == 0, result.output
    assert (
        (data / "providers" / "day-sakura.yaml").read_text(encoding="utf-8")
        == """\
# デイサービスさくら: kept by the office itself
name: デイサービスさくら                 # required
office_number: "0870100011"
services: [通所介護]
area: 北部
address: 茨城県テスト市北条 1-2-3
phone: 029-000-1111
maintainers: [sakura-day]
status:                                # the part updated most often
  updated: 2026-11-20                  # date of the last confirmation
  operation: open
  new_clients: conditional             # 新規利用者の受入れ
  alternative_support: conditional
  post_infection: not_accepting

  vacancies: 2
  conditions: |                        # optional Markdown
    入浴は午前のみ。
    送迎は北部エリアに限ります。
  confirmed_via: form
  confirmed_by: sakura-day
notes: |
  認知症の方の受入れ実績があります。
"""
    )
    assert (
        result.output
        == f"""\
「デイサービスさくら」（day-sakura）の更新を受け付けました。管理者の確認を待たずに自動で反映します。\
サイトには数分後に表示されます（反映が済むと、この issue でお知らせします）。

- 確認日: 2026-11-01 → 2026-11-20
- 新規受入: 受入可 → 条件付きで可
- 空き: （なし） → 2
- 確認方法: （なし） → フォーム
- 入力者: （なし） → sakura-day

確認方法: フォーム（入力: sakura-day）

変更するファイル: `{data.as_posix()}/providers/day-sakura.yaml`
"""
    )
    assert (data / "physicians" / "yamada-naika.yaml").read_bytes() == (
        FIXTURE / "physicians" / "yamada-naika.yaml"
    ).read_bytes()


def test_conditions_replaced_and_cleared(tmp_path):
    data = copy_data(tmp_path)
    body = render_body("provider", {"record_id": "day-sakura", "conditions": "送迎なし。\n\n## 注意\n- 午後のみ"})
    assert run(tmp_path, body, "sakura-day").exit_code == 0
    text = (data / "providers" / "day-sakura.yaml").read_text(encoding="utf-8")
    assert text.endswith("""\
  conditions: |                        # optional Markdown
    送迎なし。

    ## 注意
    - 午後のみ
  confirmed_via: form
  confirmed_by: sakura-day
notes: |
  認知症の方の受入れ実績があります。
""")
    body = render_body("provider", {"record_id": "day-sakura", "conditions": "-"})
    assert run(tmp_path, body, "sakura-day").exit_code == 0
    text = (data / "providers" / "day-sakura.yaml").read_text(encoding="utf-8")
    assert "conditions" not in text and "送迎なし" not in text


def test_physician_contact_update_by_admin(tmp_path):
    data = copy_data(tmp_path)
    body = render_body(
        "physician",
        {
            "record_id": "yamada-naika",
            "action": "内容を更新する",
            "methods": "電話, FAX",
            "appointment_required": "予約不要",
            "via": "-",
            "windows": "月-水 13:00〜14:00 電話\n金 17:00-18:00 FAX,面談",
            "notes": "初回は **FAX** で連絡票を送ってください。\n<script>alert(1)</script>",
        },
    )
    result = run(tmp_path, body, "city-admin")
    assert result.exit_code == 0, result.output
    assert (
        (data / "physicians" / "yamada-naika.yaml").read_text(encoding="utf-8")
        == """\
# やまだ内科クリニック
name: 山田 太郎
clinic: やまだ内科クリニック
area: 中部
address: 茨城県テスト市竹園 2-3-4
phone: 029-000-2222
home_visits: true
maintainers: [yamada-clinic]
contact:
  windows:
    - days: [mon, tue, wed]
      time: "13:00-14:00"
      methods: [phone]
    - days: [fri]
      time: "17:00-18:00"
      methods: [fax, visit]
  methods: [phone, fax]   # most preferred first
  appointment_required: false
  notes: |
    初回は **FAX** で連絡票を送ってください。
    <script>alert(1)</script>
  updated: 2026-11-20
  confirmed_via: form
  confirmed_by: city-admin
"""
    )
    assert (
        "- 連絡時のお願い: （なし） → 初回は \\*\\*FAX\\*\\* で連絡票を送ってください。 ／ \\<script\\>aler…"
        in result.output
    )


def test_confirm_unchanged_only_renews_the_date(tmp_path):
    data = copy_data(tmp_path)
    before = (data / "providers" / "home-aoba.yaml").read_text(encoding="utf-8")
    body = render_body("provider", {"record_id": "home-aoba", "action": "変更なしで確認する"})
    result = run(tmp_path, body, "aoba-office")
    assert result.exit_code == 0, result.output
    after = (data / "providers" / "home-aoba.yaml").read_text(encoding="utf-8")
    assert after == before.replace("updated: 2026-10-01", "updated: 2026-11-20") + (
        "  confirmed_via: form\n  confirmed_by: aoba-office\n"
    )
    assert result.output.startswith(
        "「ヘルパーステーションあおば」（home-aoba）の内容を変更なしで確認しました。"
        "管理者の確認を待たずに自動で反映します。"
    )


def test_admin_enters_a_phone_update_on_the_providers_behalf(tmp_path):
    data = copy_data(tmp_path)
    body = render_body(
        "provider",
        {
            "record_id": "home-aoba",
            "new_clients": "受入可",
            "confirmed_via": "電話で確認（管理者が代理入力）",
            "confirmed_with": "管理者 青葉様",
        },
    )
    result = run(tmp_path, body, "city-admin", "--decision-out", str(tmp_path / "decision.txt"))
    assert result.exit_code == 0, result.output
    assert (
        (data / "providers" / "home-aoba.yaml")
        .read_text(encoding="utf-8")
        .endswith("""\
status:
  updated: 2026-11-20
  new_clients: accepting
  confirmed_via: phone
  confirmed_by: city-admin
  confirmed_with: 管理者 青葉様
""")
    )
    assert (
        "\n- 確認方法: （なし） → 電話\n- 入力者: （なし） → city-admin\n- 確認した相手: （なし） → 管理者 青葉様\n"
        in result.output
    )
    assert "\n確認方法: 電話（確認した相手: 管理者 青葉様、入力: city-admin）\n" in result.output
    assert (tmp_path / "decision.txt").read_text() == "auto\n"
    body = render_body("provider", {"record_id": "home-aoba", "action": "変更なしで確認する"})
    assert run(tmp_path, body, "aoba-helper").exit_code == 0
    assert (
        (data / "providers" / "home-aoba.yaml")
        .read_text(encoding="utf-8")
        .endswith("""\
  confirmed_via: form
  confirmed_by: aoba-helper
""")
    )


def test_a_reply_that_waits_for_review_says_why_and_that_the_site_is_unchanged(tmp_path):
    data = copy_data(tmp_path)
    edit = intake(
        render_body("provider", {"record_id": "day-sakura", "vacancies": "3"}),
        "sakura-day",
        data,
        dt.date(2026, 11, 20),
    )
    assert edit.decision == "auto"
    edit.decision, edit.reasons = "review", ["「受入状況」以外の項目が変更されています（電話）"]
    assert success_reply(edit, "data/providers/day-sakura.yaml").split("\n")[:3] == [
        "「デイサービスさくら」（day-sakura）の更新を受け付けました。管理者が確認してから反映します。"
        "反映されるまで、サイトの表示は変わりません。",
        "- 「受入状況」以外の項目が変更されています（電話）",
        "",
    ]


def test_only_an_admin_may_enter_a_phone_or_fax_update(tmp_path):
    body = render_body(
        "provider",
        {"record_id": "day-sakura", "confirmed_via": "FAXで受領（管理者が代理入力）", "confirmed_with": "施設長"},
    )
    assert hostile(tmp_path, body, "sakura-day") == ["確認方法: 電話・FAX で受けた更新の代理入力は管理者のみ行えます。"]
    body = render_body("provider", {"record_id": "day-sakura", "confirmed_via": "電話で確認（管理者が代理入力）"})
    assert hostile(tmp_path / "a", body, "city-admin") == [
        "確認した相手（電話・FAX のとき）: 電話・FAX で確認した相手（例 施設長 山田様）を入力してください。"
    ]
    body = render_body("provider", {"record_id": "day-sakura", "confirmed_with": "施設長"})
    assert hostile(tmp_path / "b", body, "sakura-day") == [
        "確認した相手（電話・FAX のとき）: 確認方法が「本人が入力」のときは空欄にしてください。"
    ]


def hostile(tmp_path, body, author):
    data = copy_data(tmp_path)
    snapshot = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    result = run(tmp_path, body, author, "--reply", str(tmp_path / "reply.md"))
    assert result.exit_code == 1
    assert {p: p.read_bytes() for p in data.rglob("*") if p.is_file()} == snapshot, "nothing may change"
    reply = (tmp_path / "reply.md").read_text(encoding="utf-8")
    assert reply.startswith("更新を反映できませんでした。") and reply.endswith("\n\nデータは変更していません。\n")
    return [line[2:] for line in reply.splitlines() if line.startswith("- ")]


def test_unknown_id(tmp_path):
    assert hostile(tmp_path, render_body("provider", {"record_id": "day-nowhere"}), "city-admin") == [
        "事業所ID「day-nowhere」の記録は見つかりません。"
    ]


def test_id_of_the_other_kind(tmp_path):
    assert hostile(tmp_path, render_body("provider", {"record_id": "yamada-naika"}), "city-admin") == [
        "「yamada-naika」は医師の記録です。医師用のフォームで送信してください。"
    ]


def test_someone_elses_record(tmp_path):
    body = render_body("provider", {"record_id": "day-sakura", "new_clients": "受入不可"})
    assert hostile(tmp_path, body, "aoba-helper") == [
        "aoba-helper さんは「day-sakura」の更新担当者（maintainers）ではありません。担当者または管理者に依頼してください。"
    ]


def test_invalid_values_are_all_listed(tmp_path):
    body = render_body(
        "provider",
        {
            "record_id": "day-sakura",
            "operation": "はい",
            "new_clients": "受入可\nmaintainers: [evil]",
            "vacancies": "-3",
        },
    )
    assert hostile(tmp_path, body, "sakura-day") == [
        "営業状況: 「はい」は選べません（通常営業、縮小営業、休止中、廃止 のいずれか）。",
        "新規受入: 「受入可 maintainers: \\[evil\\]」は選べません（受入可、条件付きで可、受入不可、未回答 のいずれか）。",
        "空き（人数）: 0 以上の整数で入力してください（「-3」）。",
    ]


def test_injected_heading_and_path_id(tmp_path):
    body = render_body("provider", {"record_id": "day-sakura", "conditions": "ok\n### 事業所ID\n\nhome-aoba"})
    assert hostile(tmp_path, body, "sakura-day") == [
        "「事業所ID」の見出しが複数あります。入力欄に「### 事業所ID」と書かないでください。"
    ]
    body = render_body("provider", {"record_id": "../site"})
    assert hostile(tmp_path / "b", body, "city-admin") == [
        "事業所ID「../site」は正しい形式ではありません（半角の英小文字・数字・ハイフン）。"
    ]


def test_injected_yaml_stays_text(tmp_path):
    data = copy_data(tmp_path)
    body = render_body("physician", {"record_id": "yamada-naika", "via": '院長"\nmaintainers: [evil]'})
    assert hostile(tmp_path / "x", body, "yamada-clinic") == [
        "取次ぎ（どなたに連絡すればよいか）: 1 行で入力してください。"
    ]
    body = render_body("provider", {"record_id": "day-sakura", "conditions": "a\nmaintainers: [evil]\n---\n- &x *x"})
    assert run(tmp_path, body, "sakura-day").exit_code == 0
    text = (data / "providers" / "day-sakura.yaml").read_text(encoding="utf-8")
    assert "maintainers: [sakura-day]\n" in text
    assert (
        "  conditions: |                        # optional Markdown\n    a\n    maintainers: [evil]\n    ---\n" in text
    )


def test_confirm_with_changes_and_control_characters(tmp_path):
    body = render_body(
        "provider", {"record_id": "day-sakura", "action": "変更なしで確認する", "new_clients": "受入不可"}
    )
    assert hostile(tmp_path, body, "sakura-day") == [
        "「変更なしで確認する」を選んだ場合は、ほかの項目を変更しないでください（変更された項目: 新規受入）。"
    ]
    body = render_body("provider", {"record_id": "day-sakura", "conditions": "a\u202eb"})
    assert hostile(tmp_path / "c", body, "sakura-day") == ["受入条件: 使用できない制御文字が含まれています。"]


def test_not_a_form(tmp_path):
    assert hostile(tmp_path, "hello\n### 何か\n", "city-admin") == [
        "フォームの内容を読み取れません。サイトの「この情報を更新する」から開いたフォームで送信してください。"
    ]


def test_invalid_windows(tmp_path):
    body = render_body(
        "physician", {"record_id": "yamada-naika", "windows": "木 25:00-26:00\n祝 10:00-11:00\n月 9:00-10:00 鳩"}
    )
    assert hostile(tmp_path, body, "yamada-clinic") == [
        "連絡しやすい時間帯 1 行目「木 25:00-26:00」: 時間帯は 13:00-14:00 のように書いてください。",
        "連絡しやすい時間帯 2 行目「祝 10:00-11:00」: 「月,木 13:00-14:00 電話」のように、曜日・時間帯・連絡方法の順に書いてください。",
        "連絡しやすい時間帯 3 行目「月 9:00-10:00 鳩」: 連絡方法「鳩」は使えません（電話、FAX、メール、面談、ICT（MCS 等）、文書 のいずれか）。",
    ]


def test_parse_issue_body_keeps_markdown_headings_inside_values():
    body = render_body("provider", {"record_id": "day-sakura", "conditions": "### 注意\n午前のみ"})
    form, values = parse_issue_body(body)
    assert form.kind == "provider"
    assert values["conditions"] == "### 注意\n午前のみ" and values["vacancies"] is None


def test_parse_windows_full_width_and_ranges():
    assert parse_windows("月〜水 １３：００－１４：００ 電話、ICT（MCS 等）", "x") == (
        [{"days": ["mon", "tue", "wed"], "time": "13:00-14:00", "methods": ["phone", "ict"]}],
        [],
    )


def test_merge_keeps_lines_the_round_trip_restyled():
    original = "a:   1\nb: 2\nc:  3\n"
    base = "a: 1\nb: 2\nc: 3\n"
    assert merge_lines(original, base, "a: 1\nb: 5\nc: 3\n") == "a:   1\nb: 5\nc:  3\n"
    assert dt.date(2026, 11, 20).isoformat() == TODAY


def test_the_first_answer_of_a_never_answered_import_adds_the_confirmation_date(tmp_path):
    data = copy_data(tmp_path)
    (data / "providers" / "day-new.yaml").write_text(
        "name: デイサービスしんき\nservices: [通所介護]\narea: 北部\naddress: 茨城県テスト市北条 9\nphone: 029-000-1999\n"
        "maintainers: [new-day]\nstatus:\n  operation: open\n  new_clients: unknown\n  alternative_support: unknown\n"
        "  post_infection: unknown\nsource:\n  dataset: 介護サービス情報公表システム\n  imported: 2026-10-20\n",
        encoding="utf-8",
    )
    body = render_body(
        "provider",
        {"record_id": "day-new", "action": "内容を更新する", "operation": "通常営業", "new_clients": "受入可"},
    )
    result = run(tmp_path, body, "new-day")
    assert result.exit_code == 0, result.output
    text = (data / "providers" / "day-new.yaml").read_text(encoding="utf-8")
    assert "status:\n  updated: 2026-11-20\n  operation: open\n  new_clients: accepting\n" in text


def test_an_issue_body_that_is_not_utf8_is_refused_with_its_line(tmp_path):
    # A byte that is not UTF-8 used to become U+FFFD in the record: validated text that was never sent.
    data = copy_data(tmp_path)
    before = (data / "providers" / "day-sakura.yaml").read_bytes()
    body = render_body(
        "provider", {"record_id": "day-sakura", "action": "内容を更新する", "conditions": "入浴は午前のみ。"}
    )
    raw = body.encode().replace("入浴は午前のみ。".encode(), "入浴は午前のみ。".encode() + b"\xff", 1)
    line = raw[: raw.index(b"\xff")].count(b"\n") + 1
    (tmp_path / "body.md").write_bytes(raw)
    result = CliRunner().invoke(
        cli, ["intake", str(tmp_path / "body.md"), "--author", "sakura-day", "--data", str(data), "--today", TODAY]
    )
    assert result.exit_code == 1
    assert f"{tmp_path / 'body.md'}:{line}: not UTF-8 text (byte 0xff)" in result.output, result.output
    assert (data / "providers" / "day-sakura.yaml").read_bytes() == before


def test_hostile_form_values_stay_text_in_their_own_record(tmp_path):
    # Backticks, workflow expressions, YAML document markers, lone CRs and a whole second form (of the other
    # kind, for another record) pasted into a value: all stay the text of this record's conditions.
    data = copy_data(tmp_path)
    others = {p: p.read_bytes() for p in data.rglob("*.yaml") if p.name != "day-sakura.yaml"}
    second = render_body("physician", {"record_id": "yamada-naika", "via": "evil"})
    value = "`rm -rf /` ${{ secrets.TSUNAGU_PASSWORDS }}\n---\n...\n%YAML 1.1\n" + second
    body = render_body("provider", {"record_id": "day-sakura", "action": "内容を更新する", "conditions": value})
    result = run(tmp_path, body, "sakura-day")
    if result.exit_code == 0:
        import yaml

        doc = yaml.safe_load((data / "providers" / "day-sakura.yaml").read_text(encoding="utf-8"))
        assert doc["maintainers"] == ["sakura-day"] and doc["status"]["conditions"].strip() == value.strip()
    else:
        assert "フォームの内容を読み取れません" in result.output or "見出し" in result.output, result.output
    assert {p: p.read_bytes() for p in others} == others
