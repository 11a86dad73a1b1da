"""The editor's full preview as a learner: the real engine over the draft, in memory.

``adaptive.engine`` is pure (state in, state out), so a teacher can walk the draft as a
learner would — the diagnostic, lessons, practice, remediation pages, the finish — with no
attempt, answer event or grade anywhere: the run's state travels with the page in a signed,
compressed token (``itsdangerous``, as Flask's own session cookie) and nowhere else. The
token names the draft and the version of its text, so a run of an older text is not
continued after the draft changed (it starts again), and is refused past ``MAX_TOKEN_CHARS``
(a run that long says so and can be started again: nothing is lost, nothing was stored).

One skill is previewed as a goal of its own (the skill and its prerequisites: what the
engine plans for a learner whose goal it is), added to an in-memory copy of the module.
A run may be in any of the module's languages (``translations.localise``, as a learner of
that language gets it: texts, accepted answers, numbers read that language's way).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

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
    current_step,
    item_for_step,
    next_step,
    skill_progress,
    start,
)
from adaptive.grading.answers import AnswerResult
from adaptive.modules.format import Choice, Goal, Item, Module, Page
from adaptive.modules.translations import languages, localise
from lti_tool.protocol.errors import InputError
from lti_tool.runner.answers import AnswerFormError, draft_of, parse_answer

__all__ = ["MAX_TOKEN_CHARS", "Run", "RunTooLong", "continue_page", "read_token",
           "run_module", "start_run", "submit_answer", "token_for"]

# A hidden form field posted back at every step: a few hundred answers fit (a state grows by
# an item id per answer); Werkzeug's form limit (500 KB) is far above this.
MAX_TOKEN_CHARS = 60_000
SKILL_GOAL = "editor-preview-skill"
_SALT = "branchwise editor learner run"
_TRAIL_LIMIT = 300


class RunTooLong(InputError):
    """The run's state no longer fits in its token (start the preview again)."""

    code = "preview_run_too_long"


@dataclass
class Run:
    """One step of a preview run, ready to show."""

    module: Module
    state: dict[str, Any]
    skill: str | None
    trail: list[dict[str, Any]]
    language: str | None = None  # None: the module's own
    step: Step = field(init=False)
    item: Item | None = None
    choices: list[Choice] = field(default_factory=list)
    page: Page | None = None
    evaluation: AnswerResult | None = None
    answered: Item | None = None
    error: str | None = None
    draft: dict[str, Any] = field(default_factory=dict)
    progress: list[SkillProgress] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.step = current_step(self.module, self.state)
        self.progress = skill_progress(self.module, self.state)
        if isinstance(self.step, AskItem):
            self.item = item_for_step(self.module, self.state, self.step)
            by_id = {c.id: c for c in self.item.choices}
            order = [by_id[c] for c in self.step.choice_order if c in by_id]
            self.choices = order + [c for c in self.item.choices if c not in order]
        elif isinstance(self.step, ShowPage):
            self.page = next((p for p in self.module.pages if p.id == self.step.page_id), None)

    @property
    def finished(self) -> bool:
        return isinstance(self.step, Finish)


def run_module(module: Module, skill: str | None, language: str | None = None) -> Module:
    """The module the run uses: in ``language`` (one of its own), and for one skill, with a
    goal of that skill added."""
    if language is not None and language in languages(module):
        module = localise(module, language)
    if skill is None:
        return module
    goal = Goal(id=SKILL_GOAL, title=skill, skills=(skill,))
    return replace(module, goals=(*module.goals, goal), engine_cache={})


def _settings(module: Module, skill: str | None) -> ActivitySettings:
    return ActivitySettings.from_module(module, goal=SKILL_GOAL if skill else None)


def start_run(module: Module, skill: str | None, language: str | None = None) -> Run:
    """A fresh learner (a random seed: choice orders and variants as a learner gets them)."""
    if skill is not None and skill not in {s.id for s in module.skills}:
        skill = None
    if language not in languages(module)[1:]:
        language = None
    module = run_module(module, skill, language)
    result = start(module, _settings(module, skill), seed=secrets.randbelow(2**31))
    return Run(module, result.state, skill, [], language)


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=_SALT)


def token_for(secret: str, draft_id: int, version: str, run: Run) -> str:
    """The run as a signed token for the page's form; ``RunTooLong`` past the limit."""
    token = _serializer(secret).dumps({"d": draft_id, "v": version, "k": run.skill,
                                       "l": run.language, "s": run.state,
                                       "t": run.trail[-_TRAIL_LIMIT:]})
    if len(token) > MAX_TOKEN_CHARS:
        raise RunTooLong(f"the preview run no longer fits in its token ({len(token)} characters)")
    return token


def read_token(secret: str, token: str, draft_id: int, version: str,
               module: Module) -> Run | None:
    """The run in ``token``; None when it is forged, too long, of another draft, or of an
    older text of this draft (the caller starts a new run)."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    try:
        data = _serializer(secret).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("d") != draft_id or data.get("v") != version:
        return None
    skill = data.get("k") if isinstance(data.get("k"), str) else None
    language = data.get("l") if isinstance(data.get("l"), str) else None
    try:
        return Run(run_module(module, skill, language), data["s"], skill,
                   list(data.get("t") or []), language)
    except (KeyError, ValueError, TypeError):
        return None


def _advanced(run: Run, state: dict[str, Any], entry: dict[str, Any], **shown: Any) -> Run:
    new = Run(run.module, state, run.skill, [*run.trail, entry], run.language)
    for name, value in shown.items():
        setattr(new, name, value)
    return new


def submit_answer(run: Run, form: Mapping[str, Sequence[str]]) -> Run:
    """The teacher's answer to the current question, as the runner reads and grades it;
    an unreadable answer asks again (nothing changes)."""
    step = run.step
    if not isinstance(step, AskItem) or run.item is None \
            or (form.get("item") or [""])[0] != step.item_id:
        return run  # a stale form (back button, double submit): show where the run is
    item = run.item
    try:
        raw = parse_answer(item, form)
        result = next_step(run.module, run.state, ItemAnswer(step.item_id, raw))
    except (AnswerFormError, StaleResponse) as exc:
        run.error, run.draft = str(exc), draft_of(item, form)
        return run
    evaluation = result.evaluation
    if evaluation is None or not evaluation.valid:
        run.error = evaluation.error if evaluation is not None else None
        run.draft = draft_of(item, form)
        return run
    entry = {"kind": "item", "id": item.id, "skill": step.skill, "phase": step.phase,
             "correct": bool(evaluation.correct)}
    return _advanced(run, result.state, entry, evaluation=evaluation, answered=item)


def continue_page(run: Run, page_id: str) -> Run:
    step = run.step
    if not isinstance(step, ShowPage) or step.page_id != page_id:
        return run
    result = next_step(run.module, run.state, PageSeen(page_id))
    entry = {"kind": "page", "id": page_id, "skill": step.skill, "reason": step.reason}
    return _advanced(run, result.state, entry)
