"""Hooks the runner and the launch call after a learning event is recorded.

Each hook is one call at the place the event is committed (``runner.services``,
``launch.views``). It does nothing, at the cost of a memoised lookup, unless some
deployment has an LRS; otherwise it reads who and where in one query, builds the
statements (``statements``), stores them in the outbox and wakes the delivery job.

A hook never raises: xAPI is a copy of what the tool already recorded, so a
failure here is logged and the learner's step stands.

``record_assistant_question`` is the function the assistant calls when a learner
asks it something.
"""

from __future__ import annotations

import functools
import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from cachetools import TTLCache
from flask import current_app
from sqlalchemy import and_, select

from adaptive.engine import Finish, current_step, skill_progress
from adaptive.grading.score import grade
from adaptive.modules.format import Item, Module
from adaptive.policy.base import FLAGGED, PASSED_STATUSES
from lti_tool.extensions import db
from lti_tool.models import Context, Deployment, LaunchSession, Platform, ResourceLink, User
from lti_tool.xapi import statements as st
from lti_tool.xapi.models import XapiLrs
from lti_tool.xapi.outbox import store

log = logging.getLogger("branchwise.xapi")

__all__ = ["after_answer", "after_hint", "after_page", "forget", "launched",
           "record_assistant_question"]

# Whether any deployment has an LRS, memoised so that tools without xAPI pay nothing per
# event; changing LRS settings in this process forgets it at once, other processes
# notice within the TTL.
_MEMO_TTL = 10.0
_memo: TTLCache[str, bool] = TTLCache(maxsize=1, ttl=_MEMO_TTL)
_memo_lock = threading.Lock()


def forget() -> None:
    """Drop the memoised "is any LRS configured" answer (after LRS settings change)."""
    with _memo_lock:
        _memo.clear()


def _any_lrs() -> bool:
    with _memo_lock:
        known = _memo.get("any")
    if known is None:
        known = db.session.execute(
            select(XapiLrs.id).where(XapiLrs.enabled.is_(True)).limit(1)).first() is not None
        with _memo_lock:
            _memo["any"] = known
    return known


@dataclass(frozen=True)
class _Who:
    deployment_pk: int
    user_pk: int
    role: str
    issuer: str
    subject: str
    deployment_id: str
    context_id: str | None
    context_title: str
    resource_link_id: str | None
    module_id: str | None


_WHO = (
    select(LaunchSession.deployment_pk, LaunchSession.user_pk, LaunchSession.role,
           Platform.issuer, User.sub, Deployment.deployment_id, Context.context_id,
           Context.title, ResourceLink.resource_link_id, ResourceLink.module_id)
    .select_from(LaunchSession)
    .join(XapiLrs, and_(XapiLrs.deployment_pk == LaunchSession.deployment_pk,
                        XapiLrs.enabled.is_(True)))
    .join(Platform, Platform.id == LaunchSession.platform_id)
    .join(User, User.id == LaunchSession.user_pk)
    .join(Deployment, Deployment.id == LaunchSession.deployment_pk)
    .outerjoin(Context, Context.id == LaunchSession.context_pk)
    .outerjoin(ResourceLink, ResourceLink.id == LaunchSession.resource_link_pk)
)


def _who(launch_id: str) -> _Who | None:
    """The learner and deployment of a launch, or None when its deployment has no LRS."""
    if not _any_lrs():
        return None
    row = db.session.execute(_WHO.where(LaunchSession.id == launch_id)).first()
    if row is None or row.role != "learner":
        return None
    return _Who(row.deployment_pk, row.user_pk, row.role, row.issuer, row.sub,
                row.deployment_id, row.context_id, row.title or "", row.resource_link_id,
                row.module_id)


def _ctx(who: _Who, module: Module, attempt_id: int | None) -> st.EventContext:
    base_url = current_app.config["BRANCHWISE"].base_url
    return st.EventContext(base_url=base_url, issuer=who.issuer, subject=who.subject,
                           deployment_id=who.deployment_id, module=module,
                           context_id=who.context_id, context_title=who.context_title,
                           resource_link_id=who.resource_link_id, attempt_id=attempt_id)


_F = TypeVar("_F", bound=Callable[..., Any])


def _guard(name: str) -> Callable[[_F], _F]:
    """Run a hook body; log and swallow any error (the learning event stands)."""
    def wrap(fn: _F) -> _F:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception:
                log.exception("xAPI %s statement not recorded", name)
                try:
                    db.session.rollback()
                except Exception:  # pragma: no cover - the session is beyond repair
                    log.exception("rollback after a failed xAPI hook")
                return None
        return run  # type: ignore[return-value]
    return wrap


def _status_changes(module: Module, before: Mapping[str, Any], after: Mapping[str, Any],
                    ctx: st.EventContext) -> list[dict]:
    """Statements for skills whose status became mastered/known or flagged."""
    from lti_tool.modules.library import fitted_params

    old = before.get("skills") or {}
    out = []
    for row in skill_progress(module, dict(after), bkt_params=fitted_params(module.id)):
        was = (old.get(row.skill_id) or {}).get("status")
        if row.status == was:
            continue
        if row.status in PASSED_STATUSES:
            out.append(st.skill_mastered(ctx, row.skill_id, row.p_mastery, status=row.status))
        elif row.status == FLAGGED:
            out.append(st.skill_flagged(ctx, row.skill_id, row.p_mastery))
    return out


def _finish(module: Module, state: Mapping[str, Any], ctx: st.EventContext) -> list[dict]:
    step = current_step(module, dict(state))
    if not isinstance(step, Finish):
        return []
    from lti_tool.modules.library import fitted_params

    report = grade(module, dict(state), bkt_params=fitted_params(module.id))
    return [st.completed(ctx, report.score, mastered=step.mastered, flagged=step.flagged)]


@_guard("launched")
def launched(launch_id: str) -> None:
    """A learner's launch landed (one statement per LTI launch)."""
    who = _who(launch_id)
    if who is None or not who.module_id:
        return
    from lti_tool.modules.library import get_module

    module = get_module(who.module_id)
    store(who.deployment_pk, who.user_pk, [st.launched(_ctx(who, module, None), launch_id)])


@_guard("answered")
def after_answer(launch_id: str, attempt_id: int, module: Module, item: Item, *, seq: int,
                 answer: Any, correct: bool, phase: str, hints_used: int,
                 seconds: float | None, mastery_before: Mapping[str, float] | None,
                 mastery_after: Mapping[str, float] | None, misconception: str | None,
                 state_before: Mapping[str, Any], state_after: Mapping[str, Any]) -> None:
    """An answer was recorded: answered, then any skill mastered/flagged, then completed."""
    who = _who(launch_id)
    if who is None:
        return
    ctx = _ctx(who, module, attempt_id)
    batch = [st.answered(ctx, item, seq, answer=answer, correct=correct, phase=phase,
                         hints_used=hints_used, seconds=seconds,
                         mastery_before=dict(mastery_before or {}),
                         mastery_after=dict(mastery_after or {}),
                         misconception=misconception)]
    batch += _status_changes(module, state_before, state_after, ctx)
    batch += _finish(module, state_after, ctx)
    store(who.deployment_pk, who.user_pk, batch)


@_guard("experienced")
def after_page(launch_id: str, attempt_id: int, module: Module, page_id: str, *, seq: int,
               reason: str, seconds: float | None, state_after: Mapping[str, Any]) -> None:
    """A page was read (and, when it was the last step, the activity completed)."""
    who = _who(launch_id)
    if who is None:
        return
    ctx = _ctx(who, module, attempt_id)
    batch = [st.page_seen(ctx, page_id, seq, reason=reason, seconds=seconds)]
    batch += _finish(module, state_after, ctx)
    store(who.deployment_pk, who.user_pk, batch)


@_guard("requested-hint")
def after_hint(launch_id: str, attempt_id: int, module: Module, item: Item, *, seq: int,
               hint_number: int) -> None:
    """Hint number ``hint_number`` (1-based) of the current item was revealed."""
    who = _who(launch_id)
    if who is None:
        return
    ctx = _ctx(who, module, attempt_id)
    store(who.deployment_pk, who.user_pk, [st.hint_requested(ctx, item, seq, hint_number)])


def record_assistant_question(launch_id: str, question: str, *, item_id: str | None = None,
                              event_id: str | None = None) -> str | None:
    """Record that the learner of ``launch_id`` asked the assistant ``question``.

    For the assistant (issue 15): call it once per question, after the question is
    accepted. ``item_id`` names the item the learner was on, if any; ``event_id`` is your
    id of the question (a retry with the same id records it once). Returns the statement
    id, or None when the deployment sends no xAPI (or on any error, which is logged:
    this never raises).
    """
    return _assistant(launch_id, question, item_id, event_id)


@_guard("asked")
def _assistant(launch_id: str, question: str, item_id: str | None,
               event_id: str | None) -> str | None:
    who = _who(launch_id)
    if who is None or not who.module_id:
        return None
    from lti_tool.models import Attempt
    from lti_tool.modules.library import get_module

    attempt = db.session.execute(
        select(Attempt.id, Attempt.module_id).where(
            Attempt.user_pk == who.user_pk,
            Attempt.resource_link_pk == select(LaunchSession.resource_link_pk).where(
                LaunchSession.id == launch_id).scalar_subquery())).first()
    module = get_module(attempt.module_id if attempt is not None else who.module_id)
    item = None
    if item_id:
        try:
            item = module.item(item_id)
        except KeyError:
            item = None
    ctx = _ctx(who, module, attempt.id if attempt is not None else None)
    stmt = st.assistant_asked(ctx, question, event_id=event_id or str(uuid.uuid4()), item=item)
    store(who.deployment_pk, who.user_pk, [stmt])
    return stmt["id"]
