"""A module file with NaN, infinity or a huge number in any numeric field (YAML's .nan and
.inf, a typo, a hostile import) is read with problems reported, never an exception, and an
accepted one runs through the engine. Numeric fields of the fractions sample of every kind
are tried with each value (the variants' fields crashed the loader and the validator before)."""

from __future__ import annotations

import copy

import pytest
import yaml

from adaptive.engine import (
    ActivitySettings,
    Finish,
    ItemAnswer,
    PageSeen,
    ShowPage,
    next_step,
    start,
)
from adaptive.modules.loader import parse_module
from adaptive.samples import sample_text

DATA = yaml.safe_load(sample_text("fractions"))
VALUES = (float("nan"), float("inf"), 1e308)


def _numeric_paths(obj, path=()):
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _numeric_paths(value, (*path, key))
    elif isinstance(obj, list):
        for n, value in enumerate(obj):
            yield from _numeric_paths(value, (*path, n))
    elif isinstance(obj, int | float) and not isinstance(obj, bool):
        yield path


ALL_PATHS = list(_numeric_paths(DATA))
# Every variant parameter's fields of two items (where the loader and the validator
# crashed), the settings, one skill's BKT, and every 25th other field: ~30 fields, so the
# test stays short; the whole sample (232 fields) was run once when this was written.
_VARIANT_ITEMS = sorted({p[1] for p in ALL_PATHS if "variants" in p})[:2]
PATHS = [p for n, p in enumerate(ALL_PATHS)
         if ("variants" in p and p[1] in _VARIANT_ITEMS) or p[0] == "settings"
         or (p[:2] == ("skills", 0) and "bkt" in p) or n % 25 == 0]


def _with(path, value):
    data = copy.deepcopy(DATA)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return yaml.safe_dump(data, allow_unicode=True)


def test_the_fields_tried_cover_each_kind():
    assert len(ALL_PATHS) > 100 and 15 <= len(PATHS) <= 45
    assert any("variants" in p and p[-1] == "default" for p in PATHS)
    assert any("bkt" in p for p in PATHS) and any(p[0] == "settings" for p in PATHS)


@pytest.mark.parametrize("value", VALUES, ids=["nan", "inf", "1e308"])
def test_every_numeric_field_survives_a_hostile_number(value):
    for path in PATHS:
        module, problems = parse_module(_with(path, value), "hostile.yaml")
        if module is None or any(p.severity == "error" for p in problems):
            continue  # refused with a reason: what the tool shows the author
        result = start(module, ActivitySettings.from_module(module), seed=1)
        state, step = result.state, result.step
        for _ in range(25):  # a few steps of a learner answering nonsense
            if isinstance(step, Finish):
                break
            response = (PageSeen(step.page_id) if isinstance(step, ShowPage)
                        else ItemAnswer(step.item_id, "zzz"))
            result = next_step(module, state, response)
            state, step = result.state, result.step
