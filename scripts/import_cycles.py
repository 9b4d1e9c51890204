# ruff: noqa: T201 (a command-line tool: printing is its output)
"""List import circles and imports against the arrows between the apps, deferred imports (inside
functions) included. Exit status 1 when there is either; tests/test_imports.py runs it.

    .venv/bin/python scripts/import_cycles.py

The arrows (docs/design.md): accounts <- tickets <- updates <- vendors <- dashboard, portal, api,
demo; the portal never imports vendors; nothing imports the project package (servicedesk).
grimp builds the same graph import-linter checks.
"""

import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
CHAIN = ("accounts", "tickets", "updates", "vendors")  # each may import only those before it
TOP = ("dashboard", "portal", "api", "demo")  # may import the whole chain
PROJECT = "servicedesk"
FORBIDDEN = {("portal", "vendors")}


def circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Groups of modules that reach each other through imports (strongly connected components
    of more than one module, Tarjan's algorithm without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def enter(module: str) -> tuple[str, list[str]]:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        return module, sorted(graph.find_modules_directly_imported_by(module))

    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [enter(root)]
        while work:
            module, targets = work[-1]
            if targets:
                target = targets.pop()
                if target not in index:
                    work.append(enter(target))
                elif target in on_stack:
                    low[module] = min(low[module], index[target])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                component = []
                while not component or component[-1] != module:
                    component.append(stack.pop())
                    on_stack.discard(component[-1])
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def loop_through(graph: grimp.ImportGraph, component: list[str]) -> list[str]:
    """One shortest loop through the component's first module, to show where it closes."""
    first = component[0]
    loops = [
        graph.find_shortest_chain(importer=target, imported=first)
        for target in graph.find_modules_directly_imported_by(first)
        if target in component
    ]
    shortest = min((loop for loop in loops if loop), key=len, default=None)
    return [first, *shortest] if shortest else component


def allowed(importer: str, imported: str) -> bool:
    """Whether a module of app `importer` may import a module of app `imported` (two apps)."""
    if (importer, imported) in FORBIDDEN:
        return False
    if importer == PROJECT:
        return True
    if imported == PROJECT:
        return False
    if importer in TOP:
        return True
    if imported in TOP:
        return False
    return CHAIN.index(imported) < CHAIN.index(importer)


def against_the_arrows(graph: grimp.ImportGraph, packages: list[str]) -> list[str]:
    found = []
    for importer in packages:
        for imported in packages:
            if importer == imported or allowed(importer, imported):
                continue
            for line in graph.find_matching_direct_imports(
                import_expression=f"{importer}.** -> {imported}.**"
            ):
                found.append(f"{line['importer']} -> {line['imported']}")
    return sorted(found)


def main() -> int:
    sys.path.insert(0, str(ROOT))
    packages = [name for name in (*CHAIN, *TOP, PROJECT) if (ROOT / name / "__init__.py").exists()]
    graph = grimp.build_graph(*packages, cache_dir=None)
    loops = circles(graph)
    for component in loops:
        print("circle: " + " -> ".join(loop_through(graph, component)))
        print("    modules in it: " + ", ".join(component))
    wrong_way = against_the_arrows(graph, packages)
    for line in wrong_way:
        print(f"against the arrows: {line}")
    print(f"{len(loops)} import circle(s), {len(wrong_way)} import(s) against the arrows")
    return 1 if loops or wrong_way else 0


if __name__ == "__main__":
    sys.exit(main())
