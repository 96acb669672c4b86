"""Before a deploy: the new build's epoch and root against the live site's keys.json (DESIGN.md § Encryption)."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tsunagu.domain.config import JST
from tsunagu.domain.errors import TsunaguError

MAX_KEYS_BYTES = 1 << 20
FUTURE_SLACK = 300  # seconds a committer's clock may run ahead of the build machine's


class DeployRefused(TsunaguError):
    """This build must not replace the live site."""


@dataclass(frozen=True)
class Version:
    """What identifies a build to a device: its epoch and the hash of its root manifest."""

    epoch: int
    root: str

    @property
    def shown(self) -> str:
        return dt.datetime.fromtimestamp(self.epoch, JST).strftime("%Y-%m-%d %H:%M JST")


def read_version(text: bytes, origin: str) -> Version:
    """The epoch and root of a keys.json; DeployRefused when it is not one."""
    try:
        doc = json.loads(text)
        epoch, root = doc["epoch"], doc["root_sha256"]
    except (ValueError, KeyError, TypeError):
        raise DeployRefused(f"{origin}: tsunagu の keys.json ではありません") from None
    if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 0 or not isinstance(root, str):
        raise DeployRefused(f"{origin}: epoch か root_sha256 が正しくありません")
    return Version(epoch, root)


def fetch_live(url: str, timeout: float = 30) -> Version | None:
    """The live site's version; None when it has no keys.json yet (the first deploy)."""
    target = url.rstrip("/") + "/keys.json"
    request = urllib.request.Request(
        target, headers={"Cache-Control": "no-cache", "User-Agent": "tsunagu-deploy-check"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the admin's own site
            return read_version(response.read(MAX_KEYS_BYTES + 1), target)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise DeployRefused(
            f"{target}: 配信中のサイトを確かめられません（HTTP {exc.code}）。確かめられないうちは配信しません。"
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeployRefused(
            f"{target}: 配信中のサイトに接続できません（{reason}）。確かめられないうちは配信しません。"
        ) from None


def decide(new: Version, live: Version | None, now: float | None = None) -> tuple[bool, str]:
    """(deploy?, why) — refuses a future epoch, an older one, and the same epoch with another root."""
    now = time.time() if now is None else now
    if new.epoch > now + FUTURE_SLACK:
        raise DeployRefused(
            f"今回のビルドの版（{new.shown}）が未来の日時です（この機械の時刻: "
            f"{Version(int(now), '').shown}）。コミットした機械の時計を直し、もう一度コミットしてください。"
            "未来の版を配信すると、それを見た端末はその日時まで新しい版を受け付けなくなります。"
        )
    if live is None:
        return True, "配信中のサイトはまだありません。初めての配信です。"
    if new.epoch < live.epoch:
        raise DeployRefused(
            f"今回のビルドの版（{new.shown}）は配信中の版（{live.shown}）より古いため、配信しません。"
            "前の状態に戻すときは、git revert で戻すコミットを作って push してください"
            "（新しい版として配信されます）。"
        )
    if new.epoch == live.epoch:
        if new.root == live.root:
            return False, f"同じ版（{new.shown}）がすでに配信されています。配信は省略します。"
        raise DeployRefused(
            f"配信中の版と同じ版（{new.shown}）なのに内容が違います。端末はこの版を受け付けません。"
            "データを変えたときは、コミットしてからビルドしてください。"
        )
    return True, f"配信中の版（{live.shown}）より新しい版（{new.shown}）です。配信します。"


def check_deploy(site: Path, live_url: str, now: float | None = None) -> tuple[bool, str]:
    """Compare site/keys.json with the live one."""
    path = Path(site) / "keys.json"
    try:
        new = read_version(path.read_bytes(), str(path))
    except OSError:
        raise DeployRefused(f"{path}: ありません。先に tsunagu build を実行してください。") from None
    return decide(new, fetch_live(live_url), now)
