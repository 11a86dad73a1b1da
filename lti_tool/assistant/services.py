"""The assistant's services: answer a learner, open a cited source, flags and insight.

Views pass plain values (the launch session, the question, the time); nothing here
reads ``request``. The learner's view of the module (item on screen, unlocked hints,
items answered) comes from their attempt's engine state, the teacher's mode from the
resource link's settings (deep linking), so the policy sees exactly what the runner
shows.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from adaptive.assistant import (
    Index,
    LearnerView,
    Mode,
    Passage,
    Reply,
    leaks,
    parse_mode,
    passages_of,
    respond,
    secrets_of,
    visible,
)
from adaptive.assistant.confusion import (
    AnswerSignal,
    Flag,
    LiveSignal,
    QuestionSignal,
    Thresholds,
    flags,
)
from adaptive.assistant.text import fold
from adaptive.engine import AskItem, current_step
from adaptive.modules.format import Module
from lti_tool.assistant import course_models, llm
from lti_tool.assistant.index import get_index
from lti_tool.assistant.models import AssistantQuestion
from lti_tool.extensions import db
from lti_tool.models import AnswerEvent, Attempt, LaunchSession, User
from lti_tool.models.base import utcnow
from lti_tool.modules.library import UnknownModule, get_module, learner_module
from lti_tool.settings import Settings
from lti_tool.xapi import events as xapi_events

__all__ = ["AskResult", "Panel", "ask", "assistant_mode", "learner_state", "live_flags",
           "open_source", "panel_of", "questions_by_skill", "view_of"]

MODE_KEY = "assistant"  # in ResourceLink.settings, written by deep linking


def assistant_mode(link_settings: dict[str, Any] | None, settings: Settings) -> Mode:
    """The teacher's choice for this activity (deep linking); "full" when none was made."""
    return parse_mode((link_settings or {}).get(MODE_KEY, Mode.FULL), Mode.FULL)


@dataclass
class _Learner:
    module: Module
    view: LearnerView
    attempt: Attempt
    state: dict


def learner_state(session: LaunchSession, settings: Settings) -> _Learner | None:
    link = session.resource_link
    if link is None:
        return None
    attempt = db.session.execute(select(Attempt).where(
        Attempt.user_pk == session.user_pk, Attempt.resource_link_pk == link.id,
    )).scalar_one_or_none()
    if attempt is None:
        return None
    try:
        # The learner's language: the assistant retrieves from the texts they read.
        module = learner_module(get_module(attempt.module_id), session.locale)
    except (UnknownModule, ValueError):
        return None
    state = dict(attempt.state or {})
    return _Learner(module, view_of(module, state, assistant_mode(link.settings, settings)),
                    attempt, state)


def view_of(module: Module, state: dict, mode: Mode) -> LearnerView:
    """What the learner has been shown, read from the engine and runner state."""
    current = None
    hints = 0
    try:
        step = current_step(module, state)
    except (KeyError, ValueError, TypeError):
        step = None
    if isinstance(step, AskItem):
        current = step.item_id
        hints = int((state.get("runner") or {}).get("hints", 0))
    answered = frozenset(str(i) for i in state.get("history") or ())
    return LearnerView(current_item=current, hints_unlocked=hints, answered=answered, mode=mode)


def _index(module: Module, settings: Settings) -> Index:
    return get_index(module, settings.instance_path, settings.assistant_embeddings)


@dataclass(frozen=True)
class AskResult:
    reply: Reply
    mode: Mode
    phrased: str | None = None  # the language model's wording (citations as [n])
    source: str = "retrieval"  # | "model"
    question_id: int | None = None
    ms: float = 0.0


def _llm_config(settings: Settings, context_pk: int | None = None) -> llm.LlmConfig:
    # The course's own model when an admin set one, else the deployment's (or none).
    return course_models.config_for(settings, context_pk)


def ask(session: LaunchSession, question: str, language: str, settings: Settings,
        ) -> AskResult:
    """Answer ``question`` for this launch's learner and store it for the teachers."""
    t0 = time.perf_counter()
    learner = learner_state(session, settings)
    if learner is None:
        return AskResult(Reply(status="off"), Mode.OFF)
    if learner.view.mode is Mode.OFF:
        return AskResult(Reply(status="off"), Mode.OFF)
    reply = respond(_index(learner.module, settings), learner.module, question, learner.view)
    item = None
    if learner.view.current_item:
        item = learner.module.item(learner.view.current_item)
    phrased = llm.phrase(_llm_config(settings, session.context_pk), question, reply,
                         secrets_of(item), language)
    ms = (time.perf_counter() - t0) * 1000
    question_id = None
    if session.role == "learner" and session.context_pk is not None:
        question_id = _store(session, learner, question, reply, phrased)
    return AskResult(reply, learner.view.mode, phrased, "model" if phrased else "retrieval",
                     question_id, ms)


def _normal(question: str) -> str:
    return " ".join(fold(question).split()).strip(" ?¿!¡.")


def _store(session: LaunchSession, learner: _Learner, question: str, reply: Reply,
           phrased: str | None) -> int:
    link = session.resource_link
    assert link is not None and session.context_pk is not None
    earlier = db.session.execute(select(AssistantQuestion.question).where(
        AssistantQuestion.user_pk == session.user_pk,
        AssistantQuestion.resource_link_pk == link.id)).scalars().all()
    repeated = _normal(question) in {_normal(q) for q in earlier}
    row = AssistantQuestion(
        context_pk=session.context_pk, resource_link_pk=link.id, user_pk=session.user_pk,
        module_id=learner.module.id, item_id=learner.view.current_item, skill_id=reply.skill,
        question=question[:1000],
        answer={"status": reply.status, "source": "model" if phrased else "retrieval",
                "text": phrased or reply.text, "cited": [q.passage_id for q in reply.quotes]},
        asked_for_answer=reply.asked_for_answer, confused=reply.confused, repeated=repeated,
        created_at=utcnow())
    db.session.add(row)
    db.session.commit()
    # One xAPI "asked" statement per stored question (the row id makes a retry idempotent).
    xapi_events.record_assistant_question(session.id, question[:1000],
                                          item_id=learner.view.current_item,
                                          event_id=f"assistant-question-{row.id}")
    return row.id


def open_source(session: LaunchSession, passage_id: str, settings: Settings,
                ) -> tuple[Module, Passage] | None:
    """A cited passage, when this learner may see it now (else None: 404)."""
    learner = learner_state(session, settings)
    if learner is None:
        return None
    for passage in _index(learner.module, settings).passages:
        if passage.id == passage_id:
            if not visible(passage, learner.view):
                return None
            return learner.module, passage
    return None


def source_body(module: Module, passage: Passage) -> str:
    """The Markdown to show for a cited passage (the whole page for lessons)."""
    if passage.kind == "page":
        return module.page(passage.id.split(":", 1)[1]).body
    if passage.kind == "glossary" and passage.skill:
        skill = module.skill(passage.skill)
        return skill.description or skill.title
    item = module.item(passage.item) if passage.item else None
    if item is not None and passage.kind == "hint":
        return item.hints[passage.index]
    if item is not None and passage.kind == "solution":
        return item.solution
    if item is not None and passage.kind == "feedback":
        return item.answer_groups[passage.index].feedback
    return passage.text


def safe_source_body(module: Module, passage: Passage, view: LearnerView) -> str:
    """``source_body`` with nothing that states the answer of the item on screen."""
    from adaptive.assistant import redact

    item = module.item(view.current_item) if view.current_item else None
    body = source_body(module, passage)
    secrets = secrets_of(item)
    return body if not leaks(body, secrets) else redact(body, secrets)


# ------------------------------------------------------------------ the learner's panel

@dataclass
class Panel:
    """What the assistant panel shows on an activity page."""

    mode: Mode
    skill: str | None = None
    resources: list[Passage] = field(default_factory=list)  # offered when flagged
    flagged: bool = False


def panel_of(module: Module, state: dict, mode: Mode, settings: Settings,
             now: float | None = None) -> Panel:
    """The panel of an activity page, from the learner's state alone (no query: it is
    rendered on every step). The skill's resources are offered when the state shows a
    struggle: several wrong answers on the skill lately, or a hint cascade."""
    view = view_of(module, state, mode)
    skill = module.item(view.current_item).primary_skill if view.current_item else None
    panel = Panel(mode=mode, skill=skill)
    if mode is Mode.OFF or skill is None:
        return panel
    t = Thresholds()
    recent = list(((state.get("skills") or {}).get(skill) or {}).get("recent") or [])
    wrong = sum(1 for ok in recent[-t.recent:] if not ok)
    if wrong >= t.wrong_answers or view.hints_unlocked >= t.hint_cascade:
        panel.flagged = True
        panel.resources = [p for p in passages_of(module)
                           if p.kind == "resource" and p.skill == skill and visible(p, view)]
    return panel


# ---------------------------------------------------------------- teachers: flags, insight

def _ts(value: datetime) -> float:
    # Timestamps are stored as naive UTC (``models.base.utcnow``).
    return value.replace(tzinfo=UTC).timestamp()


def _flags_for(link_pk: int | None, now: float, user_pk: int | None = None,
               t: Thresholds | None = None) -> list[Flag]:
    if link_pk is None:
        return []
    t = t or Thresholds()
    since = utcnow() - timedelta(seconds=t.window_seconds)
    answers_q = select(AnswerEvent.user_pk, AnswerEvent.skill_ids, AnswerEvent.correct,
                       AnswerEvent.hints_used, AnswerEvent.created_at).where(
        AnswerEvent.resource_link_pk == link_pk, AnswerEvent.created_at >= since)
    questions_q = select(AssistantQuestion.user_pk, AssistantQuestion.skill_id,
                         AssistantQuestion.repeated, AssistantQuestion.confused,
                         AssistantQuestion.created_at).where(
        AssistantQuestion.resource_link_pk == link_pk, AssistantQuestion.created_at >= since)
    attempts_q = select(Attempt.user_pk, Attempt.module_id, Attempt.state).where(
        Attempt.resource_link_pk == link_pk, Attempt.status == "in_progress",
        Attempt.updated_at >= since - timedelta(seconds=t.dwell_seconds))
    if user_pk is not None:
        answers_q = answers_q.where(AnswerEvent.user_pk == user_pk)
        questions_q = questions_q.where(AssistantQuestion.user_pk == user_pk)
        attempts_q = attempts_q.where(Attempt.user_pk == user_pk)
    answers = [AnswerSignal(str(r.user_pk), (r.skill_ids or [None])[0], bool(r.correct),
                            int(r.hints_used or 0), _ts(r.created_at))
               for r in db.session.execute(answers_q)]
    questions = [QuestionSignal(str(r.user_pk), r.skill_id, bool(r.repeated), bool(r.confused),
                                _ts(r.created_at)) for r in db.session.execute(questions_q)]
    live = []
    for r in db.session.execute(attempts_q):
        state = r.state or {}
        runner = state.get("runner") or {}
        current = state.get("current") or {}
        skill = current.get("skill")
        on_item = current.get("type") == "item"
        live.append(LiveSignal(str(r.user_pk), skill,
                               int(runner.get("hints", 0)) if on_item else 0,
                               runner.get("shown_at")))
    return flags(answers, questions, live, now, t)


@dataclass(frozen=True)
class FlagRow:
    learner: str  # display name
    skill: str | None  # skill title
    reason: str
    detail: int
    seconds_ago: int


def live_flags(scope: Any, now: float | None = None) -> list[FlagRow]:
    """The current flags of the teacher's activity, named for the panel."""
    now = time.time() if now is None else now
    found = _flags_for(scope.resource_link_pk, now)
    names = _names({int(f.learner) for f in found})
    titles = _skill_titles(scope.module_id)
    return [FlagRow(names.get(int(f.learner), f"#{f.learner}"),
                    titles.get(f.skill, f.skill) if f.skill else None, f.reason, f.detail,
                    max(0, int(now - f.at))) for f in found]


def _names(user_pks: set[int]) -> dict[int, str]:
    if not user_pks:
        return {}
    rows = db.session.execute(select(User.id, User.name, User.sub).where(User.id.in_(user_pks)))
    return {r.id: (r.name or r.sub) for r in rows}


def _skill_titles(module_id: str | None) -> dict[str, str]:
    if not module_id:
        return {}
    try:
        return {s.id: s.title for s in get_module(module_id).skills}
    except (UnknownModule, ValueError):
        return {}


@dataclass(frozen=True)
class SkillQuestions:
    skill_id: str | None
    title: str
    count: int
    asked_for_answer: int
    confused: int
    recent: list[tuple[str, str, str]]  # (learner name, question, answer status)
    common: list[tuple[str, int]]  # most frequent words, for a glance


def questions_by_skill(scope: Any, limit: int = 10) -> list[SkillQuestions]:
    """What learners ask per skill in the teacher's activity (newest first within a skill)."""
    from adaptive.assistant.text import tokens

    rows = db.session.execute(select(AssistantQuestion).where(
        AssistantQuestion.resource_link_pk == scope.resource_link_pk,
        AssistantQuestion.context_pk == scope.context_pk,
    ).order_by(AssistantQuestion.created_at.desc())).scalars().all()
    names = _names({r.user_pk for r in rows})
    titles = _skill_titles(scope.module_id)
    grouped: dict[str | None, list[AssistantQuestion]] = defaultdict(list)
    for r in rows:
        grouped[r.skill_id].append(r)
    out = []
    for skill_id, items in grouped.items():
        words = Counter(w for r in items for w in set(tokens(r.question)) if not w.isdigit())
        out.append(SkillQuestions(
            skill_id, titles.get(skill_id, skill_id or "—") if skill_id else "—", len(items),
            sum(r.asked_for_answer for r in items), sum(r.confused for r in items),
            [(names.get(r.user_pk, "?"), r.question, (r.answer or {}).get("status", ""))
             for r in items[:limit]], words.most_common(5)))
    return sorted(out, key=lambda s: -s.count)
