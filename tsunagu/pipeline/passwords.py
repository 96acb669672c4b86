"""Passwords: read them from a file or the environment, and refuse weak ones outside demo mode."""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

from tsunagu.domain.config import DEMO_PASSWORD
from tsunagu.domain.errors import PasswordError

ENV_VAR = "TSUNAGU_PASSWORDS"
MIN_LENGTH = 12
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable: moderate protection from offline slow-hash attacks"
_LABEL = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def parse_passwords(text: str, origin: str) -> dict[str, str]:
    """A YAML mapping label -> password; the message never repeats a password."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        raise PasswordError(f"{origin}: not valid YAML; expected lines such as  caremanagers: \"…\"") from None
    if not isinstance(data, dict) or not data:
        raise PasswordError(f"{origin}: expected a mapping of label to password, such as  caremanagers: \"…\"")
    problems = []
    out: dict[str, str] = {}
    for label, password in data.items():
        if not isinstance(label, str) or not _LABEL.match(label):
            problems.append(f"{origin}: label {label!r}: use lower-case letters, digits, '-' or '_' (at most 40)")
        elif not isinstance(password, str):
            problems.append(f"{origin}: {label}: the password must be text in quotes")
        else:
            out[label] = password
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


def weakness(password: str, label: str) -> str | None:
    """Why a password is too weak for a production build, or None."""
    if password == DEMO_PASSWORD:
        return "is the demo password, which is published in the README"
    if len(password) < MIN_LENGTH:
        return f"is too short ({len(password)} characters; at least {MIN_LENGTH})"
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:100], user_inputs=[label, "tsunagu", "つなぐ", "kaigo", "care"])
    if result["score"] < MIN_SCORE:
        hint = result["feedback"].get("warning") or "common words, names, dates or patterns are easy to guess"
        return f"is too easy to guess ({hint}); use four or more random words or a password manager"
    return None


def check_passwords(passwords: dict[str, str], *, require: bool) -> None:
    """Refuse a missing password when required, and every weak one; all problems at once."""
    if not passwords:
        if require:
            raise PasswordError(f"no passwords given: set ${ENV_VAR} or use --passwords-file "
                                "(--require-passwords refuses a demo build)")
        return
    problems = [f"password for '{label}' {why}" for label, pw in passwords.items() if (why := weakness(pw, label))]
    seen: dict[str, str] = {}
    for label, pw in passwords.items():
        if pw in seen:
            problems.append(f"password for '{label}' is the same as for '{seen[pw]}'; give each group its own")
        seen.setdefault(pw, label)
    if problems:
        raise PasswordError("\n".join(problems) + "\nnothing was written.")
