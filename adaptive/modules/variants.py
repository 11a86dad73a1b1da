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

Drawn numbers are written the learner's way when the caller passes the language the item is
shown in (``format_value``): ``7,4`` in a Spanish or French sentence, ``7{,}4`` in its
formulas, where the answer box reads ``7,4`` and the finish page writes ``0,75``.
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
from adaptive.modules.languages import uses_decimal_comma
from adaptive.modules.math_spans import math_spans

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


def format_value(value: Any, language: str | None = None, *, in_math: bool = False) -> str:
    """A drawn or derived value as text: integers without ".0", others to 6 significant digits.

    Without ``language``, or in a language that writes decimals with a point, as the author
    typed numbers (``7.4``, ``17576``: no thousands comma, which an English answer box
    refuses as ambiguous in "17,576"). In a language that writes decimals with a comma
    (``adaptive.modules.languages``), with the decimal comma and, from five digits, groups
    of three set apart by a narrow no-break space (``17 576``, SI style; Spanish
    typography does not group four digits). The space, not the point many of those
    languages also use, because the answer box reads "17 576" there and refuses "17.576"
    (one thousand there, one elsewhere): a learner who types a number as the question wrote
    it is understood. ``in_math``: the number stands inside a formula (``$...$``), where a bare
    comma would be set as punctuation with a space after it and a space would vanish, so
    the comma is braced and the groups are a thin space (``17\\,576``, ``7{,}4``), the
    way the translators write their own formulas.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value) if isinstance(value, int) else f"{value:.6g}"
    if not uses_decimal_comma(language):
        return text
    parts = _PLAIN_NUMBER.match(text)
    if parts is None:  # "inf", "nan": nothing to localise
        return text
    sign, whole, fraction, exponent = parts.groups()
    if len(whole) >= 5:
        group = "\\," if in_math else "\u202f"
        head = len(whole) % 3 or 3
        whole = group.join([whole[:head]] + [whole[i:i + 3] for i in range(head, len(whole), 3)])
    if fraction is not None:
        whole += ("{,}" if in_math else ",") + fraction
    return sign + whole + (exponent or "")


_PLAIN_NUMBER = re.compile(r"^(-?)(\d+)(?:\.(\d+))?(e[+-]?\d+)?$")


def placeholders(text: str) -> set[str]:
    """The names used as ``{{name}}`` in a text."""
    return set(PLACEHOLDER.findall(text or ""))


@lru_cache(maxsize=4096)
def _math_of(template: str) -> tuple[tuple[int, int], ...]:
    """Where a template's formulas are, found with each placeholder read as digits (what
    it becomes): ``$x${{a}}`` must be judged as ``$x$12`` is. Cached: the templates are
    the module's few texts, filled again for every learner and showing."""
    probe = PLACEHOLDER.sub(lambda m: "0" * len(m.group(0)), template)
    return tuple(math_spans(probe))


def _fill(text: str, env: Mapping[str, Any], language: str | None = None) -> str:
    if not text or "{{" not in text:
        return text
    spans = _math_of(text) if uses_decimal_comma(language) else ()

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in env:
            raise VariantError(f"unknown placeholder {{{{{name}}}}}")
        inside = any(start < m.start() < end for start, end in spans)
        return format_value(env[name], language, in_math=inside)

    return PLACEHOLDER.sub(sub, text)


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


def _match(match: Match, env: Mapping[str, Any], language: str | None) -> Match:
    changes: dict[str, Any] = {}
    for field_name, expr in match.exprs:
        changes[field_name] = float(evaluate(expr, env))
    if match.text:
        changes["text"] = _fill(match.text, env, language)
    if match.pattern:
        # A regex keeps the author's digits: a narrow space drawn into it would refuse the
        # plain space a learner types (and "7.4" there matches "7,4" already).
        changes["pattern"] = _fill(match.pattern, env)
    also = [_fill(a, env, language) for a in match.also]
    # An accepted text with a number in it is also accepted as the author wrote the number
    # ("7.4" beside the learner's "7,4"), as the answer box is for a numeric item.
    for written in ((match.text,) if match.text else ()) + match.also:
        plain = _fill(written, env)
        if plain != changes.get("text") and plain not in also:
            also.append(plain)
    if also:
        changes["also"] = tuple(also)
    return replace(match, **changes) if changes else match


def instantiate(template: Item, env: Mapping[str, Any], language: str | None = None) -> Item:
    """The concrete item for the values ``env``: placeholders filled, answers computed.

    ``language``: the one the item's texts are in (the module's, or a translation's), so
    that its numbers are written that language's way (``format_value``)."""
    try:
        return _instantiate(template, env, language)
    except VariantError:
        raise
    except (OverflowError, ValueError) as exc:  # e.g. a value too large for a float
        raise VariantError(f"item {template.id!r}: its values cannot be used ({exc})") from exc


def _instantiate(template: Item, env: Mapping[str, Any], language: str | None) -> Item:
    def fill(text: str) -> str:
        return _fill(text, env, language)

    groups = tuple(
        AnswerGroup(
            match=_match(g.match, env, language),
            correct=g.correct,
            feedback=fill(g.feedback),
            misconception=g.misconception,
            destination=g.destination,
        )
        for g in template.answer_groups
    )
    return replace(
        template,
        prompt=fill(template.prompt),
        choices=tuple(Choice(c.id, fill(c.text)) for c in template.choices),
        answer_groups=groups,
        default_feedback=fill(template.default_feedback),
        hints=tuple(fill(h) for h in template.hints),
        solution=fill(template.solution),
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


def variant_item(item: Item, seed: int, k: int, language: str | None = None) -> Item:
    """``item`` as shown for the ``k``-th time to the learner with ``seed`` (k = 0: as loaded),
    its numbers written the way of ``language``, the language its texts are in."""
    variants = item.variants
    if variants is None or k <= 0 or variants.template is None:
        return item
    env = draw(variants, seed, item.id, k)
    return replace(instantiate(variants.template, env, language), variants=variants)


def shown_values(item: Item, seed: int, k: int) -> dict[str, Any] | None:
    """The values of showing ``k`` of ``item`` to the learner with ``seed`` (k = 0: the
    author's defaults); None for an item without variants. What an answer event records so
    that a teacher later reads the question with the numbers the learner saw, whatever
    happens to the draw or to the learner's state since."""
    variants = item.variants
    if variants is None:
        return None
    return draw(variants, seed, item.id, k) if k > 0 else default_values(variants)


def with_values(item: Item, values: Mapping[str, Any], language: str | None = None) -> Item:
    """``item`` with the recorded ``values`` filled in (the inverse of ``shown_values``),
    written the way of ``language`` (the one its texts are in).

    Raises VariantError when the values no longer fit the item (the module changed since:
    a placeholder or answer expression names a parameter they lack)."""
    variants = item.variants
    if variants is None or variants.template is None:
        return item
    return replace(instantiate(variants.template, values, language), variants=variants)
