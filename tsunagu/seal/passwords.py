"""Passwords: read them without ever echoing one, refuse guessable ones, and generate strong ones."""

from __future__ import annotations

import json
import math
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path

import yaml

from tsunagu.domain.config import DEMO_PASSWORD
from tsunagu.domain.errors import PasswordError
from tsunagu.domain.labels import (
    ACCEPTANCE_JA,
    FIELD_JA,
    KIND_JA,
    METHOD_JA,
    OPERATION_JA,
    STATUS_FIELDS_JA,
    WEEKDAY_JA,
)
from tsunagu.domain.models import Site
from tsunagu.seal.strength import english_words, estimate_bits, japanese_words

ENV_VAR = "TSUNAGU_PASSWORDS"
MIN_LENGTH = 12
# Anyone can archive the site and guess offline for as long as they like: 2^64 guesses at
# 600,000 PBKDF2 iterations each is out of reach; zxcvbn's estimate must reach it.
MIN_BITS = 64
WORDS = 6
# Passwords once printed in the README: known to everyone, so never accepted.
README_EXAMPLES = (
    "violet-harbor-lantern-93",
    "copper-meadow-whistle-58",
    "unbalance vending cried scrabble pavilion stilt",
    "kerosene tackle unsteady bauble mumbo pretender",
)
_GENERIC_WORDS = ("tsunagu", "つなぐ", "kaigo", "介護", "care", "caremanager", "ケアマネ", "password", "パスワード")
_LABEL = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_STR = "tag:yaml.org,2002:str"
_EXAMPLE = 'expected lines such as  caremanagers: "…"'
_NOT_SHOWN = "(not repeated here: it may be a password)"


def parse_passwords(text: str, origin: str) -> dict[str, str]:
    """A YAML mapping label -> password; no message ever repeats a password or a malformed label."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{origin}:{mark.line + 1}" if mark else origin
        raise PasswordError(f"{where}: not valid YAML; {_EXAMPLE}") from None
    if not isinstance(root, yaml.MappingNode) or not root.value:
        raise PasswordError(f'{origin}: expected a mapping of label to password, such as  caremanagers: "…"')
    problems = []
    out: dict[str, str] = {}
    lines: dict[str, int] = {}
    for key, value in root.value:
        line = key.start_mark.line + 1
        label = key.value if isinstance(key, yaml.ScalarNode) and key.tag == _STR else None
        is_text = isinstance(value, yaml.ScalarNode) and value.tag == _STR
        if label is None or not _LABEL.match(label):
            swapped = is_text and _LABEL.match(value.value)
            hint = '; label and password look swapped: write  label: "password"' if swapped else ""
            problems.append(
                f"{origin}:{line}: a label must be lower-case letters, digits, '-' or '_' "
                f"(at most 40) {_NOT_SHOWN}{hint}"
            )
        elif label in lines:
            problems.append(f"{origin}:{line}: label '{label}' appears twice (first on line {lines[label]})")
        elif not is_text:
            problems.append(f"{origin}:{line}: {label}: the password must be text in quotes")
        else:
            out[label], lines[label] = value.value, line
    if problems:
        raise PasswordError("\n".join(problems))
    return out


def read_passwords(passwords_file: Path | None) -> dict[str, str]:
    """Passwords from --passwords-file, else from $TSUNAGU_PASSWORDS, else none (demo build)."""
    if passwords_file is not None:
        try:
            text = Path(passwords_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise PasswordError(f"{passwords_file}: cannot read the passwords file: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise PasswordError(f"{passwords_file}: the passwords file is not UTF-8 text") from None
        return parse_passwords(text, str(passwords_file))
    text = os.environ.get(ENV_VAR, "")
    return parse_passwords(text, f"${ENV_VAR}") if text.strip() else {}


def site_words(site: Site | None) -> list[str]:
    """Words anyone who sees the site knows: its names, vocabularies and labels, and the README's examples."""
    words = [*_GENERIC_WORDS, DEMO_PASSWORD, *README_EXAMPLES]
    for table in (ACCEPTANCE_JA, OPERATION_JA, WEEKDAY_JA, METHOD_JA, STATUS_FIELDS_JA, KIND_JA, FIELD_JA):
        words += [*table, *table.values()]
    if site is not None:
        words += [
            site.title,
            site.region,
            site.site_id or "",
            *site.areas,
            *site.services,
            *site.services.values(),
            *site.area_map,
            *site.area_map.values(),
            *(d.name for d in site.desks),
        ]
        words += [w for syn, alts in site.synonyms.items() for w in (syn, *alts)]
    parts = [p for w in words for p in re.split(r"[\s\-_・]+", w)]
    return sorted({w.lower() for w in words + parts if w})


def read_site(data_dir: Path) -> Site | None:
    """The site settings of a data folder, for their words; None when absent or invalid."""
    from pydantic import ValidationError

    from tsunagu.data.load import load_yaml_file

    path = Path(data_dir) / "site.yaml"
    doc = load_yaml_file(path, []) if path.is_file() else None
    try:
        return Site.model_validate(doc.value) if doc is not None else None
    except ValidationError:
        return None


def weakness(password: str, label: str, known: Iterable[str] = ()) -> str | None:
    """Why a password is too weak for a production build, or None; never quotes the password."""
    if password == DEMO_PASSWORD:
        return "is the demo password, which is published in the README"
    if password.strip().lower() in README_EXAMPLES:
        return "is an example from the README, which everyone can read"
    if len(password) < MIN_LENGTH:
        return f"is too short (at least {MIN_LENGTH} characters; better six random words)"
    from zxcvbn import zxcvbn

    inputs = [label, *(known or site_words(None))]
    if estimate_bits(password, inputs) < MIN_BITS:
        result = zxcvbn(password[:100], user_inputs=inputs)
        hint = result["feedback"].get("warning") or "words of the site, names, dates or patterns are easy to guess"
        return (
            f"is too easy to guess ({hint}); it needs {MIN_BITS} bits: "
            f"run `tsunagu passwords new {label or 'LABEL'}` for six random words"
        )
    return None


def check_passwords(passwords: dict[str, str], *, require: bool, site: Site | None = None) -> None:
    """Refuse a missing password when required, and every weak one; all problems at once."""
    if not passwords:
        if require:
            raise PasswordError(
                f"no passwords given: set ${ENV_VAR} or use --passwords-file (--require-passwords refuses a demo build)"
            )
        return
    known = site_words(site)
    problems = [
        f"password for '{label}' {why}" for label, pw in passwords.items() if (why := weakness(pw, label, known))
    ]
    seen: dict[str, str] = {}
    for label, pw in passwords.items():
        if pw in seen:
            problems.append(f"password for '{label}' is the same as for '{seen[pw]}'; give each group its own")
        seen.setdefault(pw, label)
    if problems:
        raise PasswordError("\n".join(problems) + "\nnothing was written.")


def wordlist(japanese: bool = False) -> tuple[str, ...]:
    """The word list passwords are drawn from: EFF's long list, or BIP-39's Japanese (see wordlists/README.md)."""
    return japanese_words() if japanese else english_words()


def new_passwords(
    labels: Iterable[str], *, words: int = WORDS, site: Site | None = None, japanese: bool = False
) -> dict[str, str]:
    """A fresh random password of `words` words for each label, each passing the production check."""
    labels = list(labels)
    words_of = wordlist(japanese)
    bits = words * math.log2(len(words_of))
    if bits < MIN_BITS:
        raise PasswordError(
            f"--words {words} gives {bits:.0f} bits; at least {MIN_BITS} are needed "
            f"({math.ceil(MIN_BITS / math.log2(len(words_of)))} words or more)"
        )
    bad = [label for label in labels if not _LABEL.match(label)]
    if bad or not labels or len(set(labels)) != len(labels):
        raise PasswordError(
            "give one or more different labels of lower-case letters, digits, '-' or '_' "
            "(at most 40), such as  caremanagers city-office"
        )
    known = site_words(site)
    out: dict[str, str] = {}
    while len(out) < len(labels):
        label = labels[len(out)]
        password = " ".join(secrets.choice(words_of) for _ in range(words))
        # A draw the estimator dislikes (or a repeat) is drawn again: vanishingly rare at 64+ bits.
        if password not in out.values() and weakness(password, label, known) is None:
            out[label] = password
    return out


def passwords_yaml(passwords: dict[str, str]) -> str:
    """The YAML for the TSUNAGU_PASSWORDS secret (a JSON string is a valid YAML double-quoted scalar)."""
    return "".join(f"{label}: {json.dumps(pw, ensure_ascii=False)}\n" for label, pw in passwords.items())
