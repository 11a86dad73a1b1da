"""Branchwise's xAPI profile and the statements of each learning event (pure functions).

The profile (docs/xapi.md) uses ADL verbs where one exists and profile IRIs under
``PROFILE`` where none does (a hint request, a skill flagged for the teacher).
Activities are the tool's own: their ids start with the tool's base URL, so two
deployments of Branchwise never share an activity by accident.

Statement ids are UUIDv5 of the event (the attempt and its step, the launch, ...):
recording an event twice, or sending a statement again, gives the same id, and an
LRS stores a statement id once, so replays are idempotent.

Learners are identified by LTI ``account`` (``homePage``: the platform issuer,
``name``: the LTI ``sub``), never by name or e-mail.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from adaptive.modules.format import Item, ItemType, Module

__all__ = [
    "ACTIVITY", "EXT", "PROFILE", "VERBS", "EventContext", "activity_id", "answered",
    "assistant_asked", "completed", "hint_requested", "launched", "page_seen",
    "skill_flagged", "skill_mastered", "statement_id",
]

XAPI_VERSION = "1.0.3"
PROFILE = "https://w3id.org/xapi/branchwise"
_NS = uuid.UUID("3c1b6f0e-6a57-4f8e-9d2a-b7c4e1d9a2f5")  # Branchwise statement ids

VERBS: dict[str, tuple[str, str]] = {
    "launched": ("http://adlnet.gov/expapi/verbs/launched", "launched"),
    "experienced": ("http://adlnet.gov/expapi/verbs/experienced", "experienced"),
    "answered": ("http://adlnet.gov/expapi/verbs/answered", "answered"),
    "requested-hint": (f"{PROFILE}/verbs/requested-hint", "requested a hint"),
    "mastered": ("http://adlnet.gov/expapi/verbs/mastered", "mastered"),
    "flagged": (f"{PROFILE}/verbs/flagged", "was flagged for the teacher on"),
    "asked": ("http://adlnet.gov/expapi/verbs/asked", "asked"),
    "completed": ("http://adlnet.gov/expapi/verbs/completed", "completed"),
}

ACTIVITY = {
    "module": "http://adlnet.gov/expapi/activities/module",
    "course": "http://adlnet.gov/expapi/activities/course",
    "page": "http://activitystrea.ms/schema/1.0/page",
    "item": "http://adlnet.gov/expapi/activities/cmi.interaction",
    "skill": "http://adlnet.gov/expapi/activities/objective",
    "profile": "http://adlnet.gov/expapi/activities/profile",
}

EXT = {
    "skills": f"{PROFILE}/extensions/skills",  # [skill ids], primary first
    "mastery": f"{PROFILE}/extensions/mastery",  # {skill id: P(mastery) after the event}
    "mastery-before": f"{PROFILE}/extensions/mastery-before",
    "phase": f"{PROFILE}/extensions/phase",  # diagnostic | practice | review
    "hints-used": f"{PROFILE}/extensions/hints-used",
    "hint-number": f"{PROFILE}/extensions/hint-number",
    "misconception": f"{PROFILE}/extensions/misconception",
    "reason": f"{PROFILE}/extensions/reason",  # why a page was shown / a skill flagged
    "mastered-skills": f"{PROFILE}/extensions/mastered-skills",  # at completion
    "flagged-skills": f"{PROFILE}/extensions/flagged-skills",  # at completion
    "lti-context-id": f"{PROFILE}/extensions/lti-context-id",
    "lti-resource-link-id": f"{PROFILE}/extensions/lti-resource-link-id",
    "lti-deployment-id": f"{PROFILE}/extensions/lti-deployment-id",
}

_INTERACTION = {ItemType.SINGLE_CHOICE: "choice", ItemType.MULTIPLE_CHOICE: "choice",
                ItemType.ORDERING: "sequencing", ItemType.NUMERIC: "numeric",
                ItemType.SHORT_TEXT: "fill-in"}


@dataclass(frozen=True)
class EventContext:
    """Who did it, where: everything a statement needs besides the event itself."""

    base_url: str
    issuer: str  # the platform's LTI issuer (the actor's account homePage)
    subject: str  # the learner's LTI sub
    deployment_id: str
    module: Module
    context_id: str | None = None
    context_title: str = ""
    resource_link_id: str | None = None
    attempt_id: int | None = None


def statement_id(base_url: str, *key: object) -> str:
    """A stable statement id for one event (``key`` names it)."""
    return str(uuid.uuid5(_NS, "|".join([base_url, *map(str, key)])))


def activity_id(base_url: str, module_id: str, kind: str | None = None,
                ident: str | None = None) -> str:
    """The tool's IRI of a module, or of one of its items, pages or skills."""
    base = f"{base_url}/xapi/activities/module/{quote(module_id, safe='')}"
    return base if kind is None else f"{base}/{kind}/{quote(ident or '', safe='')}"


def _now(at: datetime | None) -> str:
    moment = at or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _duration(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return f"PT{max(0.0, round(float(seconds), 2)):g}S"


def _lang(ctx: EventContext) -> str:
    return ctx.module.language or "en"


def _module_activity(ctx: EventContext) -> dict:
    definition: dict[str, Any] = {"type": ACTIVITY["module"],
                                  "name": {_lang(ctx): ctx.module.title}}
    if ctx.module.description:
        definition["description"] = {_lang(ctx): ctx.module.description[:1000]}
    return {"objectType": "Activity", "id": activity_id(ctx.base_url, ctx.module.id),
            "definition": definition}


def _skill_activity(ctx: EventContext, skill_id: str) -> dict:
    try:
        title = ctx.module.skill(skill_id).title
    except KeyError:
        title = skill_id
    return {"objectType": "Activity",
            "id": activity_id(ctx.base_url, ctx.module.id, "skill", skill_id),
            "definition": {"type": ACTIVITY["skill"], "name": {_lang(ctx): title}}}


def _actor(ctx: EventContext) -> dict:
    return {"objectType": "Agent", "account": {"homePage": ctx.issuer, "name": ctx.subject}}


def _context(ctx: EventContext, *, parent: bool = True,
             skills: Sequence[str] = ()) -> dict:
    activities: dict[str, list] = {
        "category": [{"objectType": "Activity", "id": PROFILE,
                      "definition": {"type": ACTIVITY["profile"]}}]}
    if parent:
        activities["parent"] = [_module_activity(ctx)]
    if ctx.context_id:
        course: dict[str, Any] = {
            "objectType": "Activity",
            "id": f"{ctx.base_url}/xapi/activities/course/{quote(ctx.issuer, safe='')}/"
                  f"{quote(ctx.context_id, safe='')}",
            "definition": {"type": ACTIVITY["course"]}}
        if ctx.context_title:
            course["definition"]["name"] = {_lang(ctx): ctx.context_title}
        activities["grouping"] = [course]
    if skills:
        activities["other"] = [_skill_activity(ctx, s) for s in skills]
    extensions: dict[str, Any] = {EXT["lti-deployment-id"]: ctx.deployment_id}
    if ctx.context_id:
        extensions[EXT["lti-context-id"]] = ctx.context_id
    if ctx.resource_link_id:
        extensions[EXT["lti-resource-link-id"]] = ctx.resource_link_id
    out: dict[str, Any] = {"platform": "Branchwise", "language": _lang(ctx),
                           "contextActivities": activities, "extensions": extensions}
    if ctx.attempt_id is not None:
        out["registration"] = str(uuid.uuid5(_NS, f"{ctx.base_url}|attempt|{ctx.attempt_id}"))
    return out


def _statement(ctx: EventContext, sid: str, verb: str, obj: dict, *, at: datetime | None,
               result: dict | None = None, context: dict | None = None) -> dict:
    iri, display = VERBS[verb]
    stmt: dict[str, Any] = {
        "id": sid, "actor": _actor(ctx),
        "verb": {"id": iri, "display": {"en-US": display}},
        "object": obj, "timestamp": _now(at),
        "context": context if context is not None else _context(ctx),
        "version": XAPI_VERSION,
    }
    if result:
        stmt["result"] = result
    return stmt


def launched(ctx: EventContext, launch_id: str, at: datetime | None = None) -> dict:
    """The learner opened the activity from the LMS (one per LTI launch)."""
    return _statement(ctx, statement_id(ctx.base_url, "launched", launch_id), "launched",
                      _module_activity(ctx), at=at, context=_context(ctx, parent=False))


def page_seen(ctx: EventContext, page_id: str, seq: int, *, reason: str,
              seconds: float | None, at: datetime | None = None) -> dict:
    """The learner read a lesson or remediation page and moved on."""
    try:
        page = ctx.module.page(page_id)
        name, skill = page.title, page.skill
    except KeyError:
        name, skill = page_id, None
    obj = {"objectType": "Activity",
           "id": activity_id(ctx.base_url, ctx.module.id, "page", page_id),
           "definition": {"type": ACTIVITY["page"], "name": {_lang(ctx): name}}}
    result: dict[str, Any] = {"completion": True, "extensions": {EXT["reason"]: reason}}
    if (duration := _duration(seconds)) is not None:
        result["duration"] = duration
    return _statement(ctx, statement_id(ctx.base_url, "page", ctx.attempt_id, seq),
                      "experienced", obj, at=at, result=result,
                      context=_context(ctx, skills=[skill] if skill else ()))


def _item_activity(ctx: EventContext, item: Item) -> dict:
    definition: dict[str, Any] = {
        "type": ACTIVITY["item"], "name": {_lang(ctx): item.id},
        "description": {_lang(ctx): item.prompt[:1000]},
        "interactionType": _INTERACTION[item.type],
    }
    if item.choices:  # xAPI names them "choices" for choice and sequencing alike
        definition["choices"] = [{"id": c.id, "description": {_lang(ctx): c.text[:500]}}
                           for c in item.choices]
    pattern = _correct_pattern(item)
    if pattern is not None:
        definition["correctResponsesPattern"] = [pattern]
    return {"objectType": "Activity",
            "id": activity_id(ctx.base_url, ctx.module.id, "item", item.id),
            "definition": definition}


def _correct_pattern(item: Item) -> str | None:
    group = next((g for g in item.answer_groups if g.correct), None)
    if group is None:
        return None
    m = group.match
    if item.type == ItemType.SINGLE_CHOICE:
        return m.choice
    if item.type == ItemType.MULTIPLE_CHOICE:
        return "[,]".join(m.choices)
    if item.type == ItemType.ORDERING:
        return "[,]".join(m.order)
    if item.type == ItemType.NUMERIC:
        if m.value is not None:
            return (f"{m.value - m.tolerance:g}[:]{m.value + m.tolerance:g}"
                    if m.tolerance else f"{m.value:g}")
        low = "" if m.low is None else f"{m.low:g}"
        high = "" if m.high is None else f"{m.high:g}"
        return f"{low}[:]{high}"
    if item.type == ItemType.SHORT_TEXT and m.mode != "regex" and m.text is not None:
        return m.text
    return None


def _response(item: Item, answer: Any) -> str:
    if isinstance(answer, (list, tuple)):
        return "[,]".join(map(str, answer))
    return str(answer)[:1000]


def answered(ctx: EventContext, item: Item, seq: int, *, answer: Any, correct: bool,
             phase: str, hints_used: int, seconds: float | None,
             mastery_before: Mapping[str, float], mastery_after: Mapping[str, float],
             misconception: str | None = None, at: datetime | None = None) -> dict:
    """An answer, with its result and the skills it is evidence for (with P(mastery))."""
    extensions: dict[str, Any] = {
        EXT["skills"]: list(item.skills),
        EXT["mastery"]: {k: round(float(v), 4) for k, v in mastery_after.items()},
        EXT["mastery-before"]: {k: round(float(v), 4) for k, v in mastery_before.items()},
        EXT["phase"]: phase,
        EXT["hints-used"]: int(hints_used),
    }
    if misconception:
        extensions[EXT["misconception"]] = misconception
    result: dict[str, Any] = {"success": bool(correct), "completion": True,
                              "response": _response(item, answer),
                              "score": {"scaled": 1.0 if correct else 0.0, "raw": int(correct),
                                        "min": 0, "max": 1},
                              "extensions": extensions}
    if (duration := _duration(seconds)) is not None:
        result["duration"] = duration
    return _statement(ctx, statement_id(ctx.base_url, "answer", ctx.attempt_id, seq),
                      "answered", _item_activity(ctx, item), at=at, result=result,
                      context=_context(ctx, skills=item.skills))


def hint_requested(ctx: EventContext, item: Item, seq: int, hint_number: int,
                   at: datetime | None = None) -> dict:
    """The learner revealed hint number ``hint_number`` (1-based) of the current item."""
    return _statement(ctx, statement_id(ctx.base_url, "hint", ctx.attempt_id, seq,
                                        hint_number),
                      "requested-hint", _item_activity(ctx, item), at=at,
                      result={"extensions": {EXT["hint-number"]: hint_number}},
                      context=_context(ctx, skills=item.skills))


def skill_mastered(ctx: EventContext, skill_id: str, p_mastery: float, *, status: str,
                   at: datetime | None = None) -> dict:
    """A skill reached mastery (``status`` "mastered", or "known" from the pre-test)."""
    return _statement(ctx, statement_id(ctx.base_url, "mastered", ctx.attempt_id, skill_id),
                      "mastered", _skill_activity(ctx, skill_id), at=at,
                      result={"success": True, "completion": True,
                              "extensions": {EXT["mastery"]: {skill_id: round(p_mastery, 4)},
                                             EXT["reason"]: status}})


def skill_flagged(ctx: EventContext, skill_id: str, p_mastery: float,
                  at: datetime | None = None) -> dict:
    """The practice cap was reached without mastery: the skill needs the teacher."""
    return _statement(ctx, statement_id(ctx.base_url, "flagged", ctx.attempt_id, skill_id),
                      "flagged", _skill_activity(ctx, skill_id), at=at,
                      result={"success": False,
                              "extensions": {EXT["mastery"]: {skill_id: round(p_mastery, 4)},
                                             EXT["reason"]: "practice-cap"}})


def completed(ctx: EventContext, score: float, *, mastered: Sequence[str],
              flagged: Sequence[str], at: datetime | None = None) -> dict:
    """The activity finished: every target skill mastered or flagged."""
    scaled = round(min(max(float(score), 0.0), 1.0), 4)
    return _statement(ctx, statement_id(ctx.base_url, "completed", ctx.attempt_id),
                      "completed", _module_activity(ctx), at=at, context=_context(
                          ctx, parent=False),
                      result={"completion": True, "success": not flagged,
                              "score": {"scaled": scaled, "raw": scaled, "min": 0, "max": 1},
                              "extensions": {EXT["mastered-skills"]: list(mastered),
                                             EXT["flagged-skills"]: list(flagged)}})


def assistant_asked(ctx: EventContext, question: str, *, event_id: str,
                    item: Item | None = None, at: datetime | None = None) -> dict:
    """The learner asked the assistant something (about ``item`` when given)."""
    obj = _item_activity(ctx, item) if item is not None else _module_activity(ctx)
    return _statement(ctx, statement_id(ctx.base_url, "asked", event_id), "asked", obj, at=at,
                      result={"response": question[:1000]},
                      context=_context(ctx, parent=item is not None,
                                       skills=item.skills if item is not None else ()))
