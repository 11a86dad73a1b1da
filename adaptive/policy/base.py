"""Shared types of the engine and its policies: the Policy protocol, skill statuses, the
decision context, the BKT model of a module and the helpers the policies share.

Steps and responses live in ``adaptive.policy.steps``, settings in ``adaptive.policy.settings``
and the module index in ``adaptive.policy.index``; every name is re-exported here.

``adaptive.engine`` re-exports every public name here; the web layer should import them from
``adaptive.engine``. They live in this module so that policies can use them without an import
cycle.

The learner's *state* is a plain JSON-able dict (see docs/engine.md). The engine owns the generic
bookkeeping (sequence number, history, mastery estimates, counters); a policy owns the per-skill
``status`` transitions and chooses the next step.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from adaptive.goals import relevant_skills
from adaptive.mastery.bkt import BKTModel
from adaptive.mastery.chance import item_guess_floors
from adaptive.modules.choice_refs import keeps_author_order
from adaptive.modules.format import BKTParams, Item, Module

# Re-exported: these moved to their own modules, and the policies, the engine and the web layer
# import them from here (``X as X`` marks an explicit re-export for mypy).
from adaptive.policy.index import ModuleIndex as ModuleIndex
from adaptive.policy.settings import ActivitySettings as ActivitySettings
from adaptive.policy.settings import settings_of as settings_of
from adaptive.policy.steps import AskItem as AskItem
from adaptive.policy.steps import Finish as Finish
from adaptive.policy.steps import ItemAnswer as ItemAnswer
from adaptive.policy.steps import PageSeen as PageSeen
from adaptive.policy.steps import Response as Response
from adaptive.policy.steps import ShowPage as ShowPage
from adaptive.policy.steps import Step as Step
from adaptive.policy.steps import step_from_dict as step_from_dict
from adaptive.policy.steps import step_to_dict as step_to_dict

#: Per-skill status values stored in ``state["skills"][id]["status"]``.
NOT_STARTED = "not_started"
DIAGNOSTIC = "diagnostic"
LESSON = "lesson"
PRACTISING = "practising"
MASTERED = "mastered"
KNOWN = "known"
FLAGGED = "flagged"
#: Not reached: a prerequisite is flagged (or blocked) and the skill's own diagnostic, if it
#: had one, did not show it known. ``ss["blocked_by"]`` names the unmet prerequisites. States
#: saved before this status existed have FLAGGED with ``flag_reason`` "prerequisite flagged"
#: instead; ``is_blocked`` reads both.
BLOCKED = "blocked"
DONE_STATUSES = frozenset({MASTERED, KNOWN, FLAGGED, BLOCKED})
PASSED_STATUSES = frozenset({MASTERED, KNOWN})


@dataclass
class Context:
    """What a policy may read besides the state: all inputs of one decision."""

    module: Module
    settings: ActivitySettings
    model: BKTModel
    rng: random.Random
    index: ModuleIndex = field(init=False)

    def __post_init__(self) -> None:
        index = ModuleIndex.of(self.module)
        if self.settings.goal:
            # The same lookups, planning only the goal's prerequisite closure.
            index = replace(index, relevant=relevant_skills(self.module, self.settings.goal))
        self.index = index


class Policy(Protocol):
    """A branching policy. Both methods work on the engine's private copy of the state.

    ``observe`` is called after the engine recorded a response (history, estimates, counters) and
    updates per-skill statuses and policy fields in place; ``choose`` returns the next step and
    may also update the state in place (e.g. start a skill's diagnostic).
    """

    name: str

    def choose(self, ctx: Context, state: dict[str, Any]) -> Step: ...

    def observe(
        self,
        ctx: Context,
        state: dict[str, Any],
        step: Step,
        response: Response,
        correct: bool | None,
        evaluation: Any = None,
    ) -> None: ...


def make_model(module: Module, bkt_params: Mapping[str, BKTParams] | None = None) -> BKTModel:
    """The BKT model of a module: fitted ``bkt_params`` win over the skill's and module's own.

    Every choice item's guess is at least its chance rate (``adaptive.mastery.chance``),
    whatever the module or a fit says: a guess is never read as knowledge."""
    if bkt_params is None:
        cached: BKTModel | None = module.engine_cache.get("_engine_model")
        if cached is not None:
            return cached
    params = {s.id: module.bkt_for(s.id) for s in module.skills}
    if bkt_params:
        params.update({k: v for k, v in bkt_params.items() if k in params})
    model = BKTModel(params=params, default=module.settings.bkt,
                     item_guess=item_guess_floors(module))
    if bkt_params is None:
        module.engine_cache["_engine_model"] = model
    return model


# ---------------------------------------------------------------------------------------------
# Helpers shared by the policies.


def ask(ctx: Context, item: Item, skill: str, phase: str) -> AskItem:
    """An AskItem with a seeded shuffle of the item's choices."""
    order = [c.id for c in item.choices]
    if item.shuffle and len(order) > 1:
        ctx.rng.shuffle(order)
        if keeps_author_order(item):
            # Its explanations cite "(a)".."(e)": shown in that order (the draw is still
            # made, so every other learner's path stays the same seeded path).
            order = [c.id for c in item.choices]
    return AskItem(item.id, skill, phase, tuple(order))


def is_blocked(ss: Mapping[str, Any]) -> bool:
    """Whether a skill state is "not reached": BLOCKED, or FLAGGED for its prerequisite by
    code that predates BLOCKED (such states must still read the same way)."""
    status = ss.get("status")
    return status == BLOCKED or (
        status == FLAGGED and ss.get("flag_reason") == "prerequisite flagged"
    )


def is_stuck(ss: Mapping[str, Any]) -> bool:
    """Whether the learner is actually stuck on the skill (flagged after practising it)."""
    return ss.get("status") == FLAGGED and not is_blocked(ss)


def finish(ctx: Context, state: dict[str, Any]) -> Finish:
    state["finished"] = True
    skills = state["skills"]
    mastered = tuple(sid for sid in ctx.index.order if skills[sid]["status"] in PASSED_STATUSES)
    flagged = tuple(sid for sid in ctx.index.order if is_stuck(skills[sid]))
    blocked = tuple(sid for sid in ctx.index.order if is_blocked(skills[sid]))
    return Finish(mastered, flagged, blocked)


def flag(state: dict[str, Any], skill_id: str, reason: str) -> None:
    ss = state["skills"][skill_id]
    ss["status"] = FLAGGED
    ss["flag_reason"] = reason
    if skill_id not in state["flagged"]:
        state["flagged"].append(skill_id)


def block(state: dict[str, Any], skill_id: str, needs: list[str]) -> None:
    """Mark a skill "not reached (needs X first)": no lesson or practice until its unmet
    prerequisites ``needs`` are resolved. Not a flag: the learner is not stuck on it."""
    ss = state["skills"][skill_id]
    ss["status"] = BLOCKED
    ss["blocked_by"] = list(needs)
    blocked = state.setdefault("blocked", [])
    if skill_id not in blocked:
        blocked.append(skill_id)


def unmet_prerequisites(ctx: Context, state: dict[str, Any], skill_id: str) -> list[str]:
    """The skill's direct prerequisites that are flagged or blocked (so will not be passed in
    this sitting)."""
    skills = state["skills"]
    return [
        p
        for p in ctx.module.skill(skill_id).prerequisites
        if p in skills and skills[p]["status"] in (FLAGGED, BLOCKED)
    ]


def lesson_step(ctx: Context, ss: dict[str, Any], skill_id: str) -> ShowPage | None:
    """The skill's lesson page while the skill is in LESSON and the page is unseen; otherwise a
    skill in LESSON moves on to PRACTISING (a skill without a lesson starts practice at once)."""
    if ss["status"] == LESSON:
        lesson = ctx.module.skill(skill_id).lesson
        if lesson and lesson in ctx.index.pages and not ss["lesson_seen"]:
            return ShowPage(lesson, skill_id, "lesson")
        ss["status"] = PRACTISING
    return None


def see_lesson(state: dict[str, Any], step: ShowPage) -> None:
    """Observe a shown page: a seen lesson is not shown again and starts the skill's practice."""
    ss = state["skills"].get(step.skill or "")
    if ss is not None and step.reason == "lesson":
        ss["lesson_seen"] = True
        if ss["status"] == LESSON:
            ss["status"] = PRACTISING


def answered_skill(
    state: dict[str, Any], step: Step, correct: bool | None
) -> dict[str, Any] | None:
    """The start of every policy's ``observe``: note a page seen; for a graded answer to an
    item, return its skill's state (None for anything else)."""
    if isinstance(step, ShowPage):
        see_lesson(state, step)
        return None
    if not isinstance(step, AskItem) or correct is None:
        return None
    skill_state: dict[str, Any] | None = state["skills"].get(step.skill)
    return skill_state


def practise(
    ctx: Context, state: dict[str, Any], skill_id: str, item: Item | None
) -> AskItem | None:
    """Ask ``item`` as practice of the skill; with no item the skill is flagged ("no items")
    and None returned, so that the caller moves on to the next skill."""
    if item is None:
        flag(state, skill_id, "no items")
        return None
    return ask(ctx, item, skill_id, "practice")


#: Items past the practice cap a flawless run may go on (the hard stop). The cap is when a
#: learner who is not converging "needs the teacher"; a learner who has answered every
#: practice item right is not stuck, and a cap below what the mastery rule needs (a cap of 1
#: where two right answers are required, a threshold of 0.99 from a prior of 0.01) would
#: otherwise send the teacher an alarm about them. Every right answer multiplies the odds of
#: "known" by (1 − slip) / guess > 1, so a flawless run reaches mastery well within this.
FLAWLESS_EXTRA = 50


def cap_reached(ctx: Context, ss: Mapping[str, Any]) -> bool:
    """Whether practice of a skill has used its cap: ``practice_cap`` items, unless every
    practice answer so far was right (the streak is as long as the practice), which may go on
    up to ``FLAWLESS_EXTRA`` items more."""
    cap = ctx.settings.practice_cap
    if ss["practice"] < cap:
        return False
    flawless = ss["streak"] >= ss["practice"]
    return not flawless or ss["practice"] >= cap + FLAWLESS_EXTRA


def count_practice(ss: dict[str, Any], correct: bool, keep: int) -> None:
    """Record a practice answer in the skill's counters; ``recent`` keeps the last ``keep``."""
    ss["practice"] += 1
    ss["recent"] = (ss["recent"] + [correct])[-keep:]
    ss["streak"] = ss["streak"] + 1 if correct else 0


def next_open_skill(
    ctx: Context, state: dict[str, Any], diagnose: Callable[[str], bool] | None = None
) -> str | None:
    """The first relevant skill (prerequisite order) that is not done and whose prerequisites
    are all passed.

    A skill with a flagged (or blocked) prerequisite is *blocked* ("not reached, needs X
    first"), never flagged: the learner is not stuck on it, and the teacher must not be told
    so. When ``diagnose(skill)`` is true, such a skill is still returned while it has not
    left its diagnostic, so that the policy can measure what the learner already knows
    (a pass makes it "known"); afterwards it is blocked. The module always finishes."""
    skills = state["skills"]
    for sid in ctx.index.order:
        ss = skills[sid]
        if sid not in ctx.index.relevant or ss["status"] in DONE_STATUSES:
            continue
        needs = unmet_prerequisites(ctx, state, sid)
        if needs:
            if diagnose is not None and ss["status"] in (NOT_STARTED, DIAGNOSTIC) and diagnose(sid):
                return sid
            block(state, sid, needs)
            continue
        pres = [p for p in ctx.module.skill(sid).prerequisites if p in skills]
        if all(skills[p]["status"] in PASSED_STATUSES for p in pres):
            return sid
    return None


def pick_item(
    ctx: Context,
    state: dict[str, Any],
    skill_id: str,
    *,
    easier_than: float | None = None,
    target_difficulty: float = 0.0,
) -> Item | None:
    """Choose an item of the skill.

    No item is shown again while the skill has items the learner has not seen: never-asked
    items come first. Once all were asked, items with variants come next (each showing draws
    new numbers, so the question and its answer are new), the least asked first; only then is
    a plain item reused, the least recently asked ones. Items asked in the last few turns (a
    window of ``min(3, pool - 1)`` of this skill's items) are avoided throughout, except that a
    variant item may come back with new numbers when nothing else is fresh. With
    ``easier_than`` the closest easier item is taken (or the easiest candidate when none is
    easier); otherwise the one closest to ``target_difficulty``. Remaining ties are broken by
    the seeded rng.
    """
    pool = ctx.index.items_by_skill.get(skill_id, ())
    if not pool:
        return None
    last_seen = {iid: n for n, iid in enumerate(state["history"])}
    pool_ids = {i.id for i in pool}
    asked_of_skill = [iid for iid in state["history"] if iid in pool_ids]
    window = min(3, len(pool) - 1)
    recent = set(asked_of_skill[-window:]) if window > 0 else set()
    candidates = [i for i in pool if i.id not in recent] or list(pool)
    unseen = [i for i in pool if i.id not in last_seen]
    varied = [i for i in candidates if i.variants is not None] or [
        i for i in pool
        if i.variants is not None and (not asked_of_skill or i.id != asked_of_skill[-1])
    ]
    if unseen:
        candidates = unseen
    elif varied:
        times = {i.id: asked_of_skill.count(i.id) for i in varied}
        fewest = min(times.values())
        candidates = [i for i in varied if times[i.id] == fewest]
    else:
        oldest = min(last_seen[i.id] for i in candidates)
        # keep the older half so that difficulty still matters when reusing
        cutoff = sorted(last_seen[i.id] for i in candidates)[(len(candidates) - 1) // 2]
        candidates = [i for i in candidates if last_seen[i.id] <= max(cutoff, oldest)]
    if easier_than is not None:
        easier = [i for i in candidates if i.difficulty < easier_than]
        if easier:
            best = max(i.difficulty for i in easier)
            ties = [i for i in easier if i.difficulty == best]
        else:
            best = min(i.difficulty for i in candidates)
            ties = [i for i in candidates if i.difficulty == best]
    else:
        best_gap = min(abs(i.difficulty - target_difficulty) for i in candidates)
        ties = [i for i in candidates if abs(i.difficulty - target_difficulty) == best_gap]
    if len(ties) == 1:
        return ties[0]
    return ties[ctx.rng.randrange(len(ties))]


class LessonFirstPolicy:
    """The baseline policies' common shape: per open skill its lesson page, then practice items
    until ``_score`` masters or flags the skill. No diagnostic, remediation or review.

    Subclasses set ``name`` and ``recent_keep`` and implement ``_pick`` and ``_score``; they may
    override ``_open_skill`` (prerequisite gating by default).
    """

    name: str
    recent_keep: int = 6  # practice answers kept in a skill's ``recent``

    def _open_skill(self, ctx: Context, state: dict[str, Any]) -> str | None:
        return next_open_skill(ctx, state)

    def _pick(self, ctx: Context, state: dict[str, Any], skill_id: str) -> Item | None:
        """The next practice item of the skill (None: the skill has none)."""
        raise NotImplementedError

    def _score(
        self, ctx: Context, state: dict[str, Any], skill_id: str, ss: dict[str, Any], correct: bool
    ) -> None:
        """After a counted practice answer: master or flag the skill, or leave it practising."""
        raise NotImplementedError

    def choose(self, ctx: Context, state: dict[str, Any]) -> Step:
        while True:
            sid = self._open_skill(ctx, state)
            if sid is None:
                return finish(ctx, state)
            ss = state["skills"][sid]
            if ss["status"] == NOT_STARTED:
                ss["status"] = LESSON
            page = lesson_step(ctx, ss, sid)
            if page is not None:
                return page
            step = practise(ctx, state, sid, self._pick(ctx, state, sid))
            if step is not None:
                return step

    def observe(
        self,
        ctx: Context,
        state: dict[str, Any],
        step: Step,
        response: Response,
        correct: bool | None,
        evaluation: Any = None,
    ) -> None:
        ss = answered_skill(state, step, correct)
        if ss is None or ss["status"] != PRACTISING:
            return
        # answered_skill returns a skill state only for a graded answer to an item.
        assert isinstance(step, AskItem) and correct is not None
        count_practice(ss, correct, self.recent_keep)
        self._score(ctx, state, step.skill, ss, correct)
