"""A simulated class whose module may have planted flaws, logged like the tool logs a class.

``simulate_class`` runs learners through the real engine and returns the same records the
dashboard reads from the database (``AnswerRecord``, ``PageRecord``, ``SkillState``), so the
analytics can be scored against flaws whose truth is known:

- an item whose key is wrong (learners who know the skill pick another choice);
- an item that does not discriminate (right with the same probability whatever one knows);
- a prerequisite the module lacks (a skill cannot be known or learnt before another);
- a prerequisite the module has but the skill does not need (the truth has no such edge);
- a lesson that does not teach.

The hidden truth lives in :class:`ClassTruth`, never in the module the engine sees.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from adaptive.analytics.events import AnswerRecord, PageRecord, SkillState
from adaptive.engine import (
    ActivitySettings,
    AskItem,
    Finish,
    ItemAnswer,
    PageSeen,
    ShowPage,
    next_step,
    skill_progress,
    start,
)
from adaptive.modules.format import AnswerGroup, Match, Module
from adaptive.simulation.learners import POPULATIONS
from adaptive.simulation.synthetic import synthetic_module


@dataclass(frozen=True)
class ItemBehaviour:
    """How learners really answer one single-choice item."""

    guess: float = 0.2
    slip: float = 0.1
    knower_choice: str | None = None  # the choice a learner who knows picks (None: the key)
    flat: float | None = None  # P(right) whatever the learner knows (a non-discriminating item)


@dataclass(frozen=True)
class ClassTruth:
    """The hidden truth behind a simulated class."""

    items: Mapping[str, ItemBehaviour] = field(default_factory=dict)
    prerequisites: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # real ones
    page_learn: Mapping[str, float] = field(default_factory=dict)  # page id -> P(teaches)
    default_page_learn: float = 0.3


@dataclass
class ClassLog:
    """What the tool would have logged for the class."""

    answers: list[AnswerRecord]
    pages: list[PageRecord]
    states: list[SkillState]
    learners: list[str]
    engine_states: dict[str, dict[str, Any]] = field(default_factory=dict)  # learner -> final state
    #: (learner, seq) -> whether the learner really knew the skill when answering: the hidden
    #: truth, for oracle bounds in bench/planted_flaws.py (never shown to the analysis).
    known_at: dict[tuple[str, int], bool] = field(default_factory=dict)
    #: learner -> (P(knows a skill) up front, P(learns it per answer)): the hidden truth, for
    #: the benchmark's Neyman-Pearson bound (never shown to the analysis).
    learner_rates: dict[str, tuple[float, float]] = field(default_factory=dict)


def _order(prerequisites: Mapping[str, Sequence[str]], skills: Sequence[str]) -> list[str]:
    """Skills with every real prerequisite before its dependants (stable otherwise)."""
    done: list[str] = []
    pending = list(skills)
    while pending:
        for sid in pending:
            if all(p in done or p not in skills for p in prerequisites.get(sid, ())):
                done.append(sid)
                pending.remove(sid)
                break
        else:  # a cycle in the truth: keep the given order
            done += pending
            break
    return done


def _key(module: Module, item_id: str) -> str:
    item = module.item(item_id)
    key = next(g.match.choice for g in item.answer_groups if g.correct)
    assert key is not None, "a synthetic choice item keys its correct group to a choice"
    return key


def simulate_class(module: Module, truth: ClassTruth, n: int, rng: np.random.Generator,
                   *, settings: ActivitySettings | None = None) -> ClassLog:
    """``n`` learners (experts, intermediates and novices as in sim-branch-v1) through
    ``module``; returns their answers, pages and final per-skill states."""
    settings = settings or ActivitySettings.from_module(module)
    skill_ids = [s.id for s in module.skills]
    order = _order(truth.prerequisites, skill_ids)
    names = list(POPULATIONS)
    shares = np.array([POPULATIONS[p][0] for p in names])
    answers: list[AnswerRecord] = []
    pages: list[PageRecord] = []
    states: list[SkillState] = []
    learners: list[str] = []
    engine_states: dict[str, dict[str, Any]] = {}
    known_at: dict[tuple[str, int], bool] = {}
    learner_rates: dict[str, tuple[float, float]] = {}
    for k in range(n):
        who = f"L{k:03d}"
        learners.append(who)
        pop = names[int(rng.choice(len(names), p=shares / shares.sum()))]
        learn_rate = float(rng.beta(2, 6))
        learner_rates[who] = (POPULATIONS[pop][1], learn_rate)
        known: dict[str, bool] = {}
        for sid in order:  # nobody knows a skill whose real prerequisite they do not know
            known[sid] = bool(rng.random() < POPULATIONS[pop][1]) and all(
                known.get(p, True) for p in truth.prerequisites.get(sid, ()))

        def can_learn(sid: str, known: dict[str, bool] = known) -> bool:
            return all(known.get(p, True) for p in truth.prerequisites.get(sid, ()))

        result = start(module, settings, seed=k)
        state, step = result.state, result.step
        seq = 0
        while not isinstance(step, Finish):
            seq += 1
            if seq > 2000:
                raise RuntimeError("the engine did not finish")
            if isinstance(step, ShowPage):
                page = module.page(step.page_id)
                pages.append(PageRecord(who, page.id, seq, step.reason, 30.0))
                p_teach = truth.page_learn.get(page.id, truth.default_page_learn)
                if page.skill and not known.get(page.skill) and can_learn(page.skill) \
                        and rng.random() < p_teach:
                    known[page.skill] = True
                result = next_step(module, state, PageSeen(step.page_id))
            else:
                assert isinstance(step, AskItem)
                item = module.item(step.item_id)
                sid = item.skills[0]
                b = truth.items.get(item.id, ItemBehaviour())
                known_at[(who, seq)] = bool(known.get(sid))
                key = _key(module, item.id)
                others = [c.id for c in item.choices if c.id != key]
                if b.flat is not None:
                    right = rng.random() < b.flat
                    choice = key if right else others[int(rng.integers(len(others)))]
                elif known.get(sid):
                    if rng.random() < 1 - b.slip:
                        choice = b.knower_choice or key
                    else:
                        wrong = [c.id for c in item.choices if c.id != (b.knower_choice or key)]
                        choice = wrong[int(rng.integers(len(wrong)))]
                elif rng.random() < b.guess:
                    choice = key
                else:
                    choice = others[int(rng.integers(len(others)))]
                result = next_step(module, state, ItemAnswer(item.id, choice))
                ev = result.evaluation
                assert ev is not None, "an answer to an item is always evaluated"
                answers.append(AnswerRecord(
                    learner=who, item_id=item.id, skill_ids=tuple(item.skills),
                    correct=bool(ev.correct), seq=seq, phase=step.phase, answer_text=choice,
                    group_index=ev.group_index, misconception=ev.misconception,
                    seconds=20.0, mastery_after=dict(result.mastery_after or {})))
                if not known.get(sid) and can_learn(sid) and rng.random() < learn_rate:
                    known[sid] = True
            state, step = result.state, result.step
        states += [SkillState(who, p.skill_id, p.status, p.p_mastery, p.attempts, p.correct)
                   for p in skill_progress(module, state)]
        engine_states[who] = state
    return ClassLog(answers, pages, states, learners, engine_states, known_at, learner_rates)


#: (kind, target) of every planted flaw.
PLANTED = (
    ("mis_keyed", "s1-i20"),  # knowers pick "c", the key says "a"
    ("non_discriminating", "s6-i20"),  # right half the time whatever one knows
    ("add_prerequisite", "s4>s2"),  # s2 really needs s4, the module lacks the edge
    ("remove_prerequisite", "s3>s5"),  # the module says s5 needs s3; it does not
    ("useless_lesson", "s3-lesson"),  # teaches nobody
)


def planted_flaw_module(seed: int = 0) -> tuple[Module, ClassTruth]:
    """The synthetic module with the flaws above, and the truth the learners follow."""
    module, guess_slip = synthetic_module(np.random.default_rng(seed), skills=6,
                                          items_per_skill=20, module_id="planted")
    skills = tuple(replace(s, prerequisites=("s3",)) if s.id == "s5" else s
                   for s in module.skills)
    items = []
    for item in module.items:
        if item.id == "s1-i20":  # a wrong group for "c" as well, so the log shows the choice
            item = replace(item, answer_groups=item.answer_groups + (
                AnswerGroup(Match(choice="c"), correct=False),))
        items.append(item)
    module = replace(module, skills=skills, items=tuple(items))
    behaviour = {iid: ItemBehaviour(guess=g, slip=s) for iid, (g, s) in guess_slip.items()}
    behaviour["s1-i20"] = replace(behaviour["s1-i20"], knower_choice="c")
    behaviour["s6-i20"] = replace(behaviour["s6-i20"], flat=0.5)
    truth = ClassTruth(items=behaviour, prerequisites={"s2": ("s4",)},
                       page_learn={"s3-lesson": 0.0})
    return module, truth
