"""The package's shape, enforced: layers in one direction, no import cycles, no god modules.

Layers (docs/architecture.md): base -> data -> methods -> outputs -> orchestration. A module
may import from its own layer or a lower one, never a higher one, and the import graph (counting
imports inside functions and ``importlib.import_module("analysis....")``) has no cycle.

The allow-lists below name what is still in the way; they may only shrink: a listed item that
is no longer a violation fails the test until it is removed from the list.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "src" / "analysis"

#: layer of each top-level module or package (by its first dotted part after ``analysis``)
LAYERS = {
    "": 0,  # analysis/__init__.py: __version__ and lazy re-exports only
    "config": 0,
    "errors": 0,
    "status": 0,
    "periods": 0,
    "outputs": 0,
    "i18n": 0,
    "io": 1,
    "provenance": 1,
    "schema": 1,
    "template": 1,
    "frameworks": 1,
    "presets": 1,
    "sources": 1,
    "loaders": 1,
    "units": 1,
    "demo": 1,
    "composite": 2,
    "gaps": 2,
    "robustness": 2,
    "results": 2,
    "plots": 3,
    "narrative": 3,
    "briefs": 3,
    "display": 3,
    "workflow": 4,
    "bulk": 4,
    "store": 4,
    "runner": 4,
    "cli": 4,
    "__main__": 4,
}
LAYER_NAMES = ("base", "data", "methods", "outputs", "orchestration")
#: edges forbidden although the layers allow them: the design's data flow is one-way
FORBIDDEN = {("gaps", "robustness")}

MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 120

# ----------------------------------------------------------------------------- allow-lists
#: (importer, imported) edges that break the layer order today
KNOWN_UPWARD: set[tuple[str, str]] = set()
#: strongly connected groups of modules (sorted tuples) that import each other today
KNOWN_CYCLES: set[tuple[str, ...]] = set()
#: modules longer than MAX_MODULE_LINES today
KNOWN_LONG_MODULES: set[str] = set()
#: functions longer than MAX_FUNCTION_LINES today ("module:function")
KNOWN_LONG_FUNCTIONS: set[str] = set()


# ----------------------------------------------------------------------------- the graph
def _modules() -> dict[str, Path]:
    mods = {}
    for p in PKG.rglob("*.py"):
        parts = list(p.relative_to(PKG.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = p
    return mods


def _targets(mod: str, is_pkg: bool, node: ast.AST, mods: dict) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == "analysis"]
    if isinstance(node, ast.ImportFrom):
        if node.level:
            base = mod.split(".") if is_pkg else mod.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            prefix = ".".join(base + ([node.module] if node.module else []))
        elif (node.module or "").split(".")[0] == "analysis":
            prefix = node.module
        else:
            return []
        out = []
        for a in node.names:
            cand = f"{prefix}.{a.name}"
            out.append(cand if cand in mods else prefix)
        return out
    if (  # importlib.import_module("analysis.x") / import_module(".x", "analysis")
        isinstance(node, ast.Call)
        and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        name = node.args[0].value
        if name.startswith("."):
            return [f"analysis{name}"]
        return [name] if name.split(".")[0] == "analysis" else []
    if (  # a module named by a string, e.g. a registry loaded through importlib
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.startswith("analysis.")
        and node.value in mods
    ):
        return [node.value]
    return []


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    edges: dict[str, set[str]] = {m: set() for m in mods}
    for m, p in mods.items():
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            for t in _targets(m, p.name == "__init__.py", node, mods):
                while t not in mods and "." in t:
                    t = t.rsplit(".", 1)[0]
                if t in mods and t != m:
                    edges[m].add(t)
    return edges


def _top(mod: str) -> str:
    parts = mod.split(".")
    return parts[1] if len(parts) > 1 else ""


def _sccs(edges: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """Tarjan's strongly connected components with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(tuple(sorted(comp)))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def _is_package_parent(a: str, b: str) -> bool:
    """A package's ``__init__`` re-exporting its own submodules is not a cycle of concepts."""
    return b.startswith(a + ".") or a.startswith(b + ".")


GRAPH = _graph()


def _upward() -> set[tuple[str, str]]:
    bad = set()
    for a, targets in GRAPH.items():
        for b in targets:
            la, lb = LAYERS.get(_top(a)), LAYERS.get(_top(b))
            if la is None or lb is None:
                continue
            if lb > la or (_top(a), _top(b)) in FORBIDDEN:
                bad.add((a, b))
    return bad


def _cycles() -> set[tuple[str, ...]]:
    # edges from a package __init__ to its own submodules are re-exports, not dependencies
    edges = {a: {b for b in t if not (a == b.rsplit(".", 1)[0])} for a, t in GRAPH.items()}
    return set(_sccs(edges))


def _long_modules() -> set[str]:
    out = set()
    for m, p in _modules().items():
        if len(p.read_text(encoding="utf-8").splitlines()) > MAX_MODULE_LINES:
            out.add(m)
    return out


def _long_functions() -> set[str]:
    out = set()
    for m, p in _modules().items():
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES:
                    out.add(f"{m}:{node.name}")
    return out


# ----------------------------------------------------------------------------- tests
def test_every_module_has_a_layer():
    unknown = sorted({_top(m) for m in GRAPH} - set(LAYERS))
    assert not unknown, f"add these modules to LAYERS (and docs/architecture.md): {unknown}"


def test_no_import_against_the_layer_order():
    bad = _upward()
    new = sorted(bad - KNOWN_UPWARD)
    msgs = [
        f"{a} ({LAYER_NAMES[LAYERS[_top(a)]]}) imports {b} ({LAYER_NAMES[LAYERS[_top(b)]]})"
        for a, b in new
    ]
    assert not new, "imports against the layer order:\n" + "\n".join(msgs)
    stale = sorted(KNOWN_UPWARD - bad)
    assert not stale, f"fixed, remove from KNOWN_UPWARD: {stale}"


def test_no_import_cycle():
    found = _cycles()
    new = sorted(found - KNOWN_CYCLES)
    assert not new, "import cycles (counting imports inside functions):\n" + "\n".join(
        " <-> ".join(c) for c in new
    )
    stale = sorted(KNOWN_CYCLES - found)
    assert not stale, f"fixed, remove from KNOWN_CYCLES: {stale}"


@pytest.mark.parametrize(
    ("found", "known", "what"),
    [
        (_long_modules, KNOWN_LONG_MODULES, f"modules over {MAX_MODULE_LINES} lines"),
        (_long_functions, KNOWN_LONG_FUNCTIONS, f"functions over {MAX_FUNCTION_LINES} lines"),
    ],
    ids=["modules", "functions"],
)
def test_no_new_god_module_or_function(found, known, what):
    now = found()
    new = sorted(now - known)
    assert not new, f"{what}: split them: {new}"
    stale = sorted(known - now)
    assert not stale, f"fixed, remove from the allow-list: {stale}"


def test_the_checker_sees_function_level_and_importlib_imports(tmp_path):
    src = (
        "def f():\n    from .gaps import x\n"
        "import importlib\nimportlib.import_module('analysis.realdata')\n"
    )
    tree = ast.parse(src)
    mods = {"analysis.gaps": None, "analysis.realdata": None, "analysis.composite.pipeline": None}
    found = set()
    for node in ast.walk(tree):
        found.update(_targets("analysis.composite.pipeline", False, node, mods))
    assert found == {"analysis.composite.gaps", "analysis.realdata"}
