"""The built wheel carries templates, static files, config, migrations and samples."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow

CHECK = """
import sys, lti_tool, adaptive
assert lti_tool.__file__.startswith(sys.argv[1]), lti_tool.__file__
from lti_tool import create_app
from lti_tool.db import upgrade_database
app = create_app({"instance_path": sys.argv[2], "base_url": "http://localhost"})
upgrade_database(app)
c = app.test_client()
assert c.get("/healthz").status_code == 200
assert b"--accent" in c.get("/static/css/branchwise.css").data
page = c.get("/lti/login?iss=x&login_hint=1&target_link_uri=http://localhost/lti/launch")
assert page.status_code == 400 and b"unknown_platform" in page.data
from adaptive.samples import load_sample, sample_ids
assert len(sample_ids()) >= 3 and load_sample(sample_ids()[0]).items
from lti_tool.registration.services import preset_names
assert "canvas" in preset_names()
assert c.get("/docs/activity").status_code == 200  # the docs ship in the wheel
print("ok")
"""


def test_installed_wheel_runs_outside_the_checkout(tmp_path):
    wheel_dir, target = tmp_path / "wheel", tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w",
                    str(wheel_dir), str(ROOT)], check=True, capture_output=True)
    wheel = next(wheel_dir.glob("branchwise-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    deps = sysconfig.get_paths()["purelib"]
    result = subprocess.run(
        [sys.executable, "-S", "-c", CHECK, str(target), str(tmp_path / "instance")],
        cwd=tmp_path, capture_output=True, text=True,
        env={"PYTHONPATH": f"{target}:{deps}", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")
