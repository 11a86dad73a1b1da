"""The built wheel carries templates, static files, config, migrations and samples."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
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
# The demo LMS ships; its test hooks (fault injection, /_test/*) and the forger do not.
import importlib.util
for name in ("lti_tool.demo_platform.forge", "lti_tool.demo_platform.testing", "tests"):
    assert importlib.util.find_spec(name) is None, name
from lti_tool.demo_platform import PlatformSettings, ToolLink, create_platform_app
lms = create_platform_app(PlatformSettings(issuer="http://127.0.0.1:9", key_dir=None,
    tool=ToolLink("c", "d", "http://t/login", "http://t/launch", "http://t/dl", "http://t/jwks")))
assert not [r.rule for r in lms.url_map.iter_rules() if r.rule.startswith("/_test/fault")]
assert lms.test_client().post("/_test/faults", json={"*": {"mode": "down"}}).status_code == 404
print("ok")
"""


def test_installed_wheel_runs_outside_the_checkout(tmp_path):
    wheel_dir, target = tmp_path / "wheel", tmp_path / "site"
    # setuptools reuses build/lib from an earlier build of this checkout, so a module
    # moved or deleted since then would still be packed: build from a clean slate.
    shutil.rmtree(ROOT / "build" / "lib", ignore_errors=True)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w",
                    str(wheel_dir), str(ROOT)], check=True, capture_output=True)
    wheel = next(wheel_dir.glob("branchwise-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    test_only = [n for n in names if n.startswith("tests/") or n.endswith(
        ("demo_platform/forge.py", "demo_platform/testing.py", "demo_lms_hooks.py"))]
    assert not test_only, test_only
    assert "lti_tool/demo_platform/app.py" in names  # the demo LMS itself ships
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
