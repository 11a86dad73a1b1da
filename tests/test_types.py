"""Static types: mypy --strict passes on the engine, and mypy (its default checks plus
check_untyped_defs) passes on the web layer. Settings in pyproject.toml's [tool.mypy]."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _mypy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--config-file", "pyproject.toml",
         *args],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )


def test_mypy_strict_on_adaptive() -> None:
    out = _mypy()
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-2000:]
    assert "Success: no issues found" in out.stdout


def test_mypy_clean_on_lti_tool() -> None:
    out = _mypy("lti_tool")
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-2000:]
    assert "Success: no issues found" in out.stdout
    # It checked the package, not an empty selection.
    checked = int(out.stdout.rsplit(" in ", 1)[1].split()[0])
    assert checked > 100, out.stdout
