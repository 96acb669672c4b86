"""What a build needs besides the data: the site's salt (kept in data/site.yaml) and its epoch."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import subprocess
import time
from pathlib import Path

from tsunagu.domain.config import JST
from tsunagu.domain.errors import BuildError
from tsunagu.seal import wire

SALT_COMMENT = (
    "# Random and public, written once by the first build: every key of the site derives from it.\n"
    "# Keep it and commit it; changing or deleting it logs every reader out.\n"
)


def site_salt(data_dir: Path, salt: str | None, *, require: bool = False) -> tuple[bytes, str | None]:
    """The site's 128-bit salt, and a message when this build had to create it (appended to site.yaml).

    With require (a CI build) a missing salt is an error: a salt drawn there would vanish with the
    runner, so every deploy would draw another and log every reader out.
    """
    if salt:
        return bytes.fromhex(salt), None
    site_yaml = Path(data_dir) / "site.yaml"
    if require:
        raise BuildError(
            f"{site_yaml}: salt がありません。CI のビルドは salt を作りません（作っても次のビルドに残らず、"
            "配信のたびに全員がログアウトされます）。手元で `tsunagu build --data data` を一度実行すると "
            f"salt が {site_yaml} に書き込まれます。そのファイルをコミットして push してください。"
        )
    value = secrets.token_hex(wire.SALT_BYTES)
    text = site_yaml.read_text(encoding="utf-8")
    try:
        with site_yaml.open("a", encoding="utf-8") as out:
            out.write(("" if text.endswith("\n") else "\n") + SALT_COMMENT + f'salt: "{value}"\n')
    except OSError as exc:
        raise BuildError(f"{site_yaml}: cannot add the site's salt: {exc.strerror}") from None
    return bytes.fromhex(value), (
        f"{site_yaml} に鍵の導出に使う salt を追加しました。このファイルをコミットしてください"
        "（コミットしないと、次のビルドで全員がログアウトされます）。"
    )


FUTURE_SLACK = 300  # seconds a committer's clock may run ahead of the build machine's


def _commit_time(data_dir: Path) -> int | None:
    try:
        done = subprocess.run(
            ["git", "log", "-1", "--format=%ct"], cwd=data_dir, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    out = done.stdout.strip()
    return int(out) if done.returncode == 0 and out.isdigit() else None


def _shown(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, JST).strftime("%Y-%m-%d %H:%M JST")


def build_epoch(data_dir: Path, *, demo: bool = False, require: bool = False, now: float | None = None) -> int:
    """The build's epoch: $SOURCE_DATE_EPOCH, else (demo: now) the committer time of the data's git HEAD.

    Never in the future: a device that saw a future epoch would refuse every honest build until then.
    """
    now = time.time() if now is None else now
    env = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    epoch = int(env) if env.isdigit() else int(now) if demo else _commit_time(data_dir)
    if epoch is None:
        if require:
            raise BuildError(
                f"{data_dir}: git のコミットの中にありません。CI のビルドの版（epoch）は、データの最後のコミットの"
                "日時です。コミットしたものをビルドしてください。"
            )
        epoch = int(now)
    if epoch > now + FUTURE_SLACK:
        raise BuildError(
            f"ビルドの版（epoch）が未来の日時です: {_shown(epoch)}（この機械の時刻: {_shown(int(now))}）。"
            "コミットした機械の時計が進んでいます。時計を直してからもう一度コミットしてください"
            "（未来の版を配信すると、それを見た端末はその日時まで新しい版を受け付けなくなります）。"
        )
    return epoch


def epoch_date(epoch: int) -> dt.date:
    """The date of an epoch in Japan: what a production build calls today."""
    return dt.datetime.fromtimestamp(epoch, JST).date()
