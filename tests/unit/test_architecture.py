"""The layout's rules, checked on the source: no import cycles among studio/ modules (imports
inside functions count), no oversized module, pages that are views, and only studio/ui importing
Streamlit."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STUDIO = ROOT / "studio"
MODULE_LINE_LIMIT = 500


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in STUDIO.rglob("*.py")}


def _imports(path: Path) -> set[str]:
    return _imports_in(path.read_text(encoding="utf-8"), _module_name(path), is_package=path.name == "__init__.py")


def _imports_in(source: str, name: str, *, is_package: bool = False) -> set[str]:
    """Every studio module ``source`` imports, wherever the import statement is (top level, inside
    a function, under TYPE_CHECKING)."""
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # "from studio.x import y" imports studio.x.y when y is a module, else studio.x.
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        found.update(t for t in targets if t in MODULES and t != name)
    return found


GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_graph_sees_imports_inside_functions_and_relative_ones():
    source = (
        "import json\n"
        "def f():\n    from studio.db import session_scope\n"
        "class C:\n    def m(self):\n        from . import policy\n"
        "from studio.export import rows\n"
    )
    assert _imports_in(source, "studio.checks.pipeline") == {
        "studio.db", "studio.checks.policy", "studio.export.rows",
    }


def test_no_import_cycles_among_studio_modules():
    assert _cycles(GRAPH) == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_oversized(name):
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MODULE_LINE_LIMIT, f"{name} has {lines} lines; split it along its sections"


def test_only_studio_ui_imports_streamlit():
    offenders = []
    for name, path in MODULES.items():
        if name == "studio.ui" or name.startswith("studio.ui."):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            mods = (
                [a.name for a in node.names] if isinstance(node, ast.Import)
                else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            )  # fmt: skip
            if any(m == "streamlit" or m.startswith("streamlit.") for m in mods):
                offenders.append(name)
    assert offenders == []


FORBIDDEN_IN_PAGES = ("sqlalchemy", "langchain", "langchain_core", "langchain_openai", "openai", "studio.models")


@pytest.mark.parametrize("page", sorted((ROOT / "pages").glob("*.py")) + [ROOT / "app.py"], ids=lambda p: p.name)
def test_pages_are_views(page):
    """A page imports streamlit, studio.ui and services; never the database layer or a model
    client, and it never opens a session itself (it asks studio.ui to call a service)."""
    source = page.read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(source)):
        mods = (
            [a.name for a in node.names] if isinstance(node, ast.Import)
            else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        )  # fmt: skip
        for m in mods:
            assert not any(m == f or m.startswith(f + ".") for f in FORBIDDEN_IN_PAGES), f"{page.name} imports {m}"
    assert "ui.db(" not in source, f"{page.name} opens a database session"


def test_package_inits_import_nothing():
    """A package's __init__ is its table of contents; importing from it would hide cycles."""
    for name, path in MODULES.items():
        if path.name != "__init__.py" or name in ("studio.ui",):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert not [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))], name
