"""The learner's activity: resume, answer, read a page, ask for a hint, finish.

Services take plain arguments (the launch as ``runner.launches`` reads it, posted
values, the time) and return an ``ActivityPage`` the view renders; they never see
``request``.

Nothing is lost and nothing counts twice:

* one Attempt per (learner, resource link), created on the first launch and
  resumed on every later one (the engine state is stored as JSON);
* every write is a compare-and-set on ``Attempt.seq`` (``UPDATE ... WHERE id=?
  AND seq=?``): a second tab or a double-clicked submit that answers a step
  which has already moved on updates no row and gets a clear "already
  recorded" page instead of corrupting the state;
* the answer event, the attempt update and the grade to send to the LMS are
  written together or not at all (``lti_tool.runner.step_write``: a ``StepWriter``
  begins, compare-and-sets and commits); a score it wrote is handed to grade delivery
  here, after that commit (``ags.delivery.enqueue_committed``).

Runner-only bookkeeping lives under ``state["runner"]`` (the engine keeps
unknown keys): when the current step was shown (so the time taken is measured
on the server), how many hints were revealed, the last answer (to show its
feedback again after a double submit) and the timestamp of the last score
recorded for the LMS (``score_ts``; see ``_score_timestamp``).

The answer step is the hot path, so it reads the launch, its link and the attempt
in one Core query into plain rows (``runner.launches``), writes the step in one
statement on PostgreSQL (``step_write``), and renders the next page from what it
holds: no more SQL.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError

from adaptive.analytics.events import AnswerRecord
from adaptive.analytics.kinds import KindReport, item_kinds, kind_report
from adaptive.engine import (
    ActivitySettings,
    AskItem,
    Finish,
    ItemAnswer,
    PageSeen,
    ShowPage,
    SkillProgress,
    StaleResponse,
    Step,
    StepResult,
    current_step,
    item_for_step,
    next_step,
    resume,
    settings_of,
    skill_progress,
    start,
)
from adaptive.goals import find_goal
from adaptive.grading.score import GradeReport, grade
from adaptive.modules.format import BKTParams, Item, Module
from adaptive.modules.variants import shown_values
from lti_tool.ags.delivery import enqueue_committed
from lti_tool.ags.lineitem import request_read
from lti_tool.ags.passback import (
    next_timestamp,
    score_row,
    submit_progress,
    timestamp_after,
)
from lti_tool.extensions import db
from lti_tool.models import AnswerEvent, Attempt, PageEvent
from lti_tool.models.base import utcnow
from lti_tool.modules.library import (
    UnknownModule,
    fitted_params_for_link,
    get_module,
    learner_module,
)
from lti_tool.runner import goals
from lti_tool.runner.answers import AnswerFormError, draft_of, parse_answer
from lti_tool.runner.grade_comment import localized_comment
from lti_tool.runner.launches import AttemptRow, RunnerLaunch, load_attempt
from lti_tool.runner.step_write import StepConflict, StepWrite, StepWriter
from lti_tool.xapi import events as xapi_events

log = logging.getLogger("branchwise.runner")

__all__ = [
    "ActivityPage",
    "Feedback",
    "Milestone",
    "activity_settings",
    "answer_item",
    "choose_goal",
    "load_activity",
    "mark_page_seen",
    "request_hint",
    "restart_preview",
]

# Notices shown above the step (translated in the template).
STALE = "stale"  # the form answered a step that has already moved on
ALREADY_RECORDED = "already_recorded"  # a double submit of the answer just recorded
INVALID = "invalid"  # the answer could not be read; nothing recorded


@dataclass(frozen=True)
class Feedback:
    """The outcome of the answer just given, shown in place: the same question, the
    learner's answer, then the feedback and a "Next" button."""

    item: Item
    correct: bool
    text: str  # Markdown: the matched answer group's feedback (or the item's default)
    solution: str  # Markdown: the worked solution
    hints_used: int
    answer: dict = field(default_factory=dict)  # the learner's answer (``draft_of``)
    choices: list = field(default_factory=list)  # the choices in the order they were shown


@dataclass(frozen=True)
class Milestone:
    """A skill that changed status with the last answer (shown as a short message)."""

    title: str
    status: str  # "mastered" | "known" | "flagged"


@dataclass
class ActivityPage:
    """Everything the activity template needs for one response."""

    status: str  # "ready" | "not_set_up" | "unavailable"
    preview: bool = False
    module: Module | None = None
    attempt: AttemptRow | None = None
    state: dict | None = None
    step: Step | None = None
    item: Item | None = None
    choices: list = field(default_factory=list)  # the item's choices in display order
    hints_shown: int = 0
    feedback: Feedback | None = None
    notice: str | None = None
    error: str | None = None  # why an answer could not be read
    draft: dict | None = None
    progress: list[SkillProgress] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    #: "choose_goal": the goals offered; "unknown_goal": the module's goals, ``given_goal``
    #: the one the launch named (``runner.goals``).
    goals: tuple = ()
    given_goal: str | None = None
    report: GradeReport | None = None
    max_score: float = 1.0
    sends_grade: bool = False
    kinds: KindReport | None = None  # the finish page's "kinds of thinking" (tagged modules)

    @property
    def seq(self) -> int:
        return int(self.state["seq"]) if self.state else 0

    @property
    def goal_title(self) -> str | None:
        """The title of the attempt's goal (None: the whole module)."""
        goal_id = ((self.state or {}).get("settings") or {}).get("goal")
        goal = find_goal(self.module, goal_id) if self.module is not None else None
        return goal.title if goal is not None else None

    @property
    def finished(self) -> bool:
        return isinstance(self.step, Finish)


# --------------------------------------------------------------------------- helpers

def activity_settings(module: Module, link_settings: Mapping[str, Any] | None) -> ActivitySettings:
    """The module's defaults overridden by the teacher's deep-linking settings."""
    names = {f.name for f in fields(ActivitySettings)}
    overrides = {k: v for k, v in dict(link_settings or {}).items() if k in names}
    try:
        return ActivitySettings.from_module(module, **overrides)
    except (TypeError, ValueError):
        log.warning("ignoring invalid activity settings %r", overrides)
        return ActivitySettings.from_module(module)


def _runner(state: Mapping[str, Any]) -> dict:
    return dict(state.get("runner") or {})


def _stamp(state: dict, now: float, last: dict | None = None) -> dict:
    """Mark the state's current step as shown now, with no hints revealed yet."""
    previous = _runner(state)
    runner: dict[str, Any] = {"shown_at": now, "hints": 0}
    if last is not None:
        runner["last"] = last
    elif "last" in previous:
        runner["last"] = previous["last"]
    if "score_ts" in previous:
        runner["score_ts"] = previous["score_ts"]
    state["runner"] = runner
    return state


def _score_timestamp(attempt: AttemptRow, state: dict) -> datetime:
    """The timestamp of the score about to be recorded, kept in ``state`` (written by the CAS).

    AGS timestamps must strictly increase per learner and link. Every score of an
    attempt is recorded together with a compare-and-set of its state, and there is one
    attempt per (learner, link), so the last timestamp kept in the state is the newest
    one in the table and the ``MAX()`` query of ``next_timestamp`` is not needed on
    every answer. Attempts started before the state kept it ask the table once.
    """
    runner = state.setdefault("runner", {})
    kept = runner.get("score_ts")
    if kept is None:
        stamp = next_timestamp(attempt.user_pk, attempt.resource_link_pk)
    else:
        stamp = timestamp_after(datetime.fromisoformat(kept))
    runner["score_ts"] = stamp.isoformat()
    return stamp


def _seconds(state: Mapping[str, Any], now: float) -> float | None:
    shown = _runner(state).get("shown_at")
    if shown is None:
        return None
    return round(max(0.0, now - float(shown)), 3)


def _bkt(module_id: str, resource_link_pk: int | None) -> dict[str, BKTParams]:
    # Only the fits of this link's course (issue 12: no tenant steers another's engine).
    return fitted_params_for_link(module_id, resource_link_pk)


def _ordered_choices(item: Item, step: AskItem) -> list:
    by_id = {c.id: c for c in item.choices}
    order = [cid for cid in step.choice_order if cid in by_id]
    rest = [c for c in item.choices if c.id not in order]
    return [by_id[cid] for cid in order] + rest


def _page(session: RunnerLaunch, attempt: AttemptRow, module: Module, state: dict,
          bkt: Mapping[str, BKTParams], **extra: Any) -> ActivityPage:
    step = current_step(module, state)
    page = ActivityPage(status="ready", preview=session.preview, module=module,
                        attempt=attempt, state=state, step=step, **extra)
    page.sends_grade = session.sends_grades
    page.max_score = _max_score(session, state)
    page.progress = skill_progress(module, state, bkt_params=bkt)
    if isinstance(step, AskItem) and page.feedback is None:
        # (An answer's feedback page shows the question just answered, not the next one.)
        page.item = item_for_step(module, state, step)
        page.choices = _ordered_choices(page.item, step)
        page.hints_shown = min(int(_runner(state).get("hints", 0)), len(page.item.hints))
    elif isinstance(step, Finish):
        page.report = grade(module, state, bkt_params=bkt)
        if page.feedback is None:
            page.kinds = _kinds_of(module, attempt)
    return page


def _max_score(session: RunnerLaunch, state: Mapping[str, Any]) -> float:
    """The grade's scale for the learner: the LMS column's maximum when it was read
    (``ags.lineitem``: a column made by hand may be out of 40), else the activity's."""
    link = session.resource_link
    if link is not None and link.lineitem_max and session.sends_grades:
        return float(link.lineitem_max)
    return settings_of(state).max_score


def _kinds_of(module: Module, attempt: AttemptRow) -> KindReport | None:
    """The learner's first tries per kind of thinking; None when no item is tagged."""
    kinds = item_kinds(module)
    if not kinds:
        return None
    rows = db.session.execute(
        select(AnswerEvent.item_id, AnswerEvent.correct, AnswerEvent.seq, AnswerEvent.valid)
        .where(AnswerEvent.attempt_pk == attempt.id))
    answers = [AnswerRecord("", item_id, (), bool(correct), seq=seq, valid=bool(valid))
               for item_id, correct, seq, valid in rows]
    return kind_report(answers, kinds)


def _feedback_of(module: Module, last: Mapping[str, Any],
                 state: Mapping[str, Any] | None = None) -> Feedback | None:
    try:
        item = module.item(last["item_id"])
    except KeyError:
        return None
    if last.get("variant") and state is not None:  # the numbers the learner answered
        item = item_for_step(module, state, AskItem(item.id, item.primary_skill, "practice",
                                                    variant=int(last["variant"])))
    index = last.get("group_index")
    if index is not None and 0 <= index < len(item.answer_groups):
        text = item.answer_groups[index].feedback
    else:
        text = item.default_feedback
    by_id = {c.id: c for c in item.choices}
    shown = [by_id[cid] for cid in last.get("order") or () if cid in by_id]
    shown += [c for c in item.choices if c not in shown]
    return Feedback(item=item, correct=bool(last.get("correct")), text=text,
                    solution=item.solution, hints_used=int(last.get("hints_used", 0)),
                    answer=dict(last.get("draft") or {}), choices=shown)


_MILESTONES = ("mastered", "known", "flagged")


def _milestones(before: Mapping[str, Any], after_state: Mapping[str, Any],
                after: Sequence[SkillProgress]) -> list[Milestone]:
    """Skills that reached mastered / known / flagged with this answer.

    Compares the engine's own per-skill status before and after (a dict lookup, no
    second ``skill_progress`` on the answer path)."""
    was = {sid: ss.get("status") for sid, ss in before.get("skills", {}).items()}
    now = after_state.get("skills", {})
    return [Milestone(row.title, row.status) for row in after
            if row.status in _MILESTONES
            and was.get(row.skill_id) != now.get(row.skill_id, {}).get("status")]


def _commit() -> None:
    # The runner holds no ORM objects (``launches``): nothing to expire or reload.
    db.session.commit()


_ANSWER_EVENTS: Table = AnswerEvent.__table__  # type: ignore[assignment]
_PAGE_EVENTS: Table = PageEvent.__table__  # type: ignore[assignment]


def _module_of(session: RunnerLaunch) -> tuple[str, Module | None]:
    link = session.resource_link
    if link is None or not link.module_id:
        return "not_set_up", None
    try:
        return "ready", learner_module(get_module(link.module_id), session.locale)
    except (UnknownModule, ValueError) as exc:
        log.warning("module %r of resource link %s unavailable: %s", link.module_id, link.id, exc)
        return "unavailable", None


_ATTEMPTS: Table = Attempt.__table__  # type: ignore[assignment]
_INSERT_ATTEMPT = insert(_ATTEMPTS).returning(_ATTEMPTS.c.id)


def _open_attempt(session: RunnerLaunch, module: Module, now: float,
                  goal: str | None = None) -> AttemptRow:
    """The learner's attempt on this link, created (and announced to the LMS) on first use;
    a new attempt plans ``goal`` (``runner.goals``), else the whole module."""
    if session.attempt is not None:  # read with the launch at the start of this request
        return session.attempt
    link = session.resource_link
    assert link is not None
    bkt = _bkt(module.id, link.id)
    settings = activity_settings(module, link.settings)
    if goal is not None:
        settings = replace(settings, goal=goal)
    result = start(module, settings, seed=random.SystemRandom().randrange(2**31),
                   bkt_params=bkt, now=now)
    state = _stamp(dict(result.state), now)
    stamp = next_timestamp(session.user_pk, link.id) if session.sends_grades else None
    if stamp is not None:  # the first score; the next ones follow it (``_score_timestamp``)
        state["runner"]["score_ts"] = stamp.isoformat()
    created = utcnow()
    try:
        attempt_id = db.session.execute(_INSERT_ATTEMPT, dict(
            user_pk=session.user_pk, resource_link_pk=link.id, module_id=module.id,
            state=state, seq=int(state["seq"]), status="in_progress", created_at=created,
            updated_at=created, preview=session.preview)).scalar_one()
        attempt = AttemptRow(attempt_id, session.user_pk, link.id, module.id, state,
                             int(state["seq"]), link)
        score_id = None if session.preview else submit_progress(
            attempt, score=None, score_maximum=settings.max_score, comment="",
            completed=False, started=True, timestamp=stamp)
        _commit()
        enqueue_committed([score_id])
    except IntegrityError:
        # Two tabs opened the activity at once; the other one created the attempt.
        db.session.rollback()
        found = load_attempt(session)
        if found is None:  # pragma: no cover - the unique row must exist now
            raise
        attempt = found
    return attempt


def _attempt_module(attempt: AttemptRow, session: RunnerLaunch) -> Module:
    # The state belongs to the module it was started with, even if the link changed since.
    return learner_module(get_module(attempt.module_id), session.locale)


# --------------------------------------------------------------------------- services

def load_activity(session: RunnerLaunch, now: float | None = None) -> ActivityPage:
    """Open (or resume) the activity of this launch: the current step, exactly where it was."""
    now = time.time() if now is None else now
    status, module = _module_of(session)
    if module is None:
        if session.attempt is None:
            return ActivityPage(status=status, preview=session.preview)
        attempt = session.attempt  # the link lost its module: resume what was started
    else:
        goal = None
        if session.attempt is None and module.goals:
            plan = goals.plan_goal(module, session.resource_link.settings
                                   if session.resource_link else None,
                                   goals.launch_goal(session.id))
            if plan.kind == "unknown":
                return ActivityPage(status="unknown_goal", preview=session.preview,
                                    module=module, goals=plan.choices, given_goal=plan.given)
            if plan.kind == "choose":
                return ActivityPage(status="choose_goal", preview=session.preview,
                                    module=module, goals=plan.choices)
            goal = plan.goal
        attempt = _open_attempt(session, module, now, goal)
    module = _attempt_module(attempt, session)
    bkt = _bkt(module.id, attempt.resource_link_pk)
    state = _new_sitting(session, attempt, module, dict(attempt.state), bkt, now)
    link = session.resource_link
    if link is not None and session.sends_grades:
        # The gradebook column's maximum, read in the background when due (not per page).
        request_read(link.id, link.lineitem_url, link.lineitem_checked_at)
    return _page(session, attempt, module, state, bkt)


def choose_goal(session: RunnerLaunch, goal_id: str, now: float | None = None) -> ActivityPage:
    """The learner picked their goal on the "choose your goal" page: start the attempt with
    it. A goal that is not offered shows the choice again; an attempt that already exists
    (another tab chose first) is resumed as it is."""
    now = time.time() if now is None else now
    status, module = _module_of(session)
    if module is None or session.attempt is not None:
        return load_activity(session, now)
    # A launch that names a goal was never offered a choice: its goal wins.
    plan = goals.plan_goal(module, session.resource_link.settings
                           if session.resource_link else None, goals.launch_goal(session.id))
    if plan.kind != "choose":
        return load_activity(session, now)
    if goal_id not in {g.id for g in plan.choices}:
        return ActivityPage(status="choose_goal", preview=session.preview, module=module,
                            goals=plan.choices, error="Choose one of the goals below.")
    attempt = _open_attempt(session, module, now, goal_id)
    module = _attempt_module(attempt, session)
    bkt = _bkt(module.id, attempt.resource_link_pk)
    return _page(session, attempt, module, dict(attempt.state), bkt)


def _new_sitting(session: RunnerLaunch, attempt: AttemptRow, module: Module, state: dict,
                 bkt: Mapping[str, BKTParams], now: float) -> dict:
    """The state to show on (re)opening: after a break, with the estimates decayed and, if
    a mastered skill fell below the threshold, a short review first (``engine.resume``).

    Saved with a compare-and-set like a step, but no score is recorded: time alone never
    changes the grade (docs/grades.md). A reopened finished attempt is in progress again.
    """
    result = resume(module, state, now, bkt_params=bkt)
    if result.state is state:
        return state  # the same sitting: nothing changed, nothing to write
    new_state = _stamp(dict(result.state), now)
    values: dict[str, Any] = {"state": new_state, "seq": int(new_state["seq"]),
                              "updated_at": utcnow()}
    if not new_state.get("finished") and attempt.state.get("finished"):
        values.update(status="in_progress")
    try:
        # The page's request has read already: the writer uses its transaction.
        StepWriter().write(StepWrite(attempt.id, attempt.seq, values))
    except StepConflict:  # another tab opened it first: show what it saved
        fresh = load_attempt(session)
        return dict(fresh.state) if fresh is not None else state
    return new_state


def _stale_page(session: RunnerLaunch, attempt: AttemptRow, posted_seq: int,
                item_id: str | None) -> ActivityPage:
    """The current step after a lost compare-and-set, with the right explanation."""
    attempt = load_attempt(session) or attempt
    module = _attempt_module(attempt, session)
    state = dict(attempt.state)
    last = _runner(state).get("last")
    page_extra: dict[str, Any] = {"notice": STALE}
    if (last and item_id and last.get("item_id") == item_id
            and last.get("seq") == posted_seq and state["seq"] == posted_seq + 1):
        # A double-clicked submit: the first click was recorded; show its feedback again.
        page_extra = {"notice": ALREADY_RECORDED,
                      "feedback": _feedback_of(module, last, state)}
    return _page(session, attempt, module, state, _bkt(module.id, attempt.resource_link_pk),
                 **page_extra)


def _answering(session: RunnerLaunch, posted_seq: int, kind: type, target_id: str,
               now: float | None, stale_item_id: str | None = None,
               ) -> _Current | ActivityPage:
    """The attempt and its current step when the posted form answers that step.

    Otherwise the page to show instead: the activity itself when there is no attempt
    yet, or the current step with a "stale" notice (``stale_item_id`` lets a
    double-clicked answer show its recorded feedback again).
    """
    attempt = session.attempt
    if attempt is None:
        return load_activity(session, now)
    module = _attempt_module(attempt, session)
    state = dict(attempt.state)
    step = current_step(module, state)
    target = (step.item_id if isinstance(step, AskItem)
              else step.page_id if isinstance(step, ShowPage) else None)
    if attempt.seq != posted_seq or not isinstance(step, kind) or target != target_id:
        return _stale_page(session, attempt, posted_seq, stale_item_id)
    return _Current(attempt, module, _bkt(module.id, attempt.resource_link_pk), state, step)


@dataclass
class _Current:
    attempt: AttemptRow
    module: Module
    bkt: Mapping[str, BKTParams]
    state: dict
    step: Any


def answer_item(session: RunnerLaunch, posted_seq: int, item_id: str,
                form: Mapping[str, Sequence[str]], now: float | None = None,
                writer: StepWriter | None = None) -> ActivityPage:
    """Grade the answer to the current item, record it, and move to the next step.

    ``form`` is the posted multi-valued form (``{name: [values]}``). Returns the next
    step with the feedback of this answer; an unreadable answer returns the same item
    with an error and records nothing; a stale form returns the current step.
    """
    now = time.time() if now is None else now
    current = _answering(session, posted_seq, AskItem, item_id, now, stale_item_id=item_id)
    if isinstance(current, ActivityPage):
        return current
    attempt, module, bkt, state, step = (current.attempt, current.module, current.bkt,
                                         current.state, current.step)
    item = item_for_step(module, state, step)
    hints = int(_runner(state).get("hints", 0))
    try:
        raw = parse_answer(item, form)
    except AnswerFormError as exc:
        return _page(session, attempt, module, state, bkt, notice=INVALID, error=str(exc),
                     draft=draft_of(item, form))
    seconds = _seconds(state, now)
    try:
        result: StepResult = next_step(
            module, state, ItemAnswer(item_id, raw, hints_used=hints, seconds=seconds,
                                      seq=posted_seq), bkt_params=bkt, now=now)
    except StaleResponse:
        return _stale_page(session, attempt, posted_seq, item_id)
    evaluation = result.evaluation
    assert evaluation is not None
    if not evaluation.valid:
        return _page(session, attempt, module, state, bkt, notice=INVALID,
                     error=evaluation.error, draft=draft_of(item, form))
    # The answer and the choice order are kept so that the feedback can show the
    # question as it was answered, also again after a double submit.
    last = {"seq": posted_seq, "item_id": item_id, "correct": bool(evaluation.correct),
            "group_index": evaluation.group_index, "hints_used": hints,
            "draft": draft_of(item, form), "order": list(step.choice_order)}
    if step.variant:
        last["variant"] = step.variant
    new_state = _stamp(dict(result.state), now, last)
    preview = session.preview
    event = None if preview else dict(
        user_pk=attempt.user_pk, resource_link_pk=attempt.resource_link_pk,
        module_id=module.id, item_id=item_id, skill_ids=list(item.skills), phase=step.phase,
        seq=posted_seq, response={"answer": raw}, normalised={"value": evaluation.normalised},
        correct=bool(evaluation.correct), valid=True, group_index=evaluation.group_index,
        misconception=evaluation.misconception, hints_used=hints, seconds=seconds,
        mastery_before=dict(result.mastery_before or {}),
        mastery_after=dict(result.mastery_after or {}), created_at=utcnow(),
        variant=_variant_record(module, state, step),
    )
    try:
        report = _write_step(writer or StepWriter(), session, attempt, module, new_state,
                             posted_seq, bkt, preview, _ANSWER_EVENTS, event,
                             graded=_changes_grade(module, state, new_state, step, bkt))
    except StepConflict:
        return _stale_page(session, attempt, posted_seq, item_id)
    xapi_events.after_answer(
        session.id, attempt.id, module, item, seq=posted_seq, answer=raw,
        correct=bool(evaluation.correct), phase=step.phase, hints_used=hints, seconds=seconds,
        mastery_before=result.mastery_before, mastery_after=result.mastery_after,
        misconception=evaluation.misconception, state_before=state, state_after=new_state)
    feedback = _feedback_of(module, last, new_state)
    page = _page(session, attempt, module, new_state, bkt, feedback=feedback)
    page.milestones = _milestones(state, new_state, page.progress)
    if report is not None:
        page.report = report
    return page


def _variant_record(module: Module, state: Mapping[str, Any], step: AskItem) -> dict | None:
    """What the answer event keeps of a variant item: the showing and the values drawn for
    it, so the dashboard re-creates the question this learner answered (the values, not
    only the seed: a later change to the draw or a reset state cannot change them)."""
    values = shown_values(module.item(step.item_id), int(state.get("seed", 0)), step.variant)
    return None if values is None else {"showing": step.variant, "values": values}


def _changes_grade(module: Module, state: dict, new_state: dict, step: AskItem,
                   bkt: Mapping[str, BKTParams]) -> bool:
    """Whether an answer may change the LMS grade. Every answer may, except one of the review
    that opens a later sitting which leaves the grade as it was: re-sending an unchanged grade
    as "in progress" would make an LMS that keeps only final grades (Moodle) drop the one it
    shows. When the review ends, the finished activity sends its grade again as before."""
    if step.phase != "review" or not state.get("refresh"):
        return True
    return grade(module, new_state, bkt_params=bkt).score != grade(
        module, state, bkt_params=bkt).score


def _write_step(writer: StepWriter, session: RunnerLaunch, attempt: AttemptRow,
                module: Module, new_state: dict,
                expected_seq: int, bkt: Mapping[str, BKTParams], preview: bool,
                event_table: Table | None = None, event: dict | None = None,
                graded: bool = True) -> GradeReport | None:
    """CAS the new state in with its event and the grade for the LMS, commit, and hand
    the new score (if any) to grade delivery.

    ``graded=False``: the step cannot change the grade (a page that is not the last
    step), so no score is recorded. Returns the grade report when the attempt finished.
    Raises StepConflict when another request moved the attempt on first.
    """
    step = current_step(module, new_state)
    finished = isinstance(step, Finish)
    # Flagged or blocked skills: not final. (isinstance again: mypy narrows no alias.)
    unresolved = isinstance(step, Finish) and step.unresolved
    values: dict[str, Any] = {"state": new_state, "seq": int(new_state["seq"]),
                              "updated_at": utcnow()}
    report = score = None
    if graded or finished:
        report = grade(module, new_state, bkt_params=bkt)
        values["score"] = report.score
        if not preview and session.sends_grades:
            # Made before the CAS so that it is stored with the new state.
            stamp = _score_timestamp(attempt, new_state)
            score = score_row(attempt, score=report.score,
                              score_maximum=settings_of(new_state).max_score,
                              comment=localized_comment(report), completed=finished,
                              timestamp=stamp,
                              unresolved=unresolved)
    if finished:
        values.update(status="completed", completed_at=utcnow())
    written = writer.write(StepWrite(attempt.id, expected_seq, values, event_table, event,
                                     score))
    enqueue_committed([written.score_id])  # committed: a job may look for it now
    return report if finished else None


def mark_page_seen(session: RunnerLaunch, posted_seq: int, page_id: str,
                   now: float | None = None, writer: StepWriter | None = None) -> ActivityPage:
    """The learner finished reading the current page: record it and move on."""
    now = time.time() if now is None else now
    current = _answering(session, posted_seq, ShowPage, page_id, now)
    if isinstance(current, ActivityPage):
        return current
    attempt, module, bkt, state, step = (current.attempt, current.module, current.bkt,
                                         current.state, current.step)
    seconds = _seconds(state, now)
    try:
        result = next_step(module, state, PageSeen(page_id, seq=posted_seq), bkt_params=bkt,
                           now=now)
    except StaleResponse:
        return _stale_page(session, attempt, posted_seq, None)
    new_state = _stamp(dict(result.state), now)
    preview = session.preview
    event = None if preview else dict(page_id=page_id, reason=step.reason, seq=posted_seq,
                                      seconds=seconds, created_at=utcnow())
    try:
        # Grades only change with answers, except when the page was the last step.
        _write_step(writer or StepWriter(), session, attempt, module, new_state, posted_seq,
                    bkt, preview, _PAGE_EVENTS, event, graded=False)
    except StepConflict:
        return _stale_page(session, attempt, posted_seq, None)
    xapi_events.after_page(session.id, attempt.id, module, page_id, seq=posted_seq,
                           reason=step.reason, seconds=seconds, state_after=new_state)
    return _page(session, attempt, module, new_state, bkt)


def restart_preview(session: RunnerLaunch) -> None:
    """A teacher starts their preview again: their preview attempt is removed (a learner's
    attempt never is: the statement only matches preview rows of this launch's user)."""
    if not session.preview or session.attempt is None:
        return
    db.session.execute(_ATTEMPTS.delete().where(_ATTEMPTS.c.id == session.attempt.id,
                                                _ATTEMPTS.c.user_pk == session.user_pk,
                                                _ATTEMPTS.c.preview.is_(True)))
    _commit()


def request_hint(session: RunnerLaunch, posted_seq: int, item_id: str,
                 form: Mapping[str, Sequence[str]], now: float | None = None,
                 writer: StepWriter | None = None) -> ActivityPage:
    """Reveal the next hint of the current item (recorded: the answer then counts as helped)."""
    current = _answering(session, posted_seq, AskItem, item_id, now)
    if isinstance(current, ActivityPage):
        return current
    attempt, module, bkt, state = current.attempt, current.module, current.bkt, current.state
    item = item_for_step(module, state, current.step)
    runner = _runner(state)
    hints = int(runner.get("hints", 0))
    if hints < len(item.hints):
        runner["hints"] = hints + 1
        state = {**state, "runner": runner}
        try:
            # Same seq: a hint does not move the step on, but it must not overwrite an
            # answer another tab recorded meanwhile.
            (writer or StepWriter()).write(StepWrite(attempt.id, posted_seq, {
                "state": state, "updated_at": utcnow()}))
        except StepConflict:
            return _stale_page(session, attempt, posted_seq, None)
        xapi_events.after_hint(session.id, attempt.id, module, item, seq=posted_seq,
                               hint_number=hints + 1)
    return _page(session, attempt, module, state, bkt, draft=draft_of(item, form))
