"""The editor's forms ↔ module mapping, without Flask: paths, types, cycles, problems."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from adaptive.modules.loader import module_to_dict, parse_module
from adaptive.samples import sample_text
from lti_tool.editor import fields, graph


def _form(*pairs: tuple[str, str]) -> MultiDict:
    return MultiDict([("t", "token"), ("action", "save"), *pairs])


def test_field_names_are_paths_and_values_get_their_types():
    data = fields.form_to_module(_form(
        ("id", "m"), ("title", "M"), ("estimated_minutes", "12"),
        ("settings.mastery_threshold", "0,9"),
        ("skills[0].id", "a"), ("skills[0].title", "A"),
        ("skills[0].graded", "0"), ("skills[0].graded", "1"),   # ticked
        ("skills[0].target", "0"),                               # not ticked
        ("items[0].id", "q"), ("items[0].type", "numeric"), ("items[0].skills", "a"),
        ("items[0].prompt", "Half of 3?\r\nAs a decimal."), ("items[0].kind", "apply"),
        ("items[0].answer_groups[0].match.value", "1.5"),
        ("items[0].answer_groups[0].match.tolerance", ""),
        ("items[0].answer_groups[0].correct", "0"), ("items[0].answer_groups[0].correct", "1"),
        ("items[0].answer_groups[0].destination", "page:p"),
        ("items[0].answer_groups[0].match.choice", "a"),  # left over from another type
        ("items[0].hints[0]", "Cut 3 in two."), ("items[0].hints[1]", ""),
        ("items[0].default_destination", ""),
        ("_extra", '{"metadata": {"course": "x"}, "skills": "ignored"}'),
    ))
    assert data["settings"] == {"mastery_threshold": 0.9}
    assert data["estimated_minutes"] == 12
    assert data["skills"] == [{"id": "a", "title": "A", "graded": True, "target": False}]
    item = data["items"][0]
    assert item["prompt"] == "Half of 3?\nAs a decimal."
    assert item["answer_groups"] == [{"match": {"value": 1.5}, "correct": True,
                                      "destination": {"page": "p"}}]
    assert item["hints"] == ["Cut 3 in two."] and "default_destination" not in item
    assert data["metadata"] == {"course": "x"}   # kept, though no form edits it
    assert list(data)[:3] == ["schema_version", "id", "title"]


def test_a_number_that_is_not_one_is_reported_at_its_field():
    data = fields.form_to_module(_form(("items[0].difficulty", "hard")))
    assert data["items"][0]["difficulty"] == "hard"
    by_field = fields.assign_problems(fields.check(data), data)
    assert [fields.plain_message(p) for p in by_field["items[0].difficulty"]] == [
        "Enter a number."]


def test_variants_rows_become_the_format_and_back():
    form = _form(("items[0].variants.params[0].name", "a"),
                 ("items[0].variants.params[0].min", "1"),
                 ("items[0].variants.params[0].max", "8"),
                 ("items[0].variants.params[0].default", "2"),
                 ("items[0].variants.params[1].name", "k"),
                 ("items[0].variants.params[1].values", "2, 3, 4"),
                 ("items[0].variants.params[2].name", ""),   # a cleared row is removed
                 ("items[0].variants.derived", "n = a * k\r\nbad line"),
                 ("items[0].variants.where", "a < 5\n\n"))
    variants = fields.form_to_module(form)["items"][0]["variants"]
    assert variants == {"params": {"a": {"min": 1, "max": 8, "default": 2},
                                   "k": {"values": [2, 3, 4]}},
                        "derived": {"n": "a * k"}, "where": ["a < 5"]}
    rows = fields.variant_rows(variants)
    assert rows["params"][1]["values"] == "2, 3, 4" and rows["derived"] == "n = a * k"


def test_a_new_prerequisite_that_closes_a_circle_is_refused_not_an_old_one():
    before = {"skills": [{"id": "a", "title": "A"},
                         {"id": "b", "title": "B", "prerequisites": ["a"]},
                         {"id": "c", "title": "C", "prerequisites": ["b"]}]}
    after = {"skills": [{"id": "a", "title": "A", "prerequisites": ["c"]},   # new: a → c
                        {"id": "b", "title": "B", "prerequisites": ["a"]},
                        {"id": "c", "title": "C", "prerequisites": ["b", "c"]}]}
    data, notes = fields.refuse_cycles(after, before)
    assert [s.get("prerequisites") for s in data["skills"]] == [[], ["a"], ["b"]]
    assert len(notes) == 2 and "“A” cannot build on “C”" in notes[0]
    assert "circle" in notes[0] and "itself" in notes[1]
    assert after["skills"][0]["prerequisites"] == ["c"]  # the input is not changed


def test_problems_land_on_the_field_of_their_path_or_its_nearest_ancestor():
    data = {"items": [{"id": "q", "answer_groups": [{"match": {"pattern": "("}}]}]}
    shown = fields._entry_fields(data)
    assert fields.anchor_for("items[0].answer_groups[0].match.pattern", shown) == \
        "items[0].answer_groups[0].match"  # no pattern field for an untyped item
    data["items"][0]["type"] = "short_text"
    shown = fields._entry_fields(data)
    assert fields.anchor_for("items[0].answer_groups[0].match.pattern", shown) == \
        "items[0].answer_groups[0].match.pattern"
    assert fields.anchor_for("items[0].variants.params.a.min", shown) == "items[0].variants"
    assert fields.anchor_for("nonsense[3]", shown) == ""
    assert fields.dom_id("items[0].hints[1]") == "f-items_0__hints_1"


def test_add_and_remove_entries():
    data = fields.blank_module()
    for kind in fields.ITEM_TYPES:
        data, at = fields.apply_action(data, f"add:items:{kind}")
    assert at == "items[4]" and [i["type"] for i in data["items"]] == list(fields.ITEM_TYPES)
    assert len({i["id"] for i in data["items"]}) == 5
    data, at = fields.apply_action(data, "add:items[0].answer_groups")
    assert at == "items[0].answer_groups[1]"
    assert data["items"][0]["answer_groups"][1] == {"match": {"choice": "a"}, "correct": False,
                                                    "feedback": ""}
    data, _ = fields.apply_action(data, "add:items[0].choices")
    assert [c["id"] for c in data["items"][0]["choices"]] == ["a", "b", "c"]
    data, _ = fields.apply_action(data, "add:items[2].variants.params")
    assert data["items"][2]["variants"] == {"params": {"a": {"min": 1, "max": 9}}}
    data, at = fields.apply_action(data, "remove:items[1]")
    assert at == "items[1]" and len(data["items"]) == 4  # the focus: the one now in its place
    data, _ = fields.apply_action(data, "remove:items[99]")  # gone already: nothing happens
    assert len(data["items"]) == 4


def test_yaml_view_reads_back_to_the_same_module():
    data, problems = fields.yaml_to_module(sample_text("fractions"))
    assert data is not None and problems == []
    again, _ = fields.yaml_to_module(fields.module_yaml(data))
    assert again == data
    assert fields.yaml_to_module("id: [unclosed")[0] is None
    assert fields.yaml_to_module("- a list")[0] is None


def test_graph_puts_prerequisites_left_of_what_builds_on_them():
    data, _ = fields.yaml_to_module(sample_text("fractions"))
    laid = graph.layout(data)
    x = {n.id: n.x for n in laid.nodes}
    for skill in data["skills"]:
        for prereq in skill.get("prerequisites") or []:
            assert x[prereq] < x[skill["id"]]
    assert all(e.x1 < e.x2 for e in laid.edges) and laid.width > 0


def test_sample_modules_read_back_equal_through_the_module_loader():
    """A sanity check of the dict form itself: YAML → dict → YAML loads the same module."""
    for name in ("fractions", "statistics-basics", "security-awareness"):
        data, _ = fields.yaml_to_module(sample_text(name))
        module, problems = parse_module(fields.module_yaml(data))
        original, _ = parse_module(sample_text(name))
        assert module is not None and module_to_dict(module) == module_to_dict(original)


def test_keys_no_form_edits_pass_through_a_form_save():
    """The hook for translations (issue 16): kept as they are, and editable as YAML."""
    data = {"schema_version": 1, "id": "m", "title": "M",
            "translations": {"es": {"title": {"text": "Eme", "source": "abc12345"}}},
            "metadata": {"k": "v"}}
    form = _form(("id", "m"), ("title", "M"), ("_extra", fields.extra_json(data)))
    again = fields.form_to_module(form)
    assert again["translations"] == data["translations"] and again["metadata"] == {"k": "v"}
    assert "translations:" in fields.module_yaml(again)
