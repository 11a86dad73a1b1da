"""Pure analytics over answer events: aggregates, item difficulty, teacher suggestions.

Everything takes plain records (``events``) and returns frozen dataclasses; no
Flask, no database, so it can be tested with hand-made event lists.
"""

from adaptive.analytics.aggregates import (
    ItemSummary,
    LearnerSummary,
    MisconceptionSummary,
    PathStep,
    SkillSummary,
    WrongGroup,
    item_summaries,
    learner_path,
    learner_summaries,
    misconception_summaries,
    skill_summaries,
    struggling_skills,
)
from adaptive.analytics.difficulty import ItemDifficulty, estimate_difficulties, item_difficulty
from adaptive.analytics.events import AnswerRecord, PageRecord, SkillInfo, SkillState
from adaptive.analytics.suggestions import Evidence, Names, Rules, Suggestion, suggest

__all__ = [
    "AnswerRecord",
    "Evidence",
    "ItemDifficulty",
    "ItemSummary",
    "LearnerSummary",
    "MisconceptionSummary",
    "Names",
    "PageRecord",
    "PathStep",
    "Rules",
    "SkillInfo",
    "SkillState",
    "SkillSummary",
    "Suggestion",
    "WrongGroup",
    "estimate_difficulties",
    "item_difficulty",
    "item_summaries",
    "learner_path",
    "learner_summaries",
    "misconception_summaries",
    "skill_summaries",
    "struggling_skills",
    "suggest",
]
