"""The public shell: what anyone may download (unlock page, service worker, generic assets, stubs, 404.html)."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from urllib.parse import urlsplit

import jinja2

from tsunagu.domain.config import DEMO_PASSWORD, Config
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
from tsunagu.domain.paths import NOT_FOUND, is_record, root_of
from tsunagu.search.index import is_runtime
from tsunagu.web import ASSETS, SCRIPTS, STATIC_DIR, SW_ENTRY, template_dirs

# Hosts answer every missing path (a record page, a deep link) with 404.html, at that path, so this
# page cannot know the site's base folder from relative links: it asks the service worker
# registration, else looks for keys.json up the path, then goes to the unlock page and back.
FALLBACK_SCRIPT = """(async () => {
  const here = location.pathname;
  let root = null;
  try {
    const reg = navigator.serviceWorker && await navigator.serviceWorker.getRegistration();
    if (reg) root = new URL(reg.scope).pathname;
  } catch (e) { /* no service worker yet */ }
  const parts = here.split("/");
  for (let i = parts.length - 1; !root && i >= 1; i--) {
    const candidate = parts.slice(0, i).join("/") + "/";
    try {
      const res = await fetch(candidate + "keys.json", { method: "HEAD", cache: "no-store" });
      if (res.ok) root = candidate;
    } catch (e) { /* try the folder above */ }
  }
  root = root || "/";
  let rel = here.slice(root.length);
  try { rel = decodeURIComponent(rel); } catch (e) { /* keep it encoded */ }
  location.replace(root + "unlock/?next=" + encodeURIComponent(rel + location.search + location.hash));
})();"""


def fallback_page() -> bytes:
    """The public 404.html: its one inline script is allowed by its hash, nothing else runs."""
    digest = base64.b64encode(hashlib.sha256(FALLBACK_SCRIPT.encode()).digest()).decode()
    csp = (
        f"default-src 'self'; script-src 'sha256-{digest}'; style-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'none'"
    )
    return (
        '<!doctype html>\n<html lang="ja">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="referrer" content="no-referrer">\n<meta name="robots" content="noindex, nofollow, noarchive">\n'
        f"<title>つなぐ</title>\n<script>{FALLBACK_SCRIPT}</script>\n</head>\n<body>\n"
        "<noscript>このサイトの閲覧には JavaScript が必要です。</noscript>\n</body>\n</html>\n"
    ).encode()


def update_page(env: jinja2.Environment, site: Site, config: Config) -> bytes:
    """The public update page (update/index.html): questions and labels only, no directory data, no secret."""
    relay = site.relay_url or "../api/"
    split = urlsplit(relay)
    fields = {
        k: FIELD_JA.get(f"status.{k}") or FIELD_JA[f"contact.{k}"]
        for k in (
            "new_clients",
            "alternative_support",
            "post_infection",
            "vacancies",
            "conditions",
            "operation",
            "windows",
            "methods",
            "via",
            "appointment_required",
            "notes",
        )
    }
    labels = {
        "acceptance": ACCEPTANCE_JA,
        "operation": OPERATION_JA,
        "method": METHOD_JA,
        "weekday": WEEKDAY_JA,
        "kind": KIND_JA,
        "fields": fields,
    }
    acceptance = [(k, "未定" if k == "unknown" else v) for k, v in ACCEPTANCE_JA.items()]
    return (
        env.get_template("update.html")
        .render(
            seal_key=config.seal_key or site.seal_key,
            relay_url=relay,
            relay_origin=f"{split.scheme}://{split.netloc}" if split.scheme else "",
            labels_json=json.dumps(labels, ensure_ascii=False),
            status_fields=list(STATUS_FIELDS_JA.items()),
            acceptance=acceptance,
            operation=list(OPERATION_JA.items()),
            methods=list(METHOD_JA.items()),
            weekdays=list(WEEKDAY_JA.items()),
        )
        .encode()
    )


def service_worker(static: Path) -> bytes:
    """The published sw.js: a module importing the worker from assets/, with a hash of every script in it, so that
    any change of a module changes sw.js (which every engine compares byte for byte) and a new worker is installed."""
    digest = hashlib.sha256()
    for name in SCRIPTS:
        digest.update(name.encode() + b"\0" + (static / name).read_bytes() + b"\0")
    return (
        f"// つなぐ service worker: the ES modules under assets/ (scripts {digest.hexdigest()[:16]}).\n"
        f'import "./assets/{SW_ENTRY}";\n'
    ).encode()


def shell_files(
    protected: list[str],
    index_files: dict[str, bytes],
    keys_json: bytes,
    config: Config,
    *,
    allow_shared_origin: bool = False,
    site: Site | None = None,
) -> dict[str, bytes]:
    """Public files: stubs for the few fixed pages (hosts without a 404 fallback), and the generic runtime.

    Record pages get no stub: a public file per record would publish the record count and names.
    """
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(template_dirs(config.templates_dir)), autoescape=True)
    stub = env.get_template("stub.html")
    out: dict[str, bytes] = {}
    for path in protected:
        if path.endswith(".html") and not is_record(path) and path != NOT_FOUND:
            out[path] = stub.render(root=root_of(path)).encode()
    out[NOT_FOUND] = fallback_page()
    out["unlock/index.html"] = (
        env.get_template("unlock.html")
        .render(demo=config.demo, demo_password=DEMO_PASSWORD, allow_shared_origin=allow_shared_origin)
        .encode()
    )
    if site is not None:
        out["update/index.html"] = update_page(env, site, config)
    static = Path(config.static_dir or STATIC_DIR)
    for name in ASSETS:
        out[f"assets/{name}"] = (static / name).read_bytes()
    out["sw.js"] = service_worker(static)
    out["keys.json"] = keys_json
    out["robots.txt"] = b"User-agent: *\nDisallow: /\n"
    out[".nojekyll"] = b""  # GitHub Pages: serve files as they are
    out.update({p: b for p, b in index_files.items() if is_runtime(p)})
    return out
