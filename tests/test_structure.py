"""The layout's rules, checked on the source: Streamlit only at the web edge, no import cycles,
no imports hidden inside functions, pages that reach data only through ``lib.web``.

Pages may import ``lib.figures`` (pure display builders) besides ``lib.web`` and
``lib.i18n``; every load, metric and rule reaches them through ``lib.web.views``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIB = ROOT / "lib"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[str, ast.AST, bool]]:
    """(imported module, node, at top level) for every import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = set(map(id, tree.body))
    # An `if TYPE_CHECKING:` block at the top level counts as top level.
    for node in tree.body:
        if isinstance(node, ast.If):
            top.update(map(id, node.body))
    found: list[tuple[str, ast.AST, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node, id(node) in top))
            found += [(f"{node.module}.{alias.name}", node, id(node) in top) for alias in node.names]
    return found


LIB_FILES = sorted(LIB.rglob("*.py"))
MODULES = {_module_name(p): p for p in LIB_FILES}


@pytest.mark.parametrize("path", [p for p in LIB_FILES if "web" not in p.relative_to(LIB).parts], ids=str)
def test_only_lib_web_imports_streamlit(path):
    bad = [name for name, _, _ in _imports(path) if name.split(".")[0] in ("streamlit", "streamlit_folium")
           or name.startswith("lib.web")]
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}: Streamlit belongs in lib/web/"


@pytest.mark.parametrize("path", LIB_FILES, ids=str)
def test_no_import_hides_inside_a_function(path):
    hidden = [f"line {node.lineno}: {name}" for name, node, top in _imports(path)
              if not top and name.startswith("lib") and "optional" not in ast.get_source_segment(
                  path.read_text(encoding="utf-8"), node, padded=False)]
    assert not hidden, f"{path.relative_to(ROOT)} imports inside a function: {hidden}"


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        edges = set()
        for imported, _, top in _imports(path):
            if not top:
                continue
            # "from lib import store" names the module lib.store; "from lib.x import f" names lib.x.
            target = imported if imported in MODULES else imported.rsplit(".", 1)[0]
            if target in MODULES and target != name and not name.startswith(target + ".") and target != "lib":
                edges.add(target)
        graph[name] = edges
    return graph


def test_the_import_graph_has_no_cycle():
    graph = _graph()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_the_graph_sees_the_real_edges():
    """The cycle test is only worth something if it sees edges: a known one must be there."""
    graph = _graph()
    assert "lib.store" in graph["lib.web.views"]
    assert "lib.schema" in graph["lib.store.engine"]


@pytest.mark.parametrize("path", sorted((ROOT / "pages").glob("*.py")) + [ROOT / "app.py"], ids=str)
def test_pages_talk_only_to_the_web_edge(path):
    allowed = ("lib.web", "lib.i18n", "lib.figures")
    bad = sorted({name for name, _, _ in _imports(path) if name.startswith("lib")
                  and name != "lib" and not name.startswith(allowed)})
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}; pages reach data through lib.web"
