"""Does a learner's first answer on a skill say anything about what comes next?

An item a learner meets first on a skill (in the synthetic and most authored modules, the
skill's first diagnostic item) is answered by nearly the whole class, before the skill is
practised. If it discriminates, the learners who got it right go on to answer the skill's
next items right far more often than those who got it wrong; a non-discriminating item
(right about as often whatever one knows) leaves no such gap. The next answers are the
knowledge proxy: the class's own answers on the skill's *other* items.

Why not the model-based analysis alone (``adaptive.analytics.evidence``): in a class of 30
it must infer every learner's prior and learning rate from the same answers, and a flat
item's evidence mostly goes into bending them. This split needs no model: it compares the
item's gap with the gaps of the class's other first items (the same position in the path,
so the same adaptive routing after a right or a wrong answer), with a normal test whose
variance counts the item's own group sizes and the spread between sound items, and a
Bonferroni correction over the items tested. The false-alarm rate was calibrated on
simulated classes with nothing planted (bench/planted_flaws.py --null, tuning seeds).

Pure Python, plain data in and out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import median

#: One answer: (learner, skill, item id, correct), in each learner's own order.
Answer = tuple[str, str, str, bool]


@dataclass(frozen=True)
class FirstSplit:
    """One item, among the learners who answered it first on its skill."""

    item_id: str
    skill_id: str
    right_n: int  # learners who got it right first
    right_next: float  # their share right on the next answers (other items of the skill)
    wrong_n: int
    wrong_next: float
    se2: float  # variance of the gap from the two groups' sizes and spreads

    @property
    def gap(self) -> float:
        return self.right_next - self.wrong_next


@dataclass(frozen=True)
class FlatFinding:
    """A first item whose gap is far below the class's other first items'."""

    split: FirstSplit
    typical_gap: float  # median gap of the other first items
    z: float
    p_value: float  # one-sided, for this item alone
    tested: int  # items tested (the Bonferroni factor)

    @property
    def confidence(self) -> float:
        """1 − the Bonferroni-corrected p-value: how unlikely a gap this small is for any
        of the sound items tested."""
        return max(0.0, 1.0 - self.tested * self.p_value)


def first_splits(answers: Iterable[Answer], *, next_answers: int = 3,
                 min_group: int = 5, var_floor: float = 0.05) -> list[FirstSplit]:
    """For each item some learners answered first on its skill: the share right on their
    next ``next_answers`` answers on the skill's other items, for those who got it right
    and those who got it wrong (learners with no later answer on the skill left out).
    Items with fewer than ``min_group`` learners in either group are left out."""
    by_key: dict[tuple[str, str], list[tuple[str, bool]]] = {}
    for learner, skill, item, correct in answers:
        by_key.setdefault((learner, skill), []).append((item, correct))
    groups: dict[tuple[str, str], tuple[list[float], list[float]]] = {}
    for (_, skill), rows in by_key.items():
        item, right = rows[0]
        nxt = [ok for iid, ok in rows[1:] if iid != item][:next_answers]
        if not nxt:
            continue
        pair = groups.setdefault((item, skill), ([], []))
        pair[0 if right else 1].append(sum(nxt) / len(nxt))
    out = []
    for (item, skill), (r, w) in groups.items():
        if len(r) < min_group or len(w) < min_group:
            continue
        out.append(FirstSplit(item, skill, len(r), _mean(r), len(w), _mean(w),
                              max(_var(r), var_floor) / len(r)
                              + max(_var(w), var_floor) / len(w)))
    return sorted(out, key=lambda s: s.item_id)


def flat_first_items(splits: Sequence[FirstSplit], *, exclude: Iterable[str] = (),
                     max_gap: float = 0.15, min_reference: int = 3,
                     min_spread: float = 0.0) -> list[FlatFinding]:
    """Items whose gap is improbably small next to the other first items' (each judged
    against the others, ``exclude``: items known flawed for another reason, neither judged
    nor used as a reference). Only items whose own gap is at most ``max_gap`` (it must look
    flat, not just less sharp than the rest) are returned."""
    skip = set(exclude)
    pool = [s for s in splits if s.item_id not in skip]
    out = []
    for s in pool:
        ref = [o for o in pool if o is not s]
        if len(ref) < min_reference or s.gap > max_gap:
            continue
        gaps = [o.gap for o in ref]
        typical = median(gaps)
        # Spread between sound items beyond their sampling noise (different guess and slip,
        # a skill that is harder to learn): part of what a sound item's gap may be.
        tau2 = max(min_spread ** 2,
                   _var(gaps) * len(gaps) / (len(gaps) - 1) - _mean([o.se2 for o in ref]))
        z = (typical - s.gap) / math.sqrt(s.se2 + tau2)
        p = 0.5 * math.erfc(z / math.sqrt(2))
        out.append(FlatFinding(s, typical, z, p, len(pool)))
    return out


def _mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs)


def _var(xs: Sequence[float]) -> float:
    m = _mean(xs)
    return sum((x - m) ** 2 for x in xs) / len(xs)
