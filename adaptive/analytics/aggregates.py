"""Per-skill, per-item, per-misconception and per-learner aggregates of a class.

Inputs are the records of ``adaptive.analytics.events`` for one resource link
(or any set of learners); outputs are frozen dataclasses the dashboard renders
and ``suggestions.suggest`` reasons about. Nothing here knows about Flask or a
database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import mean

from adaptive.analytics.difficulty import first_attempts, item_difficulty
from adaptive.analytics.events import (
    HAS_SKILL,
    AnswerRecord,
    PageRecord,
    SkillInfo,
    SkillState,
    by_learner,
)
from adaptive.defaults import PRACTICE_CAP

#: How many distinct typed answers to keep per wrong group (the most frequent ones).
MAX_EXAMPLES = 5


@dataclass(frozen=True)
class SkillSummary:
    """How the class is doing on one skill."""

    skill_id: str
    title: str
    n_learners: int  # learners considered (the roster, or those seen)
    not_started: int
    practising: int
    mastered: int
    known: int
    flagged: int
    mean_p_mastery: float | None  # over learners who started the skill
    mean_answers_to_mastery: float | None  # over learners who mastered it by practice
    n_answers: int
    p_correct: float | None
    flagged_learners: tuple[str, ...]
    # misconceptions shown on this skill by the flagged learners: (tag, number of learners)
    flagged_misconceptions: tuple[tuple[str, int], ...]
    struggle: float  # 0 (no trouble) .. about 2 (everyone stuck); used to rank skills
    #: learners who did not reach the skill because a prerequisite is flagged (not stuck on it)
    blocked: int = 0

    @property
    def started(self) -> int:
        """Learners who have begun the skill (blocked learners never got its lesson or practice)."""
        return self.n_learners - self.not_started - self.blocked

    @property
    def has_skill(self) -> int:
        """Learners who mastered the skill or showed it up front."""
        return self.mastered + self.known


@dataclass(frozen=True)
class WrongGroup:
    """A wrong answer group of an item (or "no group matched") and what learners typed."""

    group_index: int | None
    misconception: str | None
    n_answers: int
    n_learners: int
    examples: tuple[tuple[str, int], ...]  # (typed answer, times), most frequent first


@dataclass(frozen=True)
class ItemSummary:
    """How one item behaves: first-attempt success, difficulty, wrong answers."""

    item_id: str
    skill_ids: tuple[str, ...]
    n_learners: int
    n_answers: int
    first_attempts: int
    first_correct: int
    difficulty: float
    # first attempts of learners who have the item's primary skill now
    skilled_first_attempts: int
    skilled_first_correct: int
    mean_seconds: float | None
    hints_used: int
    wrong_groups: tuple[WrongGroup, ...]

    @property
    def p_first_correct(self) -> float | None:
        """Share of learners right at their first attempt."""
        return self.first_correct / self.first_attempts if self.first_attempts else None

    @property
    def p_skilled_first_correct(self) -> float | None:
        """The same share among learners who mastered (or knew) the item's skill."""
        if not self.skilled_first_attempts:
            return None
        return self.skilled_first_correct / self.skilled_first_attempts


@dataclass(frozen=True)
class MisconceptionSummary:
    """One misconception tag across the class."""

    misconception: str
    n_learners: int
    n_answers: int
    learners: tuple[str, ...]
    items: tuple[tuple[str, int], ...]  # (item id, answers), most frequent first
    skills: tuple[str, ...]
    examples: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class PathStep:
    """One step of a learner's path: an answer or a page, in order."""

    seq: int
    kind: str  # "answer" | "page"
    ref: str  # item id or page id
    skill_id: str | None
    phase: str  # answer phase, or page reason
    answer_text: str = ""
    correct: bool | None = None
    misconception: str | None = None
    hints_used: int = 0
    seconds: float | None = None
    mastery_after: float | None = None  # P(mastery) of the step's skill after the answer


@dataclass(frozen=True)
class LearnerSummary:
    """One learner's totals (the heatmap row and the drill-down header)."""

    learner: str
    n_answers: int
    n_correct: int
    hints_used: int
    seconds: float
    statuses: Mapping[str, SkillState]  # skill id -> state; skills not started are absent
    flagged_skills: tuple[str, ...]

    @property
    def started(self) -> bool:
        """Whether the learner has answered anything or has any skill state."""
        return self.n_answers > 0 or any(s.status != "not_started"
                                         for s in self.statuses.values())


def _ratio(k: int, n: int) -> float | None:
    return k / n if n else None


def _examples(texts: Iterable[str]) -> tuple[tuple[str, int], ...]:
    counts = Counter(t for t in texts if t != "")
    return tuple(counts.most_common(MAX_EXAMPLES))


def _state_index(states: Iterable[SkillState]) -> dict[tuple[str, str], SkillState]:
    return {(s.learner, s.skill_id): s for s in states}


def skill_summaries(skills: Sequence[SkillInfo], learners: Sequence[str],
                    states: Iterable[SkillState], answers: Iterable[AnswerRecord],
                    practice_cap: int = PRACTICE_CAP) -> list[SkillSummary]:
    """One summary per skill, in the module's order.

    ``learners`` is the population (the roster, so learners who never started
    count as "not started"); states and answers of other learners are ignored.
    ``practice_cap`` scales the "practice needed" part of the struggle score.
    """
    population = list(dict.fromkeys(learners))
    members = set(population)
    index = _state_index(s for s in states if s.learner in members)
    answers = [a for a in answers if a.learner in members and a.valid]
    misconceptions: dict[tuple[str, str], set[str]] = {}  # (skill, learner) -> tags
    answers_per_skill: dict[str, list[AnswerRecord]] = {}
    for a in answers:
        for sid in a.skill_ids[:1]:
            answers_per_skill.setdefault(sid, []).append(a)
            if a.misconception and not a.correct:
                misconceptions.setdefault((sid, a.learner), set()).add(a.misconception)
    out = []
    for skill in skills:
        counts: Counter[str] = Counter()
        p_values, to_mastery, flagged = [], [], []
        for learner in population:
            st = index.get((learner, skill.id))
            status = st.status if st else "not_started"
            counts[status] += 1
            if st and status not in ("not_started", "blocked"):
                p_values.append(st.p_mastery)
            if st and status == "mastered":
                to_mastery.append(st.attempts)
            if status == "flagged":
                flagged.append(learner)
        tag_learners: Counter[str] = Counter()
        for learner in flagged:
            tag_learners.update(misconceptions.get((skill.id, learner), ()))
        skill_answers = answers_per_skill.get(skill.id, [])
        n = len(population)
        mean_p = mean(p_values) if p_values else None
        mean_tm = mean(to_mastery) if to_mastery else None
        # Why this score: "needs the teacher" flags are the most actionable signal,
        # low mastery the broadest, and long practice the earliest warning.
        struggle = ((counts["flagged"] / n if n else 0.0)
                    + 0.5 * (1.0 - mean_p if mean_p is not None else 0.0)
                    + 0.5 * min((mean_tm or 0.0) / max(practice_cap, 1), 1.0))
        out.append(SkillSummary(
            skill_id=skill.id, title=skill.title, n_learners=n,
            not_started=counts["not_started"], practising=counts["practising"],
            mastered=counts["mastered"], known=counts["known"], flagged=counts["flagged"],
            mean_p_mastery=mean_p, mean_answers_to_mastery=mean_tm,
            n_answers=len(skill_answers),
            p_correct=_ratio(sum(a.correct for a in skill_answers), len(skill_answers)),
            flagged_learners=tuple(flagged),
            flagged_misconceptions=tuple(sorted(tag_learners.items(),
                                                key=lambda kv: (-kv[1], kv[0]))),
            struggle=round(struggle, 4), blocked=counts["blocked"],
        ))
    return out


def struggling_skills(summaries: Iterable[SkillSummary], limit: int = 5) -> list[SkillSummary]:
    """Skills ranked by struggle (most first), only those with anyone started."""
    ranked = [s for s in summaries if s.started]
    ranked.sort(key=lambda s: (-s.struggle, -s.flagged, s.skill_id))
    return ranked[:limit]


def item_summaries(answers: Iterable[AnswerRecord], states: Iterable[SkillState] = (),
                   prior_strength: float = 2.0) -> list[ItemSummary]:
    """One summary per item answered, lowest first-attempt success first."""
    answers = [a for a in answers if a.valid]
    index = _state_index(states)
    firsts = first_attempts(answers)
    per_item: dict[str, list[AnswerRecord]] = {}
    for a in answers:
        per_item.setdefault(a.item_id, []).append(a)
    out = []
    for item_id, rows in per_item.items():
        skill_ids = rows[0].skill_ids
        primary = skill_ids[0] if skill_ids else None
        first = firsts.get(item_id, {})
        skilled = {learner: ok for learner, ok in first.items()
                   if primary and (st := index.get((learner, primary))) is not None
                   and st.status in HAS_SKILL}
        groups: dict[tuple[int | None, str | None], list[AnswerRecord]] = {}
        for a in rows:
            if not a.correct:
                groups.setdefault((a.group_index, a.misconception), []).append(a)
        wrong = [WrongGroup(group_index=g, misconception=m, n_answers=len(rs),
                            n_learners=len({a.learner for a in rs}),
                            examples=_examples(a.answer_text for a in rs))
                 for (g, m), rs in groups.items()]
        wrong.sort(key=lambda w: (-w.n_answers, w.group_index is None, w.group_index or 0))
        seconds = [a.seconds for a in rows if a.seconds is not None]
        out.append(ItemSummary(
            item_id=item_id, skill_ids=tuple(skill_ids),
            n_learners=len({a.learner for a in rows}), n_answers=len(rows),
            first_attempts=len(first), first_correct=sum(first.values()),
            difficulty=round(item_difficulty(len(first), sum(first.values()),
                                             prior_strength), 4),
            skilled_first_attempts=len(skilled), skilled_first_correct=sum(skilled.values()),
            mean_seconds=mean(seconds) if seconds else None,
            hints_used=sum(a.hints_used for a in rows), wrong_groups=tuple(wrong),
        ))
    out.sort(key=lambda i: (i.p_first_correct if i.p_first_correct is not None else 2.0,
                            i.item_id))
    return out


def misconception_summaries(answers: Iterable[AnswerRecord]) -> list[MisconceptionSummary]:
    """Every misconception tag seen in wrong answers, most widespread first."""
    per_tag: dict[str, list[AnswerRecord]] = {}
    for a in answers:
        if a.valid and not a.correct and a.misconception:
            per_tag.setdefault(a.misconception, []).append(a)
    out = []
    for tag, rows in per_tag.items():
        learners = tuple(dict.fromkeys(a.learner for a in rows))
        skills = tuple(dict.fromkeys(s for a in rows for s in a.skill_ids[:1]))
        out.append(MisconceptionSummary(
            misconception=tag, n_learners=len(learners), n_answers=len(rows),
            learners=learners, items=tuple(Counter(a.item_id for a in rows).most_common()),
            skills=skills, examples=_examples(a.answer_text for a in rows),
        ))
    out.sort(key=lambda m: (-m.n_learners, -m.n_answers, m.misconception))
    return out


def learner_summaries(learners: Sequence[str], states: Iterable[SkillState],
                      answers: Iterable[AnswerRecord]) -> list[LearnerSummary]:
    """One row per learner of ``learners`` (in that order), also those who never started."""
    statuses: dict[str, dict[str, SkillState]] = {}
    for s in states:
        statuses.setdefault(s.learner, {})[s.skill_id] = s
    grouped = by_learner(a for a in answers if a.valid)
    out = []
    for learner in dict.fromkeys(learners):
        rows = grouped.get(learner, [])
        mine = statuses.get(learner, {})
        out.append(LearnerSummary(
            learner=learner, n_answers=len(rows), n_correct=sum(a.correct for a in rows),
            hints_used=sum(a.hints_used for a in rows),
            seconds=float(sum(a.seconds or 0.0 for a in rows)), statuses=dict(mine),
            flagged_skills=tuple(sid for sid, s in mine.items() if s.status == "flagged"),
        ))
    return out


def learner_path(answers: Iterable[AnswerRecord], pages: Iterable[PageRecord] = (),
                 page_skills: Mapping[str, str | None] | None = None) -> list[PathStep]:
    """One learner's answers and pages merged in the order they happened (by ``seq``)."""
    page_skills = page_skills or {}
    steps = [PathStep(seq=a.seq, kind="answer", ref=a.item_id, skill_id=a.primary_skill,
                      phase=a.phase, answer_text=a.answer_text,
                      correct=a.correct if a.valid else None, misconception=a.misconception,
                      hints_used=a.hints_used, seconds=a.seconds,
                      mastery_after=(a.mastery_after.get(a.primary_skill)
                                     if a.primary_skill else None))
             for a in answers]
    steps += [PathStep(seq=p.seq, kind="page", ref=p.page_id,
                       skill_id=page_skills.get(p.page_id), phase=p.reason, seconds=p.seconds)
              for p in pages]
    # Pages and answers share the attempt's step counter; pages first on a tie
    # because a lesson is shown before the item that follows it.
    steps.sort(key=lambda s: (s.seq, s.kind != "page"))
    return steps
