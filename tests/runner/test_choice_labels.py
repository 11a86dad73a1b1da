"""Over HTTP: a choice item whose explanations cite "(a)".."(e)" shows those ids, in the
author's order; one that cites nothing shows no ids and stays shuffled."""

from __future__ import annotations

import re

from adaptive.modules.choice_refs import cites_choices, keeps_author_order
from lti_tool.modules.library import get_module
from lti_tool.runner.answers import correct_form

from .conftest import Learner, launch_token


def _labels(html: str) -> list[str]:
    form = html.split('class="step-form', 1)[1].split("</form>", 1)[0]
    return re.findall(r'<span class="choice-id">\(([^)]+)\)</span>', form)


def test_cited_choices_are_labelled_in_the_authors_order(client, lms):
    module = get_module("security-awareness")
    learner = Learner(client, launch_token(client, lms, module="security-awareness")).open()
    seen_citing = seen_quiet = 0
    for _ in range(60):
        if learner.kind == "finish" or (seen_citing and seen_quiet):
            break
        if learner.kind == "page":
            learner.continue_page()
            continue
        if learner.kind == "feedback":
            learner.next()
            continue
        item = module.item(learner.item_id)
        if item.choices:
            if keeps_author_order(item):
                assert _labels(learner.html) == [c.id for c in item.choices]
                seen_citing += 1
            elif not cites_choices(item):
                assert _labels(learner.html) == []
                seen_quiet += 1
        learner.answer(correct_form(item))
    assert seen_citing and seen_quiet
