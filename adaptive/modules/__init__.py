"""Module format: dataclasses, loading from YAML/JSON, validation."""

from adaptive.modules.format import (
    AnswerGroup,
    BKTParams,
    Choice,
    Destination,
    Item,
    ItemType,
    Match,
    Module,
    ModuleSettings,
    Page,
    Skill,
)

__all__ = [
    "AnswerGroup", "BKTParams", "Choice", "Destination", "Item", "ItemType", "Match",
    "Module", "ModuleSettings", "Page", "Skill",
]
