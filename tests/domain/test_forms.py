import datetime as dt
from urllib.parse import parse_qs, urlsplit

import yaml
from click.testing import CliRunner
from gitflow import copy_data, render_body
from tools import ROOT

from tsunagu.cli import cli
from tsunagu.data.load import load_tree
from tsunagu.data.validate import validate_tree
from tsunagu.domain.forms import FORMS, update_form_url

TEMPLATES = ROOT / ".github" / "ISSUE_TEMPLATE"
REPO = "https://github.com/example/tsunagu-test"


def records(data):
    directory = validate_tree(load_tree(data), dt.date(2026, 11, 30))
    return {r.id: r for r in directory.providers + directory.physicians}


def submitted(url):
    """What GitHub would put in the issue body for a form opened from this URL and submitted as is."""
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    kind = next(k for k, f in FORMS.items() if f.template == query["template"])
    return kind, render_body(kind, query)


def test_provider_url(tmp_path):
    sakura = records(copy_data(tmp_path))["day-sakura"]
    assert update_form_url(REPO + "/", "provider", sakura) == (
        f"{REPO}/issues/new?template=status-update.yml&title=%5B%E7%8A%B6%E6%B3%81%E6%9B%B4%E6%96%B0%5D%20day-sakura"
        "&record_id=day-sakura&action=%E5%86%85%E5%AE%B9%E3%82%92%E6%9B%B4%E6%96%B0%E3%81%99%E3%82%8B"
        "&operation=%E9%80%9A%E5%B8%B8%E5%96%B6%E6%A5%AD&new_clients=%E5%8F%97%E5%85%A5%E5%8F%AF"
        "&alternative_support=%E6%9D%A1%E4%BB%B6%E4%BB%98%E3%81%8D%E3%81%A7%E5%8F%AF"
        "&post_infection=%E5%8F%97%E5%85%A5%E4%B8%8D%E5%8F%AF"
        "&conditions=%E5%85%A5%E6%B5%B4%E3%81%AF%E5%8D%88%E5%89%8D%E3%81%AE%E3%81%BF%E3%80%82%0A"
        "%E9%80%81%E8%BF%8E%E3%81%AF%E5%8C%97%E9%83%A8%E3%82%A8%E3%83%AA%E3%82%A2%E3%81%AB%E9%99%90%E3%82%8A%E3%81%BE%E3%81%99%E3%80%82"
    )


def test_confirm_url_and_physician_values(tmp_path):
    found = records(copy_data(tmp_path))
    query = parse_qs(urlsplit(update_form_url(REPO, "provider", found["day-sakura"], confirm=True)).query)
    assert query == {
        "template": ["status-update.yml"],
        "title": ["[変更なしで確認] day-sakura"],
        "record_id": ["day-sakura"],
        "action": ["変更なしで確認する"],
    }
    query = parse_qs(urlsplit(update_form_url(REPO, "physician", found["yamada-naika"])).query)
    assert query["methods"] == ["FAX, 電話"] and query["windows"] == ["月,木 13:00-14:00 電話"]
    assert query["appointment_required"] == ["要予約"] and query["via"] == ["看護師長 経由"]


def test_prefilled_url_round_trips_through_intake(tmp_path):
    """Submitting a prefilled form unchanged renews the date only, for both kinds and both variants."""
    data = copy_data(tmp_path)
    for confirm in (False, True):
        for rid, author in (
            ("day-sakura", "sakura-day"),
            ("home-aoba", "aoba-helper"),
            ("yamada-naika", "yamada-clinic"),
        ):
            record = records(data)[rid]
            kind = "physician" if rid == "yamada-naika" else "provider"
            path = data / f"{kind}s" / f"{rid}.yaml"
            before = path.read_text(encoding="utf-8")
            body = tmp_path / "body.md"
            body.write_text(submitted(update_form_url(REPO, kind, record, confirm=confirm))[1], encoding="utf-8")
            day = "2026-11-20" if not confirm else "2026-11-21"
            result = CliRunner().invoke(
                cli, ["intake", str(body), "--author", author, "--data", str(data), "--today", day]
            )
            assert result.exit_code == 0, result.output
            old_day = str(record.status.updated if kind == "provider" else record.contact.updated)
            stamp = f"  confirmed_via: form\n  confirmed_by: {author}\n"  # who confirmed, and how
            after = path.read_text(encoding="utf-8")
            assert stamp in after
            assert after.replace(stamp, "") == before.replace(stamp, "").replace(
                f"updated: {old_day}", f"updated: {day}"
            )


def test_templates_match_the_fields_intake_reads():
    for form in FORMS.values():
        template = yaml.safe_load((TEMPLATES / form.template).read_text(encoding="utf-8"))
        fields = [b for b in template["body"] if b["type"] != "markdown"]
        assert [(b["id"], b["attributes"]["label"], b["type"]) for b in fields] == [
            (f.id, f.label, f.type) for f in form.fields
        ]
        for block, field in zip(fields, form.fields, strict=True):
            assert tuple(block["attributes"].get("options", ())) == field.options, field.id
        assert template["title"] == form.title
