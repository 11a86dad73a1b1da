"""`branchwise module validate` prints every problem with file:line and fails on errors."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from lti_tool.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "modules"


def test_valid_module_exits_zero():
    result = CliRunner().invoke(main, ["module", "validate", str(FIXTURES / "good.yaml")])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_broken_module_lists_problems_with_lines_and_exits_one():
    broken = FIXTURES / "broken.yaml"
    result = CliRunner().invoke(main, ["module", "validate", str(broken)])
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.startswith(str(broken) + ":")]
    assert len(lines) >= 10
    assert all(ln.split(":")[1].isdigit() for ln in lines)


def test_shipped_samples_validate(tmp_path):
    from adaptive.samples import sample_ids, sample_path

    paths = [str(sample_path(s)) for s in sample_ids()]
    result = CliRunner().invoke(main, ["module", "validate", *paths])
    assert result.exit_code == 0, result.output
