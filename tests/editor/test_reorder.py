"""Reordering skills, pages, questions (and answers, choices, hints, goals) by buttons."""

from __future__ import annotations

import lxml.html
import yaml
from sqlalchemy import select

from adaptive.samples import sample_text
from lti_tool.editor import fields
from lti_tool.extensions import db
from lti_tool.models import ModuleDraft

from .test_views import _open_text, _page, _post_form


def _ids(key: str) -> list[str]:
    db.session.expire_all()
    return [e["id"] for e in db.session.scalars(select(ModuleDraft)).one().data[key]]


def test_move_buttons_reorder_the_module_and_the_yaml_view_follows(client, dl):
    token = dl.launch()
    url = _open_text(client, token, sample_text("fractions"))
    skills, pages, items = _ids("skills"), _ids("pages"), _ids("items")
    html = _page(client, url, token)
    doc = lxml.html.fromstring(html)
    # real buttons with names saying what moves; none that would move past an end
    up = doc.get_element_by_id(fields.dom_id("items[1]") + "-up")
    assert up.tag == "button" and up.get("aria-label") == "Move up: question 2"
    assert doc.xpath("//button[@value='move:items[0]:up']") == []
    assert doc.xpath(f"//button[@value='move:items[{len(items) - 1}]:down']") == []

    resp = _post_form(client, url, html, "move:items[1]:up")
    assert resp.status_code == 303
    # the focus stays on the moved question's button (now first: its "down" button)
    assert resp.headers["Location"].endswith("#" + fields.dom_id("items[0]") + "-down")
    assert _ids("items") == [items[1], items[0], *items[2:]]

    html = _page(client, url, token)
    resp = _post_form(client, url, html, "move:skills[0]:down")
    assert resp.headers["Location"].endswith("#" + fields.dom_id("skills[1]") + "-down")
    assert _ids("skills") == [skills[1], skills[0], *skills[2:]]
    html = _page(client, url, token)
    assert _post_form(client, url, html, f"move:pages[{len(pages) - 1}]:up").status_code == 303
    assert _ids("pages") == [*pages[:-2], pages[-1], pages[-2]]

    # the YAML view has the new order
    text = client.get(f"{url}/yaml", query_string={"t": token}).get_data(True)
    source = lxml.html.fromstring(text).get_element_by_id("yaml-source").text_content()
    shown = yaml.safe_load(source)
    assert [i["id"] for i in shown["items"]] == [items[1], items[0], *items[2:]]
    assert [s["id"] for s in shown["skills"]][:2] == [skills[1], skills[0]]


def test_move_entry_swaps_neighbours_and_refuses_the_rest():
    data = {"items": [{"id": "a", "hints": ["h1", "h2"],
                       "answer_groups": [{"feedback": "1"}, {"feedback": "2"}]},
                      {"id": "b"}], "title": "T"}
    moved, at = fields.move_entry(data, "items[0].answer_groups[1]", "up")
    assert [g["feedback"] for g in moved["items"][0]["answer_groups"]] == ["2", "1"]
    assert at == "items[0].answer_groups[0]" and data["items"][0]["answer_groups"][0] == \
        {"feedback": "1"}  # the input is not changed
    moved, at = fields.move_entry(data, "items[0].hints[0]", "down")
    assert moved["items"][0]["hints"] == ["h2", "h1"] and at == "items[0].hints[1]"
    for path, direction in [("items[0]", "up"), ("items[1]", "down"), ("items[5]", "up"),
                            ("items[0]", "sideways"), ("title", "up")]:
        same, at = fields.move_entry(data, path, direction)
        assert same == data and at == path
    assert fields.move_button(data, "items[0]", "up") == "f-items_0-down"
    assert fields.move_button(data, "items[1]", "down") == "f-items_1-up"
    assert fields.move_button(data, "items[1]", "up") == "f-items_1-up"
