"""``branchwise module translations``: list missing/stale strings, write a template, stamp."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner

from lti_tool.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "modules" / "translated"


def _copy(tmp_path: Path) -> Path:
    for name in ("mini.yaml", "mini.es.yaml"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    return tmp_path / "mini.yaml"


def test_lists_missing_and_stale_with_file_and_line(tmp_path):
    module = _copy(tmp_path)
    result = CliRunner().invoke(main, ["module", "translations", str(module), "-l", "es"])
    assert result.exit_code == 1
    assert f"{module}:57: items[2].choices[1].text" in result.output
    assert "[translation-missing]" in result.output
    assert f"{tmp_path / 'mini.es.yaml'}:61: items.h-1.default_feedback" in result.output
    assert "[translation-stale]" in result.output


def test_template_then_fill_then_stamp_makes_it_complete(tmp_path):
    module = _copy(tmp_path)
    sibling = tmp_path / "mini.es.yaml"
    assert CliRunner().invoke(main, ["module", "translations", str(module), "-l", "es",
                                     "--template"]).exit_code == 1  # blanks are still missing
    text = sibling.read_text("utf-8")
    assert "# en: A third" in text  # the original, above the blank to fill
    data = yaml.safe_load(text)
    assert data["items"]["h-3"]["choices"]["b"]["text"] == ""
    # The translator fills the blank in and fixes the stale string as plain strings ...
    data["items"]["h-3"]["choices"]["b"] = "Un tercio"
    data["items"]["h-1"]["default_feedback"] = "Divide 1 entre 2, el número de partes iguales."
    sibling.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    # ... and stamping records the current originals' hashes for them.
    result = CliRunner().invoke(main, ["module", "translations", str(module), "-l", "es",
                                       "--stamp"])
    assert result.exit_code == 0, result.output
    assert "complete and current" in result.output
    stamped = yaml.safe_load(sibling.read_text("utf-8"))
    assert stamped["items"]["h-3"]["choices"]["b"] == {"text": "Un tercio",
                                                       "source": stamped["items"]["h-3"][
                                                           "choices"]["b"]["source"]}
    assert len(stamped["items"]["h-3"]["choices"]["b"]["source"]) == 8


def test_a_third_language_starts_from_a_template(tmp_path):
    module = _copy(tmp_path)
    result = CliRunner().invoke(main, ["module", "translations", str(module), "-l", "fr",
                                       "--template"])
    assert result.exit_code == 1
    data = yaml.safe_load((tmp_path / "mini.fr.yaml").read_text("utf-8"))
    assert data["translation_of"] == "halves" and data["language"] == "fr"
    assert data["title"]["text"] == "" and len(data["title"]["source"]) == 8
