"""The floors of docs/architecture.md, checked on the source: what each package
may import, no import loops between modules, nothing imports the composition
root (sohoa/), and the ground floor (core/) imports nothing of sohoa."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"core": "sohoa.core", "pipeline": "sohoa.pipeline", "archive": "sohoa.archive",
           "reconciler": "sohoa.reconciler", "retention": "sohoa.retention", "corpus": "sohoa.corpus",
           "api": "sohoa.api", "ui": "sohoa.ui", "handover": "sohoa.handover", "sohoa": "sohoa"}

# What each unit may import besides itself (docs/architecture.md, "Floors").
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "archive": {"core"},
    "pipeline.ocr": {"core"},
    "pipeline.extract": {"core"},
    "reconciler": {"core", "archive"},
    "pipeline.sign": {"core", "archive"},
    "pipeline": {"core", "archive", "pipeline.ocr", "pipeline.extract", "pipeline.sign", "reconciler"},
    "retention": {"core", "archive", "pipeline.sign"},
    "api": {"core", "archive", "reconciler", "pipeline.sign"},
    "ui": {"core", "archive", "reconciler", "pipeline.sign"},
    "handover": {"core", "archive", "pipeline.sign", "reconciler"},
    "corpus": {"core"},
    "sohoa": {"core", "archive", "pipeline", "pipeline.ocr", "pipeline.extract", "pipeline.sign", "reconciler",
              "retention", "api", "ui", "corpus", "handover"},
}


def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for folder, name in FOLDERS.items():
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            rel = path.relative_to(ROOT / folder).with_suffix("").parts
            parts = [name, *rel]
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(module: str, path: Path) -> set[str]:
    is_pkg = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_pkg else 0)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            # `from pkg import submodule` imports the submodule
            targets = [f"{mod}.{a.name}" if f"{mod}.{a.name}" in MODULES else mod for a in node.names]
        for t in targets:
            while t and t not in MODULES and "." in t:
                t = t.rsplit(".", 1)[0]
            if t in MODULES and t != module:
                found.add(t)
    return found


GRAPH = {m: _imports(m, p) for m, p in MODULES.items()}


def unit(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "sohoa"
    if parts[1] == "pipeline" and len(parts) > 2 and parts[2] in ("ocr", "extract", "sign"):
        return f"pipeline.{parts[2]}"
    return parts[1] if parts[1] in ALLOWED else "sohoa"


def test_every_import_goes_down_a_floor_or_stays_in_its_unit():
    wrong = sorted(f"{a} imports {b}" for a, bs in GRAPH.items() for b in bs
                   if unit(a) != unit(b) and unit(b) not in ALLOWED[unit(a)])
    assert wrong == []


def test_no_import_loops():
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    loops: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = []
            while True:
                w = stack.pop()
                scc.append(w)
                if w == v:
                    break
            if len(scc) > 1:
                loops.append(sorted(scc))

    for m in GRAPH:
        if m not in index:
            visit(m)
    assert loops == []


@pytest.mark.parametrize("module", sorted(m for m in MODULES if unit(m) == "core"))
def test_the_ground_floor_imports_nothing_of_the_project(module):
    assert {unit(b) for b in GRAPH[module]} <= {"core"}
