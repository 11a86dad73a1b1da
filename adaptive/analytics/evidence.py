"""Small-sample evidence for the restructuring suggestions: a hidden Markov model per skill.

A class of 30 cannot be split into "knowers" and "others" by thresholds (the groups are a
handful each, and an adaptive engine decides who answers what from earlier answers). This
module uses *all* of a learner's answers and pages on a skill instead, through the model the
engine itself assumes (BKT): a learner knows the skill or not; a known skill gives a right
answer with 1 − slip, an unknown one with guess; after each answer an unknown skill becomes
known with ``learn``, after a lesson page with ``teach``. Its parameters are fitted per skill
(maximum a posteriori, with the module's own values as the prior), so a module whose guess or
slip is generally off does not make every item look flawed.

A possible flaw is then a *different emission for one item* (or a different ``teach`` for one
lesson), and its evidence is a likelihood ratio: how much more probable the class's answers
are if the item is flawed than if it behaves like the skill's other items. Because the
likelihood conditions on every observed answer, the engine's adaptive choice of the next
item (which depends only on earlier answers) does not bias it; the leave-one-out posterior
``P(known | the learner's other events)`` is what the evidence texts count as "knows".

Pure Python (a class is a few thousand events); no numpy needed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

#: One event of a learner on a skill: ("answer", item id, correct, choice), ("page", page
#: id, False, "") or, first, ("ability", "", False, z): how much more than the class the
#: learner showed on the module's *other* skills (z in [-1, 1]), which shifts the prior.
Event = tuple[str, str, bool, str]
#: P(this answer | known), P(this answer | not known) for one answer event.
Emission = Callable[[Event], tuple[float, float]]

_EPS = 1e-6


@dataclass(frozen=True)
class SkillModel:
    """The fitted HMM of one skill. ``guess`` may be raised per item to its chance rate."""

    prior: float
    learn: float
    guess: float
    slip: float
    teach: Mapping[str, float] = field(default_factory=dict)  # page id -> P(teaches)
    floors: Mapping[str, float] = field(default_factory=dict)  # item id -> guess floor
    lift: float = 0.0  # log-odds of the prior per unit of the learner's ability z

    def start(self, ev: Event) -> float:
        """The prior of a learner whose sequence starts with an ability event."""
        if ev[0] != "ability" or not self.lift:
            return self.prior
        p = _clip(self.prior)
        return 1 / (1 + math.exp(-(math.log(p / (1 - p)) + self.lift * float(ev[3]))))

    def guess_of(self, item_id: str) -> float:
        return max(self.guess, self.floors.get(item_id, 0.0))

    def emission(self, ev: Event) -> tuple[float, float]:
        g, s = self.guess_of(ev[1]), self.slip
        return (1 - s, g) if ev[2] else (s, 1 - g)


def _clip(p: float) -> float:
    return min(1 - _EPS, max(_EPS, p))


def log_likelihood(seqs: Sequence[Sequence[Event]], model: SkillModel,
                   override: Mapping[str, Emission] | None = None,
                   teach: Mapping[str, float] | None = None) -> float:
    """log P(all sequences | model), with ``override`` emissions for some items and
    ``teach`` values for some pages."""
    # The hot loop of the analysis (thousands of calls per class): emissions inlined.
    total = 0.0
    g0, s, learn, floors = model.guess, model.slip, model.learn, model.floors
    ov = override or {}
    pages = {**model.teach, **(teach or {})}
    log = math.log
    for seq in seqs:
        pk = model.prior
        for ev in seq:
            kind = ev[0]
            if kind == "answer":
                fn = ov.get(ev[1]) if ov else None
                if fn is not None:
                    ek, eu = fn(ev)
                else:
                    g = floors.get(ev[1], 0.0)
                    if g < g0:
                        g = g0
                    ek, eu = (1 - s, g) if ev[2] else (s, 1 - g)
                lk = pk * ek
                z = lk + (1 - pk) * eu
                if z > 0:
                    total += log(z)
                    post = lk / z
                else:
                    total -= 690.0
                    post = pk
                pk = post + (1 - post) * learn
            elif kind == "page":
                pk = pk + (1 - pk) * pages.get(ev[1], 0.0)
            else:  # "ability"
                pk = model.start(ev)
    return total


def loo_known(seq: Sequence[Event], model: SkillModel) -> list[float]:
    """For each event, P(known at that event | every *other* event of the sequence)."""
    n = len(seq)
    # forward: alpha[t] = P(known at t | events before t)
    alpha = []
    pk = model.prior
    emis = []
    for ev in seq:
        if ev[0] == "ability":
            pk = model.start(ev)
        alpha.append(pk)
        if ev[0] == "ability":
            emis.append((1.0, 1.0))
            continue
        if ev[0] == "page":
            emis.append((1.0, 1.0))
            pk = pk + (1 - pk) * model.teach.get(ev[1], 0.0)
            continue
        ek, eu = model.emission(ev)
        emis.append((ek, eu))
        z = pk * ek + (1 - pk) * eu
        post = pk * ek / z if z > 0 else pk
        pk = post + (1 - post) * model.learn
    # backward: after[t] = (P(events after t | known at t), same | not known), emission of t
    # excluded; known stays known (no forgetting inside a sitting).
    out = [0.0] * n
    bk = bu = 1.0  # P(events from t+1 | state at t+1)
    for t in range(n - 1, -1, -1):
        ev = seq[t]
        rate = (model.teach.get(ev[1], 0.0) if ev[0] == "page"
                else 0.0 if ev[0] == "ability" else model.learn)
        after_k = bk
        after_u = (1 - rate) * bu + rate * bk
        a = alpha[t]
        num, den = a * after_k, a * after_k + (1 - a) * after_u
        out[t] = num / den if den > 0 else a
        ek, eu = emis[t]
        bk, bu = ek * after_k, eu * after_u
        m = max(bk, bu)
        if m > 0:  # rescale: only the ratio matters
            bk, bu = bk / m, bu / m
    return out


def _golden(f: Callable[[float], float], lo: float, hi: float, steps: int = 18) -> float:
    """argmax of a unimodal-enough f on [lo, hi]."""
    r = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - r * (b - a), a + r * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(steps):
        if fc > fd:
            b, d, fd = d, c, fc
            c = b - r * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + r * (b - a)
            fd = f(d)
    return (a + b) / 2


def _beta_log(p: float, mean: float, weight: float) -> float:
    """log Beta density (up to a constant) with the given mean and pseudo-count."""
    a, b = mean * weight, (1 - mean) * weight
    p = _clip(p)
    return (a - 1) * math.log(p) + (b - 1) * math.log(1 - p)


def fit_skill(seqs: Sequence[Sequence[Event]], start: SkillModel, *,
              prior_weight: float = 10.0, rounds: int = 3,
              override: Mapping[str, Emission] | None = None,
              init: SkillModel | None = None) -> SkillModel:
    """MAP fit of prior, learn, guess, slip and each page's teach (coordinate ascent),
    with Beta priors centred on ``start``'s values (worth ``prior_weight`` answers each;
    guess and slip, which the author set for the whole skill, three times as much)."""
    return fit_skill_scored(seqs, start, prior_weight=prior_weight, rounds=rounds,
                            override=override, init=init)[0]


def fit_skill_scored(seqs: Sequence[Sequence[Event]], start: SkillModel, *,
                     prior_weight: float = 10.0, rounds: int = 3,
                     override: Mapping[str, Emission] | None = None,
                     init: SkillModel | None = None,
                     fit_lift: bool = True, only: Sequence[str] | None = None,
                     steps: int = 18) -> tuple[SkillModel, float]:
    """:func:`fit_skill` and its score at the fit (log likelihood + log prior density,
    so that two fits of the same data under different hypotheses compare fairly).
    ``only``: refit just these of prior/learn/guess/slip (and the pages' teach), from
    ``init`` (a quick profile); ``steps``: golden-section steps per parameter."""
    centre = start
    model = init or start
    weight = {"prior": prior_weight, "learn": prior_weight, "guess": 3 * prior_weight,
              "slip": 3 * prior_weight}
    bounds = {"prior": (0.01, 0.99), "learn": (0.005, 0.8), "guess": (0.01, 0.49),
              "slip": (0.01, 0.49)}
    pages = sorted({ev[1] for seq in seqs for ev in seq if ev[0] == "page"})
    has_ability = any(seq and seq[0][0] == "ability" for seq in seqs)

    def score(m: SkillModel) -> float:
        lp = sum(_beta_log(getattr(m, k), getattr(centre, k), weight[k]) for k in bounds)
        lp += sum(_beta_log(m.teach.get(p, 0.0), centre.teach.get(p, 0.3), prior_weight / 2)
                  for p in pages)
        return log_likelihood(seqs, m, override) + lp

    def with_value(m: SkillModel, name: str, v: float) -> SkillModel:
        # ``name`` is a field (lift, prior, learn, guess, slip) or "page:<id>" (its teach).
        if name.startswith("page:"):
            return replace(m, teach={**m.teach, name.removeprefix("page:"): v})
        field_value: dict[str, Any] = {name: v}  # a float field, not ``teach``
        return replace(m, **field_value)

    def tune(m: SkillModel, name: str, lo: float, hi: float, n: int) -> SkillModel:
        def f(v: float) -> float:
            return score(with_value(m, name, v))
        return with_value(m, name, _golden(f, lo, hi, n))

    for _ in range(rounds):
        if has_ability and fit_lift:  # no prior: the class says how much ability carries over
            model = tune(model, "lift", 0.0, 8.0, 14)
        for name, (lo, hi) in bounds.items():
            if only is None or name in only:
                model = tune(model, name, lo, hi, steps)
        for p in pages:
            model = tune(model, "page:" + p, 0.0, 0.95, steps)
    return model, score(model)


def best_over(f: Callable[[float], float], lo: float, hi: float) -> tuple[float, float]:
    """(argmax, max) of f on [lo, hi]: a coarse grid, then a golden-section refinement."""
    grid = [lo + (hi - lo) * k / 8 for k in range(9)]
    vals = [f(x) for x in grid]
    k = max(range(9), key=vals.__getitem__)
    x = _golden(f, grid[max(0, k - 1)], grid[min(8, k + 1)], steps=7)
    fx = f(x)
    return (x, fx) if fx >= vals[k] else (grid[k], vals[k])


def posterior(llr: float, prior_odds: float) -> float:
    """P(flaw | evidence) from a log likelihood ratio and the prior odds of the flaw."""
    z = llr + math.log(prior_odds)
    return 1 / (1 + math.exp(-z)) if z > -700 else 0.0
