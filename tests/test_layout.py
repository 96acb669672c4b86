"""The package's layers: imports only flow downward, click only in cli/, no I/O in the domain."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from tools import ROOT

PACKAGE = ROOT / "tsunagu"
# The build's stages, in the one order they may import each other: publishing writes what render and seal made,
# render links pages by their keyed paths (seal), seal reads the passwords file (data), data checks ids with the
# search normaliser (search).
STAGES = ["publish", "render", "seal", "data", "search"]
# Each layer may import only the layers after it
# (cli → region → contribute | importers → pipeline → publish → render → seal → data → search → yamlio → domain).
LAYERS = ["cli", "region", "contribute", "importers", "pipeline", *STAGES, "yamlio", "domain"]
FLOW = " → ".join(["cli", "region", "contribute | importers", "pipeline", *STAGES, "yamlio", "domain"])
PEERS = {"contribute": {"importers"}, "importers": {"contribute"}}  # side by side: neither imports the other
LEAVES = {"web"}  # package data, importable from any layer
# The wire format (plain constants shared with the browser): importable from any layer, importing only the domain.
SHARED = {"tsunagu.seal.wire"}
IO_MODULES = {
    "os",
    "io",
    "subprocess",
    "socket",
    "shutil",
    "tempfile",
    "glob",
    "multiprocessing",
    "urllib.request",
    "http",
    "requests",
    "sqlite3",
    "asyncio",
    "threading",
    "concurrent",
}
IO_CALLS = {
    "open",
    "read_text",
    "read_bytes",
    "write_text",
    "write_bytes",
    "is_dir",
    "is_file",
    "exists",
    "iterdir",
    "mkdir",
    "unlink",
    "stat",
    "glob",
    "rglob",
}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            named = [f"{node.module}.{a.name}" for a in node.names]  # `from tsunagu.seal import wire`
            found += [(node.lineno, m) for m in dict.fromkeys(m if m in SHARED else node.module for m in named)]
    return found


def _layer(path: Path) -> str | None:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else None


def test_every_module_belongs_to_a_layer():
    top = [p.name for p in PACKAGE.glob("*.py")]
    assert sorted(top) == ["__init__.py", "__main__.py"], f"modules outside the layers: {top}"
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders - LEAVES <= set(LAYERS), f"packages outside the layers: {sorted(folders - LEAVES - set(LAYERS))}"
    assert set(STAGES) | {"pipeline", "yamlio", "domain", "cli"} <= folders


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_flow_downward(path: Path):
    layer = _layer(path)
    if layer is None:
        return
    wrong = []
    for line, module in _imports(path):
        parts = module.split(".")
        if parts[0] != "tsunagu" or len(parts) < 2 or parts[1] in LEAVES or parts[1] == layer or module in SHARED:
            continue
        target = parts[1]
        allowed = layer in LAYERS and LAYERS.index(target) > LAYERS.index(layer) and target not in PEERS.get(layer, ())
        if layer in LEAVES or not allowed:
            wrong.append(f"{path.relative_to(PACKAGE)}:{line}: {layer} imports {module}")
    assert not wrong, f"imports must flow {FLOW}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("module", sorted(SHARED))
def test_shared_modules_import_only_the_domain(module: str):
    path = ROOT / (module.replace(".", "/") + ".py")
    wrong = [
        f"{line}: {m}"
        for line, m in _imports(path)
        if m.split(".")[0] == "tsunagu" and m.split(".")[:2] != ["tsunagu", "domain"]
    ]
    assert not wrong, f"{module} is imported by every layer, so it may import only tsunagu.domain: {wrong}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_cli_imports_click(path: Path):
    if _layer(path) == "cli":
        return
    clicks = [line for line, m in _imports(path) if m.split(".")[0] == "click"]
    assert not clicks, f"{path.relative_to(PACKAGE)}:{clicks[0]}: only tsunagu/cli/ may import click"


@pytest.mark.parametrize("path", sorted((PACKAGE / "domain").glob("*.py")), ids=lambda p: p.name)
def test_domain_touches_no_files_processes_or_network(path: Path):
    io = [
        f"{line}: import {m}" for line, m in _imports(path) if any(m == x or m.startswith(x + ".") for x in IO_MODULES)
    ]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in IO_CALLS:
                io.append(f"{node.lineno}: {name}()")
    assert not io, f"domain/{path.name} must stay pure (no files, processes or network): {io}"


def test_the_layer_test_catches_an_upward_import(tmp_path, monkeypatch):
    """The checker itself: a stage importing contribute is reported."""
    bad = PACKAGE / "render" / "pages.py"
    source = "from tsunagu.contribute.changes import summarize\n"
    monkeypatch.setattr(Path, "read_text", lambda self, **kw: source if self == bad else Path.read_bytes(self).decode())
    with pytest.raises(AssertionError, match="render imports tsunagu.contribute.changes"):
        test_imports_flow_downward(bad)


@pytest.mark.parametrize(
    ("layer", "module"),
    [("search", "tsunagu.data.load"), ("data", "tsunagu.pipeline.builder"), ("seal", "tsunagu.render.pages")],
)
def test_the_layer_test_catches_a_stage_importing_upward(monkeypatch, layer, module):
    """A stage may import only the stages after it, so two stages can never import each other."""
    bad = next((PACKAGE / layer).glob("*.py"))
    source = f"import {module}\n"
    monkeypatch.setattr(Path, "read_text", lambda self, **kw: source if self == bad else Path.read_bytes(self).decode())
    with pytest.raises(AssertionError, match=f"{layer} imports {module}"):
        test_imports_flow_downward(bad)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_cycles() -> list[list[str]]:
    """Cycles among the package's modules, counting every import (also inside functions and TYPE_CHECKING)."""
    graph = {_module_name(p): {m for _, m in _imports(p) if m.startswith("tsunagu.")} for p in _modules()}
    graph = {m: {t if t in graph else t.rsplit(".", 1)[0] for t in targets} - {m} for m, targets in graph.items()}
    cycles, done = [], set()

    def visit(module: str, trail: list[str]) -> None:
        if module in trail:
            cycles.append(trail[trail.index(module) :] + [module])
            return
        if module in done:
            return
        for target in sorted(graph.get(module, ())):
            visit(target, [*trail, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    return cycles


def test_no_two_modules_import_each_other():
    """No import loop, not even one hidden behind TYPE_CHECKING or inside a function."""
    assert not _import_cycles(), "\n".join(" → ".join(c) for c in _import_cycles())


def test_the_cycle_test_catches_a_loop(monkeypatch):
    sheet = PACKAGE / "render" / "sheet.py"
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from tsunagu.render.pages import Entry\n"
    original = Path.read_text
    monkeypatch.setattr(
        Path, "read_text", lambda self, **kw: source + original(self, **kw) if self == sheet else original(self, **kw)
    )
    assert ["tsunagu.render.pages", "tsunagu.render.sheet", "tsunagu.render.pages"] in _import_cycles()


# The passwords file is composed node by node (never constructed, so an alias cannot expand) and its
# messages must never quote a value: it keeps a reader of its own.
YAML_READERS = {"yamlio/strict.py", "seal/passwords.py"}


def test_every_yaml_read_goes_through_the_strict_loader():
    """PyYAML is imported only by the strict loader (history, vocabulary and data all read through it)."""
    readers = {
        str(p.relative_to(PACKAGE))
        for p in _modules()
        if any(m == "yaml" or m.startswith("yaml.") for _, m in _imports(p))
    }
    assert readers == YAML_READERS
