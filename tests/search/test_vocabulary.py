"""The shipped search vocabulary, a region's synonyms on top of it, and their validation."""

from __future__ import annotations

from conftest import SITE, load_directory, problems, write

from tsunagu.domain.services import SERVICE_NAMES
from tsunagu.search.searchdoc import search_context, search_text
from tsunagu.search.textsearch import query_tokens
from tsunagu.search.vocabulary import compile_vocabulary, merged, shipped

SERVICE_WORDS = ("介護", "施設", "入所", "通所", "訪問", "看護", "生活", "支援", "用具", "ホーム", "住宅")


def test_every_mhlw_service_has_everyday_words():
    vocabulary = compile_vocabulary({}, {name: code for code, name in SERVICE_NAMES.items()})
    bare = [f"{code} {SERVICE_NAMES[code]}" for code in SERVICE_NAMES if not vocabulary.by_code.get(code)]
    assert not bare, f"services without a word in vocabulary.yaml: {bare}"


def test_targets_that_look_like_services_are_services_of_the_list():
    names = set(SERVICE_NAMES.values())
    free = {t for targets in shipped().values() for t in targets if t not in names}
    # A misspelt service name would silently become free text matched inside names.
    assert not {t for t in free if any(w in t for w in SERVICE_WORDS) and t != "訪問診療"}, free


def test_a_region_adds_overrides_and_switches_off_words():
    words = merged({"ミニデイ": ["地域密着型通所介護"], "ﾃﾞｲ": ["通所介護"], "ショート": []})
    assert words["ミニデイ"] == ["地域密着型通所介護"]
    assert "デイ" not in words and words["ﾃﾞｲ"] == ["通所介護"]  # same word as search reads it: replaced
    assert "ショート" not in words and words["ショートステイ"]  # off, and only that word
    assert merged({}) == shipped()


def _tokens_of(data_dir, rid: str) -> set[str]:
    directory = load_directory(data_dir)
    records = [*directory.providers, *directory.physicians]
    ctx = search_context(directory.site, records)
    return set(search_text(next(r for r in records if r.id == rid), ctx).split())


def _finds(tokens: set[str], q: str) -> bool:
    return all(any(t.startswith(w) for t in tokens) for w in query_tokens(q))


def test_site_synonyms_change_what_a_record_is_found_by(data_dir):
    # day-sakura offers 通所介護 (code 150): shipped words find it without any synonyms.
    write(data_dir / "site.yaml", SITE.replace("synonyms:\n  デイ: [通所介護]\n", ""))
    tokens = _tokens_of(data_dir, "day-sakura")
    assert _finds(tokens, "つうしょかいご") and not _finds(tokens, "ミニデイ")
    write(
        data_dir / "site.yaml", SITE.replace("  デイ: [通所介護]\n", "  ミニデイ: [通所介護]\n  つうしょかいご: []\n")
    )
    tokens = _tokens_of(data_dir, "day-sakura")
    assert _finds(tokens, "ミニデイ") and not _finds(tokens, "つうしょかいご")


def test_a_service_named_the_regions_own_way_is_matched_by_its_code(data_dir):
    write(
        data_dir / "site.yaml",
        SITE.replace('  通所介護: "150"', '  デイサービス（通所介護）: "150"').replace("  デイ: [通所介護]\n", ""),
    )  # an empty `synonyms:` is allowed
    for f in (data_dir / "providers").glob("*.yaml"):
        text = f.read_text(encoding="utf-8")
        f.write_text(text.replace("[通所介護", "[デイサービス（通所介護）"), encoding="utf-8")
    assert _finds(_tokens_of(data_dir, "day-sakura"), "つうしょかいご")


def test_synonym_errors_name_file_line_and_word(data_dir):
    write(
        data_dir / "site.yaml",
        SITE.replace(
            "  デイ: [通所介護]\n",
            ('  デイ: 通所介護\n  "・": [通所介護]\n  ショート:\n  老健: [介護老人保健施設, ""]\n'),
        ),
    )
    assert problems(data_dir) == [
        "data/site.yaml:12: synonyms.デイ: expected a list of what the word stands for, such as [通所介護], "
        "or [] to switch off the word shipped with tsunagu; got '通所介護'",
        "data/site.yaml:13: synonyms.・: expected a word with letters or digits, such as デイ; got '・'",
        "data/site.yaml:14: synonyms.ショート: expected a list of what the word stands for, such as [通所介護], "
        "or [] to switch off the word shipped with tsunagu; got None",
        "data/site.yaml:15: synonyms.老健[1]: expected a word with letters or digits, such as デイ; got ''",
    ]


def test_two_synonyms_search_reads_as_one_are_an_error(data_dir):
    write(data_dir / "site.yaml", SITE.replace("  デイ: [通所介護]\n", "  デイ: [通所介護]\n  ﾃﾞｲ: []\n"))
    assert problems(data_dir) == [
        "data/site.yaml:13: synonyms.ﾃﾞｲ: search reads this word as the same as 'デイ'; keep one of them"
    ]
