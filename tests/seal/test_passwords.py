"""Passwords: read without echoing one, refused below 64 estimated bits, generated from the EFF word list."""

from __future__ import annotations

import math
import re

import pytest
import yaml
from conftest import REPO_DIR, SITE, STRONG

from tsunagu.domain.errors import PasswordError
from tsunagu.domain.models import Site
from tsunagu.seal.passwords import (
    ENV_VAR,
    MIN_BITS,
    MIN_LENGTH,
    README_EXAMPLES,
    check_passwords,
    new_passwords,
    parse_passwords,
    passwords_yaml,
    read_passwords,
    site_words,
    weakness,
    wordlist,
)

TEST_SITE = Site.model_validate(yaml.safe_load(SITE))
ADVICE = "it needs 64 bits: run `tsunagu passwords new caremanagers` for six random words"


def test_strong_passwords_pass():
    check_passwords(dict(STRONG), require=True, site=TEST_SITE)


@pytest.mark.parametrize(
    "password, expected",
    [
        ("tsunagu-demo", "is the demo password, which is published in the README"),
        ("short", f"is too short (at least {MIN_LENGTH} characters; better six random words)"),
        ("password1234", f"is too easy to guess (This is a very common password.); {ADVICE}"),
        ("qwertyuiopasdf", f"is too easy to guess (This is similar to a commonly used password.); {ADVICE}"),
        ("aaaaaaaaaaaaaaaa", f'is too easy to guess (Repeats like "aaa" are easy to guess.); {ADVICE}'),
        (
            "caremanagers2026",
            f"is too easy to guess (words of the site, names, dates or patterns are easy to guess); {ADVICE}",
        ),
        # Score 3 or 4 in zxcvbn, accepted before: far below 2^64 guesses.
        (
            "tsunagu-demo-2026-abc",
            f"is too easy to guess (words of the site, names, dates or patterns are easy to guess); {ADVICE}",
        ),
        (
            "test-city-2026-tsunagu",
            f"is too easy to guess (words of the site, names, dates or patterns are easy to guess); {ADVICE}",
        ),
    ],
)
def test_weak_passwords(password, expected):
    assert weakness(password, "caremanagers") == expected
    with pytest.raises(PasswordError) as info:
        check_passwords({"caremanagers": password, "city": STRONG["city"]}, require=False)
    assert str(info.value) == f"password for 'caremanagers' {expected}\nnothing was written."


def test_readme_examples_are_listed_and_refused():
    readme = (REPO_DIR / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Passwords") :]
    block = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    examples = parse_passwords(block, "README.md")
    assert examples and set(examples.values()) <= set(README_EXAMPLES)
    for example in README_EXAMPLES:
        assert weakness(example, "caremanagers") == "is an example from the README, which everyone can read"
        # A small change to an example is no better: the examples are known words.
        assert weakness(example + "1", "caremanagers", site_words(TEST_SITE)) is not None


@pytest.mark.parametrize(
    "password",
    [
        "test-city テスト市 北部 2026-11",
        "テスト市北部中部南部test-city2026",
        "test-city 訪問看護 北部 南部 2026",
    ],
)
def test_the_sites_own_words_count_as_known(password):
    check_passwords({"caremanagers": password}, require=True)  # strong enough for a site of other words
    with pytest.raises(PasswordError) as info:
        check_passwords({"caremanagers": password}, require=True, site=TEST_SITE)
    assert str(info.value).startswith("password for 'caremanagers' is too easy to guess (")
    assert password not in str(info.value)


def test_site_words_cover_names_vocabularies_and_labels():
    words = site_words(TEST_SITE)
    for word in (
        "つなぐ テスト市",
        "テスト市",
        "test-city",
        "test",
        "city",
        "北部",
        "通所介護",
        "150",
        "デイ",
        "テスト市 在宅医療・介護連携支援センター",
        "受入可",
        "tsunagu-demo",
        "violet-harbor-lantern-93",
    ):
        assert word in words, word


def test_demo_password_refused_in_production():
    with pytest.raises(PasswordError) as info:
        check_passwords({"demo": "tsunagu-demo"}, require=True)
    assert str(info.value) == (
        "password for 'demo' is the demo password, which is published in the README\nnothing was written."
    )


def test_every_problem_at_once_and_no_password_or_length_repeated():
    with pytest.raises(PasswordError) as info:
        check_passwords({"a": "tsunagu-demo", "b": "short", "c": STRONG["city"], "d": STRONG["city"]}, require=True)
    message = str(info.value)
    assert message.splitlines() == [
        "password for 'a' is the demo password, which is published in the README",
        f"password for 'b' is too short (at least {MIN_LENGTH} characters; better six random words)",
        "password for 'd' is the same as for 'c'; give each group its own",
        "nothing was written.",
    ]
    assert STRONG["city"] not in message and "5" not in message


def test_demo_build_allowed_only_when_not_required():
    check_passwords({}, require=False)
    with pytest.raises(PasswordError) as info:
        check_passwords({}, require=True)
    assert str(info.value) == (
        f"no passwords given: set ${ENV_VAR} or use --passwords-file (--require-passwords refuses a demo build)"
    )


def test_read_from_file(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, 'ignored: "when a file is given"')
    path = tmp_path / "passwords.yaml"
    path.write_text("caremanagers: \"correct horse battery staple kagoshima\"\ncity: 'x y z'\n", encoding="utf-8")
    assert read_passwords(path) == {"caremanagers": "correct horse battery staple kagoshima", "city": "x y z"}


def test_read_from_environment(monkeypatch):
    monkeypatch.setenv(ENV_VAR, 'caremanagers: "a b c d"\n')
    assert read_passwords(None) == {"caremanagers": "a b c d"}
    monkeypatch.setenv(ENV_VAR, "  ")
    assert read_passwords(None) == {}
    monkeypatch.delenv(ENV_VAR)
    assert read_passwords(None) == {}


def test_missing_file(tmp_path):
    with pytest.raises(PasswordError) as info:
        read_passwords(tmp_path / "nope.yaml")
    assert str(info.value) == f"{tmp_path / 'nope.yaml'}: cannot read the passwords file: No such file or directory"


LABEL_RULE = (
    "a label must be lower-case letters, digits, '-' or '_' (at most 40) (not repeated here: it may be a password)"
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("just-a-password", '$TSUNAGU_PASSWORDS: expected a mapping of label to password, such as  caremanagers: "…"'),
        ("a: [", '$TSUNAGU_PASSWORDS:1: not valid YAML; expected lines such as  caremanagers: "…"'),
        ("Care Managers: x y", f"$TSUNAGU_PASSWORDS:1: {LABEL_RULE}"),
        ("city: 1234567890123", "$TSUNAGU_PASSWORDS:1: city: the password must be text in quotes"),
        ("city: a\nx: b\ncity: c", "$TSUNAGU_PASSWORDS:3: label 'city' appears twice (first on line 1)"),
    ],
)
def test_malformed(text, expected):
    with pytest.raises(PasswordError) as info:
        parse_passwords(text, "$TSUNAGU_PASSWORDS")
    assert str(info.value) == expected


def test_label_and_password_swapped_never_echoes_the_password():
    secret = "Humming Iodine Joyfully Relay Heave Reversion"
    with pytest.raises(PasswordError) as info:
        parse_passwords(f'ok: "fine words here"\n"{secret}": caremanagers\n', "$TSUNAGU_PASSWORDS")
    assert str(info.value) == (
        f'$TSUNAGU_PASSWORDS:2: {LABEL_RULE}; label and password look swapped: write  label: "password"'
    )
    for part in secret.split():
        assert part not in str(info.value)


def test_messages_never_repeat_a_password():
    with pytest.raises(PasswordError) as info:
        parse_passwords("city: 98765432109876\nOops: hunter2hunter2\n[x]: y\n", "f")
    assert "98765432109876" not in str(info.value) and "hunter2hunter2" not in str(info.value)
    assert "Oops" not in str(info.value)


def test_word_list_is_the_eff_long_list():
    words = wordlist()
    assert len(words) == 7776 and words[0] == "abacus" and words[-1] == "zoom"
    assert 6 * math.log2(len(words)) > 77


def test_new_passwords_are_six_random_words_that_pass_the_production_check():
    made = new_passwords(["caremanagers", "city-office"], site=TEST_SITE)
    assert list(made) == ["caremanagers", "city-office"]
    for password in made.values():
        assert len(password.split(" ")) == 6 and set(password.split(" ")) <= set(wordlist())
    assert made["caremanagers"] != made["city-office"]
    assert parse_passwords(passwords_yaml(made), "out") == made
    check_passwords(made, require=True, site=TEST_SITE)
    assert len({new_passwords(["a"])["a"] for _ in range(20)}) == 20


@pytest.mark.parametrize(
    "labels, words, expected",
    [
        (["a"], 4, f"--words 4 gives 52 bits; at least {MIN_BITS} are needed (5 words or more)"),
        (
            ["Bad Label"],
            6,
            "give one or more different labels of lower-case letters, digits, '-' or '_' (at most 40), "
            "such as  caremanagers city-office",
        ),
        (
            ["a", "a"],
            6,
            "give one or more different labels of lower-case letters, digits, '-' or '_' (at most 40), "
            "such as  caremanagers city-office",
        ),
    ],
)
def test_new_passwords_refuses(labels, words, expected):
    with pytest.raises(PasswordError) as info:
        new_passwords(labels, words=words)
    assert str(info.value) == expected


# --- passwords people can type: Japanese words, long random strings; the site's own words refused --------------

DEMO_SITE_DATA = REPO_DIR / "data"


def test_japanese_list_is_bip39s_as_the_mnemonic_package_ships_it():
    import unicodedata
    from pathlib import Path

    import mnemonic

    from tsunagu.seal.strength import japanese_words

    shipped = Path(mnemonic.__file__).parent / "wordlist" / "japanese.txt"
    ours = REPO_DIR / "tsunagu" / "seal" / "wordlists" / "bip39_japanese.txt"
    assert ours.read_bytes() == shipped.read_bytes()
    words = japanese_words()
    assert len(words) == 2048 and all(unicodedata.is_normalized("NFC", w) for w in words)
    assert all(re.fullmatch(r"[ぁ-ゖー]+", w) for w in words), "hiragana only: any phone keyboard types them"


def test_new_japanese_passwords_are_six_listed_words_and_pass(tmp_path):
    from click.testing import CliRunner

    from tsunagu.cli import cli
    from tsunagu.seal.passwords import read_site
    from tsunagu.seal.strength import japanese_words

    result = CliRunner().invoke(
        cli, ["passwords", "new", "--ja", "--data", str(DEMO_SITE_DATA), "caremanagers", "city-office"]
    )
    assert result.exit_code == 0, result.output
    made = parse_passwords(result.stdout, "stdout")
    assert list(made) == ["caremanagers", "city-office"]
    for password in made.values():
        words = password.split(" ")
        assert len(words) == 6 and set(words) <= set(japanese_words())
    assert 6 * math.log2(len(japanese_words())) == 66
    check_passwords(made, require=True, site=read_site(DEMO_SITE_DATA))


def test_five_japanese_words_are_not_enough():
    with pytest.raises(PasswordError) as info:
        new_passwords(["caremanagers"], words=5, japanese=True)
    assert str(info.value) == "--words 5 gives 55 bits; at least 64 are needed (6 words or more)"


@pytest.mark.parametrize(
    "password",
    [
        "7Qm-x9Lr-2Vbk-Tz4p",  # a long random string
        "はるのうみひねもすのたりのたりかな",  # seventeen kana
        "ひまわり かたつむり えんぴつ ろうそく はくしゅ みずうみ",
    ],
)
def test_passwords_people_type_pass_on_the_demo_region(password):
    from tsunagu.seal.passwords import read_site

    assert len(password.replace(" ", "")) >= 17
    check_passwords({"caremanagers": password}, require=True, site=read_site(DEMO_SITE_DATA))


@pytest.mark.parametrize(
    "password",
    [
        "つなぐ さくら市 北部 中部 南部 東部 2026",  # the site title, four areas and a year: ~10^4 guesses for a neighbour
        "さくら市北部中部南部東部2026",
        "さくら市 訪問介護 通所介護 北部 2026",
    ],
)
def test_the_regions_own_words_are_refused(password):
    from tsunagu.seal.passwords import read_site

    with pytest.raises(PasswordError) as info:
        check_passwords({"caremanagers": password}, require=True, site=read_site(DEMO_SITE_DATA))
    assert str(info.value).startswith("password for 'caremanagers' is too easy to guess (")
    assert password not in str(info.value)


def test_listed_and_site_words_count_at_their_entropy():
    from tsunagu.seal.strength import SITE_WORD_BITS, estimate_bits, japanese_words

    assert SITE_WORD_BITS == 8
    assert estimate_bits(" ".join(japanese_words()[:6]), []) == 66
    assert estimate_bits("北部 中部 南部", ["北部", "中部", "南部"]) == 24
    assert estimate_bits("北部中部南部", ["北部", "中部", "南部"]) == 24, "no spaces needed to be recognised"
