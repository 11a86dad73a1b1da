"""The module format's per-skill ``resources:`` section: parsed, validated, sanitised."""

from __future__ import annotations

import yaml

from adaptive.assistant import passages_of
from adaptive.modules import validate_text
from adaptive.modules.loader import module_to_dict, parse_module
from adaptive.samples import load_sample, sample_ids, sample_text


def _with_resources(resources) -> str:
    data = yaml.safe_load(sample_text("fractions"))
    data["skills"][0]["resources"] = resources
    return yaml.safe_dump(data, allow_unicode=True)


def _codes(text: str) -> set[str]:
    return {p.code for p in validate_text(text, "m.yaml")}


def test_every_sample_skill_has_a_resource_and_validates():
    for sid in sample_ids():
        module = load_sample(sid)
        assert all(s.resources for s in module.skills), sid
        assert not [p for p in validate_text(sample_text(sid), f"{sid}.yaml")
                    if p.severity == "error"]


def test_resources_round_trip_and_become_passages():
    text = _with_resources([{"kind": "video", "title": "Equal parts", "url": "https://v.test/1"},
                            {"kind": "reading", "title": "Notes", "url": "/static/notes.pdf",
                             "description": "Read *this*."}])
    module, problems = parse_module(text, "m.yaml")
    assert module is not None, problems
    assert [r.kind for r in module.skills[0].resources] == ["video", "reading"]
    again, _ = parse_module(yaml.safe_dump(module_to_dict(module), allow_unicode=True), "m.yaml")
    assert again.skills[0].resources == module.skills[0].resources
    ids = {p.id: p for p in passages_of(module)}
    assert ids["resource:equivalent:0"].url == "https://v.test/1"
    assert ids["resource:equivalent:1"].text == "Read this."


def test_hostile_resources_are_refused():
    for url in ("javascript:alert(1)", "data:text/html,<script>x</script>", "//evil.test/x",
                "http://plain.test", " jav\tascript:x", "JavaScript:alert(1)"):
        codes = _codes(_with_resources([{"kind": "reading", "title": "x", "url": url}]))
        assert "unsafe-resource-url" in codes, url
    assert "empty-resource" in _codes(_with_resources([{"kind": "example", "title": "x"}]))
    codes = _codes(_with_resources([{"kind": "podcast", "title": "x", "url": "https://a.b"}]))
    assert codes  # the schema refuses an unknown kind
    # A hand-built module with a bad url still never hands it to a page.
    from dataclasses import replace

    from adaptive.modules.format import Resource

    module = load_sample("fractions")
    bad = replace(module.skills[0], resources=(Resource("reading", "x", "javascript:alert(1)",
                                                        "text"),))
    module = replace(module, skills=(bad, *module.skills[1:]), metadata={})
    assert {p.id: p for p in passages_of(module)}["resource:equivalent:0"].url == ""
