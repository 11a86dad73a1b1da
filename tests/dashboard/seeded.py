"""A seeded class with known answers, played through the real runner.

Each learner launches from the test LMS and answers every step over HTTP, like a
browser; what they answer follows a fixed rule, so what the dashboard must say about
them is known in advance:

- ``ace`` knows everything: every diagnostic right, every skill "already known";
- ``blank`` knows nothing: always picks a wrong answer group, so stuck on the first skill
  and never reaches the others;
- ``guesser`` answers at random (seeded);
- ``staller`` knows everything but "simplifying", which they always get wrong;
- ``skipper`` knows "equivalent" and "comparing" (skips them via the diagnostic) and learns
  the rest after two wrong answers per skill.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import select

from adaptive.engine import current_step, item_for_step
from adaptive.modules.format import Item, Module
from lti_tool.extensions import db
from lti_tool.models import Attempt, User
from lti_tool.protocol import claims
from lti_tool.runner.answers import correct_form
from tests.dashboard.conftest import token_of
from tests.runner.conftest import Learner

#: (sub, name, rule) — a rule gets (item, answers so far on its skill, rng) -> correct?
Rule = Callable[[Item, int, random.Random], bool]

RULES: dict[str, Rule] = {
    "ace": lambda item, n, rng: True,
    "blank": lambda item, n, rng: False,
    "guesser": lambda item, n, rng: rng.random() < 0.35,
    "staller": lambda item, n, rng: item.skills[0] != "simplifying",
    "skipper": lambda item, n, rng: item.skills[0] in ("equivalent", "comparing") or n >= 2,
}
NAMES = {"ace": "Ada Ace", "blank": "Ben Blank", "guesser": "Gia Guess",
         "staller": "Sam Stall", "skipper": "Kim Skip"}


def wrong_form(item: Item, rng: random.Random) -> dict[str, list[str]]:
    """A form matched by one of the item's wrong answer groups (or by none)."""
    wrong = [g for g in item.answer_groups if not g.correct and g.match.mode != "regex"]
    if wrong:
        group = wrong[rng.randrange(len(wrong))]
        try:  # the same shape as a correct answer, with the wrong group's rule
            return correct_form(replace(item, answer_groups=(replace(group, correct=True),)))
        except ValueError:
            pass
    return {"answer": ["0"]}


def _shown_item(module: Module, sub: str, item_id: str) -> Item:
    """The item as the page shows it: a variant item with the numbers drawn for this
    learner (answering the author's default numbers could be right or wrong by chance)."""
    db.session.expire_all()
    state = db.session.scalars(select(Attempt.state).join(User, Attempt.user_pk == User.id)
                               .where(User.sub == sub)).one()
    step = current_step(module, state)
    item = item_for_step(module, state, step)
    assert item.id == item_id
    return item


def play(client, lms, module: Module, sub: str, rule: Rule, seed: int,
         context: str = "course-1", link: str = "rl-1", limit: int = 400) -> Learner:
    """Launch ``sub`` into the activity and answer until it finishes."""
    resp = lms.launch(client, sub=sub, name=NAMES.get(sub, sub),
                      **{claims.CUSTOM: {"module": module.id},
                         claims.CONTEXT: {"id": context, "title": f"Maths {context}",
                                          "label": context},
                         claims.RESOURCE_LINK: {"id": link, "title": "Fractions"}})
    learner = Learner(client, token_of(resp)).open()  # a learner's launch answers 200
    rng = random.Random(seed)
    per_skill: dict[str, int] = {}
    for _ in range(limit):
        if learner.kind == "finish":
            return learner
        if learner.kind == "page":
            learner.continue_page()
        elif learner.kind == "feedback":
            learner.next()
        else:
            item = _shown_item(module, sub, learner.item_id)
            n = per_skill.get(item.skills[0], 0)
            per_skill[item.skills[0]] = n + 1
            ok = rule(item, n, rng)
            learner.answer(correct_form(item) if ok else wrong_form(item, rng))
        assert learner.status == 200, learner.html[:1000]
    raise AssertionError(f"{sub} did not finish in {limit} steps")


def seed_class(client, lms, module: Module, **where) -> dict[str, Learner]:
    """The five learners above, each played to the end of the activity."""
    return {sub: play(client, lms, module, sub, rule, seed=k, **where)
            for k, (sub, rule) in enumerate(RULES.items())}
