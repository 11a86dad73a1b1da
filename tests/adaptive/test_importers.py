"""Importers: real third-party QTI output and hand-written GIFT / Moodle XML -> module drafts.

QTI fixtures are made in the test by third-party generators from PyPI:
``text2qti`` (Canvas-style QTI 1.2), ``qti-package-maker`` (Blackboard QTI 2.1
packages and Blackboard pool exports, which are QTI 1.2) and
``citolab-qti-convert`` (QTI 2.1 -> 3.0). GIFT and Moodle XML have no such
generator; their fixtures are written by hand from the formats' documentation
and cover every question type of each format.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from adaptive.importers import ImportError_, import_source
from adaptive.modules.loader import parse_module

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"


def _items(result) -> dict[str, dict]:
    return {i["prompt"]: i for i in result.data["items"]}


def _module(result):
    module, problems = parse_module(result.yaml_text, "draft.yaml")
    assert module is not None, [str(p) for p in problems]
    return module


# ------------------------------------------------------------------ GIFT


def test_gift_every_question_type():
    result = import_source((FIXTURES / "every-type.gift").read_bytes(), "fractions.gift")
    assert result.source_format == "gift"
    assert result.ok, [str(p) for p in result.problems]
    module = _module(result)
    # One skill per category, titled with its path so a teacher can merge them.
    assert [(s.id, s.title) for s in module.skills] == [
        ("fractions-equivalent", "Fractions / Equivalent"),
        ("fractions-decimals", "Fractions / Decimals")]
    items = _items(result)
    mc = items["Which fraction equals 1/2?"]
    assert mc["type"] == "single_choice"
    assert [c["text"] for c in mc["choices"]] == ["2/4", "2/3", "3/4"]
    assert [g["correct"] for g in mc["answer_groups"]] == [True, False, False]
    assert mc["answer_groups"][1]["feedback"] == "Adding 1 to both does not keep the value."
    assert mc["solution"].startswith("1/2 = 2/4")
    tf = items["2/4 is equal to 1/2."]
    assert tf["answer_groups"][0] == {"match": {"choice": "true"}, "correct": True,
                                      "feedback": "Right."}
    ma = items["Select every fraction equal to 1/2."]
    assert ma["type"] == "multiple_choice"
    assert ma["answer_groups"][0]["match"] == {"choices": ["a", "b"]}
    assert items["What is 1/4 as a decimal?"]["answer_groups"][0]["match"] == {
        "value": 0.25, "tolerance": 0.001}
    assert items["Give a number between 0.4 and 0.6."]["answer_groups"][0]["match"] == {
        "low": 0.4, "high": 0.6}
    missing = items["One half is the same as _____ of a cake."]
    assert [g["correct"] for g in missing["answer_groups"]] == [False, True, False]
    short = items["Write one half in digits, like a/b."]
    assert short["type"] == "short_text"
    assert [g["match"]["text"] for g in short["answer_groups"]] == ["1/2", "2/4"]
    escaped = items["Which symbol is written = in GIFT: equals or tilde?"]
    assert [c["text"] for c in escaped["choices"]] == ["equals", "tilde ~"]
    assert items["Which is **larger**?"]["type"] == "single_choice"
    # The description became the lesson of its category.
    assert module.pages[0].title == "Fractions intro"
    assert module.skill("fractions-equivalent").lesson == module.pages[0].id
    unmapped = [str(u) for u in result.unmapped]
    assert any("'Essay'" in u and "essay" in u for u in unmapped)
    assert any("'Match'" in u and "matching" in u for u in unmapped)
    assert any("'HTML prompt'" in u and "image" in u for u in unmapped)
    assert any("line 29" in u and "partial credit" in u for u in unmapped)


def test_gift_without_categories_gets_one_skill_named_after_the_file():
    result = import_source(b"::Q1:: 1+1? {=2 ~3}\n\n::Q2:: 2+2? {#4}\n", "week-3 quiz.gift")
    assert result.ok
    assert [s["title"] for s in result.data["skills"]] == ["week 3 quiz"]
    assert len(result.data["items"]) == 2


# ------------------------------------------------------------------ Moodle XML


def test_moodle_xml_every_question_type():
    result = import_source((FIXTURES / "every-type.moodle.xml").read_bytes(), "fractions.xml")
    assert result.source_format == "moodle-xml"
    assert result.ok, [str(p) for p in result.problems]
    module = _module(result)
    items = _items(result)
    mc = items["Which fraction equals 1/2?"]
    assert mc["id"] == "eq-half"  # Moodle's idnumber is kept
    assert mc["hints"] == ["What do you multiply 1 by to get 2?", "Do the same to the bottom."]
    assert mc["solution"] == "1/2 = 2/4: both numbers doubled."
    assert mc["default_feedback"] == "Your answer is incorrect."
    # A tag naming another category becomes a secondary skill; other tags are listed.
    assert mc["skills"] == ["fractions-equivalent", "fractions-decimals"]
    assert any("week-1" in str(u) for u in result.unmapped)
    ma = items["Select every fraction equal to 1/2."]
    assert ma["type"] == "multiple_choice" and ma["answer_groups"][0]["match"] == {
        "choices": ["a", "b"]}
    assert ma["shuffle"] is False
    assert items["2/4 is equal to 1/2."]["answer_groups"][0]["match"] == {"choice": "true"}
    short = items["Write one half in digits, like a/b."]
    assert [g["match"] for g in short["answer_groups"]] == [
        {"text": "1/2", "mode": "normalised"}, {"mode": "regex", "pattern": ".*half.*"}]
    assert short["default_feedback"] == "Any other answer."
    assert items["What is 1/4 as a decimal?"]["answer_groups"][0]["match"] == {
        "value": 0.25, "tolerance": 0.001}
    order = items["Put these in order, smallest first."]
    assert order["type"] == "ordering"
    assert order["answer_groups"][0]["match"]["order"] == ["a", "b", "c"]
    assert module.pages[0].body == "Multiply top and bottom by the *same* number."
    skipped = {u.location.split("(")[-1].rstrip(")") for u in result.unmapped
               if "no such item type" in u.what}
    assert skipped == {"essay", "matching", "multianswer", "ddwtos", "gapselect",
                       "ddimageortext", "ddmarker", "calculated", "calculatedsimple",
                       "calculatedmulti", "randomsamatch"}
    assert any("units" in u.what for u in result.unmapped)
    # The draft grades like the source: the right answers are accepted.
    from adaptive.grading import evaluate_answer

    assert evaluate_answer(module.item("eq-half"), "a").correct
    assert evaluate_answer(module.item(short["id"]), "one HALF please").correct


# ------------------------------------------------------------------ QTI 1.2 (Canvas, Blackboard)


@pytest.fixture(scope="module")
def text2qti_zip() -> bytes:
    """text2qti's Canvas-style QTI 1.2 zip of the committed plain-text quiz."""
    from text2qti.config import Config
    from text2qti.qti import QTI
    from text2qti.quiz import Quiz

    source = (FIXTURES / "text2qti-quiz.md").read_text(encoding="utf-8")
    quiz = Quiz(source, config=Config(), source_name="text2qti-quiz.md")
    return QTI(quiz).zip_bytes()


def test_text2qti_canvas_qti12(text2qti_zip):
    result = import_source(text2qti_zip, "quiz.zip")
    assert result.source_format == "qti-1.2"
    assert result.ok, [str(p) for p in result.problems]
    assert result.data["title"] == "Fractions check"
    module = _module(result)
    items = _items(result)
    mc = items["Which fraction equals 1/2?"]
    assert [c["text"] for c in mc["choices"]] == ["2/4", "2/3", "3/4"]
    assert [g["correct"] for g in mc["answer_groups"]] == [True, False, False]
    assert mc["answer_groups"][0]["feedback"] == "Yes, top and bottom were doubled."
    assert mc["solution"] == "1/2 = 2/4: both numbers were doubled."
    assert mc["default_feedback"] == "Compare the sizes of the pieces."
    ma = items["Which of these are equal to 1/2?"]
    assert ma["answer_groups"][0]["match"] == {"choices": ["a", "c"]}
    assert items["What is 1/4 as a decimal?"]["answer_groups"][0]["match"] == {
        "low": 0.24, "high": 0.26}
    assert items["What is 3/4 as a decimal?"]["answer_groups"][0]["match"] == {
        "low": 0.74, "high": 0.76}
    assert [g["match"]["text"] for g in items["Write one half as a fraction."]
            ["answer_groups"]] == ["1/2", "one half"]
    # The question group is its own skill; the text region is a lesson page.
    assert {s.title for s in module.skills} == {"Fractions check", "Group"}
    assert module.pages[0].body.startswith("Two fractions are equal")
    whats = [u.what for u in result.unmapped]
    assert any("essay" in w for w in whats) and any("file upload" in w for w in whats)
    assert any("picks 2" in w for w in whats)


def _qti_package_maker(engine: str, tmp_path: Path, types: tuple[str, ...]) -> bytes:
    from qti_package_maker.package_interface import QTIPackageInterface

    maker = QTIPackageInterface("Arithmetic pool", verbose=False, allow_mixed=True)
    samples = {
        "MC": ("What is 2+2?", ["3", "4", "5"], "4"),
        "MA": ("Which are prime?", ["2", "3", "4", "9"], ["2", "3"]),
        "NUM": ("What is 1/4 as a decimal?", 0.25, 0.01, True),
        "FIB": ("Capital of France?", ["Paris"]),
        "ORDER": ("Order from small to large", ["1", "2", "3"]),
        "MATCH": ("Match the sounds", ["dog", "cat"], ["bark", "meow"]),
    }
    for kind in types:
        maker.add_item(kind, samples[kind])
    out = maker.save_package(engine, str(tmp_path / f"{engine}.zip"))
    return Path(out).read_bytes()


def _assert_arithmetic(result, *, ordering: bool) -> None:
    assert result.ok, [str(p) for p in result.problems]
    items = _items(result)
    mc = items["What is 2+2?"]
    assert [c["text"] for c in mc["choices"]] == ["3", "4", "5"]
    assert [g["correct"] for g in mc["answer_groups"]] == [False, True, False]
    primes = items["Which are prime?"]
    chosen = primes["answer_groups"][0]["match"]["choices"]
    texts = {c["id"]: c["text"] for c in primes["choices"]}
    assert sorted(texts[c] for c in chosen) == ["2", "3"]
    num = items["What is 1/4 as a decimal?"]["answer_groups"][0]["match"]
    assert num in ({"value": 0.25, "tolerance": 0.01}, {"low": 0.24, "high": 0.26})
    assert items["Capital of France?"]["answer_groups"][0]["match"]["text"] == "Paris"
    if ordering:
        order = items["Order from small to large"]
        ids = {c["id"]: c["text"] for c in order["choices"]}
        assert [ids[c] for c in order["answer_groups"][0]["match"]["order"]] == ["1", "2", "3"]
    assert any("matching" in u.what for u in result.unmapped)


def test_blackboard_pool_export_qti12(tmp_path):
    data = _qti_package_maker("blackboard_export_zip", tmp_path,
                              ("MC", "MA", "NUM", "FIB", "MATCH"))
    result = import_source(data, "pool.zip")
    assert result.source_format == "qti-1.2"
    assert result.data["title"] == "Arithmetic pool"
    _assert_arithmetic(result, ordering=False)


def test_qti21_package(tmp_path):
    data = _qti_package_maker("blackboard_qti_v2_1", tmp_path,
                              ("MC", "MA", "NUM", "FIB", "ORDER", "MATCH"))
    result = import_source(data, "qti21.zip")
    assert result.source_format == "qti-2.1"
    _assert_arithmetic(result, ordering=True)


def test_qti30_package_converted_by_citolab(tmp_path):
    from qti_convert import upgrade_package

    qti21 = tmp_path / "qti21.zip"
    qti21.write_bytes(_qti_package_maker("blackboard_qti_v2_1", tmp_path,
                                         ("MC", "MA", "NUM", "FIB", "ORDER", "MATCH")))
    upgrade_package(str(qti21), str(tmp_path / "qti30.zip"))
    data = (tmp_path / "qti30.zip").read_bytes()
    assert b"qti-assessment-item" in zipfile.ZipFile(io.BytesIO(data)).read(
        "qti21_items/item_00001.xml")
    result = import_source(data, "qti30.zip")
    assert result.source_format == "qti-3.0"
    _assert_arithmetic(result, ordering=True)


# ------------------------------------------------------------------ hostile and odd input


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_xml_entity_bomb_is_refused():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><quiz>&b;</quiz>')
    with pytest.raises(ImportError_, match="not readable XML"):
        import_source(bomb, "bomb.xml")


def test_zip_without_manifest_and_unknown_formats_are_clear_errors():
    with pytest.raises(ImportError_, match="imsmanifest.xml"):
        import_source(_zip({"item.xml": b"<assessmentItem/>"}), "x.zip")
    with pytest.raises(ImportError_, match="root element <html>"):
        import_source(b"<html><body>hi</body></html>", "page.xml")
    with pytest.raises(ImportError_, match="neither a zip"):
        import_source(b"\xff\xfe\x00binary", "x.bin")


def test_manifest_paths_outside_the_archive_are_not_followed():
    manifest = (b'<manifest><resources><resource identifier="r" type="imsqti_xmlv1p2" '
                b'href="../../etc/passwd.xml"/></resources></manifest>')
    with pytest.raises(ImportError_, match="no QTI questions"):
        import_source(_zip({"imsmanifest.xml": manifest}), "evil.zip")


def test_draft_with_validator_errors_is_reported_not_raised():
    # A GIFT question none of whose answers is right: the draft is still returned, and
    # the validator's problem says what to fix before it can be saved.
    result = import_source(b"::Q:: Pick {~a ~b}\n", "broken.gift")
    assert not result.ok
    assert any(p.code == "no-correct-group" for p in result.problems)


def test_importers_stay_pure():
    code = ("import sys, adaptive.importers, adaptive.importers.package\n"
            "bad = [m for m in ('flask', 'sqlalchemy', 'requests', 'lti_tool') "
            "if m in sys.modules]\nprint(bad)\nsys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_anchor_without_a_link_is_its_text():
    """LMS question HTML often carries <a name=...> anchors or an <a> with its href
    stripped: they read as their text, not as "[text]" with brackets in sight."""
    from adaptive.importers.html import html_to_markdown

    markdown, _ = html_to_markdown('<p>See <a name="q1">this</a> and '
                                   '<a href="https://example.org">that</a>.</p>')
    assert markdown == "See this and [that](https://example.org)."
