"""Fit BKT parameters and item difficulties of a module from the logged answers.

Answers come from every course on this tool (a module's skills behave the same
in every class, and one class rarely has enough data). The fit runs EM
(``adaptive.mastery.fit_skill_arrays``) over each learner's answers in order;
a skill is stored only with enough learners and answers, because parameters
fitted on three learners would steer the engine worse than the defaults.
Results go to FittedSkillParams, which ``lti_tool.modules.library.fitted_params``
hands to the engine, and ItemStats (difficulty = logit of the smoothed
first-attempt failure rate).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func, select

from adaptive.analytics import AnswerRecord, estimate_difficulties
from adaptive.mastery import fit_skill_arrays
from lti_tool.extensions import db
from lti_tool.models import AnswerEvent, FittedSkillParams, ItemStats
from lti_tool.models.base import utcnow
from lti_tool.modules import library

log = logging.getLogger("branchwise.dashboard")

#: Newest answers read per fit when run inline (a web request must stay short).
INLINE_ROW_LIMIT = 50_000
MIN_LEARNERS = 5
MIN_ANSWERS = 30


@dataclass(frozen=True)
class SkillFit:
    """What happened to one skill."""

    skill_id: str
    stored: bool
    n_learners: int
    n_answers: int
    params: dict[str, float] | None = None
    log_likelihood: float | None = None
    reason: str = ""


@dataclass(frozen=True)
class FitReport:
    """The outcome of fitting one module."""

    module_id: str
    n_rows: int
    truncated: bool
    skills: tuple[SkillFit, ...] = ()
    items_updated: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    def summary(self) -> str:
        """One line for the CLI and the dashboard's flash message."""
        stored = [s.skill_id for s in self.skills if s.stored]
        skipped = [s for s in self.skills if not s.stored]
        text = (f"{self.module_id}: {self.n_rows} answers read; BKT fitted for "
                f"{len(stored)} skill(s)" + (f" ({', '.join(stored)})" if stored else "")
                + f"; difficulty updated for {self.items_updated} item(s).")
        if skipped:
            text += " Not enough data for " + ", ".join(
                f"{s.skill_id} ({s.n_learners} learners, {s.n_answers} answers)"
                for s in skipped) + "."
        if self.truncated:
            text += " Only the newest answers were used (row limit)."
        return text


def modules_with_answers() -> list[str]:
    """Every module id with at least one logged answer."""
    return list(db.session.scalars(select(AnswerEvent.module_id).distinct()
                                   .order_by(AnswerEvent.module_id)))


def _load(module_id: str, row_limit: int | None) -> tuple[list[tuple], bool]:
    query = (select(AnswerEvent.attempt_pk, AnswerEvent.seq, AnswerEvent.item_id,
                    AnswerEvent.skill_ids, AnswerEvent.correct, AnswerEvent.id)
             .where(AnswerEvent.module_id == module_id, AnswerEvent.valid.is_(True)))
    truncated = False
    if row_limit is not None:
        total = db.session.scalar(select(func.count()).select_from(
            query.subquery()))
        truncated = bool(total and total > row_limit)
        query = query.order_by(AnswerEvent.id.desc()).limit(row_limit)
    rows = [tuple(r) for r in db.session.execute(query)]
    rows.sort(key=lambda r: (r[0], r[1]))  # each learner's answers in order
    return rows, truncated


def fit_module(module_id: str, *, row_limit: int | None = None,
               min_learners: int = MIN_LEARNERS, min_answers: int = MIN_ANSWERS,
               seed: int = 0) -> FitReport:
    """Fit and store the module's BKT parameters and item difficulties; commits."""
    rows, truncated = _load(module_id, row_limit)
    learner, skill, correct = [], [], []
    for attempt_pk, _seq, _item, skill_ids, ok, _id in rows:
        # An item practising several skills is evidence for each (pyBKT's multi-skill rule).
        for sid in skill_ids or ():
            learner.append(attempt_pk)
            skill.append(str(sid))
            correct.append(1 if ok else 0)
    fits = []
    results = {}
    if learner:
        results = fit_skill_arrays(np.asarray(learner), np.asarray(skill),
                                   np.asarray(correct, dtype=np.int8), seed=seed)
    now = utcnow()
    existing = {r.skill_id: r for r in db.session.scalars(
        select(FittedSkillParams).where(FittedSkillParams.module_id == module_id))}
    for sid in sorted(results):
        res = results[sid]
        enough = res.n_sequences >= min_learners and res.n_answers >= min_answers
        if not enough:
            fits.append(SkillFit(sid, False, res.n_sequences, res.n_answers,
                                 reason="not enough data"))
            continue
        params = res.params.to_dict()
        row = existing.get(sid)
        if row is None:
            row = FittedSkillParams(module_id=module_id, skill_id=sid, params=params)
            db.session.add(row)
        row.params = params
        row.n_learners = res.n_sequences
        row.n_answers = res.n_answers
        row.log_likelihood = float(res.log_likelihood)
        row.fitted_at = now
        fits.append(SkillFit(sid, True, res.n_sequences, res.n_answers, params,
                             float(res.log_likelihood)))
    records = [AnswerRecord(learner=str(a), item_id=item, skill_ids=tuple(s or ()),
                            correct=bool(ok), seq=seq)
               for a, seq, item, s, ok, _id in rows]
    difficulties = estimate_difficulties(records)
    stats = {r.item_id: r for r in db.session.scalars(
        select(ItemStats).where(ItemStats.module_id == module_id))}
    for item_id, est in difficulties.items():
        row = stats.get(item_id)
        if row is None:
            row = ItemStats(module_id=module_id, item_id=item_id, difficulty=est.difficulty)
            db.session.add(row)
        row.difficulty = est.difficulty
        row.first_attempts = est.first_attempts
        row.first_correct = est.first_correct
        row.updated_at = now
    db.session.commit()
    library.forget_lookups()  # this process sees the change at once
    report = FitReport(module_id=module_id, n_rows=len(rows), truncated=truncated,
                       skills=tuple(fits), items_updated=len(difficulties))
    log.info("model fit %s", report.summary())
    return report
