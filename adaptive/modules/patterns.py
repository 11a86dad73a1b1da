"""Author-supplied answer patterns: a linear-time engine and a backtracking check.

A module's short-text rules may carry a regular expression, and modules are
uploaded by teachers. Python's ``re`` backtracks: ``(a|a)+$`` against forty
``a`` and one ``!`` takes longer than the age of the universe, and it would
hold a web worker for that long. Answers are therefore matched with RE2
(PyPI ``google-re2``), whose automaton runs in time linear in the answer
whatever the pattern. RE2 has no look-around and no back-references; such a
pattern does not compile here and the validator reports it.

``backtracking_risk`` finds the classic catastrophic shapes (a repeated group
whose body can itself repeat, or whose alternatives overlap) so that the
validator can refuse them: a module must not depend on which engine runs it.
"""

from __future__ import annotations

import functools
import re
import re._constants as sre_constants
import re._parser as sre_parse
from typing import Any

import re2

#: A parsed pattern as ``re._parser`` gives it: (opcode, argument) pairs.
_Tokens = list[tuple[Any, Any]]

__all__ = ["PatternError", "backtracking_risk", "compile_pattern"]

_OPTIONS = re2.Options()
# Case-insensitive by default; an author opts out with a scoped group such as
# "(?-i:ABC)", which RE2 supports as Python does.
_OPTIONS.case_sensitive = False
# RE2 writes every compile error to stderr by itself; the caller reports them.
_OPTIONS.log_errors = False


class PatternError(ValueError):
    """The pattern does not compile in the linear-time engine (message says why)."""


@functools.lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> Any:
    """The RE2 program for ``pattern`` (case-insensitive); PatternError if it has none."""
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else exc
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise PatternError(str(detail)) from None


_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT,
            getattr(sre_constants, "POSSESSIVE_REPEAT", sre_constants.MAX_REPEAT))
_MAXREPEAT = sre_constants.MAXREPEAT


def backtracking_risk(pattern: str) -> str | None:
    """Why ``pattern`` would backtrack catastrophically in Python's ``re``, or None.

    Detected (the shapes behind almost every ReDoS report): an unbounded
    repeat whose body contains another unbounded repeat (``(a+)+``, ``(\\w*\\s?)*``)
    and an unbounded repeat over alternatives that can start with the same
    character (``(a|a)+``, ``(a|ab)*``). Not a proof of safety: RE2 is.
    """
    try:
        tree = sre_parse.parse(pattern)
    except re.error:
        return None  # a syntax error is reported on its own
    return _walk(list(tree))


def _walk(items: _Tokens) -> str | None:
    for op, arg in items:
        if op in _REPEATS:
            low, high, body = arg
            body = list(body)
            if high == _MAXREPEAT or high > 1:
                if _has_unbounded_repeat(body) and high == _MAXREPEAT:
                    return "a repeated group contains another unbounded repeat (e.g. (a+)+)"
                if high == _MAXREPEAT and _has_overlapping_branch(body):
                    return ("a repeated group has alternatives that can match the same text "
                            "(e.g. (a|a)+)")
            found = _walk(body)
        else:
            found = _walk_children(op, arg)
        if found:
            return found
    return None


def _walk_children(op: Any, arg: Any) -> str | None:
    if op == sre_constants.SUBPATTERN:
        return _walk(list(arg[-1]))
    if op == sre_constants.BRANCH:
        for alternative in arg[1]:
            found = _walk(list(alternative))
            if found:
                return found
    if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return _walk(list(arg[1]))
    return None


def _has_unbounded_repeat(items: _Tokens) -> bool:
    for op, arg in items:
        if op in _REPEATS and arg[1] == _MAXREPEAT:
            return True
        if op in _REPEATS and _has_unbounded_repeat(list(arg[2])):
            return True
        if op == sre_constants.SUBPATTERN and _has_unbounded_repeat(list(arg[-1])):
            return True
        if op == sre_constants.BRANCH and any(_has_unbounded_repeat(list(a)) for a in arg[1]):
            return True
    return False


def _has_overlapping_branch(body: _Tokens) -> bool:
    """True when an alternation in a repeated body has two ways into the same text."""
    round_start = _first_chars(body)
    for alternatives in _branches(body):
        firsts = []
        for alternative in alternatives:
            # An empty alternative ends this round: the next round's start follows.
            firsts.append(_first_chars(alternative) if alternative else round_start)
        empties = sum(1 for a in alternatives if not a)
        if empties > 1:
            return True
        for i, left in enumerate(firsts):
            for right in firsts[i + 1:]:
                if left is None or right is None or left & right:
                    return True
    return False


def _branches(items: _Tokens) -> list[list[_Tokens]]:
    """Every alternation in ``items`` (inside groups, not inside nested repeats)."""
    found: list[list[_Tokens]] = []
    for op, arg in items:
        if op == sre_constants.BRANCH:
            found.append([list(a) for a in arg[1]])
            for alternative in arg[1]:
                found += _branches(list(alternative))
        elif op == sre_constants.SUBPATTERN:
            found += _branches(list(arg[-1]))
    return found


_ANY = None  # "could be any character": overlaps with everything


def _first_chars(items: _Tokens) -> set[str] | None:
    """Characters the sequence can start with (lower-cased), or None for "anything"."""
    for op, arg in items:
        if op == sre_constants.LITERAL:
            return {chr(arg).lower()}
        if op == sre_constants.NOT_LITERAL:
            return _ANY
        if op == sre_constants.IN:
            chars: set[str] = set()
            for kind, value in arg:
                if kind == sre_constants.LITERAL:
                    chars.add(chr(value).lower())
                elif kind == sre_constants.RANGE and value[1] - value[0] < 256:
                    chars.update(chr(c).lower() for c in range(value[0], value[1] + 1))
                else:
                    return _ANY  # categories, negation, wide ranges: assume overlap
            return chars
        if op == sre_constants.SUBPATTERN:
            return _first_chars(list(arg[-1]))
        if op == sre_constants.BRANCH:
            out: set[str] = set()
            for alternative in arg[1]:
                first = _first_chars(list(alternative))
                if first is None:
                    return _ANY
                out |= first
            return out
        if op in _REPEATS:
            if arg[0] == 0:
                return _ANY  # optional start: what follows may start the match too
            return _first_chars(list(arg[2]))
        if op == sre_constants.AT:
            continue  # anchors take no character
        return _ANY
    return set()
