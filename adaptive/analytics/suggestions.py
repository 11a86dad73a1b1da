"""What a teacher could do next, in plain words, each with the evidence behind it.

``suggest`` reads the aggregates of ``adaptive.analytics.aggregates`` and
returns short sentences ranked by urgency. Each suggestion names its evidence
as ``Evidence(view, id)`` references (a skill, an item, a misconception, a
learner), which the dashboard turns into links, so a teacher can always check
why the tool says so. Thresholds live in :class:`Rules` so a course can be
stricter or looser without touching the logic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from adaptive.analytics.aggregates import (
    ItemSummary,
    LearnerSummary,
    MisconceptionSummary,
    SkillSummary,
)
from adaptive.defaults import PRACTICE_CAP


@dataclass(frozen=True)
class Evidence:
    """A pointer to the data behind a suggestion: ``view`` is skill|item|misconception|learner."""

    view: str
    id: str
    label: str = ""


@dataclass(frozen=True)
class Suggestion:
    """One recommendation; ``priority`` 3 = act now, 2 = worth doing, 1 = for information."""

    kind: str
    priority: int
    text: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Rules:
    """Thresholds of the suggestion rules (defaults suit a class of 10-40 learners)."""

    min_stuck: int = 1  # learners flagged on a skill before "stuck" is reported
    min_shared: int = 2  # flagged learners sharing a misconception before it is named
    revise_min_learners: int = 3  # skilled learners needed to judge an item
    revise_max_p: float = 0.5  # first-attempt success among skilled learners at or below
    widespread_min_learners: int = 3
    widespread_min_share: float = 0.25  # of learners who started
    slow_share_of_cap: float = 0.75  # mean answers to mastery at or above this share of cap
    easy_min_share: float = 0.9  # of starters who have the skill, for "move faster"
    easy_min_learners: int = 5
    several_flags: int = 2  # a learner flagged on this many skills gets a personal note
    max_suggestions: int = 12


@dataclass(frozen=True)
class Names:
    """Display names for ids (skill titles, learner names, item labels); ids by default."""

    skills: Mapping[str, str] = field(default_factory=dict)
    learners: Mapping[str, str] = field(default_factory=dict)
    items: Mapping[str, str] = field(default_factory=dict)

    def skill(self, sid: str) -> str:
        """A skill's title."""
        return self.skills.get(sid, sid)

    def learner(self, lid: str) -> str:
        """A learner's name."""
        return self.learners.get(lid, lid)

    def item(self, iid: str) -> str:
        """An item's label."""
        return self.items.get(iid, iid)


def _pct(p: float) -> str:
    return f"{round(100 * p)} %"


def _learners(n: int) -> str:
    return f"{n} learner" + ("" if n == 1 else "s")


def _stuck(skills: Sequence[SkillSummary], rules: Rules, names: Names,
           practice_cap: int) -> list[Suggestion]:
    """One alarm per skill that some learner is actually stuck on (flagged after practising
    it). Skills a learner never saw, or did not reach because a prerequisite is flagged
    ("blocked"), raise none: the alarm belongs to the prerequisite."""
    out = []
    for s in skills:
        if s.flagged < rules.min_stuck:
            continue
        verb = "is" if s.flagged == 1 else "are"
        text = (f"{_learners(s.flagged)} {verb} stuck on “{s.title}” after the practice cap "
                f"({practice_cap} items) and need{'s' if s.flagged == 1 else ''} you.")
        evidence = [Evidence("skill", s.skill_id, s.title)]
        shared = [(tag, n) for tag, n in s.flagged_misconceptions if n >= rules.min_shared]
        if shared:
            tag, n = shared[0]
            who = "both" if n == 2 and s.flagged == 2 else f"{n} of them"
            text += (f" {who.capitalize()} share the misconception “{tag}”: "
                     f"one explanation to the group could unblock them.")
            evidence.append(Evidence("misconception", tag, tag))
        elif s.flagged == 1:
            text += " Look at their answers to see where it goes wrong."
        else:
            text += " Their mistakes differ: look at each learner's answers."
        evidence += [Evidence("learner", lid, names.learner(lid)) for lid in s.flagged_learners]
        out.append(Suggestion("stuck", 3, text, tuple(evidence)))
    return out


def _revise(items: Sequence[ItemSummary], rules: Rules, names: Names) -> list[Suggestion]:
    out = []
    for i in items:
        p = i.p_skilled_first_correct
        if p is None or i.skilled_first_attempts < rules.revise_min_learners:
            continue
        if p > rules.revise_max_p:
            continue
        text = (f"Item “{names.item(i.item_id)}” is answered correctly at the first attempt by "
                f"only {_pct(p)} of the learners who mastered its skill "
                f"({i.skilled_first_correct} of {i.skilled_first_attempts}): revise it. "
                f"The wording, the answer key or an accepted form of the answer may be off.")
        if i.wrong_groups and i.wrong_groups[0].examples:
            typed, times = i.wrong_groups[0].examples[0]
            text += f" The most common wrong answer is “{typed}” ({times}×)."
        evidence = [Evidence("item", i.item_id, names.item(i.item_id))]
        evidence += [Evidence("skill", sid, names.skill(sid)) for sid in i.skill_ids[:1]]
        out.append(Suggestion("revise_item", 2, text, tuple(evidence)))
    return out


def _widespread(misconceptions: Sequence[MisconceptionSummary], n_started: int, rules: Rules,
                names: Names, already: set[str]) -> list[Suggestion]:
    out = []
    for m in misconceptions:
        if m.misconception in already:
            continue  # already named in a "stuck" suggestion
        if m.n_learners < rules.widespread_min_learners:
            continue
        if n_started and m.n_learners / n_started < rules.widespread_min_share:
            continue
        share = f" ({_pct(m.n_learners / n_started)} of those who started)" if n_started else ""
        where = ", ".join(f"“{names.item(iid)}”" for iid, _ in m.items[:3])
        text = (f"{_learners(m.n_learners)}{share} showed the misconception “{m.misconception}”, "
                f"mostly on {where}: address it with the whole class.")
        if m.examples:
            text += f" Typical answer: “{m.examples[0][0]}”."
        evidence = [Evidence("misconception", m.misconception, m.misconception)]
        evidence += [Evidence("item", iid, names.item(iid)) for iid, _ in m.items[:3]]
        out.append(Suggestion("misconception", 2, text, tuple(evidence)))
    return out


def _slow(skills: Sequence[SkillSummary], rules: Rules, practice_cap: int) -> list[Suggestion]:
    out = []
    for s in skills:
        mean_tm = s.mean_answers_to_mastery
        if mean_tm is None or mean_tm < rules.slow_share_of_cap * practice_cap:
            continue
        text = (f"Learners need {mean_tm:.1f} answers on average to master “{s.title}” "
                f"(the cap is {practice_cap}): add a worked example or an easier first item.")
        out.append(Suggestion("slow_skill", 2, text, (Evidence("skill", s.skill_id, s.title),)))
    return out


def _easy(skills: Sequence[SkillSummary], rules: Rules) -> list[Suggestion]:
    out = []
    for s in skills:
        if s.started < rules.easy_min_learners or s.flagged:
            continue
        share = s.has_skill / s.started
        if share < rules.easy_min_share:
            continue
        text = (f"“{s.title}” is mastered or already known by {_pct(share)} of the learners "
                f"who started it: you can move on, or spend class time elsewhere.")
        out.append(Suggestion("easy_skill", 1, text, (Evidence("skill", s.skill_id, s.title),)))
    return out


def _personal(learners: Sequence[LearnerSummary], rules: Rules,
              names: Names) -> list[Suggestion]:
    out = []
    for row in learners:
        if len(row.flagged_skills) < rules.several_flags:
            continue
        titles = ", ".join(f"“{names.skill(s)}”" for s in row.flagged_skills)
        text = (f"{names.learner(row.learner)} needs help on {len(row.flagged_skills)} skills "
                f"({titles}): a one-to-one conversation may help more than more practice.")
        evidence = [Evidence("learner", row.learner, names.learner(row.learner))]
        evidence += [Evidence("skill", s, names.skill(s)) for s in row.flagged_skills]
        out.append(Suggestion("learner", 2, text, tuple(evidence)))
    return out


def _not_started(learners: Sequence[LearnerSummary], names: Names) -> list[Suggestion]:
    waiting = [row.learner for row in learners if not row.started]
    if not waiting or len(waiting) == len(learners):
        return []
    verb = "has" if len(waiting) == 1 else "have"
    text = f"{_learners(len(waiting))} {verb} not started the activity yet."
    evidence = tuple(Evidence("learner", lid, names.learner(lid)) for lid in waiting)
    return [Suggestion("not_started", 1, text, evidence)]


def suggest(
    skills: Sequence[SkillSummary],
    items: Sequence[ItemSummary] = (),
    misconceptions: Sequence[MisconceptionSummary] = (),
    learners: Sequence[LearnerSummary] = (),
    *,
    practice_cap: int = PRACTICE_CAP,
    rules: Rules | None = None,
    names: Names | None = None,
) -> list[Suggestion]:
    """Suggestions derived from the aggregates, most urgent first (at most ``max_suggestions``).

    Stuck learners come first (they wait for the teacher), then items to
    revise, shared misconceptions, slow skills and learners flagged on several
    skills, and last, information (skills everyone has, learners not started).
    """
    rules = rules or Rules()
    names = names or Names(skills={s.skill_id: s.title for s in skills})
    n_started = sum(1 for row in learners if row.started) or max(
        (s.started for s in skills), default=0)
    stuck = _stuck(skills, rules, names, practice_cap)
    named = {e.id for s in stuck for e in s.evidence if e.view == "misconception"}
    groups: list[Callable[[], list[Suggestion]]] = [
        lambda: stuck,
        lambda: _revise(items, rules, names),
        lambda: _widespread(misconceptions, n_started, rules, names, named),
        lambda: _slow(skills, rules, practice_cap),
        lambda: _personal(learners, rules, names),
        lambda: _easy(skills, rules),
        lambda: _not_started(learners, names),
    ]
    out = [s for group in groups for s in group()]
    # Stable sort: inside one priority the order above (and the aggregates' ranking) holds.
    out.sort(key=lambda s: -s.priority)
    return out[: rules.max_suggestions]
