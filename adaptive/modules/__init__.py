"""Module format: dataclasses, loading from YAML/JSON, validation."""

from adaptive.modules.format import (
    AnswerGroup,
    BKTParams,
    Choice,
    Destination,
    Figure,
    Item,
    ItemType,
    Match,
    Module,
    ModuleSettings,
    Page,
    Skill,
)
from adaptive.modules.loader import (
    load_module,
    module_to_dict,
    parse_module,
    validate_files,
    validate_text,
)
from adaptive.modules.problems import ModuleError, Problem
from adaptive.modules.validate import format_problems, validate_module

__all__ = [
    "AnswerGroup",
    "BKTParams",
    "Choice",
    "Destination",
    "Figure",
    "Item",
    "ItemType",
    "Match",
    "Module",
    "ModuleSettings",
    "Page",
    "Skill",
    "ModuleError",
    "Problem",
    "format_problems",
    "load_module",
    "module_to_dict",
    "parse_module",
    "validate_files",
    "validate_module",
    "validate_text",
]
