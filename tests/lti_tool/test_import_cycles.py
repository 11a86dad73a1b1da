"""The web app's import graph has no cycles, counting imports inside functions.

Same check as tests/adaptive/test_no_cycles.py, for ``lti_tool``: no module cycle, and no
two feature packages that import each other (directly or round a longer loop). Imports
under ``if TYPE_CHECKING:`` are left out: they never run, so they cannot make an
import-order bug.
"""

from __future__ import annotations

import grimp

from tests.adaptive.test_no_cycles import _cycles

FEATURES = ("admin", "ags", "assistant", "dashboard", "deep_linking", "demo_platform", "editor",
            "jobs", "keys", "launch", "modules", "registration", "runner", "xapi")

# What each feature offers the others (its declared services): a feature imports another
# only through these modules, never its views, forms or internals. A new edge between
# features is a decision, made here.
SERVICES = {
    "ags": {"client", "delivery", "lineitem", "passback", "review"},
    "assistant": {"course_models", "services"},
    "dashboard": {"services"},
    "deep_linking": {"authoring", "services"},
    "jobs": {"queue", "tasks", "worker"},
    "keys": {"services"},
    "launch": {"first_page", "record", "services", "tokens"},
    "modules": {"library"},
    "registration": {"dynamic", "hosts", "links", "services", "tool_config"},
    "runner": {"answers", "figures"},
    "xapi": {"events"},
}


def _module_edges() -> dict[str, set[str]]:
    graph = grimp.build_graph("lti_tool", include_external_packages=False,
                              exclude_type_checking_imports=True)
    return {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}


def _feature(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in FEATURES else None


def test_no_import_cycle_inside_lti_tool() -> None:
    edges = _module_edges()
    # Function-level imports are in the graph: the CLI adds the feature CLIs inside a
    # function, and the delivery enqueues through a function-level import.
    assert "lti_tool.admin.cli" in edges["lti_tool.cli"]
    assert "lti_tool.ags.handles" in edges["lti_tool.ags.delivery"]
    assert _cycles(edges) == []


def test_feature_packages_import_each_other_in_no_cycle() -> None:
    packages: dict[str, set[str]] = {}
    for module, imported in _module_edges().items():
        source = _feature(module)
        for target in imported:
            other = _feature(target)
            if source and other and other != source:
                packages.setdefault(source, set()).add(other)
    assert "registration" in packages["launch"]  # the graph is not empty
    assert _cycles(packages) == []


def test_features_use_each_other_only_through_declared_services() -> None:
    undeclared = []
    for module, imported in _module_edges().items():
        source = _feature(module)
        for target in imported:
            other = _feature(target)
            if not source or not other or other == source:
                continue
            service = target.split(".")[2]
            if service not in SERVICES.get(other, set()):
                undeclared.append(f"{module} -> {target}")
    assert sorted(undeclared) == []
    # The map names modules that exist (a stale entry would allow nothing by mistake).
    modules = set(_module_edges())
    missing = [f"lti_tool.{f}.{m}" for f, names in SERVICES.items() for m in names
               if f"lti_tool.{f}.{m}" not in modules]
    assert missing == []
