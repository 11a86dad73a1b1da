"""The layer contracts in pyproject.toml ([tool.importlinter]) hold."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _lint_imports() -> str:
    exe = Path(sys.executable).with_name("lint-imports")
    return str(exe) if exe.exists() else (shutil.which("lint-imports") or "lint-imports")


def _env() -> dict[str, str]:
    # grimp finds the root packages on sys.path: this checkout's, not an installed copy.
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def test_layer_contracts_are_kept() -> None:
    proc = subprocess.run(
        [_lint_imports(), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
        env=_env(),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


def test_a_broken_contract_is_reported(tmp_path: Path) -> None:
    """The checker is not vacuous: a contract today's code breaks is reported as broken."""
    config = tmp_path / "contracts.toml"
    config.write_text(
        '[tool.importlinter]\nroot_packages = ["adaptive", "lti_tool"]\n'
        "include_external_packages = true\n"
        '[[tool.importlinter.contracts]]\nname = "runner without the engine"\n'
        'type = "forbidden"\nsource_modules = ["lti_tool.runner"]\n'
        'forbidden_modules = ["adaptive"]\n'
    )
    proc = subprocess.run(
        [_lint_imports(), "--no-cache", str(config)], cwd=ROOT, capture_output=True, text=True,
        env=_env(),
    )
    assert proc.returncode != 0
    assert "BROKEN" in proc.stdout
