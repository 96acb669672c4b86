"""What a build needs besides the data: the site's salt (kept in data/site.yaml) and its epoch."""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from pathlib import Path

from tsunagu.domain.errors import BuildError

SALT_COMMENT = ("# Random and public, written once by the first build: every key of the site derives from it.\n"
                "# Keep it and commit it; changing or deleting it logs every reader out.\n")


def site_salt(data_dir: Path, salt: str | None) -> tuple[bytes, str | None]:
    """The site's 128-bit salt, and a message when this build had to create it (appended to site.yaml)."""
    if salt:
        return bytes.fromhex(salt), None
    site_yaml = Path(data_dir) / "site.yaml"
    value = secrets.token_hex(16)
    text = site_yaml.read_text(encoding="utf-8")
    try:
        with site_yaml.open("a", encoding="utf-8") as out:
            out.write(("" if text.endswith("\n") else "\n") + SALT_COMMENT + f'salt: "{value}"\n')
    except OSError as exc:
        raise BuildError(f"{site_yaml}: cannot add the site's salt: {exc.strerror}") from None
    return bytes.fromhex(value), (f"{site_yaml} に鍵の導出に使う salt を追加しました。このファイルをコミットしてください"
                                  "（コミットしないと、次のビルドで全員がログアウトされます）。")


def build_epoch(data_dir: Path) -> int:
    """The build's epoch: $SOURCE_DATE_EPOCH, else the committer time of the data's git HEAD, else now."""
    env = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if env.isdigit():
        return int(env)
    try:
        done = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=data_dir, capture_output=True,
                              text=True, timeout=10, check=False)
        if done.returncode == 0 and done.stdout.strip().isdigit():
            return int(done.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    return int(time.time())
