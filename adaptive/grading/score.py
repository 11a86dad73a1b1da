"""The LMS grade of one learner's state: mastery-based, per skill, and only from evidence.

    credit(skill) = 1          if mastered (practice) or known (its diagnostic was passed)
                  = 0          if never answered, blocked (a prerequisite is flagged), or no
                               recent answer of the skill was right
                  = 0          if a guesser matches the recent answers more than 1 time in 20
                  = min(P_answered, P_evidence, PARTIAL_CAP * threshold)   otherwise
    score = mean of credit over the graded skills       (0 when there are none)
    score_given = score * max_score

In one sentence (the finish page and docs/grades.md say the same): *the grade is the share of
the graded skills you showed you master, with partial credit for a skill in progress only as
far as your own recent answers show more than guessing.*

Why each part:

- A prior is not evidence, and neither is a lesson page: BKT's estimate starts at the skill's
  prior and rises after a lesson (and after every answer, through the learning rate), so a
  learner who never answered, only read, or answered everything wrong still has P(mastery)
  around 0.2–0.3. None of that earns credit.
- ``P_answered`` is the BKT estimate right after the learner's last answer of the skill
  (``ss["p_answered"]``), not the current one: time-based forgetting lowers the current
  estimate between sittings to drive review, but a grade already sent is not lowered without
  new evidence (docs/grades.md, docs/engine.md).
- ``P_evidence`` asks how strongly the skill's latest answers (the last practice answers kept
  in ``ss["recent"]``, else the diagnostic's) speak for "knows it" against "guesses": BKT's
  observation step from an even prior with the skill's guess and slip and no learning, each
  answer's guess raised to its item's chance rate as the engine does (a true/false item is
  right half the time by guessing; the items are the skill's latest in ``state["history"]``).
  A learner answering at the guess rate keeps it near 0; four right out of six on
  four-choice items is ≈ 0.75, on true/false items ≈ 0.35.
- And those answers must be a record a guesser rarely matches: at most 1 time in 20
  (``PARTIAL_GUESS_CHANCE``; ``guessing_tail`` over the answers' chance rates). On
  true/false items five right of six, which one guesser in nine gets, still has a
  likelihood ratio worth 0.79; a guesser's partial credit on an imported true/false quiz
  was 0.17 of a skill with the ratio alone.
- The cap keeps partial credit strictly below the mastery credit: for a threshold of 0.95 a
  skill in progress earns at most 0.855.

Graded skills are ``settings.graded_skills`` or, when None, the skills with ``graded=True``;
with a goal (``settings.goal``), only the goal's skills among them (``adaptive.goals``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from adaptive.goals import find_goal
from adaptive.mastery.bkt import BKTModel, bkt_observe
from adaptive.mastery.chance import with_guess_floor
from adaptive.modules.format import BKTParams, Module
from adaptive.policy.base import (
    NOT_STARTED,
    PASSED_STATUSES,
    ActivitySettings,
    ModuleIndex,
    is_blocked,
    is_stuck,
    make_model,
    settings_of,
)

__all__ = ["GRADE_MEANING", "PARTIAL_CAP", "PARTIAL_GUESS_CHANCE", "GradeReport", "SkillGrade",
           "evidence", "grade", "guessing_tail"]

#: The grade's meaning in one sentence (shown on the finish page; docs/grades.md).
GRADE_MEANING = (
    "Your grade is the share of the graded skills you showed you master, with partial credit "
    "for a skill in progress only as far as your own recent answers show more than guessing."
)

PARTIAL_CAP = 0.9
#: Partial credit needs recent answers a guesser matches at most this often: on true/false
#: items five right of six is what one guesser in nine does, and the likelihood ratio alone
#: gave it 0.79 (docs/benchmarks.md, "Guessing learner", thirteenth session).
PARTIAL_GUESS_CHANCE = 0.05


@dataclass(frozen=True)
class SkillGrade:
    skill_id: str
    title: str
    p_mastery: float
    mastered: bool  # mastered by practice or known from the diagnostic
    flagged: bool  # stuck: flagged for the teacher after practising it
    credit: float
    blocked: bool = False  # not reached: a prerequisite is flagged


@dataclass(frozen=True)
class GradeReport:
    score: float  # in [0, 1]
    score_given: float  # score * max_score
    per_skill: list[SkillGrade]
    comment: str
    completed: bool
    #: Some graded skill is flagged or blocked, or not yet passed: the grade is not final.
    unresolved: bool = False


def evidence(params: BKTParams, answers: Sequence[bool],
             guesses: Sequence[float] | None = None) -> float:
    """P(knows the skill | these answers) from an even prior, with no learning between them:
    how much the answers say beyond guessing (0.5 with no answers). ``guesses``: each
    answer's guess rate when it is above ``params.guess`` (an item's chance rate: a
    true/false item is right half the time by guessing)."""
    k, u = 0.5, 0.5
    for n, correct in enumerate(answers):
        floor = guesses[n] if guesses is not None and n < len(guesses) else 0.0
        used = with_guess_floor(params, floor) if floor > params.guess else params
        k, u = bkt_observe(used, k, u, bool(correct))
    return k / (k + u) if k + u > 0 else 0.0


def _latest_guesses(model: BKTModel, module: Module, state: Mapping[str, Any],
                    skill_id: str, ss: Mapping[str, Any], n: int) -> list[float]:
    """The guess rate of each of the skill's ``n`` latest answers (those ``_credit`` reads),
    raised to the item's chance rate: the items are the skill's last ``n`` in the learner's
    history. The diagnostic keeps its own (``diag_guess``). Without a history (a state
    from before it was kept), every answer gets the skill's highest chance rate: weaker
    evidence, never more credit than the answers show."""
    if not ss.get("recent") and len(ss.get("diag_guess") or ()) >= n:
        return [float(g) for g in ss["diag_guess"][-n:]]
    own = {i.id for i in ModuleIndex.of(module).items_by_skill.get(skill_id, ())}
    history = [i for i in state.get("history") or () if i in own]
    if len(history) >= n:
        return [model.params_for(skill_id, i).guess for i in history[-n:]]
    worst = max((model.params_for(skill_id, i).guess for i in own),
                default=model.params_for(skill_id).guess)
    return [worst] * n


def _credit(model: BKTModel, module: Module, state: Mapping[str, Any], skill_id: str,
            ss: Mapping[str, Any], threshold: float) -> float:
    status = ss["status"]
    if status in PASSED_STATUSES:
        return 1.0
    if status == NOT_STARTED or is_blocked(ss) or not ss.get("attempts"):
        return 0.0
    latest = list(ss.get("recent") or ss.get("diag") or [])
    if not any(latest):
        return 0.0
    p_answered = float(ss.get("p_answered", model.p_mastery(ss["est"])))
    guesses = _latest_guesses(model, module, state, skill_id, ss, len(latest))
    if guessing_tail(guesses, sum(map(bool, latest))) > PARTIAL_GUESS_CHANCE:
        return 0.0  # a guesser does as well often enough: these answers show nothing
    p_evidence = evidence(model.params_for(skill_id), latest, guesses)
    return max(0.0, min(p_answered, p_evidence, PARTIAL_CAP * threshold))


def guessing_tail(guesses: Sequence[float], right: int) -> float:
    """P(a learner who guesses gets at least ``right`` of these answers right), each answer
    right with its own guess rate (a Poisson-binomial tail)."""
    dist = [1.0]  # dist[k] = P(k right so far)
    for g in guesses:
        nxt = [0.0] * (len(dist) + 1)
        for k, p in enumerate(dist):
            nxt[k] += p * (1.0 - g)
            nxt[k + 1] += p * g
        dist = nxt
    return sum(dist[max(0, right):])


def grade(
    module: Module,
    state: Mapping[str, Any],
    settings: ActivitySettings | None = None,
    *,
    bkt_params: Mapping[str, BKTParams] | None = None,
) -> GradeReport:
    """Grade a state (finished or not). ``settings`` default to those stored in the state."""
    settings = settings or settings_of(state)
    model = make_model(module, bkt_params)
    threshold = settings.mastery_threshold
    if settings.graded_skills is not None:
        wanted = set(settings.graded_skills)
        graded = [s for s in module.skills if s.id in wanted]
    else:
        graded = [s for s in module.skills if s.graded]
    goal = find_goal(module, settings.goal)
    if goal is not None:
        # A goal's grade covers the goal's skills (those of them that are graded, or all of
        # them when none is): what the learner was asked to reach, nothing planned elsewhere.
        ids = set(goal.skills)
        graded = [s for s in graded if s.id in ids] or [s for s in module.skills if s.id in ids]
    rows: list[SkillGrade] = []
    for skill in graded:
        ss = state["skills"].get(skill.id)
        if ss is None:
            continue
        status = ss["status"]
        p = float(model.p_mastery(ss["est"]))
        rows.append(
            SkillGrade(
                skill_id=skill.id,
                title=skill.title,
                p_mastery=p,
                mastered=status in PASSED_STATUSES,
                flagged=is_stuck(ss),
                credit=_credit(model, module, state, skill.id, ss, threshold),
                blocked=is_blocked(ss),
            )
        )
    score = sum(r.credit for r in rows) / len(rows) if rows else 0.0
    score = min(1.0, max(0.0, score))
    return GradeReport(
        score=score,
        score_given=score * settings.max_score,
        per_skill=rows,
        comment=_comment(rows),
        completed=bool(state.get("finished")),
        unresolved=any(not r.mastered for r in rows),
    )


@dataclass(frozen=True)
class CommentWords:
    """The sentences of the gradebook comment, as %-format strings: English here; the tool
    passes its translation for the learner's language (the skill titles already are), so a
    Spanish learner's comment is not half English."""

    none: str = "No graded skills."
    mastered: str = "%(title)s ✓"
    flagged: str = "%(title)s ⚑ needs the teacher"
    blocked: str = "%(title)s not reached"
    open: str = "%(title)s %(percent)s"  # percent: "42 %"
    summary: str = "Mastered %(n)s/%(total)s skills: %(skills)s"
    separator: str = ", "


ENGLISH = CommentWords()


def grade_comment(report: GradeReport, words: CommentWords = ENGLISH) -> str:
    """The gradebook comment of ``report`` in ``words`` (English by default)."""
    return _comment(report.per_skill, words)


def _comment(rows: list[SkillGrade], w: CommentWords = ENGLISH) -> str:
    if not rows:
        return w.none
    parts = []
    for r in rows:
        if r.mastered:
            parts.append(w.mastered % {"title": r.title})
        elif r.flagged:
            parts.append(w.flagged % {"title": r.title})
        elif r.blocked:
            parts.append(w.blocked % {"title": r.title})
        else:
            parts.append(w.open % {"title": r.title,
                                   "percent": f"{round(100 * r.p_mastery)} %"})
    mastered = sum(r.mastered for r in rows)
    return w.summary % {"n": mastered, "total": len(rows),
                        "skills": w.separator.join(parts)}
