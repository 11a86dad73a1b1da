#!/usr/bin/env python3
"""Newcomer entry point; needs only Python 3.11+.

    python3 dev.py demo        # the tool + demo LMS, prints the course page URL
    python3 dev.py test [ARGS] # the whole test suite (extra ARGS go to pytest)

Each creates ./.venv and installs the project into it the first time (and again
whenever pyproject.toml changes).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".branchwise-installed"


def ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs under any system python3
        sys.exit("Branchwise needs Python 3.11 or newer")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    if not (BIN / "python").exists():
        print("creating .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    print("installing Branchwise and its test tools into .venv …", flush=True)
    subprocess.run([BIN / "python", "-m", "pip", "install", "-q", "--upgrade", "pip"],
                   check=True)
    subprocess.run([BIN / "python", "-m", "pip", "install", "-q", "-e", ".[test]"],
                   cwd=ROOT, check=True)
    STAMP.write_text(digest)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test"}:
        print(__doc__)
        return 2
    ensure_venv()
    if argv[0] == "demo":
        return subprocess.call([BIN / "branchwise", "demo", *argv[1:]], cwd=ROOT)
    return subprocess.call([BIN / "python", "-m", "pytest", *argv[1:]], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
