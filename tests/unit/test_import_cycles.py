"""No import cycles between the modules of ivr.

A cycle works only while every module in it is careful about what it touches at import
time; a function-level import that hides one still counts here. Imports under
``if TYPE_CHECKING:`` are left out: they never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

from ivr.shipped import REPO_ROOT

PACKAGE = "ivr"


def module_files(root: Path = REPO_ROOT / PACKAGE) -> dict[str, Path]:
    """Dotted module name -> file, a package being its ``__init__.py``."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run, wherever it is (functions included)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                yield from _runtime_imports(other)
            continue
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        yield from _runtime_imports(child)


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base.pop()
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _targets(
    module: str, path: Path, node: ast.Import | ast.ImportFrom, known: Mapping[str, Path]
) -> Iterator[str]:
    """The ivr modules an import statement loads: the most specific one named."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        source = _absolute(module, path.name == "__init__.py", node)
        # ``from ivr.speech import whisper`` loads the module; ``from ivr.speech import X``
        # loads the package.
        names = [
            f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source
            for alias in node.names
        ]
    for name in names:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name.split(".")[0] != PACKAGE:
            continue
        yield name
        # Loading a module first runs its packages' __init__: a module outside a package
        # depends on that package's __init__ too (one inside it already runs under it).
        package = name.rpartition(".")[0]
        while package and not module.startswith(f"{package}."):
            yield package
            package = package.rpartition(".")[0]


def import_graph() -> dict[str, set[str]]:
    known = module_files()
    graph: dict[str, set[str]] = {}
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        graph[module] = {
            target
            for node in _runtime_imports(tree)
            for target in _targets(module, path, node, known)
            if target != module
        }
    return graph


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_graph_sees_the_modules_and_their_imports() -> None:
    graph = import_graph()
    assert "ivr.config" in graph
    assert "ivr.app" in graph
    assert "ivr.config" in graph["ivr.app"]


def test_a_cycle_is_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_no_module_of_ivr_imports_itself_back() -> None:
    assert cycles(import_graph()) == []


def test_the_shared_leaves_import_nothing_from_ivr() -> None:
    graph = import_graph()
    assert graph["ivr.decisions"] == set()
    assert graph["ivr.sections"] == set()
    assert graph["ivr.text"] == set()
    assert graph["ivr.clock"] == set()


def test_no_feature_reads_the_composed_settings() -> None:
    """A feature takes its own section; only entry points and the app know ``Settings``."""
    entry_points = {"ivr.app", "ivr.runtime", "ivr.cli", "ivr.call", "ivr.embedded.start"}
    readers = {m for m, targets in import_graph().items() if "ivr.config" in targets}
    assert {m for m in readers if not m.endswith(".cli")} <= entry_points


def package_graph() -> dict[str, set[str]]:
    """ivr's packages and top-level modules, and which of them each imports; the
    command-line modules (``*.cli``) are entry points, left out like the app."""
    graph: dict[str, set[str]] = {}
    for module, targets in import_graph().items():
        if module.endswith(".cli"):
            continue
        unit = ".".join(module.split(".")[:2])
        graph.setdefault(unit, set()).update(
            ".".join(t.split(".")[:2]) for t in targets if not t.startswith(unit + ".")
        )
        graph[unit].discard(unit)
    return graph


def test_no_package_of_ivr_imports_itself_back() -> None:
    """The layers of docs/architecture.md: each package imports only those below it."""
    assert cycles(package_graph()) == []
