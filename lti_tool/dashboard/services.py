"""Read-only queries behind the dashboard, scoped to one launch's resource link.

Every function takes a :class:`Scope` built from the LaunchSession (never from
URL parameters), so an instructor can only ever read the resource link, course
and platform they launched from. Learner ids in URLs are LMS ``sub`` values and
are accepted only when :func:`find_learner` finds them in that scope.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field, replace
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import func, or_, select

from adaptive import engine
from adaptive.analytics import (
    AnswerRecord,
    ItemSummary,
    LearnerSummary,
    MisconceptionSummary,
    PageRecord,
    PathStep,
    SkillInfo,
    SkillState,
    SkillSummary,
    Suggestion,
    item_summaries,
    learner_path,
    learner_summaries,
    misconception_summaries,
    skill_summaries,
    struggling_skills,
    suggest,
)
from adaptive.analytics.events import HAS_SKILL, STATUSES
from adaptive.analytics.kinds import KindReport, item_kinds, kind_report
from adaptive.analytics.profiles import Profile, profiles
from adaptive.analytics.restructuring import Restructuring, not_judged, suggest_restructuring
from adaptive.analytics.suggestions import Names
from adaptive.defaults import PRACTICE_CAP
from adaptive.goals import goal_targets, relevant_skills
from adaptive.modules import Module
from adaptive.modules.format import Item, ItemType
from adaptive.modules.variants import with_values
from lti_tool.course_scope import STAFF_ROLES, Scope, scope_for  # noqa: F401 (re-exported)
from lti_tool.dashboard import module_diff as module_diff_lib
from lti_tool.dashboard import nrps
from lti_tool.extensions import cache, db
from lti_tool.filters import plain_text, render_inline
from lti_tool.models import (
    AnswerEvent,
    Attempt,
    Context,
    FittedSkillParams,
    ItemStats,
    PageEvent,
    Platform,
    ResourceLink,
    User,
)
from lti_tool.modules import library
from lti_tool.protocol.errors import (
    NotAllowed,  # noqa: F401 (the views catch it from here)
    NotFoundError,
)

log = logging.getLogger("branchwise.dashboard")



class NotFound(NotFoundError):
    """An id from the URL that is not part of the session's resource link."""

    code = "not_in_activity"


@dataclass(frozen=True)
class Learner:
    """A row of the dashboard: someone on the roster or seen in the activity."""

    sub: str
    name: str
    on_roster: bool
    user_pk: int | None  # None: on the roster but never launched the tool


@dataclass(frozen=True)
class Roster:
    """The learners of the course and where the list came from."""

    learners: tuple[Learner, ...]
    source: str  # "nrps" | "seen"
    note: str | None = None  # why the fallback was used, in words for the teacher


@dataclass
class ActivityData:
    """Everything logged for one resource link, as analytics records."""

    module: Module | None
    practice_cap: int
    skills: list[SkillInfo]
    answers: list[AnswerRecord]
    pages: list[PageRecord]
    states: list[SkillState]
    users: dict[str, User]  # sub -> User, learners with an attempt
    goal_of: dict[str, str | None] = field(default_factory=dict)  # sub -> the attempt's goal


@dataclass
class Dashboard:
    """The overview page's data."""

    link: ResourceLink
    context: Context
    module: Module | None
    roster: Roster
    practice_cap: int
    skills: list[SkillSummary]
    struggling: list[SkillSummary]
    items: list[ItemSummary]
    misconceptions: list[MisconceptionSummary]
    learners: list[LearnerSummary]
    suggestions: list[Suggestion]
    names: dict[str, str]  # learner sub -> display name
    item_stats: dict[str, ItemStats] = field(default_factory=dict)
    fitted: dict[str, FittedSkillParams] = field(default_factory=dict)
    item_labels: dict[str, str] = field(default_factory=dict)  # item id -> its question
    item_html: dict[str, Markup] = field(default_factory=dict)  # the question, math rendered
    # (item id, answer group index or None) -> the group as the learner saw it
    group_labels: dict[tuple[str, int | None], str] = field(default_factory=dict)
    # (learner sub, skill id) -> titles of the prerequisites that kept it out of reach
    blocked_by: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    restructuring: list[Restructuring] = field(default_factory=list)
    profiles: list[Profile] = field(default_factory=list)
    #: What the restructuring analysis could not judge on this class (too few learners).
    not_judged: list[str] = field(default_factory=list)
    over_time: list[tuple[str, float, int]] = field(default_factory=list)  # (day, share, n)
    versions: list[VersionRow] = field(default_factory=list)
    kinds: KindReport | None = None  # the class by kind of thinking; None: no item tagged
    goal: str | None = None  # the goal the page is filtered to (None: every learner)
    goal_rows: list[GoalRow] = field(default_factory=list)  # the goals compared


LABEL_CHARS = 80


def item_label(module: Module | None, item_id: str) -> str:
    """The item's question as short plain text (what a teacher recognises), else its id."""
    if module is None:
        return item_id
    try:
        item = module.item(item_id)
    except KeyError:  # answered in an earlier version of the module
        return item_id
    return _label(item.prompt, item_id)


#: Why a variant item's answer is shown with the authored numbers, not the learner's:
#: answered before the answer event kept them (migration af1d95269673) ...
NOT_RECORDED = "not_recorded"
#: ... or the recorded numbers no longer fit the item (the module changed since).
CHANGED = "changed"
#: The same, in words (the learner CSV; the drill-down translates its own).
VARIANT_NOTES = {
    NOT_RECORDED: "the authored numbers: this answer was recorded before the numbers each "
                  "learner sees were kept",
    CHANGED: "the authored numbers: the item has changed since this answer",
}


def seen_item(module: Module | None, item_id: str,
              variant: Any) -> tuple[Item | None, str]:
    """The item as the learner saw it when answering, and "" or why it is the authored one.

    ``variant`` is the answer event's record (``{"showing": k, "values": {...}}``) for an
    item with variants: without it every showing of the item would read the same, so a
    learner at the practice cap would seem to get one question three times. None when the
    item is not in the module (any more)."""
    if module is None:
        return None, ""
    try:
        item = module.item(item_id)
    except KeyError:
        return None, ""
    if item.variants is None:
        return item, ""
    values = variant.get("values") if isinstance(variant, dict) else None
    if not isinstance(values, dict):
        return item, NOT_RECORDED
    try:
        return with_values(item, values, module.language), ""
    except (ValueError, ArithmeticError, TypeError):  # VariantError is a ValueError
        return item, CHANGED


def seen_label(module: Module | None, item_id: str, variant: Any) -> tuple[str, str]:
    """``item_label`` of the item as the learner saw it, and ``seen_item``'s note."""
    item, note = seen_item(module, item_id, variant)
    return (_label(item.prompt, item_id) if item is not None else item_id), note


def _label(prompt: str, item_id: str) -> str:
    first = next((p for p in prompt.split("\n\n") if p.strip()), "")
    text = plain_text(" ".join(first.split())) or item_id
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1].rstrip() + "…"


def item_prompt_html(module: Module | None, item_id: str) -> Markup:
    """The item's first paragraph with its math rendered (MathML), for the item cards."""
    if module is None:
        return Markup(escape(item_id))
    try:
        prompt = module.item(item_id).prompt
    except KeyError:  # answered in an earlier version of the module
        return Markup(escape(item_id))
    first = next((p for p in prompt.split("\n\n") if p.strip()), "")
    return render_inline(" ".join(first.split())) if first else Markup(escape(item_id))


def _answer_text(module: Module | None, item_id: str, response: Any,
                 seen: dict[tuple[str, str, str], str] | None = None,
                 variant: Any = None) -> str:
    """What the learner typed or chose, readable: choice ids become their texts, math is
    read as text ("$\\frac{3}{4}$" → "3/4"), an ordering is the choices in order.

    ``seen`` memoises per (item, answer) for one page: a class gives the same few answers
    thousands of times (300 learners, 8,900 answers, SQLite: the page took 2.8 s without
    it, 2.1 s with it)."""
    raw = response.get("answer") if isinstance(response, dict) else response
    if raw is None:
        return ""
    try:
        item: Item | None = module.item(item_id) if module is not None else None
    except KeyError:  # an item removed from the module since the answer
        item = None
    # Only a variant item's *choices* carry the learner's numbers (a typed answer is the
    # same text whatever was drawn): then the variant is part of the key, and the choices
    # are the ones this learner saw.
    drawn = item is not None and item.variants is not None and bool(item.choices)
    key = (item_id, repr(raw), repr(variant) if drawn else "")
    if seen is not None and key in seen:
        return seen[key]
    if drawn:
        item, _note = seen_item(module, item_id, variant)
    values = raw if isinstance(raw, list) else [raw]
    choices: dict[str, str] = {}
    ordering = False
    if item is not None:
        choices = {c.id: c.text for c in item.choices}
        ordering = item.type == ItemType.ORDERING
    sep = " → " if ordering else ", "
    texts = [plain_text(choices[str(v)]) if str(v) in choices else _number(v) for v in values]
    out = sep.join(texts)[:200]
    if seen is not None:
        seen[key] = out
    return out


def _number(value: Any) -> str:
    """A typed value as the learner would write it ("18.0" → "18")."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text[:-2] if text.endswith(".0") and text[:-2].lstrip("-").isdigit() else text


def group_label(module: Module | None, item_id: str, index: int | None) -> str:
    """An answer group as the learner saw it: the choice(s), value or text it accepts.

    ``None`` is "no group matched" (the default feedback); a group that no longer exists
    (the module changed since) keeps its number, as a reference.
    """
    if index is None:
        return "an answer no group matched"
    try:
        item = module.item(item_id) if module is not None else None
        group = item.answer_groups[index] if item is not None else None
    except (KeyError, IndexError):
        group = None
    if group is None:
        return f"answer group {index + 1}"
    assert item is not None  # the group is one of its answer groups
    m = group.match
    texts = {c.id: plain_text(c.text) for c in item.choices}
    if item.type == ItemType.SINGLE_CHOICE:
        return f"chose “{texts.get(m.choice or '', m.choice)}”"
    if item.type == ItemType.MULTIPLE_CHOICE:
        return "chose " + " and ".join(f"“{texts.get(c, c)}”" for c in m.choices)
    if item.type == ItemType.ORDERING:
        return "ordered " + " → ".join(texts.get(c, c) for c in m.order)
    if item.type == ItemType.NUMERIC:
        if m.value is not None:
            tol = f" ± {_number(m.tolerance)}" if m.tolerance else ""
            return f"answered {_number(m.value)}{tol}"
        low = _number(m.low) if m.low is not None else "…"
        high = _number(m.high) if m.high is not None else "…"
        return f"answered between {low} and {high}"
    if m.mode == "regex":
        return f"typed text matching {m.pattern}"
    return f"typed “{m.text}”"


def _module(module_id: str | None) -> Module | None:
    if not module_id:
        return None
    try:
        return library.get_module(module_id)
    except Exception:  # an unknown or broken module must not take the dashboard down
        log.warning("dashboard cannot load module %s", module_id, exc_info=True)
        return None


#: A skill the engine closed without the learner ever answering on it (a prerequisite
#: was flagged, so it was never offered): not something the learner is stuck on.
NOT_REACHED = "not_reached"


def reached_status(status: str, attempts: int) -> str:
    """The engine's status, except that the engine's "blocked" (a prerequisite is flagged)
    and, in attempts saved before the engine knew "blocked", "flagged" (or a status this
    dashboard does not know) without a single answer mean the learner never reached it."""
    if status == "blocked" or (attempts == 0 and (status == "flagged"
                                                  or status not in STATUSES)):
        return NOT_REACHED
    return status if status in STATUSES else "practising"


def blocking_prerequisites(module: Module | None, statuses: dict[str, str],
                           skill_id: str) -> list[str]:
    """The prerequisites of ``skill_id`` the learner has not passed (why it was not reached)."""
    if module is None:
        return []
    try:
        pres = module.skill(skill_id).prerequisites
    except KeyError:
        return []
    return [p for p in pres if statuses.get(p) not in HAS_SKILL]


def load_activity(scope: Scope, learner_sub: str | None = None) -> ActivityData:
    """Attempts, answers and pages of the scope's resource link (or of one learner)."""
    module = _module(scope.module_id)
    link = db.session.get(ResourceLink, scope.resource_link_pk)
    assert link is not None  # the scope's rows: its launch made them
    cap = int((link.settings or {}).get("practice_cap") or (
        module.settings.practice_cap if module else PRACTICE_CAP))
    query = (select(Attempt, User).join(User, Attempt.user_pk == User.id)
             .where(Attempt.resource_link_pk == scope.resource_link_pk,
                    User.platform_id == scope.platform_id,
                    Attempt.preview.is_(False)))  # a teacher's preview is not the class
    if learner_sub is not None:
        query = query.where(User.sub == learner_sub)
    rows = db.session.execute(query).all()
    users = {u.sub: u for _, u in rows}
    sub_of_attempt = {a.id: u.sub for a, u in rows}
    goal_of = {u.sub: ((a.state or {}).get("settings") or {}).get("goal") for a, u in rows}
    fitted = library.fitted_params(module.id, scope.context_pk) if module else {}
    states: list[SkillState] = []
    for attempt, user in rows:
        if module is None or not attempt.state:
            continue
        try:
            progress = engine.skill_progress(module, attempt.state, bkt_params=fitted)
        except Exception:  # a state from an older module version: skip, do not fail the page
            log.warning("dashboard cannot read attempt %s", attempt.id, exc_info=True)
            continue
        states += [SkillState(user.sub, p.skill_id, reached_status(p.status, p.attempts),
                              p.p_mastery, p.attempts, p.correct) for p in progress]
    answers: list[AnswerRecord] = []
    pages: list[PageRecord] = []
    if sub_of_attempt:
        events = db.session.scalars(
            select(AnswerEvent).where(AnswerEvent.attempt_pk.in_(list(sub_of_attempt)))
            .order_by(AnswerEvent.attempt_pk, AnswerEvent.seq))
        seen: dict[tuple[str, str, str], str] = {}
        answers = [AnswerRecord(
            learner=sub_of_attempt[e.attempt_pk], item_id=e.item_id,
            skill_ids=tuple(e.skill_ids or ()), correct=bool(e.correct), seq=e.seq,
            phase=e.phase,
            answer_text=_answer_text(module, e.item_id, e.response, seen, e.variant),
            group_index=e.group_index, misconception=e.misconception,
            hints_used=e.hints_used or 0, seconds=e.seconds,
            mastery_after=dict(e.mastery_after or {}), valid=bool(e.valid),
            variant=e.variant,
        ) for e in events]
        page_rows = db.session.scalars(
            select(PageEvent).where(PageEvent.attempt_pk.in_(list(sub_of_attempt)))
            .order_by(PageEvent.attempt_pk, PageEvent.seq))
        pages = [PageRecord(sub_of_attempt[p.attempt_pk], p.page_id, p.seq, p.reason,
                            p.seconds) for p in page_rows]
    skills = [SkillInfo(s.id, s.title) for s in module.skills] if module else []
    return ActivityData(module, cap, skills, answers, pages, states, users, goal_of)


NO_GOAL = "-"  # the filter value for learners who have no goal (the whole module)


@dataclass(frozen=True)
class GoalRow:
    """One goal of the module compared with the others (``adaptive.goals``)."""

    goal_id: str  # NO_GOAL for learners without one
    title: str
    learners: int
    reached: int  # learners who passed every target skill of the goal
    answers_per_learner: float | None  # None: no learner took the goal (not "0.0")
    first_try_right: float | None  # share of first answers to an item that were right


def compare_goals(data: ActivityData) -> list[GoalRow]:
    """Per goal of the module (and "no goal" when someone has none): how many learners took
    it, how many reached it, and at what cost in answers. Empty for a module without goals."""
    module = data.module
    if module is None or not module.goals:
        return []
    passed: dict[str, set[str]] = {}
    for st in data.states:
        if st.status in ("mastered", "known"):
            passed.setdefault(st.learner, set()).add(st.skill_id)
    rows = []
    for goal_id, title in [*((g.id, g.title) for g in module.goals), (NO_GOAL, "No goal")]:
        members = {sub for sub, g in data.goal_of.items() if (g or NO_GOAL) == goal_id}
        if goal_id == NO_GOAL and not members:
            continue
        targets = set(goal_targets(module, None if goal_id == NO_GOAL else goal_id))
        mine = [a for a in data.answers if a.learner in members]
        firsts: dict[tuple[str, str], bool] = {}
        for a in mine:
            firsts.setdefault((a.learner, a.item_id), a.correct)
        rows.append(GoalRow(
            goal_id=goal_id, title=title, learners=len(members),
            reached=sum(1 for sub in members if targets <= passed.get(sub, set())),
            answers_per_learner=len(mine) / len(members) if members else None,
            first_try_right=sum(firsts.values()) / len(firsts) if firsts else None))
    return rows


def only_goal(data: ActivityData, goal: str) -> ActivityData:
    """The activity data of the learners with this goal (``NO_GOAL``: without one), and only
    the skills planned for it."""
    members = {sub for sub, g in data.goal_of.items() if (g or NO_GOAL) == goal}
    planned = (relevant_skills(data.module, None if goal == NO_GOAL else goal)
               if data.module is not None else frozenset())
    return replace(
        data, skills=[s for s in data.skills if s.id in planned],
        answers=[a for a in data.answers if a.learner in members],
        pages=[p for p in data.pages if p.learner in members],
        states=[st for st in data.states if st.learner in members and st.skill_id in planned],
        users={sub: u for sub, u in data.users.items() if sub in members},
        goal_of={sub: g for sub, g in data.goal_of.items() if sub in members})


def cohort_over_time(scope: Scope, data: ActivityData) -> list[tuple[str, float, int]]:
    """Per day with answers: the share of (learner, skill) pairs passed by the end of that
    day (P(mastery) at or over the threshold after an answer), and learners active."""
    if data.module is None or not data.users or not data.skills:
        return []
    threshold = data.module.settings.mastery_threshold
    rows = db.session.execute(
        select(User.sub, AnswerEvent.created_at, AnswerEvent.skill_ids,
               AnswerEvent.mastery_after)
        .join(Attempt, AnswerEvent.attempt_pk == Attempt.id)
        .join(User, Attempt.user_pk == User.id)
        .where(Attempt.resource_link_pk == scope.resource_link_pk,
               User.platform_id == scope.platform_id)
        .order_by(AnswerEvent.created_at)).all()
    passed: set[tuple[str, str]] = set()
    days: dict[str, tuple[int, set[str]]] = {}
    for sub, at, skill_ids, after in rows:
        day = at.date().isoformat()
        for sid in (skill_ids or [])[:1]:
            if (after or {}).get(sid, 0.0) >= threshold:
                passed.add((sub, sid))
        active = days.get(day, (0, set()))[1] | {sub}
        days[day] = (len(passed), active)
    total = len(data.users) * len(data.skills)
    return [(day, n / total, len(active)) for day, (n, active) in days.items()]


#: Suffix of a sample module's revised copy (a sample cannot be replaced under its own id).
REVISED = "-revised"


@dataclass(frozen=True)
class VersionRow:
    """How learners did on one version of the module (one link of this course each)."""

    ref: str
    label: str
    link_title: str
    learners: int
    passed_share: float | None  # of learner × skill pairs mastered or known
    answers_per_learner: float | None
    this_link: bool


def compare_versions(scope: Scope) -> list[VersionRow]:
    """The links of this course (same platform and context) running any version of this
    link's module, oldest version first: did a restructured version help?"""
    if not scope.module_id:
        return []
    base, _ = library.split_ref(scope.module_id)
    root = base.removesuffix(REVISED)
    # A sample's revision is saved as "<id>-revised" (module_diff): the same family.
    family = [ResourceLink.module_id == m for m in (root, root + REVISED)]
    family += [ResourceLink.module_id.like(f"{m}{library.VERSION_SEP}%")
               for m in (root, root + REVISED)]
    links = db.session.scalars(select(ResourceLink).where(
        ResourceLink.context_pk == scope.context_pk, or_(*family))).all()
    if len(links) < 2:
        return []
    out = []
    for link in links:
        module = _module(link.module_id)
        attempts = db.session.execute(
            select(Attempt.state, Attempt.id).join(User, Attempt.user_pk == User.id)
            .where(Attempt.resource_link_pk == link.id,
                   User.platform_id == scope.platform_id)).all()
        pairs = got = 0
        for state, _ in attempts:
            if module is None or not state or "skills" not in state:
                continue
            for ss in state["skills"].values():
                pairs += 1
                got += ss.get("status") in HAS_SKILL
        n_answers = db.session.scalar(select(func.count()).select_from(AnswerEvent).where(
            AnswerEvent.resource_link_pk == link.id)) or 0
        _, version = library.split_ref(link.module_id or "")
        out.append(VersionRow(
            ref=link.module_id or "",
            label=(f"version {version}" if version else "current")
            + (" (revised copy)" if (link.module_id or "").startswith(root + REVISED) else ""),
            link_title=link.title or link.resource_link_id, learners=len(attempts),
            passed_share=got / pairs if pairs else None,
            answers_per_learner=n_answers / len(attempts) if attempts else None,
            this_link=link.id == scope.resource_link_pk))
    # Kept versions first (older), the current text last.
    out.sort(key=lambda r: (r.label == "current", r.ref))
    return out


def restructure(data: ActivityData, item_labels: dict[str, str] | None = None
                ) -> list[Restructuring]:
    """Changes to the module the class's answers support (empty without a module)."""
    return _restructuring(data, item_labels)[0]


def _restructuring(data: ActivityData, item_labels: dict[str, str] | None = None
                   ) -> tuple[list[Restructuring], list[str]]:
    """The restructuring suggestions and what the class was too small to judge
    (``not_judged``), read from the same data and kept together."""
    if data.module is None:
        return [], []
    labels = item_labels if item_labels is not None else {
        i.id: item_label(data.module, i.id) for i in data.module.items}
    # The small-class analysis fits a model per skill (seconds for a class of 30-60), so
    # the result is kept until the class's data changes (any new answer, page or state).
    # The version is part of the key: bump it when the analysis or its wording changes, or
    # an upgraded tool shows yesterday's sentences for a day (v3: twelfth session's wording).
    key = "restructure:v3:" + hashlib.sha256(repr((
        data.module.id, data.module.metadata.get("hash"), data.practice_cap,
        sorted(labels.items()), sorted((a.learner, a.seq, a.item_id, a.correct)
                                       for a in data.answers),
        sorted((p.learner, p.seq, p.page_id) for p in data.pages),
        sorted((s.learner, s.skill_id, s.status) for s in data.states),
    )).encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        found, unjudged = cached
        return list(found), list(unjudged)
    found = suggest_restructuring(data.module, data.answers, data.pages, data.states,
                                  practice_cap=data.practice_cap, item_names=labels)
    unjudged = not_judged(data.module, data.answers, data.pages, data.states)
    cache.set(key, (found, unjudged), timeout=24 * 3600)
    return found, unjudged


@dataclass(frozen=True)
class ModuleDiff:
    """The module's text with the suggested edits applied, for the authoring page."""

    module_id: str
    filename: str
    before: str
    after: str
    diff: str
    done: list[str]


def module_diff(scope: Scope) -> ModuleDiff | None:
    """The edited module (None without a module or without an applicable edit)."""
    data = load_activity(scope)
    if data.module is None:
        return None
    edits = [r.edit for r in restructure(data) if r.edit]
    if not edits:
        return None
    text, source = library.module_source(data.module.id)
    new_id = f"{data.module.id}{REVISED}" if source == "sample" else None
    after, done = module_diff_lib.apply_edits(text, edits, new_id=new_id)
    name = f"{new_id or data.module.id}.yaml"
    return ModuleDiff(data.module.id, name, text, after,
                      module_diff_lib.unified_diff(text, after, name), done)


def load_roster(scope: Scope, seen: dict[str, User], timeout: float,
                refresh: bool = False) -> Roster:
    """The course's learners from NRPS, plus anyone seen; learners seen only, if NRPS fails."""
    context = db.session.get(Context, scope.context_pk)
    platform = db.session.get(Platform, scope.platform_id)
    assert context is not None and platform is not None  # the scope's rows: its launch made them
    seen_rows = sorted(seen.values(), key=lambda u: (u.name or u.sub).lower())
    try:
        members = [m for m in nrps.roster(context, platform, timeout, refresh)
                   if m.is_learner and m.status == "Active"]
    except nrps.RosterUnavailable as exc:
        log.info("dashboard roster fallback context=%s: %s", scope.context_pk, exc)
        return Roster(
            learners=tuple(Learner(u.sub, u.name or u.sub, False, u.id) for u in seen_rows),
            source="seen",
            note=f"The course roster is not available: {exc}. Only learners who have "
                 "opened the activity are shown.")
    known = {u.sub: u for u in db.session.scalars(
        select(User).where(User.platform_id == scope.platform_id,
                           User.sub.in_([m.sub for m in members])))} if members else {}
    rows = [Learner(m.sub, m.name or (known[m.sub].name if m.sub in known else "") or m.sub,
                    True, known[m.sub].id if m.sub in known else None)
            for m in sorted(members, key=lambda m: (m.name or m.sub).lower())]
    on_roster = {m.sub for m in members}
    # Learners who left the course keep their data on the dashboard.
    rows += [Learner(u.sub, u.name or u.sub, False, u.id) for u in seen_rows
             if u.sub not in on_roster]
    return Roster(learners=tuple(rows), source="nrps")


def build_dashboard(scope: Scope, timeout: float, refresh_roster: bool = False,
                    goal: str | None = None) -> Dashboard:
    """All aggregates and suggestions for the overview page; with ``goal`` (a goal id of the
    module, or ``NO_GOAL``) only the learners with that goal and the skills it plans."""
    data = load_activity(scope)
    goal_rows = compare_goals(data)
    if goal is not None and goal not in {r.goal_id for r in goal_rows}:
        goal = None  # not a goal of this module: the whole class
    roster = load_roster(scope, data.users, timeout, refresh_roster)
    if goal is not None:
        data = only_goal(data, goal)
        roster = replace(roster, learners=tuple(lr for lr in roster.learners
                                                if lr.sub in data.users))
    subs = [lr.sub for lr in roster.learners]
    names = {lr.sub: lr.name for lr in roster.learners}
    # A skill never reached counts as not started in the per-skill totals.
    counted = [replace(st, status="not_started") if st.status == NOT_REACHED else st
               for st in data.states]
    skills = skill_summaries(data.skills, subs, counted, data.answers, data.practice_cap)
    items = item_summaries(data.answers, data.states)
    misconceptions = misconception_summaries(data.answers)
    learners = learner_summaries(subs, data.states, data.answers)
    item_labels = {i.item_id: item_label(data.module, i.item_id) for i in items}
    suggestions = suggest(
        skills, items, misconceptions, learners, practice_cap=data.practice_cap,
        names=Names(skills={s.id: s.title for s in data.skills}, learners=names,
                    items=item_labels))
    # "Revise this item" judged items by learners who mastered the skill *later* (so their
    # early wrong answers counted against the item); the restructuring analysis replaces it.
    suggestions = [s for s in suggestions if s.kind != "revise_item"]
    restructuring, unjudged = _restructuring(data, item_labels)
    groups = profiles(subs, [(sk.id, sk.title) for sk in data.skills], data.states,
                      data.answers, practice_cap=data.practice_cap)
    link = db.session.get(ResourceLink, scope.resource_link_pk)
    context = db.session.get(Context, scope.context_pk)
    assert link is not None and context is not None  # the scope's rows: its launch made them
    module_id = data.module.id if data.module else None
    item_stats = {r.item_id: r for r in db.session.scalars(
        select(ItemStats).where(ItemStats.module_id == module_id,
                                ItemStats.context_pk == scope.context_pk))} if module_id else {}
    fitted = {r.skill_id: r for r in db.session.scalars(
        select(FittedSkillParams).where(FittedSkillParams.module_id == module_id,
                                        FittedSkillParams.context_pk == scope.context_pk))
    } if module_id else {}
    titles = {sk.id: sk.title for sk in data.skills}
    status_of: dict[str, dict[str, str]] = {}
    for st in data.states:
        status_of.setdefault(st.learner, {})[st.skill_id] = st.status
    blocked_by = {
        (st.learner, st.skill_id): [titles.get(p, p) for p in blocking_prerequisites(
            data.module, status_of[st.learner], st.skill_id)]
        for st in data.states if st.status == NOT_REACHED}
    return Dashboard(
        item_html={i.item_id: item_prompt_html(data.module, i.item_id) for i in items},
        group_labels={(i.item_id, g.group_index): group_label(data.module, i.item_id,
                                                               g.group_index)
                      for i in items for g in i.wrong_groups},
        blocked_by=blocked_by, restructuring=restructuring, profiles=groups,
        not_judged=unjudged,
        over_time=cohort_over_time(scope, data), versions=compare_versions(scope),
        link=link, context=context, module=data.module,
        roster=roster, practice_cap=data.practice_cap, skills=skills,
        struggling=struggling_skills(skills), items=items, misconceptions=misconceptions,
        learners=learners, suggestions=suggestions, names=names, item_stats=item_stats,
        fitted=fitted, item_labels=item_labels, kinds=kinds_of(data), goal=goal,
        goal_rows=goal_rows)


def kinds_of(data: ActivityData) -> KindReport | None:
    """First tries right per kind of thinking over ``data``'s learners; None when the
    module tags no item (there is nothing to show)."""
    kinds = item_kinds(data.module) if data.module else {}
    return kind_report(data.answers, kinds) if kinds else None


@dataclass
class LearnerDetail:
    """The drill-down page's data."""

    learner: Learner
    summary: LearnerSummary
    path: list[PathStep]
    skills: list[SkillInfo]
    module: Module | None
    labels: dict[str, str] = field(default_factory=dict)  # item/page id -> question/title
    kinds: KindReport | None = None  # this learner's first tries per kind of thinking
    # seq -> the question of that answer as the learner saw it (a variant's own numbers)
    step_labels: dict[int, str] = field(default_factory=dict)
    # seq -> NOT_RECORDED / CHANGED: the label is the authored question, and why
    step_notes: dict[int, str] = field(default_factory=dict)


def find_learner(scope: Scope, sub: str, timeout: float) -> Learner:
    """The learner ``sub`` if they belong to the scope (attempt on this link, or on the
    course roster); NotFound otherwise, whatever exists elsewhere."""
    user = db.session.scalars(select(User).where(User.platform_id == scope.platform_id,
                                                 User.sub == sub)).one_or_none()
    if user is not None:
        has_attempt = db.session.scalar(select(Attempt.id).where(
            Attempt.user_pk == user.id, Attempt.resource_link_pk == scope.resource_link_pk,
            Attempt.preview.is_(False)))
        if has_attempt is not None:
            return Learner(user.sub, user.name or user.sub, False, user.id)
    context = db.session.get(Context, scope.context_pk)
    platform = db.session.get(Platform, scope.platform_id)
    assert context is not None and platform is not None  # the scope's rows: its launch made them
    try:
        members = nrps.roster(context, platform, timeout)
    except nrps.RosterUnavailable:
        members = []
    for m in members:
        if m.sub == sub and m.is_learner:
            return Learner(m.sub, m.name or m.sub, True, user.id if user else None)
    raise NotFound("No such learner in this activity.")


def learner_detail(scope: Scope, learner: Learner) -> LearnerDetail:
    """One learner's path (answers and pages in order) and per-skill state."""
    data = load_activity(scope, learner_sub=learner.sub)
    page_skills = {p.id: p.skill for p in data.module.pages} if data.module else {}
    (summary,) = learner_summaries([learner.sub], data.states, data.answers)
    path = learner_path(data.answers, data.pages, page_skills)
    labels = {s.ref: item_label(data.module, s.ref) for s in path if s.kind == "answer"}
    if data.module is not None:
        labels |= {p.id: p.title for p in data.module.pages}
    step_labels: dict[int, str] = {}
    step_notes: dict[int, str] = {}
    for a in data.answers:
        step_labels[a.seq], note = seen_label(data.module, a.item_id, a.variant)
        if note:
            step_notes[a.seq] = note
    return LearnerDetail(learner, summary, path, data.skills, data.module, labels,
                         kinds=kinds_of(data), step_labels=step_labels, step_notes=step_notes)
