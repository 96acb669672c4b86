"""The public shell: what anyone may download (unlock page, service worker, generic assets, stubs)."""

from __future__ import annotations

from pathlib import Path

import jinja2

from tsunagu.domain.config import DEMO_PASSWORD, Config
from tsunagu.pipeline.index import is_runtime
from tsunagu.web import STATIC_DIR, template_dirs

ASSETS = ("style.css", "app.js", "boot.js", "unlock.js", "search.js", "tsunagu-crypto.js", "time.js", "manifest.webmanifest", "icon-192.png", "icon-512.png", "favicon.ico")


def shell_files(protected: dict[str, bytes], index_files: dict[str, bytes], keys_json: bytes,
                config: Config) -> dict[str, bytes]:
    """Public files: a stub at every protected page path, plus the generic runtime."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(template_dirs(config.templates_dir)), autoescape=True)
    stub = env.get_template("stub.html")
    out: dict[str, bytes] = {}
    for path in protected:
        if path.endswith(".html"):
            out[path] = stub.render(root="../" * path.count("/")).encode()
    out["unlock/index.html"] = env.get_template("unlock.html").render(
        demo=config.demo, demo_password=DEMO_PASSWORD).encode()
    static = Path(config.static_dir or STATIC_DIR)
    for name in ASSETS:
        out[f"assets/{name}"] = (static / name).read_bytes()
    out["sw.js"] = (static / "sw.js").read_bytes()
    out["keys.json"] = keys_json
    out["robots.txt"] = b"User-agent: *\nDisallow: /\n"
    out[".nojekyll"] = b""  # GitHub Pages: serve files as they are
    out.update({p: b for p, b in index_files.items() if is_runtime(p)})
    return out
