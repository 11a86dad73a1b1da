"""The engine is a pure library: importing all of it pulls in no web, database or network code,
and it touches files only where it loads modules (style guide §5.3.2)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ADAPTIVE = ROOT / "adaptive"

# Top-level packages whose presence in sys.modules would mean the engine does web, database
# or network work. ``socket`` itself is not listed: multiprocessing (the parallel EM fit)
# imports it without opening a connection.
FORBIDDEN = {
    "lti_tool", "flask", "flask_sqlalchemy", "sqlalchemy", "werkzeug", "requests", "httpx",
    "urllib3", "huey", "redis", "psycopg", "http.client", "urllib.request",
}

# The only places of the engine that read files: the module loader (file name in, text and
# problems out) and the shipped samples (package data).
FILE_IO_ALLOWED = {
    "adaptive/modules/loader.py",
    "adaptive/modules/validate.py",  # module_schema: the schema shipped as package data
    "adaptive/samples/__init__.py",
}
# Path methods that touch the file system, and os/shutil functions that do. A bare ``open``
# is the builtin; ``.open`` on a zip member or ``list.remove`` are not file I/O.
PATH_CALLS = {"read_text", "write_text", "read_bytes", "write_bytes", "unlink", "mkdir",
              "touch", "rmdir"}
MODULE_CALLS = {("os", "remove"), ("os", "unlink"), ("os", "rename"), ("os", "replace"),
                ("os", "makedirs"), ("os", "mkdir"), ("shutil", "rmtree"), ("shutil", "copy"),
                ("shutil", "copyfile"), ("shutil", "move"), ("io", "open")}

_IMPORT_ALL = """
import importlib, json, pkgutil, sys
import adaptive
for info in pkgutil.walk_packages(adaptive.__path__, "adaptive."):
    importlib.import_module(info.name)
print(json.dumps(sorted(sys.modules)))
"""


def test_importing_the_whole_engine_loads_no_web_db_or_network_package() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL], cwd=ROOT, capture_output=True, text=True,
        check=True,
    ).stdout
    loaded = set(json.loads(out))
    offending = sorted(
        name for name in loaded
        if name in FORBIDDEN or name.split(".")[0] in FORBIDDEN
    )
    assert offending == []
    assert "adaptive.engine" in loaded  # the walk really imported the engine


def _file_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = None
        if isinstance(func, ast.Name) and func.id == "open":
            name = "open"
        elif isinstance(func, ast.Attribute):
            owner = func.value.id if isinstance(func.value, ast.Name) else None
            if func.attr in PATH_CALLS or (owner, func.attr) in MODULE_CALLS:
                name = func.attr
        if name:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}()")
    return found


def test_the_engine_touches_files_only_in_its_loader() -> None:
    calls: list[str] = []
    for path in sorted(ADAPTIVE.rglob("*.py")):
        if path.relative_to(ROOT).as_posix() not in FILE_IO_ALLOWED:
            calls.extend(_file_calls(path))
    assert calls == []


def test_the_file_check_sees_a_file_call() -> None:
    """The AST scan is not vacuous: it finds ``open`` in the loader, which may use it."""
    assert any("open()" in c or "read_text()" in c
               for c in _file_calls(ADAPTIVE / "samples" / "__init__.py")
               + _file_calls(ADAPTIVE / "modules" / "validate.py"))


def test_the_protocol_core_imports_without_flask() -> None:
    # lti_tool/__init__ imports Flask for the app factory; the protocol package must add
    # nothing of the web stack, so its files are loaded without the parent's __init__.
    proc = subprocess.run(
        [sys.executable, "-c", _PROTOCOL_ALONE], cwd=ROOT, capture_output=True, text=True,
        check=True,
    )
    result = json.loads(proc.stdout)
    assert result["web"] == []
    assert "lti_tool.protocol.claims" in result["loaded"]


_PROTOCOL_ALONE = """
import importlib, json, pathlib, pkgutil, sys, types
pkg = types.ModuleType("lti_tool")
pkg.__path__ = [str(pathlib.Path("lti_tool").resolve())]
sys.modules["lti_tool"] = pkg
import lti_tool.protocol as p
for m in pkgutil.walk_packages(p.__path__, "lti_tool.protocol."):
    importlib.import_module(m.name)
web = {"flask", "werkzeug", "sqlalchemy", "requests"}
print(json.dumps({"web": sorted(m for m in sys.modules if m.split(".")[0] in web),
                  "loaded": sorted(m for m in sys.modules if m.startswith("lti_tool."))}))
"""
