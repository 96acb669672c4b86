"""Passwords: read from a file or the environment; weak ones refused outside demo mode."""

from __future__ import annotations

import pytest
from conftest import STRONG

from tsunagu.domain.errors import PasswordError
from tsunagu.pipeline.passwords import ENV_VAR, MIN_LENGTH, check_passwords, parse_passwords, read_passwords, weakness


def test_strong_passwords_pass():
    check_passwords(dict(STRONG), require=True)


@pytest.mark.parametrize("password, expected", [
    ("tsunagu-demo", "is the demo password, which is published in the README"),
    ("short", f"is too short (5 characters; at least {MIN_LENGTH})"),
    ("password1234", "is too easy to guess (This is a very common password.); "
                     "use four or more random words or a password manager"),
    ("qwertyuiopasdf", "is too easy to guess (This is similar to a commonly used password.); "
                       "use four or more random words or a password manager"),
    ("aaaaaaaaaaaaaaaa", 'is too easy to guess (Repeats like "aaa" are easy to guess.); '
                         "use four or more random words or a password manager"),
    ("caremanagers2026", "is too easy to guess (common words, names, dates or patterns are easy to guess); "
                         "use four or more random words or a password manager"),
])
def test_weak_passwords(password, expected):
    assert weakness(password, "caremanagers") == expected
    with pytest.raises(PasswordError) as info:
        check_passwords({"caremanagers": password, "city": STRONG["city"]}, require=False)
    assert str(info.value) == f"password for 'caremanagers' {expected}\nnothing was written."


def test_every_problem_at_once_and_no_password_repeated():
    with pytest.raises(PasswordError) as info:
        check_passwords({"a": "tsunagu-demo", "b": "short", "c": STRONG["city"], "d": STRONG["city"]}, require=True)
    message = str(info.value)
    assert message.splitlines() == [
        "password for 'a' is the demo password, which is published in the README",
        f"password for 'b' is too short (5 characters; at least {MIN_LENGTH})",
        "password for 'd' is the same as for 'c'; give each group its own",
        "nothing was written.",
    ]
    assert STRONG["city"] not in message


def test_demo_build_allowed_only_when_not_required():
    check_passwords({}, require=False)
    with pytest.raises(PasswordError) as info:
        check_passwords({}, require=True)
    assert str(info.value) == (f"no passwords given: set ${ENV_VAR} or use --passwords-file "
                               "(--require-passwords refuses a demo build)")


def test_read_from_file(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, "ignored: \"when a file is given\"")
    path = tmp_path / "passwords.yaml"
    path.write_text("caremanagers: \"correct horse battery staple kagoshima\"\ncity: 'x y z'\n", encoding="utf-8")
    assert read_passwords(path) == {"caremanagers": "correct horse battery staple kagoshima", "city": "x y z"}


def test_read_from_environment(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "caremanagers: \"a b c d\"\n")
    assert read_passwords(None) == {"caremanagers": "a b c d"}
    monkeypatch.setenv(ENV_VAR, "  ")
    assert read_passwords(None) == {}
    monkeypatch.delenv(ENV_VAR)
    assert read_passwords(None) == {}


def test_missing_file(tmp_path):
    with pytest.raises(PasswordError) as info:
        read_passwords(tmp_path / "nope.yaml")
    assert str(info.value) == f"{tmp_path / 'nope.yaml'}: cannot read the passwords file: No such file or directory"


@pytest.mark.parametrize("text, expected", [
    ("just-a-password", "$TSUNAGU_PASSWORDS: expected a mapping of label to password, such as  caremanagers: \"…\""),
    ("a: [", "$TSUNAGU_PASSWORDS: not valid YAML; expected lines such as  caremanagers: \"…\""),
    ("Care Managers: x", "$TSUNAGU_PASSWORDS: label 'Care Managers': use lower-case letters, digits, '-' or '_' "
                         "(at most 40)"),
    ("city: 1234567890123", "$TSUNAGU_PASSWORDS: city: the password must be text in quotes"),
])
def test_malformed(text, expected):
    with pytest.raises(PasswordError) as info:
        parse_passwords(text, "$TSUNAGU_PASSWORDS")
    assert str(info.value) == expected


def test_messages_never_repeat_a_password():
    with pytest.raises(PasswordError) as info:
        parse_passwords("city: 98765432109876\nOops: hunter2hunter2\n", "f")
    assert "98765432109876" not in str(info.value) and "hunter2hunter2" not in str(info.value)
