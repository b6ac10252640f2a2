"""The shape of the code, checked on the import graph (grimp, import-linter's graph library):
no circle of imports between modules of different apps, no function-level `from apps…` import
without a comment saying why, and every module placed in a layer of the import-linter contract in
pyproject.toml (which `make lint` and CI check with `lint-imports`), so a new module cannot
slip past it."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ROOT / "apps"


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("apps", cache_dir=None)


def _app(module: str) -> str:
    """The app (or the top-level module: apps.errors, apps.ui_errors) a module belongs to."""
    return ".".join(module.split(".")[:2])


def _cycles(graph) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def test_no_import_cycle_spans_two_apps(graph):
    across = [sorted(c) for c in _cycles(graph) if len({_app(m) for m in c}) > 1]
    assert across == [], f"import cycles between apps (function-level imports included): {across}"


def _function_level_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every `from apps… import` / `import apps…` inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "apps":
                found.append((node.lineno, node.module))
            elif isinstance(node, ast.Import):
                found += [(node.lineno, a.name) for a in node.names if a.name.startswith("apps.")]
    return found


def test_every_function_level_import_of_apps_says_why():
    uncommented = []
    for path in sorted(APPS.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for lineno, module in _function_level_imports(path):
            line, above = lines[lineno - 1], lines[lineno - 2].strip() if lineno > 1 else ""
            if "#" not in line and not above.startswith("#"):
                uncommented.append(f"{path.relative_to(ROOT)}:{lineno} {module}")
    assert uncommented == [], (
        "import at module level, or say on the line (or the one above) why it must be lazy: "
        f"{uncommented}"
    )


def _layered_modules() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers")["layers"]
    return {name.strip() for layer in layers for name in layer.replace("|", ":").split(":")}


def test_every_module_has_a_layer(graph):
    layered = _layered_modules()
    missing = sorted(
        module
        for module in graph.modules
        if module != "apps"
        and not (module.count(".") == 1 and (APPS / module.split(".")[1]).is_dir())  # an app
        and ".migrations" not in module
        and not any(module == m or module.startswith(m + ".") for m in layered)
    )
    assert missing == [], f"add these modules to a layer in pyproject.toml: {missing}"
