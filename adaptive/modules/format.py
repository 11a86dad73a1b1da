"""The in-memory shape of an adaptive module: frozen dataclasses, no I/O.

A module file (YAML or JSON, see docs/module-format.md) is parsed by
``adaptive.modules.loader`` into these objects. Everything downstream — the
branching policy, grading, analytics, the web runner — reads only these types,
so the file format can evolve (``schema_version``) without touching them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from adaptive.defaults import MASTERY_THRESHOLD, PRACTICE_CAP

SCHEMA_VERSION = 1


class ItemType(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    NUMERIC = "numeric"
    SHORT_TEXT = "short_text"
    ORDERING = "ordering"


class ThinkingKind(StrEnum):
    """The kind of thinking an item asks for: the revised Bloom taxonomy (Anderson &
    Krathwohl 2001) collapsed to four, because six levels cannot be told apart reliably
    from a handful of items each. Remember -> recall; understand; apply; analyse and
    evaluate -> reason. "Create" has no place in auto-marked items."""

    RECALL = "recall"
    UNDERSTAND = "understand"
    APPLY = "apply"
    REASON = "reason"


#: The vocabulary of ``Item.kind``, in the taxonomy's order (simplest first).
THINKING_KINDS: tuple[str, ...] = tuple(k.value for k in ThinkingKind)


@dataclass(frozen=True)
class BKTParams:
    """Bayesian Knowledge Tracing parameters of one skill.

    ``forget`` is the per-opportunity probability of losing a known skill
    (0 = classic BKT). Guess and slip are kept below 0.5 by validation so that a
    correct answer is always evidence *for* knowing the skill.
    """

    prior: float = 0.3
    learn: float = 0.2
    guess: float = 0.2
    slip: float = 0.1
    forget: float = 0.0

    def __post_init__(self) -> None:
        for name in ("prior", "learn", "guess", "slip", "forget"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"BKT {name} must be within [0, 1], got {value!r}")
        if self.guess >= 0.5 or self.slip >= 0.5:
            raise ValueError("BKT guess and slip must stay below 0.5")

    def to_dict(self) -> dict[str, float]:
        return {
            "prior": self.prior,
            "learn": self.learn,
            "guess": self.guess,
            "slip": self.slip,
            "forget": self.forget,
        }


RESOURCE_KINDS = ("reading", "video", "example")


@dataclass(frozen=True)
class Resource:
    """A reading, video or worked example for a skill, offered when a learner struggles.

    ``url`` is https:// or a path on the tool's own site (validation refuses anything
    else, e.g. ``javascript:``); ``description`` is Markdown and may stand alone.
    """

    kind: str
    title: str
    url: str = ""
    description: str = ""


@dataclass(frozen=True)
class Skill:
    id: str
    title: str
    description: str = ""
    prerequisites: tuple[str, ...] = ()
    lesson: str | None = None  # id of the page taught before practice starts
    graded: bool = True  # counts towards the LMS grade
    target: bool = True  # the module ends only when every target skill is mastered or flagged
    bkt: BKTParams | None = None  # None: module default, then fitted or global defaults
    resources: tuple[Resource, ...] = ()  # offered by the assistant when a learner struggles


@dataclass(frozen=True)
class Page:
    """A lesson or remediation page. ``body`` is Markdown with $...$ / $$...$$ math."""

    id: str
    title: str
    body: str
    skill: str | None = None  # the skill it teaches, for analytics
    kind: str = "lesson"  # "lesson" | "remediation"


@dataclass(frozen=True)
class Choice:
    id: str
    text: str  # Markdown, inline


@dataclass(frozen=True)
class Destination:
    """Where an answer group sends the learner next.

    ``kind`` is "next" (let the policy choose), "page" or "item"; ``target`` is
    the page or item id for the latter two.
    """

    kind: str = "next"
    target: str | None = None


NEXT = Destination()


@dataclass(frozen=True)
class Match:
    """The rule of an answer group. Which fields are used depends on the item type.

    single_choice:   choice
    multiple_choice: choices (the exact set selected)
    numeric:         value and tolerance (absolute), or low/high (inclusive range)
    short_text:      text with mode "exact" | "normalised", or mode "regex" with pattern
    ordering:        order (choice ids in order)
    """

    choice: str | None = None
    choices: tuple[str, ...] = ()
    value: float | None = None
    tolerance: float = 0.0
    low: float | None = None
    high: float | None = None
    text: str | None = None
    mode: str = "normalised"
    pattern: str | None = None
    order: tuple[str, ...] = ()
    #: More texts accepted like ``text`` (same mode; patterns in regex mode). Set by a
    #: translation's accepted answers (``adaptive.modules.translations.localise``).
    also: tuple[str, ...] = ()
    #: Items with variants only: (field, expression) pairs computed from the drawn values,
    #: for the numeric fields ``value``, ``tolerance``, ``low`` and ``high``.
    exprs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Param:
    """A parameter of an item's variants: a number drawn from ``low``..``high`` in ``step``s,
    or one of ``values``. ``default`` (else the first value / ``low``) makes the item as
    written."""

    name: str
    low: float | None = None
    high: float | None = None
    step: float = 1
    values: tuple[float, ...] = ()
    default: float | None = None


@dataclass(frozen=True)
class Variants:
    """Parameterised versions of an item (``adaptive.modules.variants``).

    ``derived`` are (name, expression) pairs computed in order from the parameters; ``where``
    are conditions every draw must satisfy. ``template`` is the item as written, with
    ``{{name}}`` placeholders and answer expressions; the loaded ``Item`` is its instance at
    the defaults.
    """

    params: tuple[Param, ...]
    derived: tuple[tuple[str, str], ...] = ()
    where: tuple[str, ...] = ()
    template: Item | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class AnswerGroup:
    match: Match
    correct: bool
    feedback: str = ""  # Markdown
    misconception: str | None = None  # tag, only meaningful on wrong groups
    destination: Destination = NEXT


@dataclass(frozen=True)
class Item:
    id: str
    type: ItemType
    skills: tuple[str, ...]
    prompt: str  # Markdown
    answer_groups: tuple[AnswerGroup, ...]
    choices: tuple[Choice, ...] = ()
    default_feedback: str = ""  # shown when no answer group matches (counts as wrong)
    default_destination: Destination = NEXT
    hints: tuple[str, ...] = ()
    solution: str = ""  # worked solution, Markdown, shown after the attempt
    difficulty: float = 0.0  # logit scale: negative easier, positive harder
    diagnostic: bool = False  # may be used in the per-skill diagnostic (pre-test)
    shuffle: bool = True  # shuffle choices when shown (not for ordering's answer)
    variants: Variants | None = None  # parameterised versions (numbers drawn per learner)
    kind: str | None = None  # ThinkingKind value; None: not tagged

    @property
    def primary_skill(self) -> str:
        # "" for an item without skills (the schema reports it), so checks never crash.
        return self.skills[0] if self.skills else ""


@dataclass(frozen=True)
class Figure:
    """An image stored with the module (nothing is fetched from elsewhere at run time).

    Markdown refers to it as ``![alt](figure:ID)``. ``data`` is the SVG document, or the
    PNG file in base64. ``alt`` is required: it is what a screen reader says instead.
    """

    id: str
    alt: str
    media_type: str  # "image/svg+xml" | "image/png"
    data: str
    caption: str = ""


@dataclass(frozen=True)
class Goal:
    """A named learning goal (a role or path, e.g. "sales"): the skills a learner with this
    goal must reach. The engine plans only these skills and their prerequisites (transitively),
    and the grade covers the goal's skills (``adaptive.goals``)."""

    id: str
    title: str
    skills: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class TranslatedText:
    """One translated string (docs/module-format.md, "Translations").

    ``source`` is the short hash of the original text it translates (None: not stamped);
    ``also`` and ``pattern`` are only for a short-text answer group's rule. ``file`` and
    ``line`` say where the translation was written, for the validator.
    """

    text: str
    source: str | None = None
    also: tuple[str, ...] = ()
    pattern: str | None = None
    file: str = field(default="", compare=False)
    line: int | None = field(default=None, compare=False)


#: The key of a translatable text, by stable ids: ("items", "eq-1", "prompt"),
#: ("items", "eq-1", "choices", "a"), ("skills", "equivalent", "resources", "0", "title").
TextKey = tuple[str, ...]


@dataclass(frozen=True)
class ModuleSettings:
    """Authoring defaults; a teacher's deep-linking settings override them."""

    mastery_threshold: float = MASTERY_THRESHOLD
    practice_cap: int = PRACTICE_CAP  # items per skill before it is flagged "needs the teacher"
    diagnostic_items: int = 2  # items in a skill's pre-test
    bkt: BKTParams = field(default_factory=BKTParams)
    #: Time-based forgetting: P(known) halves every this many days without practice
    #: (0 = never forget). Drives the review at the start of a later sitting; see
    #: ``adaptive.forgetting`` and docs/engine.md.
    half_life_days: float = 30.0


@dataclass(frozen=True)
class Module:
    id: str
    title: str
    skills: tuple[Skill, ...]
    pages: tuple[Page, ...]
    items: tuple[Item, ...]
    description: str = ""
    estimated_minutes: int | None = None
    language: str = "en"
    schema_version: int = SCHEMA_VERSION
    settings: ModuleSettings = field(default_factory=ModuleSettings)
    metadata: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    figures: tuple[Figure, ...] = ()
    goals: tuple[Goal, ...] = ()  # named goals; none = one path through the whole module
    #: language -> text key -> translation (``adaptive.modules.translations``). The texts
    #: above are in ``language``; ``localise(module, lang)`` swaps them in.
    translations: dict[str, dict[TextKey, TranslatedText]] = field(
        default_factory=dict, compare=False, hash=False
    )
    #: Lookups the engine and the tool derive once per module object (item and skill
    #: maps, the BKT model, the policy's index, goal closures, figure links): kept apart
    #: from the author's ``metadata``, never compared, hashed, shown or written out.
    engine_cache: dict[str, Any] = field(default_factory=dict, compare=False, hash=False,
                                         repr=False)

    # Lookups are derived on demand; modules are small (tens to hundreds of items)
    # and these dicts are cheap, but callers on a hot path should cache the module.
    def skill(self, skill_id: str) -> Skill:
        return self._skills_by_id()[skill_id]

    def page(self, page_id: str) -> Page:
        return {p.id: p for p in self.pages}[page_id]

    def item(self, item_id: str) -> Item:
        return self._items_by_id()[item_id]

    def goal(self, goal_id: str) -> Goal:
        """The goal with this id; KeyError when the module has none such."""
        return {g.id: g for g in self.goals}[goal_id]

    def figure(self, figure_id: str) -> Figure:
        return {f.id: f for f in self.figures}[figure_id]

    def items_for(self, skill_id: str) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.primary_skill == skill_id)

    def bkt_for(self, skill_id: str) -> BKTParams:
        return self.skill(skill_id).bkt or self.settings.bkt

    def _skills_by_id(self) -> dict[str, Skill]:
        cached = self.engine_cache.get("_skills_by_id")
        if cached is None:
            cached = {s.id: s for s in self.skills}
            self.engine_cache["_skills_by_id"] = cached
        return cached

    def _items_by_id(self) -> dict[str, Item]:
        cached = self.engine_cache.get("_items_by_id")
        if cached is None:
            cached = {i.id: i for i in self.items}
            self.engine_cache["_items_by_id"] = cached
        return cached
