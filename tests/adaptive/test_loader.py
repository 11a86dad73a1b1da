"""Loading modules from YAML/JSON, line numbers, round trip through module_to_dict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from adaptive.grading import evaluate_answer
from adaptive.modules import (
    Destination,
    ItemType,
    ModuleError,
    load_module,
    module_to_dict,
    parse_module,
)
from adaptive.modules.loader import read_document

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "modules"
GOOD_YAML = FIXTURES / "good.yaml"
GOOD_JSON = FIXTURES / "good.json"


@pytest.fixture(scope="module")
def good():
    return load_module(GOOD_YAML)


def test_good_yaml_loads_every_field(good) -> None:
    assert good.id == "fractions-mini"
    assert good.estimated_minutes == 10
    assert good.settings.mastery_threshold == 0.9
    assert good.settings.practice_cap == 8
    assert [s.id for s in good.skills] == ["equivalent", "adding"]
    assert good.skill("adding").prerequisites == ("equivalent",)
    assert good.skill("equivalent").lesson == "equivalent-intro"
    assert good.page("equivalent-remedial").kind == "remediation"
    assert good.page("adding-intro").kind == "lesson"  # the default
    assert good.page("equivalent-intro").body.startswith("Multiplying top")
    assert [i.type for i in good.items] == [
        ItemType.SINGLE_CHOICE,
        ItemType.MULTIPLE_CHOICE,
        ItemType.ORDERING,
        ItemType.NUMERIC,
        ItemType.SHORT_TEXT,
    ]
    eq1 = good.item("eq-1")
    assert eq1.diagnostic and eq1.difficulty == -0.5
    assert eq1.answer_groups[1].destination == Destination("page", "equivalent-remedial")
    assert eq1.answer_groups[1].misconception == "add-same-number"
    assert good.item("eq-2").default_destination == Destination("item", "eq-1")
    assert good.item("eq-3").shuffle is False
    assert good.item("add-1").primary_skill == "adding"


def test_yaml_12_scalars(good) -> None:
    # YAML 1.1 would read "no" as False and "1e-3" as a string.
    assert good.item("eq-1").choices[2].id == "no"
    assert good.item("add-1").answer_groups[0].match.tolerance == 0.001


def test_skill_bkt_is_merged_over_settings(good) -> None:
    bkt = good.bkt_for("equivalent")
    assert bkt.prior == 0.4
    assert bkt.learn == good.settings.bkt.learn == 0.2
    assert good.bkt_for("adding") == good.settings.bkt


def test_json_twin_gives_the_same_module(good) -> None:
    module, problems = parse_module(GOOD_JSON.read_text(encoding="utf-8"), str(GOOD_JSON))
    assert problems == []
    assert module == good


def test_json_problems_have_json_line_numbers() -> None:
    data = json.loads(GOOD_JSON.read_text(encoding="utf-8"))
    data["items"][3]["answer_groups"][0]["match"]["tolerance"] = -1
    text = json.dumps(data, indent=2)
    module, problems = parse_module(text, "x.json")
    assert module is None
    [problem] = problems
    assert problem.path == "items[3].answer_groups[0].match.tolerance"
    expected = next(n for n, line in enumerate(text.splitlines(), 1) if '"tolerance": -1' in line)
    assert problem.line == expected


def test_loaded_module_grades_answers(good) -> None:
    assert evaluate_answer(good.item("add-1"), "3/4").correct
    assert evaluate_answer(good.item("add-2"), "2/8").misconception == "add-across"
    assert evaluate_answer(good.item("add-2"), "One half").correct
    assert evaluate_answer(good.item("eq-3"), ["quarter", "third", "half"]).correct


@pytest.mark.parametrize("dump", [yaml.safe_dump, json.dumps], ids=["yaml", "json"])
def test_round_trip_module_to_dict(good, dump) -> None:
    data = module_to_dict(good)
    again, problems = parse_module(dump(data), "round-trip")
    assert problems == []
    assert again == good
    assert module_to_dict(again) == data


def test_module_to_dict_skips_cache_metadata(good) -> None:
    good.skill("adding")  # fills the lookup cache in metadata
    data = module_to_dict(good)
    assert "metadata" not in data
    json.dumps(data)


def test_yaml_syntax_error_reports_its_line() -> None:
    text = GOOD_YAML.read_text(encoding="utf-8").replace(
        "    title: Adding fractions\n    prerequisites",
        "    title: [Adding fractions\n    prerequisites",
    )
    module, problems = parse_module(text, "bad.yaml")
    assert module is None
    [problem] = problems
    assert problem.code == "yaml-syntax"
    assert problem.file == "bad.yaml"
    wrong_line = next(n for n, line in enumerate(text.splitlines(), 1) if "[Adding" in line)
    assert problem.line is not None and wrong_line <= problem.line <= wrong_line + 2
    assert str(problem).startswith(f"bad.yaml:{problem.line}: ")


def test_tab_indentation_is_a_syntax_error_with_line() -> None:
    module, problems = parse_module("schema_version: 1\nid: x\n\ttitle: y\n", "t.yaml")
    assert module is None
    assert problems[0].code == "yaml-syntax" and problems[0].line == 3


def test_json_syntax_error_reports_its_line() -> None:
    text = '{\n  "schema_version": 1,\n  "id": "x",\n  "title": "y",,\n}'
    module, problems = parse_module(text, "bad.json")
    assert module is None
    assert [(p.code, p.line) for p in problems] == [("json-syntax", 4)]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty-document"),
        ("- a\n- b\n", "not-a-mapping"),
        ("a: 1\n---\nb: 2\n", "yaml-syntax"),
        ("x: &a [*a]\n", "recursive-alias"),
    ],
)
def test_unusable_documents(text: str, code: str) -> None:
    module, problems = parse_module(text)
    assert module is None
    assert [p.code for p in problems] == [code]


def test_duplicate_key_is_reported() -> None:
    text = GOOD_YAML.read_text(encoding="utf-8").replace(
        "title: Fractions (mini)\n", "title: Fractions (mini)\ntitle: Again\n"
    )
    module, problems = parse_module(text, "d.yaml")
    assert module is None
    [problem] = problems
    assert problem.code == "duplicate-key" and problem.path == "title"
    assert problem.line == text.splitlines().index("title: Again") + 1


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 9):
        refs = ", ".join([f"*a{n - 1}"] * 10)
        lines.append(f"a{n}: &a{n} [{refs}]")
    module, problems = parse_module("\n".join(lines) + "\n")
    assert module is None
    assert [p.code for p in problems] == ["document-too-large"]


def test_read_document_maps_paths_to_lines() -> None:
    text = GOOD_YAML.read_text(encoding="utf-8")
    _, lines, problems = read_document(text)
    assert problems == []
    source = text.splitlines()
    assert "pattern: '2 ?/ ?8'" in source[lines["items[4].answer_groups[1].match.pattern"] - 1]
    assert source[lines["items[4]"] - 1].strip() == "- id: add-2"
    assert source[lines["pages[0].body"] - 1].strip() == "body: |"


def test_load_module_raises_with_every_problem(tmp_path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("schema_version: 1\nid: Bad Id\nskills: []\nitems: []\n", encoding="utf-8")
    with pytest.raises(ModuleError) as caught:
        load_module(path)
    codes = {p.code for p in caught.value.problems}
    assert {"schema-required", "schema-pattern", "schema-min-items"} <= codes
    assert str(path) in str(caught.value)


def test_load_module_missing_file_is_a_module_error(tmp_path) -> None:
    with pytest.raises(ModuleError) as caught:
        load_module(tmp_path / "nope.yaml")
    assert caught.value.problems[0].code == "unreadable"
