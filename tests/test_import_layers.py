"""The import graph of community's own modules, read from the source with `ast` (imports inside
functions count: they are cycles put off, not removed): no cycles, so each module sits on the
floors below it and can be read, tested and moved without the ones above."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "community"

def module_names() -> dict[str, Path]:
    names = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def import_graph() -> dict[str, set[str]]:
    """module → the community modules it imports anywhere in its source. `from a import b` is an
    edge to a.b when that is a module, else to a; a package's own __init__ run by importing one of
    its modules is not counted (it is the package's front door, not a dependency)."""
    names = module_names()

    def known(name: str) -> str | None:
        while name and name not in names:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges.update(known(alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parent, base] if base else parent)
                for alias in node.names:
                    edges.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in names else known(base))
        graph[name] = {edge for edge in edges if edge and edge != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> set[tuple[str, ...]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: set[tuple[str, ...]] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.add(tuple(sorted(component)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_module_imports():
    for name in sorted(module_names()):
        importlib.import_module(name)


def test_the_graph_sees_imports_inside_functions():
    graph = import_graph()
    assert "community.spam.evaluation" in graph["community.spam.cli"]  # imported inside spam_eval_command
    assert "community.services.comment_status" in graph["community.services.comments"]


def test_comments_and_moderation_do_not_import_each_other():
    graph = import_graph()
    assert "community.services.moderation" not in graph["community.services.comments"]
    assert "community.services.comments" in graph["community.services.moderation"]  # moderation builds on it


def test_the_floors_under_comments_import_nothing_above_them():
    graph = import_graph()
    above = {"community.services.comments", "community.services.moderation", "community.services.reports",
             "community.services.rules"}
    for floor in ("community.services.comment_status", "community.services.moderation_log",
                  "community.services.settings"):
        assert not graph[floor] & above, floor


def test_no_import_cycles_among_community_modules():
    assert cycles(import_graph()) == set()


@pytest.mark.parametrize("graph, expected", [
    ({"a": {"b"}, "b": {"c"}, "c": set()}, set()),
    ({"a": {"b"}, "b": {"a"}, "c": {"a"}}, {("a", "b")}),
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d"} - {"d"}}, {("a", "b", "c")}),
])
def test_cycles_are_found(graph, expected):
    assert cycles(graph) == expected
