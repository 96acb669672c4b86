"""The pinned tsunagu of a region repository: version and hash of the wheel, and the locked dependencies."""

from __future__ import annotations

import hashlib
import json
import re
from importlib import metadata
from pathlib import Path

from tsunagu import __version__
from tsunagu.domain.errors import TsunaguError

FILES = Path(__file__).resolve().parent / "files"
_CHECKOUT = Path(__file__).resolve().parents[2]
# Files a wheel carries inside tsunagu/region/files (symbolic links in the repository to these top-level files).
# The relay (relay/ of the product repository: the handler behind the update links) goes to the region unchanged.
RELAY = (
    "github.mjs",
    "handler.mjs",
    "token.mjs",
    "worker.mjs",
    "worker.wrangler.toml",
    "netlify/functions/tsunagu-relay.mjs",
    "pages/functions/api/[[route]].js",
)
SHIPPED = {
    "requirements.lock": "requirements.txt",
    "deploy/package.json": ".github/deploy/package.json",
    "deploy/package-lock.json": ".github/deploy/package-lock.json",
    **{f"relay/{name}": f"relay/{name}" for name in RELAY},
}
_WHEEL = re.compile(r"^tsunagu-([0-9][0-9A-Za-z.+!]*)-py3-none-any\.whl$")


class PinError(TsunaguError):
    """The tsunagu to pin cannot be named with its hash."""


def shipped(name: str) -> bytes:
    """A file the region gets from tsunagu: the wheel's copy, else the source checkout's."""
    inside = FILES / name
    return inside.read_bytes() if inside.is_file() else (_CHECKOUT / SHIPPED[name]).read_bytes()


def _installed_hash() -> str | None:
    """The sha256 pip recorded when this tsunagu was installed from a wheel file (PEP 610), if any."""
    try:
        text = metadata.distribution("tsunagu").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    info = json.loads(text or "{}").get("archive_info", {})
    digest = info.get("hashes", {}).get("sha256") or info.get("hash", "").removeprefix("sha256=")
    return digest if re.fullmatch(r"[0-9a-f]{64}", digest or "") else None


def tsunagu_pin(wheel: Path | None) -> tuple[str, str]:
    """(version, sha256) of the tsunagu wheel the region will install."""
    if wheel is not None:
        match = _WHEEL.match(wheel.name)
        if not match or not wheel.is_file():
            raise PinError(f"--tsunagu-wheel: tsunagu-<版>-py3-none-any.whl のファイルを指定してください; got {wheel}")
        return match[1], hashlib.sha256(wheel.read_bytes()).hexdigest()
    digest = _installed_hash()
    if digest is None:
        raise PinError(
            "tsunagu のホイールのハッシュが分かりません。リリースに添付された "
            f"tsunagu-{__version__}-py3-none-any.whl をダウンロードし、--tsunagu-wheel で指定してください。"
        )
    return __version__, digest


def requirements(version: str, digest: str, find_links: str | None) -> str:
    """The region's requirements.txt: tsunagu and every dependency, each with its hashes."""
    lock = shipped("requirements.lock").decode()
    body = "\n".join(line for line in lock.splitlines() if not (line.startswith("#") and not line.startswith("#    ")))
    body = re.sub(r"\A(#[^\n]*\n|\s*\n)*", "", body + "\n")
    links = f"--find-links {find_links}\n" if find_links else ""
    return (
        "# tsunagu と依存パッケージ（すべてハッシュで固定: 配信のたびに同じものが入ります）。\n"
        "# tsunagu の更新: 下の tsunagu== の版とハッシュを新しい版のものに替えます。\n"
        f"{links}tsunagu=={version} \\\n    --hash=sha256:{digest}\n{body}"
    )
