"""Validation of item variants (``adaptive.modules.variants``), called by ``validate.py``.

Checks that an author can fix from the report: parameters with sensible ranges, expressions
that read and only use defined names, placeholders that are defined, draws that succeed and
actually vary, and instances that stay well-formed (choices that read differently, a correct
answer that no wrong group also matches).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from adaptive.modules.format import Item, ItemType
from adaptive.modules.problems import ERROR, WARNING
from adaptive.modules.variants import (
    VariantError,
    draw,
    expression_names,
    format_value,
    instantiate,
    placeholders,
)

#: Showings drawn per check seed; enough to reach a practice cap with room to spare.
DRAWS = 24
SEEDS = (0, 1, 2)

Report = Callable[..., None]


def _texts(item: Item) -> list[tuple[str, str]]:
    out = [("prompt", item.prompt), ("default_feedback", item.default_feedback),
           ("solution", item.solution)]
    out += [(f"hints[{i}]", h) for i, h in enumerate(item.hints)]
    out += [(f"choices[{i}].text", c.text) for i, c in enumerate(item.choices)]
    for i, g in enumerate(item.answer_groups):
        out.append((f"answer_groups[{i}].feedback", g.feedback))
        if g.match.text:
            out.append((f"answer_groups[{i}].match.text", g.match.text))
        if g.match.pattern:
            out.append((f"answer_groups[{i}].match.pattern", g.match.pattern))
    return out


def check_variants(item: Item, path: str, report: Report) -> None:
    """Report every problem of ``item``'s variants (or of variant syntax without variants)."""
    variants = item.variants
    if variants is None:
        for i, g in enumerate(item.answer_groups):
            for name, _ in g.match.exprs:
                report(f"{path}.answer_groups[{i}].match.{name}", "variant-expression",
                       f"{name} is an expression, but the item has no variants")
        for where, text in _texts(item):
            if placeholders(text):
                report(f"{path}.{where}", "variant-placeholder",
                       "{{…}} placeholders are only filled in items with variants", WARNING)
        return
    template = variants.template or item
    vpath = f"{path}.variants"
    names: set[str] = set()
    ok = True
    for p in variants.params:
        ppath = f"{vpath}.params.{p.name}"
        numbers = [*p.values, p.low, p.high, p.step, p.default]
        if any(isinstance(v, float) and not math.isfinite(v) for v in numbers):
            report(ppath, "variant-param", "min, max, step, values and default must be "
                   "numbers (not NaN or infinity)")
            ok = False
            names.add(p.name)
            continue
        if not p.values and (p.low is None or p.high is None):
            report(ppath, "variant-param", "a parameter needs min and max, or values")
            ok = False
        elif not p.values and p.low is not None and p.high is not None and p.high < p.low:
            report(ppath, "variant-param", f"min {p.low} is above max {p.high}")
            ok = False
        if p.default is not None and (
            (p.values and p.default not in p.values)
            or (not p.values and p.low is not None and p.high is not None
                and not p.low <= p.default <= p.high)
        ):
            report(ppath, "variant-param", f"default {p.default} is not among its values")
            ok = False
        names.add(p.name)
    for name, expr in variants.derived:
        ok &= _names_ok(expr, names, f"{vpath}.derived.{name}", report)
        names.add(name)
    for i, cond in enumerate(variants.where):
        ok &= _names_ok(cond, names, f"{vpath}.where[{i}]", report)
    for i, g in enumerate(template.answer_groups):
        for field_name, expr in g.match.exprs:
            ok &= _names_ok(expr, names, f"{path}.answer_groups[{i}].match.{field_name}", report)
    for where, text in _texts(template):
        missing = placeholders(text) - names
        if missing:
            report(f"{path}.{where}", "variant-placeholder",
                   f"unknown placeholder(s): {', '.join(sorted(missing))}")
            ok = False
    if not placeholders(template.prompt):
        report(f"{path}.prompt", "variant-prompt",
               "the prompt shows no drawn value ({{name}}): every variant would read the same")
    if not ok:
        return
    _check_draws(item, template, path, report)


def _names_ok(expr: str, known: set[str], where: str, report: Report) -> bool:
    try:
        unknown = expression_names(expr) - known
    except VariantError as exc:
        report(where, "variant-expression", str(exc))
        return False
    if unknown:
        report(where, "variant-expression", f"unknown name(s): {', '.join(sorted(unknown))}")
        return False
    return True


def _check_draws(item: Item, template: Item, path: str, report: Report) -> None:
    variants = item.variants
    assert variants is not None
    seen: set[tuple[Any, ...]] = set()
    for seed in SEEDS:
        for k in range(DRAWS + 1):
            try:
                env = draw(variants, seed, item.id, k)
                concrete = instantiate(template, env)
            except VariantError as exc:
                report(f"{path}.variants", "variant-draw", f"showing {k}: {exc}")
                return
            seen.add(tuple(env[p.name] for p in variants.params))
            label = ", ".join(f"{p.name}={format_value(env[p.name])}" for p in variants.params)
            if not _instance_ok(concrete, path, label, report):
                return
    if len(seen) < 2:
        report(f"{path}.variants", "variant-few",
               "the parameters allow only one set of values: the item repeats itself", WARNING)
    elif len(seen) < DRAWS // 2:
        report(f"{path}.variants", "variant-few",
               f"only {len(seen)} different sets of values: a learner may see one again",
               WARNING)


def _instance_ok(item: Item, path: str, label: str, report: Report) -> bool:
    if item.type in (ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE):
        texts = [c.text.strip() for c in item.choices]
        if len(set(texts)) < len(texts):
            report(f"{path}.choices", "variant-choices",
                   f"with {label} two choices read the same")
            return False
    if item.type != ItemType.NUMERIC:
        return True
    # Imported here: adaptive.grading imports the module package (and so this file) itself.
    from adaptive.grading.answers import evaluate_answer

    for index, group in enumerate(item.answer_groups):
        value = group.match.value
        if value is None:
            continue
        result = evaluate_answer(item, value)
        if result.group_index != index:
            report(f"{path}.answer_groups[{index}]", "variant-ambiguous",
                   f"with {label} the answer {format_value(value)} of this group is taken by "
                   f"answer group {result.group_index} first")
            return False
    return True


__all__ = ["DRAWS", "ERROR", "check_variants"]
