"""Upload a built site to Netlify, sending only the files Netlify does not have yet (stdlib only).

Usage: python3 netlify_upload.py SITE_DIR                 (NETLIFY_AUTH_TOKEN, NETLIFY_SITE_ID)
       python3 netlify_upload.py SITE_DIR --dry-run --previous OLD_SITE_DIR
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

API = os.environ.get("NETLIFY_API", "https://api.netlify.com/api/v1")


def digests(site: Path) -> dict[str, str]:
    """Every file as '/path' -> SHA-1, as Netlify's deploy API wants them."""
    return {
        "/" + p.relative_to(site).as_posix(): hashlib.sha1(p.read_bytes()).hexdigest()  # noqa: S324 - Netlify's digest
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def _call(method: str, url: str, body: bytes, content_type: str) -> dict[str, Any]:
    request = urllib.request.Request(
        url,
        data=body,
        method=method,
        headers={"Authorization": f"Bearer {os.environ['NETLIFY_AUTH_TOKEN']}", "Content-Type": content_type},
    )
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - a fixed https API
        return json.loads(response.read() or b"{}")


def main(argv: list[str]) -> int:
    site = Path(argv[0])
    files = digests(site)
    if "--dry-run" in argv:
        old = set(digests(Path(argv[argv.index("--previous") + 1])).values()) if "--previous" in argv else set()
        send = {p: d for p, d in files.items() if d not in old}
        size = sum((site / p.lstrip("/")).stat().st_size for p in send)
        print(f"{len(send)} of {len(files)} files to upload ({size / 1024:.0f} KiB)")
        return 0
    deploy = _call(
        "POST",
        f"{API}/sites/{os.environ['NETLIFY_SITE_ID']}/deploys",
        json.dumps({"files": files}).encode(),
        "application/json",
    )
    required = set(deploy.get("required", []))
    sent = 0
    for path, digest in files.items():
        if digest in required:
            _call(
                "PUT",
                f"{API}/deploys/{deploy['id']}/files{urllib.parse.quote(path)}",
                (site / path.lstrip("/")).read_bytes(),
                "application/octet-stream",
            )
            required.discard(digest)
            sent += 1
    print(f"sent {sent} of {len(files)} files; deploy {deploy['id']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
