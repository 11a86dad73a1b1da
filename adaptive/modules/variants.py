"""Item variants: parameterised items whose numbers are drawn per learner (docs/module-format.md).

An item with ``variants`` is written once with placeholders (``{{a}}``) in its texts and
expressions (``"a * k"``) in its numeric answers. The item *as loaded* is the author's own
instance (every parameter at its ``default``), so analytics of first attempts, the validator
and every caller that reads ``module.item(id)`` see a plain, concrete item. Each later showing
of the same item to the same learner draws new numbers, deterministically from (the learner's
seed, the item id, how many times it was shown before), distinct from the earlier ones while
the parameter space allows: practice never reuses the answer just shown.

Expressions are a small, safe arithmetic language parsed with :mod:`ast` (never ``eval``):
numbers, parameter names, ``+ - * / // % **``, comparisons, ``and``/``or``/``not``,
``x if c else y`` and the functions in ``FUNCTIONS``.
"""

from __future__ import annotations

import ast
import itertools
import math
import random
import re
import statistics
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import lru_cache
from typing import Any

from adaptive.modules.format import AnswerGroup, Choice, Item, Match, Param, Variants

__all__ = [
    "FUNCTIONS",
    "PLACEHOLDER",
    "VariantError",
    "default_values",
    "draw",
    "evaluate",
    "expression_names",
    "format_value",
    "instantiate",
    "placeholders",
    "shown_values",
    "variant_item",
    "with_values",
]

#: ``{{name}}`` in a text is replaced by the drawn value (double braces: LaTeX uses single ones).
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
#: Draws tried per variant before giving up on the ``where`` constraints or distinctness.
MAX_TRIES = 200
_MAX_POWER = 64  # exponents beyond this are rejected (no runaway numbers from a module file)

FUNCTIONS: dict[str, Any] = {
    "abs": abs,
    "min": min,
    "max": max,
    "round": round,
    "int": int,
    "gcd": math.gcd,
    "lcm": math.lcm,
    "sqrt": math.sqrt,
    "floor": math.floor,
    "ceil": math.ceil,
    "mean": lambda *xs: statistics.fmean(xs),
    "median": lambda *xs: statistics.median(xs),
}


class VariantError(ValueError):
    """A variant cannot be drawn or an expression cannot be evaluated."""


_BIN: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
}
_CMP: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
}


@lru_cache(maxsize=4096)
def _parse(expr: str) -> ast.Expression:
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError as exc:
        raise VariantError(f"cannot read expression {expr!r}: {exc.msg}") from None
    for node in ast.walk(tree):
        ok = isinstance(
            node,
            (
                ast.Expression, ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp, ast.IfExp,
                ast.Constant, ast.Name, ast.Call, ast.Load, ast.operator, ast.unaryop,
                ast.cmpop, ast.boolop,
            ),
        )
        if not ok:
            raise VariantError(f"expression {expr!r}: {type(node).__name__} is not allowed")
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float)):
            raise VariantError(f"expression {expr!r}: only numbers are allowed as constants")
        if isinstance(node, ast.Call) and (
            not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords
        ):
            raise VariantError(f"expression {expr!r}: unknown function")
    return tree


def expression_names(expr: str) -> set[str]:
    """The parameter names an expression reads (raises VariantError when it cannot be read)."""
    tree = _parse(expr)
    calls = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in calls}


def evaluate(expr: str, env: Mapping[str, float]) -> float:
    """The value of ``expr`` with the names in ``env`` (VariantError on any failure)."""

    def ev(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id not in env:
                raise VariantError(f"expression {expr!r}: unknown name {node.id!r}")
            return env[node.id]
        if isinstance(node, ast.UnaryOp):
            value = ev(node.operand)
            if isinstance(node.op, ast.USub):
                return -value
            if isinstance(node.op, ast.UAdd):
                return +value
            return not value
        if isinstance(node, ast.BinOp):
            left, right = ev(node.left), ev(node.right)
            if isinstance(node.op, ast.Pow):
                if abs(right) > _MAX_POWER:
                    raise VariantError(f"expression {expr!r}: exponent too large")
                return left**right
            op = _BIN.get(type(node.op))
            if op is None:
                raise VariantError(f"expression {expr!r}: operator not allowed")
            return op(left, right)
        if isinstance(node, ast.Compare):
            left = ev(node.left)
            for cmp, comp in zip(node.ops, node.comparators, strict=True):
                right = ev(comp)
                if not _CMP[type(cmp)](left, right):
                    return False
                left = right
            return True
        if isinstance(node, ast.BoolOp):
            values = [ev(v) for v in node.values]
            return all(values) if isinstance(node.op, ast.And) else any(values)
        if isinstance(node, ast.IfExp):
            return ev(node.body) if ev(node.test) else ev(node.orelse)
        if isinstance(node, ast.Call):
            return FUNCTIONS[node.func.id](*(ev(a) for a in node.args))  # type: ignore[attr-defined]
        raise VariantError(f"expression {expr!r}: not allowed")  # pragma: no cover

    try:
        value = ev(_parse(expr))
    except VariantError:
        raise
    except (ArithmeticError, TypeError, ValueError) as exc:
        raise VariantError(f"expression {expr!r}: {exc}") from None
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        raise VariantError(f"expression {expr!r} is not a finite number")
    number: float = _number(value)
    return number


def format_value(value: Any) -> str:
    """A drawn or derived value as text: integers without ".0", others to 6 significant digits."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return str(value)
    return f"{value:.6g}"


def placeholders(text: str) -> set[str]:
    """The names used as ``{{name}}`` in a text."""
    return set(PLACEHOLDER.findall(text or ""))


def _fill(text: str, env: Mapping[str, Any]) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in env:
            raise VariantError(f"unknown placeholder {{{{{name}}}}}")
        return format_value(env[name])

    return PLACEHOLDER.sub(sub, text) if text and "{{" in text else text


def _number(value: Any) -> Any:
    """Whole numbers as ``int`` (a module file's 3 and 3.0 are the same value; gcd needs int)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _candidates(param: Param) -> list[Any]:
    if param.values:
        if any(isinstance(v, float) and not math.isfinite(v) for v in param.values):
            raise VariantError(f"parameter {param.name!r} has a value that is not a number")
        return [_number(v) for v in param.values]
    low, high, step = param.low, param.high, param.step
    if any(v is not None and not math.isfinite(v) for v in (low, high, step)):
        # NaN and infinity compare false with everything: refuse them by name.
        raise VariantError(f"parameter {param.name!r} needs finite numbers for min, max "
                           "and step")
    if low is None or high is None or step <= 0 or high < low:
        raise VariantError(f"parameter {param.name!r} needs min <= max and step > 0")
    n = int(math.floor((high - low) / step + 1e-9))
    if n > 100_000:
        raise VariantError(f"parameter {param.name!r} has too many values")
    integral = all(float(v).is_integer() for v in (low, step))
    out = [low + i * step for i in range(n + 1)]
    return [int(v) for v in out] if integral else [round(v, 10) for v in out]


def _complete(variants: Variants, drawn: dict[str, Any]) -> dict[str, Any] | None:
    """``drawn`` plus the derived values, or None when a ``where`` constraint fails."""
    env = dict(drawn)
    for name, expr in variants.derived:
        env[name] = evaluate(expr, env)
    for cond in variants.where:
        if not evaluate(cond, env):
            return None
    return env


def default_values(variants: Variants) -> dict[str, Any]:
    """The author's instance: each parameter at its default (or its first value / min)."""
    drawn = {}
    for p in variants.params:
        if p.default is not None:
            drawn[p.name] = _number(p.default)
        else:
            drawn[p.name] = _candidates(p)[0]
    env = _complete(variants, drawn)
    if env is None:
        raise VariantError("the default values do not satisfy the item's 'where' constraints")
    return env


def _key(variants: Variants, env: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(env[p.name] for p in variants.params)


#: Parameter spaces up to this many combinations are enumerated once (all valid draws known);
#: larger ones are sampled with ``MAX_TRIES`` attempts per showing.
ENUMERATE_LIMIT = 20_000


@lru_cache(maxsize=256)
def _valid_space(variants: Variants) -> tuple[tuple[tuple[Any, ...], dict[str, Any]], ...] | None:
    """Every (key, values) combination of the parameters that satisfies ``where`` (with the
    derived values), or None when the space is too large to enumerate."""
    pools = [_candidates(p) for p in variants.params]
    size = math.prod(len(pool) for pool in pools)
    if size > ENUMERATE_LIMIT:
        return None
    names = [p.name for p in variants.params]
    out = []
    for combo in itertools.product(*pools):
        env = _complete(variants, dict(zip(names, combo, strict=True)))
        if env is not None:
            out.append((tuple(combo), env))
    return tuple(out)


def draw(variants: Variants, seed: int, item_id: str, k: int) -> dict[str, Any]:
    """The values of showing number ``k`` (0 = the author's defaults) of an item to a learner.

    Deterministic in (seed, item id, k). Each showing takes values no earlier showing had
    while the parameter space has some left (an enumerable space: a seeded random start, then
    the next unused combination; a larger one: up to ``MAX_TRIES`` seeded draws).
    """
    seen = [default_values(variants)]
    keys = {_key(variants, seen[0])}
    space = _valid_space(variants)
    if space is not None and not space:
        raise VariantError(f"item {item_id!r}: no values satisfy its 'where' constraints")
    for n in range(1, k + 1):
        rng = random.Random(f"{seed}:{item_id}:{n}")
        env: dict[str, Any] | None = None
        candidate: dict[str, Any] | None
        if space is not None:
            if len(keys) >= len(space):  # every combination shown: start again
                keys = set()
            start = rng.randrange(len(space))
            for j in range(len(space)):
                key, candidate = space[(start + j) % len(space)]
                if key not in keys:
                    env = candidate
                    break
        else:
            fallback = None
            for _ in range(MAX_TRIES):
                drawn = {p.name: rng.choice(_candidates(p)) for p in variants.params}
                candidate = _complete(variants, drawn)
                if candidate is None:
                    continue
                fallback = fallback or candidate
                if _key(variants, candidate) not in keys:
                    env = candidate
                    break
            env = env or fallback
        if env is None:
            raise VariantError(f"item {item_id!r}: no values satisfy its 'where' constraints")
        keys.add(_key(variants, env))
        seen.append(env)
    return seen[k]


def _match(match: Match, env: Mapping[str, Any]) -> Match:
    changes: dict[str, Any] = {}
    for field_name, expr in match.exprs:
        changes[field_name] = float(evaluate(expr, env))
    if match.text:
        changes["text"] = _fill(match.text, env)
    if match.pattern:
        changes["pattern"] = _fill(match.pattern, env)
    if match.also:
        changes["also"] = tuple(_fill(a, env) for a in match.also)
    return replace(match, **changes) if changes else match


def instantiate(template: Item, env: Mapping[str, Any]) -> Item:
    """The concrete item for the values ``env``: placeholders filled, answers computed."""
    try:
        return _instantiate(template, env)
    except VariantError:
        raise
    except (OverflowError, ValueError) as exc:  # e.g. a value too large for a float
        raise VariantError(f"item {template.id!r}: its values cannot be used ({exc})") from exc


def _instantiate(template: Item, env: Mapping[str, Any]) -> Item:
    groups = tuple(
        AnswerGroup(
            match=_match(g.match, env),
            correct=g.correct,
            feedback=_fill(g.feedback, env),
            misconception=g.misconception,
            destination=g.destination,
        )
        for g in template.answer_groups
    )
    return replace(
        template,
        prompt=_fill(template.prompt, env),
        choices=tuple(Choice(c.id, _fill(c.text, env)) for c in template.choices),
        answer_groups=groups,
        default_feedback=_fill(template.default_feedback, env),
        hints=tuple(_fill(h, env) for h in template.hints),
        solution=_fill(template.solution, env),
    )


def distinct_questions(item: Item) -> int:
    """How many different questions ``item`` can show one learner before one repeats: 1
    without variants; with them, every combination of values its ``where`` allows
    (``ENUMERATE_LIMIT`` when the space is too large to count, which no practice cap nears).
    ``draw`` gives each showing values no earlier showing had while some are left."""
    if item.variants is None:
        return 1
    space = _valid_space(item.variants)
    return ENUMERATE_LIMIT if space is None else max(len(space), 1)


def variant_item(item: Item, seed: int, k: int) -> Item:
    """``item`` as shown for the ``k``-th time to the learner with ``seed`` (k = 0: as loaded)."""
    variants = item.variants
    if variants is None or k <= 0 or variants.template is None:
        return item
    env = draw(variants, seed, item.id, k)
    return replace(instantiate(variants.template, env), variants=variants)


def shown_values(item: Item, seed: int, k: int) -> dict[str, Any] | None:
    """The values of showing ``k`` of ``item`` to the learner with ``seed`` (k = 0: the
    author's defaults); None for an item without variants. What an answer event records so
    that a teacher later reads the question with the numbers the learner saw, whatever
    happens to the draw or to the learner's state since."""
    variants = item.variants
    if variants is None:
        return None
    return draw(variants, seed, item.id, k) if k > 0 else default_values(variants)


def with_values(item: Item, values: Mapping[str, Any]) -> Item:
    """``item`` with the recorded ``values`` filled in (the inverse of ``shown_values``).

    Raises VariantError when the values no longer fit the item (the module changed since:
    a placeholder or answer expression names a parameter they lack)."""
    variants = item.variants
    if variants is None or variants.template is None:
        return item
    return replace(instantiate(variants.template, values), variants=variants)
