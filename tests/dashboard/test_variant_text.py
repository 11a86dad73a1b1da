"""The learner drill-down shows a variant item with the numbers that learner saw.

A learner plays the fractions module through the real runner (seeded.py); the variant
items' answer events keep the values drawn for each showing, and the drill-down and the
learner CSV re-create the question from them. The check does not trust the dashboard's
own recreation: the learner answers the variant items RIGHT (so the recorded answer is the
right answer to the question actually shown), and the test reads the numbers back out of
the drill-down's question and checks the answer fits them.
"""

from __future__ import annotations

import csv
import io
import re
from fractions import Fraction

import pytest
from sqlalchemy import select

from adaptive.modules.variants import shown_values
from adaptive.samples import load_sample
from lti_tool.dashboard.services import NOT_RECORDED, _answer_text, seen_label
from lti_tool.extensions import db
from lti_tool.models import AnswerEvent
from lti_tool.modules.library import get_module
from tests.dashboard.conftest import launch
from tests.dashboard.seeded import play
from tests.dashboard.test_seeded_class import text_of

#: eq-v1 reads "Fill in the missing numerator. a/b = ?/d" (plain text of the label)
NUMERATOR = re.compile(r"missing numerator\. (\d+)/(\d+) = \?/(\d+)")


def variant_rule(item, n, rng) -> bool:
    """Wrong on everything but the variant items late in practice: stuck at the practice
    cap on the first skill, so the variant items come back with new numbers."""
    return item.variants is not None and n >= 10


@pytest.fixture
def played(client, lms):
    token = launch(client, lms)
    play(client, lms, get_module("fractions"), "varier", variant_rule, seed=3)
    return token


def _drill_down(client, token) -> str:
    resp = client.get("/dashboard/learner", query_string={"t": token, "id": "varier"})
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _csv(client, token) -> list[dict]:
    text = client.get("/dashboard/export/learner.csv",
                      query_string={"t": token, "id": "varier"}).get_data(as_text=True)
    return [r for r in csv.DictReader(io.StringIO(text)) if r["kind"] == "answer"]


def _path_items(page: str) -> list[str]:
    return [text_of(li) for li in re.findall(r"<li>(.*?)</li>",
                                             page.split('<ol class="bw-path">')[1], re.S)]


def test_each_showing_reads_with_its_own_numbers(client, played):
    token = played
    eq_v1 = [r for r in _csv(client, token) if r["item_or_page_id"] == "eq-v1"]
    assert len(eq_v1) >= 2, "the learner should meet eq-v1 more than once"
    questions = [r["item_or_page"] for r in eq_v1]
    assert len(set(questions)) == len(questions), questions  # not the same question twice
    right = [r for r in eq_v1 if r["correct"] == "yes"]
    assert right and right != eq_v1[:1]  # a later showing answered right
    for row in right:
        a, b, d = map(int, NUMERATOR.search(row["item_or_page"]).groups())
        # the recorded (right) answer solves the question as the dashboard prints it
        assert Fraction(int(row["answer"]), d) == Fraction(a, b), row
    assert [r["question_note"] for r in eq_v1] == [""] * len(eq_v1)
    # the page shows the same questions as the CSV, in the path's order
    page_lines = [li for li in _path_items(_drill_down(client, token)) if "(eq-v1)" in li]
    assert [q in li for q, li in zip(questions, page_lines, strict=True)] == [True] * len(
        questions)
    assert "the authored numbers" not in _drill_down(client, token)


def test_answers_recorded_before_the_numbers_were_kept_say_so(client, played):
    token = played
    events = db.session.scalars(select(AnswerEvent).where(AnswerEvent.item_id == "eq-v1")
                                .order_by(AnswerEvent.seq)).all()
    assert all(e.variant and set(e.variant) == {"showing", "values"} for e in events)
    assert [e.variant["showing"] for e in events] == list(range(len(events)))
    old, changed = events[-1], events[0]
    old.variant = None  # a row from before migration af1d95269673
    changed.variant = {"showing": 1, "values": {"zz": 1}}  # numbers the item no longer has
    db.session.commit()
    rows = {int(r["seq"]): r for r in _csv(client, token)}
    authored = get_module("fractions").item("eq-v1")
    assert NUMERATOR.search(rows[old.seq]["item_or_page"]).groups() == ("2", "5", "15")
    assert authored.prompt.startswith("Fill in the missing numerator")
    assert "recorded before" in rows[old.seq]["question_note"]
    assert "changed since" in rows[changed.seq]["question_note"]
    assert [r for s, r in rows.items() if r["question_note"] and s not in (old.seq,
                                                                          changed.seq)] == []
    lines = [li for li in _path_items(_drill_down(client, token)) if "(eq-v1)" in li]
    assert "changed since this answer" in lines[0]
    assert "recorded before the numbers each learner sees were kept" in lines[-1]
    assert not any("the authored numbers" in li for li in lines[1:-1])


def test_a_chosen_answer_reads_with_the_choices_the_learner_saw():
    """A single-choice variant (co-v1: "Which fraction is larger: a/b or c/d?"): the chosen
    choice is named by its text with this learner's numbers, also when the same choice id
    was picked under other numbers (the page memo keys on the variant)."""
    module = load_sample("fractions")
    item = module.item("co-v1")
    seen: dict = {}
    texts = set()
    for k in (1, 2, 3):
        values = shown_values(item, 42, k)
        variant = {"showing": k, "values": values}
        text = _answer_text(module, "co-v1", {"answer": "a"}, seen, variant)
        assert text == f"{values['a']}/{values['b']}", (text, values)
        label, note = seen_label(module, "co-v1", variant)
        assert f"{values['a']}/{values['b']} or {values['c']}/{values['d']}" in label
        assert note == ""
        texts.add(text)
    assert len(texts) == 3
    authored = _answer_text(module, "co-v1", {"answer": "a"}, seen, None)
    assert authored == "3/4" and seen_label(module, "co-v1", None)[1] == NOT_RECORDED
