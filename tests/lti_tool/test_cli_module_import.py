"""`branchwise module import` / `module export`: files in and out, problems on stderr."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from adaptive.modules.loader import load_module
from adaptive.samples import sample_path
from lti_tool.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"


def test_import_prints_the_draft_and_lists_what_was_not_mapped():
    result = CliRunner().invoke(main, ["module", "import", str(FIXTURES / "every-type.gift")])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("schema_version: 1\n")
    assert "type: numeric" in result.stdout
    assert "not mapped: question 11 (line 40) 'Essay'" in result.stderr
    assert "gift, 10 item(s), 2 skill(s)" in result.stderr


def test_import_out_writes_a_valid_module(tmp_path):
    out = tmp_path / "fractions.yaml"
    result = CliRunner().invoke(main, ["module", "import",
                                       str(FIXTURES / "every-type.moodle.xml"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    module = load_module(out)
    assert module.item("eq-half").hints
    validate = CliRunner().invoke(main, ["module", "validate", str(out)])
    assert validate.exit_code == 0, validate.output


def test_import_of_a_draft_with_errors_exits_one_and_of_junk_exits_two(tmp_path):
    bad = tmp_path / "bad.gift"
    bad.write_text("::Q:: Pick {~a ~b}\n")
    result = CliRunner().invoke(main, ["module", "import", str(bad)])
    assert result.exit_code == 1
    assert "[no-correct-group]" in result.stderr
    junk = tmp_path / "junk.xml"
    junk.write_text("<html/>")
    result = CliRunner().invoke(main, ["module", "import", str(junk)])
    assert result.exit_code == 2
    assert "not a Moodle XML export or a QTI document" in result.stderr


def test_problems_point_at_the_draft_lines_not_the_source(tmp_path):
    # An empty GIFT file has no line 7: the validator's lines are the draft's, so
    # "file:line" must name the draft (seen importing an empty file).
    empty = tmp_path / "empty.gift"
    empty.write_text("")
    out = tmp_path / "draft.yaml"
    result = CliRunner().invoke(main, ["module", "import", str(empty), "--out", str(out)])
    assert result.exit_code == 1
    draft_lines = out.read_text().splitlines()
    located = [line for line in result.stderr.splitlines() if "[schema-min-items]" in line]
    assert located, result.stderr
    for line in located:
        where, _, rest = line.partition(": ")
        name, _, number = where.rpartition(":")
        assert name == str(out), line
        key = rest.split(":")[0]  # "skills" / "items"
        assert draft_lines[int(number) - 1].startswith(f"{key}:"), (line, draft_lines)
    printed = CliRunner().invoke(main, ["module", "import", str(empty)])
    assert "draft:" in printed.stderr and "empty.gift:7" not in printed.stderr


def test_export_writes_a_package_that_imports_back(tmp_path):
    out = tmp_path / "fractions.zip"
    result = CliRunner().invoke(main, ["module", "export", str(sample_path("fractions")),
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "not carried:" in result.stderr
    back = CliRunner().invoke(main, ["module", "import", str(out)])
    assert back.exit_code == 0, back.output
    items = len(load_module(sample_path("fractions")).items)
    assert f"qti-3.0, {items} item(s)" in back.stderr
