"""The house rules of docs/architecture.md, checked on the source itself.

- No import circle between the modules of `app/`.
- No import inside a function, except the heavy optional dependencies listed below.
- Data flows one way: only routes, other tasks and the CLI import a `tasks` module, and
  the media core imports nothing of the app and no Flask.

The imports are read with `ast`, so the test sees exactly what a reader sees.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"

# Imports inside a function that are allowed, each for a reason said where it is made.
FUNCTION_LEVEL_ALLOWED = {
    "werkzeug.middleware.proxy_fix",  # only when TRUSTED_PROXIES is set
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(APP.rglob("*.py"))}


def _resolve(module: str, node: ast.ImportFrom | ast.Import, alias: ast.alias) -> str | None:
    """The app module an import statement reaches, or None for a third-party one."""
    if isinstance(node, ast.Import):
        target = alias.name
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".")
            if MODULES[module].name != "__init__.py":
                package = package[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join(package + ([base] if base else []))
        candidate = f"{base}.{alias.name}" if base else alias.name
        target = candidate if candidate in MODULES else base
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def _imports(module: str):
    """(target, is_module_level, line) for every import of an app module in `module`."""
    tree = ast.parse(MODULES[module].read_text(), filename=str(MODULES[module]))
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
            )
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                for alias in child.names:
                    name = alias.name if isinstance(child, ast.Import) else (child.module or "")
                    found.append((name, _resolve(module, child, alias), in_function, child.lineno))
            visit(child, inner)

    visit(tree, False)
    return found


def _graph():
    graph = {}
    for module in MODULES:
        edges = set()
        for _name, target, _in_function, _line in _imports(module):
            if target and target != module:
                edges.add(target)
        graph[module] = edges
    return graph


def _cycles(graph):
    """Every strongly connected component of more than one module (Tarjan)."""
    index, low, stack, on_stack, result = {}, {}, [], set(), []
    counter = [0]

    def strongconnect(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                strongconnect(nxt)
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
                result.append(sorted(component))

    for node in graph:
        if node not in index:
            strongconnect(node)
    return result


def test_no_import_circle_in_app():
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_inside_a_function():
    offenders = [
        f"{MODULES[module].relative_to(ROOT)}:{line} imports {name}"
        for module in MODULES
        for name, _target, in_function, line in _imports(module)
        if in_function and name not in FUNCTION_LEVEL_ALLOWED
    ]
    assert offenders == []


def _is_entry_point(module: str) -> bool:
    """Modules allowed to enqueue: routes, other tasks, the CLI and the app factory."""
    leaf = module.rsplit(".", 1)[-1]
    return (
        leaf in {"routes", "tasks", "cli", "app", "jobs", "tus", "stats", "history", "api"}
        or leaf.endswith("_routes")
        or module in {"app", "app.cli"}
    )


def test_only_entry_points_import_tasks():
    offenders = [
        f"{module} imports {target}"
        for module, targets in _graph().items()
        for target in targets
        if target.endswith(".tasks") and not _is_entry_point(module)
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "module", sorted(m for m in MODULES if m == "app.media" or m.startswith("app.media."))
)
def test_media_core_knows_no_flask_and_no_database(module):
    tree = ast.parse(MODULES[module].read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            assert top not in {"flask", "flask_babel", "sqlalchemy", "werkzeug"}, name
            assert not name.startswith("app.") or name.startswith("app.media"), name
