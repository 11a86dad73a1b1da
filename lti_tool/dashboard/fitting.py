"""Fit BKT parameters and item difficulties of a module from one course's logged answers.

Fits are scoped to the course (platform + context) that produced the answers: one tenant's
learners can never change another tenant's engine (issue 12), and
``lti_tool.modules.library.fitted_params`` hands a course only its own fits. The fit runs EM
with forgetting (``adaptive.mastery.fit_skill_arrays``; BKT+forgets is what
``bench/kt_benchmark.py --resplit`` recommends on re-splits of ASSISTments by student) as MAP
with ``STRENGTH`` pseudo-answers at the module's own parameters, so a skill with little data
stays near them. Every fit is then judged (``adaptive.mastery.fit_check``): too little data,
implausible guess/slip, no learning, or mastery after one correct answer are rejected with a
reason the teacher reads on the dashboard; only accepted fits reach the engine (the recipe
is ``adaptive.mastery.course_fit``, shared with the simulated courses of the benchmark). Item
difficulties go to ItemStats of the same course (logit of the smoothed first-attempt failure
rate).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import func, select

from adaptive.analytics import AnswerRecord, estimate_difficulties
from adaptive.defaults import MASTERY_THRESHOLD
from adaptive.engine import make_model
from adaptive.mastery.course_fit import fit_course
from adaptive.mastery.fit_check import DEFAULT_STRENGTH, MIN_ANSWERS, MIN_LEARNERS
from lti_tool.extensions import db
from lti_tool.models import AnswerEvent, Context, FittedSkillParams, ItemStats, ResourceLink
from lti_tool.models.base import utcnow
from lti_tool.modules import library

log = logging.getLogger("branchwise.dashboard")

#: Newest answers read per fit when run inline (a web request must stay short).
INLINE_ROW_LIMIT = 50_000
#: Pseudo-answers at the module's parameters in each EM step (shrinkage toward the module).
STRENGTH = DEFAULT_STRENGTH


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
            text += " Not used (the module's parameters stay): " + "; ".join(
                f"{s.skill_id}: {s.reason.rstrip('.')}" for s in skipped) + "."
        if self.truncated:
            text += " Only the newest answers were used (row limit)."
        return text


def courses_with_answers(module_ids: tuple[str, ...] | list[str] = ()) -> list[tuple[int, str]]:
    """(context_pk, module_id) of every course with logged answers (optionally some modules)."""
    query = (select(ResourceLink.context_pk, AnswerEvent.module_id).distinct()
             .join(ResourceLink, ResourceLink.id == AnswerEvent.resource_link_pk)
             .order_by(ResourceLink.context_pk, AnswerEvent.module_id))
    if module_ids:
        query = query.where(AnswerEvent.module_id.in_(list(module_ids)))
    return [(int(c), str(m)) for c, m in db.session.execute(query)]


def _load(module_id: str, context_pk: int, row_limit: int | None) -> tuple[list[tuple], bool]:
    links = select(ResourceLink.id).where(ResourceLink.context_pk == context_pk)
    query = (select(AnswerEvent.attempt_pk, AnswerEvent.seq, AnswerEvent.item_id,
                    AnswerEvent.skill_ids, AnswerEvent.correct, AnswerEvent.id)
             .where(AnswerEvent.module_id == module_id, AnswerEvent.valid.is_(True),
                    AnswerEvent.resource_link_pk.in_(links)))
    truncated = False
    if row_limit is not None:
        total = db.session.scalar(select(func.count()).select_from(
            query.subquery()))
        truncated = bool(total and total > row_limit)
        query = query.order_by(AnswerEvent.id.desc()).limit(row_limit)
    rows = [tuple(r) for r in db.session.execute(query)]
    rows.sort(key=lambda r: (r[0], r[1]))  # each learner's answers in order
    return rows, truncated


def _module_params(module_id: str) -> tuple[dict, float]:
    """The module's own BKT parameters per skill (the shrinkage anchor) and its threshold."""
    try:
        module = library.get_module(module_id)
    except Exception:  # noqa: BLE001 - a deleted or broken module: anchor at the defaults
        return {}, MASTERY_THRESHOLD
    return dict(make_model(module).params), module.settings.mastery_threshold


def fit_module(module_id: str, context_pk: int, *, row_limit: int | None = None,
               min_learners: int = MIN_LEARNERS, min_answers: int = MIN_ANSWERS,
               seed: int = 0) -> FitReport:
    """Fit, judge and store the module's BKT parameters and item difficulties from the answers
    of one course (``context_pk``); commits."""
    context = db.session.get(Context, context_pk)
    if context is None:
        raise LookupError(f"no course {context_pk}")
    rows, truncated = _load(module_id, context_pk, row_limit)
    learner, skill, correct = [], [], []
    for attempt_pk, _seq, _item, skill_ids, ok, _id in rows:
        # An item practising several skills is evidence for each (pyBKT's multi-skill rule).
        for sid in skill_ids or ():
            learner.append(attempt_pk)
            skill.append(str(sid))
            correct.append(1 if ok else 0)
    anchors, threshold = _module_params(module_id)
    fits = []
    course_fits = fit_course(learner, skill, correct, anchors=anchors, threshold=threshold,
                             strength=STRENGTH, min_learners=min_learners,
                             min_answers=min_answers, seed=seed)
    now = utcnow()
    existing = {r.skill_id: r for r in db.session.scalars(
        select(FittedSkillParams).where(FittedSkillParams.module_id == module_id,
                                        FittedSkillParams.context_pk == context_pk))}
    for sid, fit in course_fits.items():
        res, verdict = fit.result, fit.verdict
        params = res.params.to_dict()
        row = existing.get(sid)
        if row is None:
            row = FittedSkillParams(platform_id=context.platform_id, context_pk=context_pk,
                                    module_id=module_id, skill_id=sid, params=params)
            db.session.add(row)
        row.params = params
        row.n_learners = res.n_sequences
        row.n_answers = res.n_answers
        row.log_likelihood = float(res.log_likelihood)
        row.fitted_at = now
        row.accepted = verdict.accepted
        row.reasons = list(verdict.reasons)
        fits.append(SkillFit(sid, verdict.accepted, res.n_sequences, res.n_answers, params,
                             float(res.log_likelihood), " ".join(verdict.reasons)))
    records = [AnswerRecord(learner=str(a), item_id=item, skill_ids=tuple(s or ()),
                            correct=bool(ok), seq=seq)
               for a, seq, item, s, ok, _id in rows]
    difficulties = estimate_difficulties(records)
    # Item difficulties, like the fits, belong to this course only.
    stats = {r.item_id: r for r in db.session.scalars(
        select(ItemStats).where(ItemStats.module_id == module_id,
                                ItemStats.context_pk == context_pk))}
    for item_id, est in difficulties.items():
        stat = stats.get(item_id)
        if stat is None:
            stat = ItemStats(platform_id=context.platform_id, context_pk=context_pk,
                             module_id=module_id, item_id=item_id, difficulty=est.difficulty)
            db.session.add(stat)
        stat.difficulty = est.difficulty
        stat.first_attempts = est.first_attempts
        stat.first_correct = est.first_correct
        stat.updated_at = now
    db.session.commit()
    library.forget_lookups()  # this process sees the change at once
    report = FitReport(module_id=module_id, n_rows=len(rows), truncated=truncated,
                       skills=tuple(fits), items_updated=len(difficulties))
    log.info("model fit %s", report.summary())
    return report
