"""No import cycle between the project's modules, at the top of a module or inside a function.

A cycle is what made the tasks import their services inside each function (issue 19): now
the services queue tasks by name and nothing imports a tasks module but its app's ready().
Every import of every module under incidents/, reports/, config/ and bench/ (migrations
aside) is an edge to the project module it names; the test fails on any strongly connected
group of two or more modules, and names them.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("incidents", "reports", "config", "bench")


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    def resolve(name: str) -> str | None:
        # "incidents.services.filing.new_reference" is the module incidents.services.filing.
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {module: set() for module in modules}
    for module, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            for name in names:
                target = resolve(name)
                if target and target != module:
                    graph[module].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of two or more modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle_between_the_projects_modules() -> None:
    graph = import_graph(project_modules())
    assert len(graph) > 50  # the walk reached the whole project
    assert not cycles(graph), cycles(graph)


def test_the_cycle_check_finds_a_cycle() -> None:
    """The check above can fail: a made-up cycle through three modules is found."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_the_apps_depend_one_way() -> None:
    """reports builds on incidents, never the reverse (a change to a report marks what the
    statistics need in incidents' own tables, and reports picks the marks up); config holds
    settings, URLs, the Celery app and server configuration, and reads no app's models."""
    graph = import_graph(project_modules())
    backwards = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        for target in targets
        if module.startswith("incidents") and target.startswith("reports")
    )
    assert backwards == []
    config_reads = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        for target in targets
        if module.startswith("config") and target.split(".")[0] in ("incidents", "reports") and "models" in target
    )
    assert config_reads == []
    # config/urls.py routes to the apps' views, and nothing else in config names an app.
    config_to_apps = {
        module
        for module, targets in graph.items()
        for target in targets
        if module.startswith("config") and target.split(".")[0] in ("incidents", "reports")
    }
    assert config_to_apps <= {"config.urls"}
