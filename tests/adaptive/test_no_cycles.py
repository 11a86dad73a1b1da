"""The engine's import graph has no cycles, counting imports inside functions.

A cycle hidden by a function-level import works until someone imports the modules in
another order; grimp (installed with import-linter) records every import statement,
wherever it is, so the graph below is what the code could ever import.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
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
    return found


def test_cycle_finder_sees_a_cycle() -> None:
    # The finder itself must be able to fail.
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(edges) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_inside_adaptive() -> None:
    graph = grimp.build_graph("adaptive", include_external_packages=False)
    edges = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    # Function-level imports are in the graph too: the loader calls the validator, and the
    # validator's text/file entry points (which call the loader) live in the loader.
    assert "adaptive.modules.validate" in edges["adaptive.modules.loader"]
    assert _cycles(edges) == []


_IMPORT_EACH_FIRST = """
import importlib, json, pkgutil, sys, traceback
import adaptive
names = sorted(m.name for m in pkgutil.walk_packages(adaptive.__path__, "adaptive."))
failures = {}
for name in names:
    # Forget the engine (third-party modules may stay): each module is imported first.
    for loaded in [m for m in sys.modules if m == "adaptive" or m.startswith("adaptive.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception:
        failures[name] = traceback.format_exc(limit=-3)
print(json.dumps({"names": names, "failures": failures}))
"""


def test_each_adaptive_module_imports_first() -> None:
    """Importing any engine module first in a fresh interpreter works (no init-order cycle
    through a package's ``__init__``, which grimp's graph does not show)."""
    out = subprocess.run(
        [sys.executable, "-c", _IMPORT_EACH_FIRST],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert "adaptive.mastery.chance" in result["names"]
    assert len(result["names"]) > 40
    assert result["failures"] == {}
