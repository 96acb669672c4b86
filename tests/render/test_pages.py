"""Render stage: every page kind of the fixture tree, before encryption."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
from conftest import FAST, PHYSICIANS, PROVIDERS, TODAY, active_content, elements, load_directory, make_tree
from relay_support import SEAL_PUBLIC

from tsunagu.domain.config import Config
from tsunagu.render.entries import make_entries
from tsunagu.render.pages import render_site


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root = tmp_path_factory.mktemp("render")
    directory = load_directory(make_tree(root))
    config = Config(data_dir=root / "data", out_dir=root / "site", today=TODAY, iterations=FAST)
    providers, physicians = make_entries(directory, config)
    paths = {e.record.id: e.path for e in providers + physicians}
    return render_site(directory, config), paths


@pytest.fixture(scope="module")
def pages(rendered):
    return rendered[0]


def text(pages, path: str) -> str:
    return pages[path].decode()


def page_of(rendered, rid: str) -> str:
    pages, paths = rendered
    return pages[paths[rid]].decode()


def squash(html: str) -> str:
    """Tags removed and whitespace collapsed, for checking what a reader sees."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def stale_marks(html: str) -> list[str]:
    """The stale marks shown (not hidden) when the page opens."""
    return [
        squash(text).strip()
        for attrs, text in re.findall(r"<(?:strong|p) [^>]*data-stale-mark([^>]*)>(.*?)</", html)
        if "hidden" not in attrs
    ]


def test_page_set(pages, rendered):
    expected = {
        "index.html",
        "404.html",
        "providers/index.html",
        "providers/1/index.html",
        "providers/2/index.html",
        "providers/3/index.html",
        "physicians/index.html",
        "status/index.html",
        "notices/index.html",
        "desks/index.html",
        "search/index.html",
        "changes/index.html",
        "data/records.json",
        "data/holidays.json",
        "data/status.csv",
    }
    assert set(pages) == expected | set(rendered[1].values())
    assert len(rendered[1]) == len(PROVIDERS) + len(PHYSICIANS)


def test_every_page_is_japanese_and_self_contained(pages):
    for path, data in pages.items():
        if not path.endswith(".html"):
            continue
        html = data.decode()
        assert html.startswith('<!doctype html>\n<html lang="ja">'), path
        assert "Content-Security-Policy" in html and "default-src 'self'" in html, path
        for tag, attrs in elements(html):
            # Assets load only from the site's own origin: no CDN, fonts, analytics or map tiles.
            if tag in ("script", "link", "img", "iframe", "source", "audio", "video", "embed", "object"):
                for name in ("src", "href", "data", "srcset"):
                    value = attrs.get(name, "")
                    assert not re.match(r"^\s*(https?:)?//", value, re.I), f"{path}: <{tag} {name}={value!r}>"
        assert "https://fonts." not in html and "cdn" not in html.lower(), path


def test_output_paths_are_opaque(pages):
    names = []
    for rid, text_ in {**PROVIDERS, **PHYSICIANS}.items():
        names.append(rid)
        names += re.findall(r"^\s*(?:name|clinic|name_kana): (.+)$", text_, re.M)
    for path in pages:
        for name in names:
            assert name not in path, f"{path} holds {name!r}"
    for part in {p.split("/")[1] for p in pages if p.startswith("r/")}:
        assert re.fullmatch(r"[a-z2-7]{16}\.html", part), part


def test_record_paths_are_stable_and_keyed(tmp_path):
    directory = load_directory(make_tree(tmp_path))
    a = make_entries(directory, Config(today=TODAY))[0]
    b = make_entries(directory, Config(today=TODAY))[0]
    c = make_entries(directory, Config(today=TODAY, path_key="another secret"))[0]
    assert [e.path for e in a] == [e.path for e in b]
    assert not {e.path for e in a} & {e.path for e in c}


def test_home_glance_counts(pages):
    home = text(pages, "index.html")
    # 通所介護 × 北部: さくら (受入可 / 条件付き / 受入不可) and かえで (条件付き / 未回答 / 受入可).
    glance = home[home.index('<table class="glance" data-glance>') : home.index("</table>")]
    cells = {
        (row, area): cell
        for row, cells in re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', glance, re.S)
        for area, cell in re.findall(r'<td data-area="(.*?)">(.*?)</td>', cells, re.S)
    }

    def counted(row: str, area: str, key: str) -> str:
        link = re.search(rf'<a class="k k-{key}"[^>]*>(.*?)</a>', cells[(row, area)], re.S)
        return squash(link.group(1)).strip() if link else squash(cells[(row, area)]).strip()

    # Each status has its own link (the page shows the one chosen), to the list it counts; the visible
    # marks are read with their words (○ 受入可), never by colour alone.
    assert counted("通所介護", "北部", "new_clients") == "○ 受入可 1 △ 条件付きで可 1 ×0 ／2"
    assert counted("通所介護", "北部", "alternative_support") == "○ 受入可 0 △ 条件付きで可 1 ×0 ／2"
    assert counted("居宅介護支援", "北部", "alternative_support") == "○ 受入可 0 △ 条件付きで可 0 ×0 ／1"
    assert counted("通所介護", "南部", "new_clients") == "− 事業所なし"
    assert (
        'href="search/?service=%E9%80%9A%E6%89%80%E4%BB%8B%E8%AD%B7&amp;area=%E5%8C%97%E9%83%A8'
        '&amp;new_clients=%E5%8F%97%E5%85%A5%E5%8F%AF%E3%81%BE%E3%81%9F%E3%81%AF%E6%9D%A1%E4%BB%B6%E4%BB%98%E3%81%8D"'
    ) in glance
    assert "aria-label" not in glance
    # Ages at build time of each counted answer, so the browser can leave out old ones:
    # さくら accepts new clients (confirmed 2 days before the build), かえで conditionally (21 days before).
    new_north = cells[("通所介護", "北部")][cells[("通所介護", "北部")].index("k-new_clients") :]
    assert '<span class="n n-accepting" data-ages="2">' in new_north
    assert '<span class="n n-conditional" data-ages="21">' in new_north
    # Recent answers are counted by default (the browser recounts with the clock).
    assert '<input type="checkbox" data-glance-fresh checked>' in home
    # The only 訪問介護 provider is suspended: no row for it.
    assert "訪問介護" not in glance
    assert "事業所 3 件・医師 2 名。" in home
    assert "確認日が14日より前の情報が <span data-stale-count>2</span> 件" in home
    assert '<script type="application/json" id="updates-by-date">{"2026-10-01":1,"2026-11-01":1,' in home
    assert "年末年始の受入れ状況の更新のお願い" in home


def test_provider_page(rendered):
    html = page_of(rendered, "day-sakura")
    seen = squash(html)
    assert "<title>デイサービスさくら | つなぐ テスト市</title>" in html
    # The first screen: the phone, then the three answers as badges, vacancies with their unit, the conditions.
    top = squash(html[html.index("<h1>") : html.index("受入条件") + 40])
    assert "☎ 電話 029-000-1011" in top
    assert "新規受入 ○ 受入可 代替支援 △ 条件付きで可 感染後受入 × 受入不可 空き 3名" in top
    assert "受入条件 入浴は午前のみ。送迎は北部エリアに限ります。" in seen
    assert "2026年11月20日 確認" in seen and stale_marks(html) == []
    assert '<span class="updated" data-confirmed="2026-11-20">' in html
    assert '<a class="tel call" href="tel:0290001011"><span aria-hidden="true">☎ </span>電話 029-000-1011</a>' in html
    assert "0870100011" in seen and "定員 30 人" in seen
    assert "認知症の方の受入れ実績があります。" in seen


def test_provider_page_unknown_and_stale(rendered):
    seen = squash(page_of(rendered, "day-kaede"))
    html = page_of(rendered, "day-kaede")
    assert "新規受入 △ 条件付きで可" in seen
    assert "代替支援 − 未回答" in seen
    assert "感染後受入 ○ 受入可" in seen
    # Stale at build time: marked so (the browser recomputes the age and the mark from today).
    assert "2026年11月1日 確認 更新が古い" in seen
    assert stale_marks(html) == [
        "更新が古い",
        "この情報は14日を超えて確認されていません。利用の前に事業所へ確認してください。",
    ]


def test_provider_page_operation(rendered):
    seen = squash(page_of(rendered, "helper-momiji"))
    assert "営業状況: 休止中" in seen
    assert seen.count("受入不可") >= 3


def test_hostile_markdown_never_reaches_the_page(rendered):
    html = page_of(rendered, "day-kaede")
    assert active_content(html, allowed_scripts=("assets/app.js",)) == []
    # Shown as text, so a reader sees what was written, but nothing of it runs.
    assert "&lt;script&gt;alert(&#39;cond&#39;)&lt;/script&gt;" in html or "&lt;script&gt;alert('cond')" in html
    assert "<iframe" not in html and "<script>alert" not in html
    assert re.search(r"<[a-z]+[^>]*\sstyle=", html) is None


def test_physician_page(rendered):
    html = page_of(rendered, "yamada-naika")
    seen = squash(html)
    assert "希望する方法 1. FAX → 2. 電話" in seen, "methods in the order the physician gave"
    assert "面談の予約 必要" in seen
    assert "取次ぎ 看護師長 経由" in seen
    assert "訪問診療に対応" in seen and "地域ケアサポート医です" in seen
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", html)
    table = {time: re.findall(r"<td[^>]*>(.*?)</td>", cells) for time, cells in rows}
    none = '<span class="none" aria-hidden="true">−</span><span class="visually-hidden">なし</span>'
    assert table["13:00-14:00"] == ["電話", none, none, "電話", none, none, none]
    assert table["17:00-18:00"] == [none, none, none, none, "FAX・面談", none, none]
    assert "2026年10月1日 確認 更新が古い" in seen and stale_marks(html) == ["更新が古い"]
    # Windows for contact-now in the browser, and the holidays it needs, are in the page.
    assert (
        'data-contact-now="later" data-windows="[{&#34;days&#34;:[&#34;mon&#34;,&#34;thu&#34;],'
        "&#34;start&#34;:&#34;13:00&#34;,&#34;end&#34;:&#34;14:00&#34;,&#34;methods&#34;:[&#34;電話&#34;],"
        "&#34;holidays&#34;:false}"
    ) in html
    assert '<script type="application/json" id="jp-holidays">{' in html and '"2026-11-23":"勤労感謝の日"' in html
    assert "火・金曜 17:00-18:00" not in seen and "金曜 17:00-18:00 FAX・面談" in seen


def test_physician_page_without_windows(rendered):
    seen = squash(page_of(rendered, "suzuki-clinic"))
    assert "時間帯の指定はありません。" in seen
    assert "訪問診療なし" in seen and "地域ケアサポート医ではありません" in seen
    assert "面談の予約 不要" in seen and "1. 文書" in seen
    html = page_of(rendered, "suzuki-clinic")
    assert stale_marks(html) == [] and "data-contact-now" not in html


def test_lists(pages, rendered):
    north = text(pages, "providers/1/index.html")
    assert "デイサービスさくら" in north and "デイサービスかえで" in north and "もみじ" not in north
    assert "ヘルパーステーションもみじ" in text(pages, "providers/3/index.html")
    physicians = squash(text(pages, "physicians/index.html"))
    assert "山田 太郎 やまだ内科クリニック" in physicians
    assert "連絡方法: FAX → 電話（面談は要予約）" in physicians
    assert "訪問診療 地域ケアサポート医" in physicians
    assert "連絡方法: 文書" in physicians
    # Lists link to the opaque record pages.
    assert f'href="../../{rendered[1]["day-sakura"]}"' in north


def test_status_sheet(pages):
    html = text(pages, "status/index.html")
    assert "受入状況一覧（2026年11月22日作成）" in html
    assert '<tr class="is-stale" data-stale-scope>' in html
    data = pages["data/status.csv"]
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [
        "事業所名",
        "サービス",
        "地域",
        "電話",
        "営業",
        "新規受入",
        "代替支援",
        "感染後受入",
        "空き",
        "条件",
        "確認日",
        "更新が古い",
    ]
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["デイサービスさくら"] == [
        "デイサービスさくら",
        "通所介護",
        "北部",
        "029-000-1011",
        "通常営業",
        "受入可",
        "条件付きで可",
        "受入不可",
        "3",
        "入浴は午前のみ。送迎は北部エリアに限ります。",
        "2026-11-20",
        "",
    ]
    assert by_name["デイサービスかえで"][-1] == "はい"
    assert by_name["ヘルパーステーションもみじ"][4] == "休止中"


def test_status_sheet_cells_cannot_be_formulas(tmp_path):
    data = make_tree(tmp_path)
    path = data / "providers" / "day-sakura.yaml"
    path.write_text(
        path.read_text()
        .replace("入浴は午前のみ。", '=HYPERLINK("https://evil.example")\n    - 入浴は午前のみ。')
        .replace("name: デイサービスさくら", 'name: "@さくら"')
    )
    pages = render_site(load_directory(data), Config(today=TODAY))
    rows = list(csv.reader(io.StringIO(pages["data/status.csv"].decode("utf-8-sig"))))
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell


def test_notices_and_desks(pages):
    notices = text(pages, "notices/index.html")
    assert '<article class="notice" id="2026-11-20-nenmatsu">' in notices
    assert "<strong>12 月 25 日まで</strong>" in notices
    desks = squash(text(pages, "desks/index.html"))
    assert "テスト市 在宅医療・介護連携支援センター 電話 029-000-0100 受付時間 平日 8:30-17:15" in desks


def test_demo_banner_only_in_demo(tmp_path):
    directory = load_directory(make_tree(tmp_path))
    demo = render_site(directory, Config(today=TODAY))
    real = render_site(directory, Config(today=TODAY, passwords={"a": "x"}))
    # Record page names are keyed by the passwords, so the two builds name them differently.
    assert len(demo) == len(real)
    for path in demo:
        if path.endswith(".html"):
            assert '<p class="demo-banner">デモ' in demo[path].decode(), path
    for path in real:
        if path.endswith(".html"):
            assert "demo-banner" not in real[path].decode(), path


def test_records_json(pages):
    import json

    data = json.loads(pages["data/records.json"])
    assert data["site"]["title"] == "つなぐ テスト市"
    kinds = sorted((r["kind"], r["id"]) for r in data["records"])
    assert kinds == sorted([("provider", k) for k in PROVIDERS] + [("physician", k) for k in PHYSICIANS])


def test_record_pages_explain_the_link_and_how_it_was_confirmed_and_say_nothing_of_github(tmp_path):
    root = tmp_path
    make_tree(root)
    site_yaml = root / "data" / "site.yaml"
    site_yaml.write_text(
        site_yaml.read_text(encoding="utf-8") + "repository: https://github.com/example/care\n"
        f"seal_key: {SEAL_PUBLIC}\n",
        encoding="utf-8",
    )
    record = root / "data" / "providers" / "day-sakura.yaml"
    record.write_text(
        record.read_text(encoding="utf-8").replace("  updated: ", "  confirmed_via: link\n  updated: ", 1),
        encoding="utf-8",
    )
    directory = load_directory(root / "data")
    config = Config(
        data_dir=root / "data",
        today=TODAY,
        iterations=FAST,
        note_token=lambda kind, rid, version: f"note-{kind}-{rid}-{version}",
    )
    pages = render_site(directory, config)
    providers, _ = make_entries(directory, config)
    sakura = next(e for e in providers if e.record.id == "day-sakura")
    html = pages[sakura.path].decode()
    assert "github" not in html.lower()
    assert "<summary>この情報を更新する（事業所の方）</summary>" in html
    assert "（確認方法: 本人が更新用リンクで回答）" in html
    assert "<summary>情報が違う</summary>" in html
    assert 'data-token="note-provider-day-sakura-1"' in html and f'data-seal-key="{SEAL_PUBLIC}"' in html
    assert 'data-relay="../api/"' in html


@pytest.mark.slow
def test_record_pages_render_the_same_in_worker_processes(tmp_path):
    from tsunagu.render import pages as render
    from tsunagu.search.searchdoc import search_context

    make_tree(tmp_path)
    directory = load_directory(tmp_path / "data")
    config = Config(data_dir=tmp_path / "data", today=TODAY, iterations=FAST)
    providers, physicians = make_entries(directory, config)
    env = render.environment(config)
    common = {
        "site": directory.site,
        "demo": True,
        "today": TODAY,
        "built": TODAY,
        "imported": False,
        "sources": [],
        "holidays": "{}",
        "search": search_context(directory.site, [*directory.providers, *directory.physicians]),
    }
    entries = (providers + physicians) * 500  # past the threshold where rendering forks
    serial = dict(render._render_records(entries, env, common))
    assert render._record_pages(entries, env, common, workers=2) == serial


IMPORTED = """\
name: デイサービスあおば
services: [通所介護]
area: 北部
address: 茨城県テスト市北条5-5-5
phone: 029-000-1055
status:
  operation: open
  new_clients: unknown
  alternative_support: unknown
  post_infection: unknown
source:
  dataset: 介護サービス情報公表システム（厚生労働省）
  imported: 2026-11-19
"""


def test_a_never_answered_import_reads_as_unanswered_not_as_confirmed(tmp_path):
    data = make_tree(tmp_path)
    (data / "providers" / "day-aoba.yaml").write_text(IMPORTED, encoding="utf-8")
    directory = load_directory(data)
    config = Config(data_dir=data, today=TODAY)
    pages = render_site(directory, config)
    providers, _ = make_entries(directory, config)
    aoba = next(e for e in providers if e.record.id == "day-aoba")
    assert (aoba.updated, aoba.confirmed, aoba.stale, aoba.imported) == (None, False, False, dt.date(2026, 11, 19))
    seen = squash(pages[aoba.path].decode())
    assert "未回答 （2026年11月19日に公開データから登録）" in seen
    assert "確認 " not in seen.split("受入状況", 1)[1].split("連絡先", 1)[0], "no confirmation date shown"
    assert "事業所からの回答はまだありません。" in seen
    # Not among the recently confirmed on the home page, counted as unanswered instead.
    home = pages["index.html"].decode()
    newest = home[home.index('id="newest-h"') :]
    assert "デイサービスあおば" not in newest
    assert "まだ回答のない事業所が 1 件あります（未回答）。" in home
    assert (
        '"2026-11-19"'
        not in home[home.index('id="updates-by-date"') : home.index("</script>", home.index("updates-by"))]
    )
    rows = {r[0]: r for r in csv.reader(io.StringIO(pages["data/status.csv"].decode("utf-8-sig")))}
    assert rows["デイサービスあおば"][-2:] == ["未回答", ""]
    records = {r["id"]: r for r in json.loads(pages["data/records.json"])["records"]}
    assert records["day-aoba"]["confirmed"] is None and records["day-sakura"]["confirmed"] == "2026-11-20"
    sheet = squash(pages["status/index.html"].decode())
    assert "デイサービスあおば 029-000-1055 − 未回答 − 未回答 − 未回答 − − 未回答" in sheet


def test_changes_page_without_history_says_so(pages):
    seen = squash(text(pages, "changes/index.html"))
    assert "変更の履歴がありません。" in seen


def test_changes_page_lists_status_changes_newest_first(tmp_path):
    from tsunagu.data.history import History, StatusChange

    directory = load_directory(make_tree(tmp_path))
    history = History(
        True,
        dt.date(2026, 9, 27),
        [
            StatusChange(
                dt.date(2026, 11, 20),
                "provider",
                "day-sakura",
                "デイサービスさくら",
                "changed",
                [("新規受入", "受入不可", "受入可")],
            ),
            StatusChange(dt.date(2026, 11, 2), "physician", "gone-doc", "消えた医院 某", "removed"),
        ],
        omitted=7,
        shallow=True,
    )
    config = Config(data_dir=tmp_path / "data", today=TODAY)
    pages = render_site(directory, config, history)
    html = pages["changes/index.html"].decode()
    seen = squash(html)
    assert seen.index("2026年11月20日") < seen.index("2026年11月2日")
    assert "デイサービスさくら （事業所） 新規受入 : 受入不可 → 受入可" in seen
    assert "削除 1 件 消えた医院 某 （医師）" in seen
    assert "履歴の一部だけから作成されたため" in seen and "ほかに変更のあったファイル 7 件は省略しました" in seen
    providers, _ = make_entries(directory, config)
    sakura = next(e for e in providers if e.record.id == "day-sakura")
    assert f'<a href="../{sakura.path}">デイサービスさくら</a>' in html


def test_conditions_and_contact_notes_are_plain_text_everywhere(tmp_path):
    data = make_tree(tmp_path)
    path = data / "providers" / "day-sakura.yaml"
    path.write_text(path.read_text().replace("入浴は午前のみ。", "**入浴は午前のみ**。\n    __要相談__"))
    path = data / "physicians" / "yamada-naika.yaml"
    path.write_text(path.read_text().replace("初回は FAX で", "初回は **FAX** で"))
    directory = load_directory(data)
    config = Config(data_dir=data, today=TODAY, iterations=FAST)
    pages = render_site(directory, config)
    paths = {e.record.id: e.path for e in sum(make_entries(directory, config), [])}
    shown = {
        name: pages[name].decode("utf-8-sig")
        for name in [
            "index.html",
            "providers/1/index.html",
            "status/index.html",
            "data/status.csv",
            paths["day-sakura"],
            paths["yamada-naika"],
        ]
    }
    for name, page in shown.items():
        assert "**" not in page and "__要相談" not in page, name
    assert "入浴は午前のみ。\n要相談" in shown[paths["day-sakura"]]  # line breaks kept (shown by CSS pre-line)
    assert (
        "入浴は午前のみ。\n要相談" in shown["status/index.html"]
        and "入浴は午前のみ。\n要相談" in shown["data/status.csv"]
    )
    assert "条件 入浴は午前のみ。 …" in squash(shown["providers/1/index.html"])  # cards: the first line
    assert "初回は FAX で連絡票を送ってください。" in shown[paths["yamada-naika"]]


def test_changes_page_shows_the_whole_change_and_folds_first_registrations(tmp_path):
    from tsunagu.data.history import History, StatusChange

    directory = load_directory(make_tree(tmp_path))
    before = "受入れあり（月・水・金の午前のみ。入浴は要相談。送迎は北部エリアに限ります）"
    after = "受入れあり（月・水・金の午前のみ。入浴は不可。送迎は北部エリアに限ります）"
    history = History(
        True,
        dt.date(2026, 9, 27),
        [
            StatusChange(
                dt.date(2026, 11, 21),
                "provider",
                "day-sakura",
                "デイサービスさくら",
                "changed",
                [("新規受入", "受入不可", "受入可"), ("受入条件", before, after), ("空き", "2", "1")],
            ),
            *[
                StatusChange(dt.date(2026, 11, 21), "provider", f"new-{i}", f"新しい事業所{i}", "added")
                for i in range(66)
            ],
        ],
    )
    pages = render_site(directory, Config(data_dir=tmp_path / "data", today=TODAY), history)
    html = pages["changes/index.html"].decode()
    seen = squash(html)
    # The real change comes first, with both whole values and the changed words marked; the 66 imports are one line.
    assert seen.index("デイサービスさくら") < seen.index("新規登録 66 件") < seen.index("新しい事業所0")
    assert "新規受入 : 受入不可 → 受入可" in seen
    assert "空き : 2名 → 1名" in seen
    words = squash(re.sub(r"</?(?:del|ins)>", "", html))  # the marks removed: the whole values read
    assert f"変更前 {before}" in words and f"変更後 {after}" in words
    assert "入浴は<del>要相談</del>。" in html and "入浴は<ins>不可</ins>。" in html
    assert html.count("<details") == 1 and html.count("新規登録") == 1
    # The home page has the last 24 hours' changes in full (and the browser hides a day older than yesterday).
    home = pages["index.html"].decode()
    assert '<div data-recent-day="2026-11-21">' in home and "入浴は<ins>不可</ins>。" in home
    assert "最近24時間に受入状況・連絡方法の変更はありません。" in squash(home)


def test_word_diff_marks_only_the_changed_characters():
    from tsunagu.render.changes import word_diff

    assert word_diff("入浴は要相談。", "入浴は不可。") == (
        [(False, "入浴は"), (True, "要相談"), (False, "。")],
        [(False, "入浴は"), (True, "不可"), (False, "。")],
    )
    assert word_diff("同じ", "同じ") == ([(False, "同じ")], [(False, "同じ")])


def test_record_pages_may_post_to_a_relay_on_its_own_origin(tmp_path):
    make_tree(tmp_path)
    site_yaml = tmp_path / "data" / "site.yaml"
    site_yaml.write_text(
        site_yaml.read_text(encoding="utf-8") + f"seal_key: {SEAL_PUBLIC}\nrelay_url: https://relay.example.jp/api/\n",
        encoding="utf-8",
    )
    directory = load_directory(tmp_path / "data")
    config = Config(data_dir=tmp_path / "data", today=TODAY, iterations=FAST, note_token=lambda *a: "note")
    providers, _ = make_entries(directory, config)
    html = render_site(directory, config)[providers[0].path].decode()
    assert "connect-src 'self' https://relay.example.jp;" in html
    assert 'data-relay="https://relay.example.jp/api/"' in html


def test_home_shows_the_five_newest_confirmations_and_links_to_all(tmp_path):
    from tools import ROOT

    from tsunagu.render.pages import NEWEST_ON_HOME

    directory = load_directory(ROOT / "data")
    config = Config(data_dir=ROOT / "data", out_dir=tmp_path / "site", today=TODAY, iterations=FAST)
    providers, physicians = make_entries(directory, config)
    home = render_site(directory, config)["index.html"].decode()
    newest = home[home.index('id="newest-h"') : home.index("</section>", home.index('id="newest-h"'))]
    shown = re.findall(r'<a class="card-title" href="[^"]*">(.*?)</a>', newest)
    dated = sorted((e.updated, e.record.name) for e in providers + physicians if e.updated)
    assert len(dated) > NEWEST_ON_HOME == len(shown) == 5
    assert min(e.updated for e in providers + physicians if e.record.name in shown) >= dated[-NEWEST_ON_HOME][0]
    assert 'search/?kind=%E4%BA%8B%E6%A5%AD%E6%89%80&amp;sort=updated">' in newest  # 事業所, newest first
    assert "確認日の新しい順に、すべての事業所を見る" in newest
