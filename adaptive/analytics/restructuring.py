"""How the module itself should change, read from a class's answers.

``suggest_restructuring`` looks for flaws of the *content* (not of a learner): an item whose
key looks wrong, an item that does not tell knowers from non-knowers, items far too easy
or hard, a misconception that dominates an item, a prerequisite the data contradicts (or
one that is missing), a lesson after which learners do no better, a skill with fewer items
than its practice cap. Each finding carries its evidence in numbers, a confidence in
[0, 1] (how unlikely the evidence is if the content were fine) and what to change; those a
machine can apply also carry an ``edit`` (``adaptive``-free plain dict) for the module diff.

Who "knows" a skill, for one answer: a learner who showed it up front (status "known":
the diagnostic passed), or whose other answers on the skill (at least
``Thresholds.min_rest``) are mostly right (``knower_rest``). Who does not: mostly wrong
(``novice_rest``). This "rest score" is classical item analysis (upper and lower groups);
it judges an item by the learner's answers to the *other* items, so a bad item cannot hide
its own knowers.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from statistics import median
from typing import Any

from adaptive.analytics.events import HAS_SKILL, AnswerRecord, PageRecord, SkillState
from adaptive.analytics.evidence import (
    Emission,
    Event,
    SkillModel,
    best_over,
    fit_skill_scored,
    log_likelihood,
    loo_known,
    posterior,
)
from adaptive.analytics.first_answers import first_splits, flat_first_items
from adaptive.mastery.chance import guess_floor
from adaptive.modules.format import ItemType, Module
from adaptive.modules.variants import distinct_questions

#: How many later answers on the skill's other items say what a learner knew at an answer
#: (more would mostly measure what they learnt since).
NEXT_ANSWERS = 3

KINDS = ("mis_keyed", "non_discriminating", "too_easy", "too_hard", "dominant_misconception",
         "add_prerequisite", "remove_prerequisite", "useless_lesson", "too_few_items")


@dataclass(frozen=True)
class Thresholds:
    """Where each rule fires; defaults tuned on ``bench/planted_flaws.py`` (30 and 300)."""

    knower_rest: float = 0.75
    novice_rest: float = 0.4
    min_rest: int = 3
    min_knower_answers: int = 4
    mis_key_max_p: float = 0.35  # knowers right at most this often
    fine_knower_p: float = 0.7  # what a sound item gives knowers at least (the null)
    min_group_answers: int = 6  # per group, for discrimination
    flat_max_gap: float = 0.15  # knowers minus others at most this: no discrimination
    sound_gap: float = 0.4  # that gap on a sound item (the null of "does not discriminate")
    easy_min_p: float = 0.9  # non-knowers right at least this often
    hard_max_p: float = 0.5
    misconception_share: float = 0.6
    misconception_min_learners: int = 3
    spurious_min_share: float = 0.2  # knew B up front without having known A
    false_known: float = 0.08  # chance of passing a diagnostic by guessing (the null)
    missing_min_flag: float = 0.6
    missing_min_gap: float = 0.3
    min_pair_learners: int = 4
    lesson_min_gap: float = 0.15
    lesson_min_learners: int = 15
    min_confidence: float = 0.8


@dataclass(frozen=True)
class Restructuring:
    """One change to the module, with why and how sure."""

    kind: str
    target: str  # item id, skill id, page id, or "A>B" for an edge (A before B)
    evidence: str
    change: str
    confidence: float
    numbers: Mapping[str, float] = field(default_factory=dict)
    edit: Mapping[str, str] | None = None  # {"op": ..., ...} for the module diff


def binom_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p)."""
    if k < 0:
        return 0.0
    return min(1.0, sum(math.comb(n, j) * p ** j * (1 - p) ** (n - j)
                        for j in range(min(k, n) + 1)))


def _phi(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


_GRID = 400


def _beta_weights(k: int, n: int) -> list[float]:
    """The Beta(k + 1, n − k + 1) posterior of a rate after k of n (a uniform prior), as
    weights on the midpoints of ``_GRID`` equal cells of [0, 1]."""
    xs = [(j + 0.5) / _GRID for j in range(_GRID)]
    logs = [k * math.log(x) + (n - k) * math.log(1 - x) for x in xs]
    top = max(logs)
    w = [math.exp(v - top) for v in logs]
    total = sum(w)
    return [v / total for v in w]


def prob_rate_exceeds(k1: int, n1: int, k0: int, n0: int, *, floor: float = 0.0,
                      margin: float = 0.0, also: tuple[int, int] | None = None) -> float:
    """P(θ1 > max(θ0, floor) + margin) for two rates with uniform priors after k1 of n1 and
    k0 of n0: the posterior probability that the first rate exceeds the second (or
    ``floor``, whichever is larger) by more than ``margin``. Unlike a normal test on the
    point estimates, a handful of learners, or a rate of 0 or 1 (no spread to estimate),
    gives a wide posterior, so a small group cannot look certain. ``also`` = (k2, n2): a
    third rate θ2 (uniform prior) the first must exceed as well, P(θ1 > max(θ0, θ2, floor)
    + margin)."""
    w1, w0 = _beta_weights(k1, n1), _beta_weights(k0, n0)
    if also is not None:
        # the distribution of max(θ0, θ2) on the grid: its CDF is the product of theirs
        w2 = _beta_weights(*also)
        c0 = c2 = prev = 0.0
        mx = []
        for x0, x2 in zip(w0, w2, strict=True):
            c0, c2 = c0 + x0, c2 + x2
            mx.append(max(0.0, c0 * c2 - prev))
            prev = c0 * c2
        w0 = mx
    # tail[j] = P(θ1 in cell j or above)
    tail = [0.0] * (_GRID + 1)
    for j in range(_GRID - 1, -1, -1):
        tail[j] = tail[j + 1] + w1[j]
    out = 0.0
    for j, w in enumerate(w0):
        bar = max((j + 0.5) / _GRID, floor) + margin
        cell = math.floor(bar * _GRID + 0.5)  # first cell whose midpoint is above bar
        out += w * (tail[cell] if cell < _GRID else 0.0)
    return min(1.0, out)


def _pct(p: float) -> str:
    return f"{round(100 * p)} %"


def reached(status: str, attempts: int) -> str:
    """"flagged" without a single answer is a skill never reached (a prerequisite blocked
    it), not one the learner is stuck on."""
    return "not_reached" if status == "flagged" and attempts == 0 else status


@dataclass
class _Class:
    """Indexes built once: answers in order, each learner's skill status and rest scores."""

    module: Module
    answers: list[AnswerRecord]
    status: dict[tuple[str, str], str]
    # answer index -> (right, answered) on the skill's other items before it, then after it
    rest: dict[int, tuple[int, int, int, int]]
    diag_ok: dict[int, bool]  # diagnostic answer -> the other diagnostic answers were right
    next_rest: dict[int, tuple[int, int]]  # (right, answered) on the next few other items
    threshold: float
    names: Mapping[str, str] = field(default_factory=dict)  # item id -> what learners saw

    def label(self, item_id: str) -> str:
        """An item as the teacher knows it (its question), else its id."""
        return self.names.get(item_id, item_id)

    @classmethod
    def build(cls, module: Module, answers: Iterable[AnswerRecord],
              states: Iterable[SkillState]) -> _Class:
        rows = sorted((a for a in answers if a.valid), key=lambda a: (a.learner, a.seq))
        status = {(s.learner, s.skill_id): reached(s.status, s.attempts) for s in states}
        # Learning only goes one way (no forgetting in a module): mostly right on other items
        # *before* an answer means the learner knew the skill then; mostly wrong on other
        # items *after* it means they did not know it yet.
        rest: dict[int, tuple[int, int, int, int]] = {}
        seen: dict[tuple[str, str], list[tuple[str, bool]]] = defaultdict(list)
        index: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, a in enumerate(rows):
            key = (a.learner, a.primary_skill or "")
            seen[key].append((a.item_id, a.correct))
            index[key].append(i)
        diag_ok: dict[int, bool] = {}
        next_rest: dict[int, tuple[int, int]] = {}
        for key, answers_of in seen.items():
            for pos, i in enumerate(index[key]):
                item_id = answers_of[pos][0]
                before = [ok for iid, ok in answers_of[:pos] if iid != item_id]
                after = [ok for iid, ok in answers_of[pos + 1:] if iid != item_id]
                rest[i] = (sum(before), len(before), sum(after), len(after))
                soon = after[:NEXT_ANSWERS]
                next_rest[i] = (sum(soon), len(soon))
                if rows[i].phase == "diagnostic":
                    others = [rows[j].correct for j in index[key] if j != i
                              and rows[j].phase == "diagnostic" and rows[j].item_id != item_id]
                    diag_ok[i] = bool(others) and all(others)
        return cls(module, rows, status, rest, diag_ok, next_rest,
                   module.settings.mastery_threshold)

    def knower(self, i: int, th: Thresholds) -> bool | None:
        """True: knows the skill (answer i); False: does not; None: cannot tell."""
        a = self.answers[i]
        right_before, n_before, right_after, n_after = self.rest[i]
        if n_before >= th.min_rest and right_before / n_before >= th.knower_rest:
            return True
        # In the diagnostic nothing came before: right on the skill's other diagnostic
        # item(s) and mostly right afterwards is a learner who knew it from the start.
        # (Passing the diagnostic ends the skill, so "known" counts only with that proviso:
        # both the learners who got this item right and those who did not are kept.)
        if self.diag_ok.get(i) and (
                self.status.get((a.learner, a.primary_skill or "")) == "known"
                or (n_after >= th.min_rest and right_after / n_after >= th.knower_rest)):
            return True
        if n_after >= th.min_rest and right_after / n_after <= th.novice_rest:
            return False
        if self.status.get((a.learner, a.primary_skill or "")) == "flagged" and n_after == 0 \
                and n_before >= th.min_rest and right_before / n_before <= th.novice_rest:
            return False  # stuck to the end
        return None


def _criterion(c: _Class, i: int) -> tuple[int, int]:
    """(right, answered) on the skill's *other* items that say what the learner knew at
    answer i: the other diagnostic answers (same moment) and everything after it."""
    right_before, n_before, _, _ = c.rest[i]
    right_next, n_next = c.next_rest[i]
    if c.answers[i].phase == "diagnostic":
        return right_before + right_next, n_before + n_next
    return right_next, n_next


def _items(c: _Class, th: Thresholds) -> list[Restructuring]:
    """Item analysis on first attempts: learners whose other answers (same moment and just
    after) are mostly right ("knowers") against those mostly wrong; a sound item is right
    far more often for the first group. Also which wrong answer the knowers give."""
    # Only the first answer of each phase on a skill: which item comes next depends on the
    # answers before it (an adaptive engine), so a later item's knowers and non-knowers are
    # selected by their earlier answers, which would bias both groups.
    firsts: dict[str, list[tuple[bool, float, str]]] = defaultdict(list)
    seen: set[tuple[str, str, str]] = set()
    for i, a in enumerate(c.answers):
        key = (a.learner, a.primary_skill or "", a.phase)
        if key in seen:
            continue
        seen.add(key)
        right, n = _criterion(c, i)
        if n >= 1:
            firsts[a.item_id].append((a.correct, right / n, a.answer_text))
    out = []
    for item_id, rows in firsts.items():
        try:
            item = c.module.item(item_id)
        except KeyError:
            continue  # an item removed since: nothing to change in this version
        name = c.label(item_id)
        know = [(good, text) for good, score, text in rows if score >= th.knower_rest]
        dont = [good for good, score, _ in rows if score <= th.novice_rest]
        nk, kk = len(know), sum(g for g, _ in know)
        nd, kd = len(dont), sum(dont)
        nums = {"knowers": nk, "knowers_right": kk, "others": nd, "others_right": kd}
        if nk >= th.min_group_answers and kk / nk <= th.mis_key_max_p:
            wrong = Counter(text for good, text in know if not good)
            top, top_n = wrong.most_common(1)[0]
            conf = round(1 - binom_cdf(kk, nk, th.fine_knower_p), 3)
            if top_n / (nk - kk) >= 0.5 and item.choices:
                choice = next((ch for ch in item.choices if top in (ch.id, ch.text)), None)
                shown = choice.text if choice is not None else top
                out.append(Restructuring(
                    "mis_keyed", item_id,
                    f"Learners who know the skill (right on its other items) get “{name}” "
                    f"right only {_pct(kk / nk)} of the time ({kk} of {nk}); {top_n} of them "
                    f"chose “{shown}”.",
                    f"Check the key of “{name}”: “{shown}” may be the right answer.",
                    conf, nums,
                    {"op": "set_key", "item": item_id, "choice": choice.id}
                    if choice is not None and item.type == ItemType.SINGLE_CHOICE else None))
            else:
                out.append(_hard(item_id, name, kk, nk, conf, nums))
            continue
        if nk < th.min_group_answers or nd < th.min_group_answers:
            continue
        pk, pd = kk / nk, kd / nd
        if pd >= th.easy_min_p:
            out.append(Restructuring(
                "too_easy", item_id,
                f"Learners who do not know the skill yet get “{name}” right {_pct(pd)} of "
                f"the time ({kd} of {nd}).",
                f"“{name}” gives the answer away: make the wrong choices plausible.",
                round(binom_cdf(kd - 1, nd, 0.6), 3), nums))
        elif pk - pd <= th.flat_max_gap:
            se = math.sqrt(max(pk * (1 - pk), 0.05) / nk + max(pd * (1 - pd), 0.05) / nd)
            out.append(Restructuring(
                "non_discriminating", item_id,
                f"“{name}” is answered right by {_pct(pk)} of the learners who know the "
                f"skill ({kk} of {nk}) and by {_pct(pd)} of those who do not ({kd} of {nd}): "
                "it does not tell them apart.",
                f"Rewrite or replace “{name}”; as it is, it moves P(mastery) at random.",
                round(_phi((th.sound_gap - (pk - pd)) / se), 3), nums))
    return out


def _hard(
    item_id: str, name: str, k: int, n: int, conf: float, nums: dict[str, Any]
) -> Restructuring:
    return Restructuring(
        "too_hard", item_id,
        f"Learners who know the skill get “{name}” right only {_pct(k / n)} of the time "
        f"({k} of {n}), and their wrong answers differ.",
        f"Make “{name}” clearer, add a hint, or give it a higher difficulty.", conf, nums)


def _misconceptions(c: _Class, th: Thresholds) -> list[Restructuring]:
    wrong: dict[str, list[AnswerRecord]] = defaultdict(list)
    for a in c.answers:
        if not a.correct:
            wrong[a.item_id].append(a)
    out = []
    for item_id, rows in wrong.items():
        name = c.label(item_id)
        tags = Counter(a.misconception for a in rows if a.misconception)
        if not tags:
            continue
        tag, n = tags.most_common(1)[0]
        learners = {a.learner for a in rows if a.misconception == tag}
        share = n / len(rows)
        if share < th.misconception_share or len(learners) < th.misconception_min_learners:
            continue
        out.append(Restructuring(
            "dominant_misconception", item_id,
            f"{n} of the {len(rows)} wrong answers to “{name}” ({_pct(share)}, "
            f"{len(learners)} learners) show the misconception “{tag}”.",
            f"Add a remediation page or targeted feedback for “{tag}” on “{name}”, and "
            "an item that works on it before this one.",
            # How unlikely one tag this dominant is if wrong answers spread over three.
            round(binom_cdf(n - 1, len(rows), 0.34), 3),
            {"wrong_answers": len(rows), "with_tag": n, "learners": len(learners)}))
    return out


def _closure(module: Module) -> dict[str, set[str]]:
    """Every skill's prerequisites, direct and indirect."""
    direct = {s.id: set(s.prerequisites) for s in module.skills}
    out: dict[str, set[str]] = {}

    def walk(sid: str, seen: set[str]) -> set[str]:
        if sid in out:
            return out[sid]
        acc: set[str] = set()
        for p in direct.get(sid, ()):
            if p not in seen:
                acc |= {p} | walk(p, seen | {p})
        out[sid] = acc
        return acc

    for s in module.skills:
        walk(s.id, {s.id})
    return out


def _learned_then_reached(c: _Class, learners: Iterable[str], a_id: str,
                          b_id: str) -> list[str]:
    """The learners a prerequisite link a -> b is checked on: they had to learn a (mastered
    it with at least one wrong practice answer on the way) and then reached b, or they got
    stuck on a (flagged) and then took b's diagnostic. A learner
    who failed a's diagnostic and answered its practice right at once may have known a all
    along (a slip in the diagnostic); a wrong practice answer shows they had to learn it (a
    knower slips rarely, a non-knower is wrong far more often than right)."""
    wrong = {a.learner for a in c.answers
             if a.primary_skill == a_id and a.phase != "diagnostic" and not a.correct}
    # A learner stuck on a (flagged after the practice cap) did not know it, and the engine
    # still gives them b's diagnostic: with the link right they cannot pass it but by luck.
    took_b = {a.learner for a in c.answers if a.primary_skill == b_id}
    return [lr for lr in learners
            if (lr in wrong and c.status.get((lr, a_id)) == "mastered"
                and c.status.get((lr, b_id)) not in (None, "not_reached", "not_started"))
            or (c.status.get((lr, a_id)) == "flagged" and lr in took_b)]


def _passed_at(c: _Class) -> dict[tuple[str, str], int]:
    """(learner, skill) -> seq of the answer that passed the skill (mastered or known)."""
    out: dict[tuple[str, str], int] = {}
    for a in c.answers:
        sid = a.primary_skill or ""
        if (a.learner, sid) in out or c.status.get((a.learner, sid)) not in HAS_SKILL:
            continue
        if a.mastery_after.get(sid, 0.0) >= c.threshold:
            out[(a.learner, sid)] = a.seq
    return out


def _prerequisites(c: _Class, th: Thresholds) -> list[Restructuring]:
    skills = [s.id for s in c.module.skills]
    title = {s.id: s.title for s in c.module.skills}
    learners = sorted({a.learner for a in c.answers})
    first_practice: dict[tuple[str, str], int] = {}
    for a in c.answers:
        key = (a.learner, a.primary_skill or "")
        if a.phase != "diagnostic" and key not in first_practice:
            first_practice[key] = a.seq
    passed = _passed_at(c)
    closure = _closure(c.module)
    # Each learner's very first answer on a skill: given before anything on the skill was
    # practised or taught, so it is right only by guessing if the learner could not know
    # the skill yet (a real prerequisite missing).
    first_on: dict[tuple[str, str], AnswerRecord] = {}
    for a in c.answers:
        first_on.setdefault((a.learner, a.primary_skill or ""), a)
    floors = {i.id: guess_floor(i) for i in c.module.items}
    practised_all = [st for (lr, sid), st in c.status.items()
                     if st in ("mastered", "flagged") and (lr, sid) in first_practice]
    usual_flag = (sum(st == "flagged" for st in practised_all) / len(practised_all)
                  if practised_all else 0.0)
    out = []
    for b in c.module.skills:
        for a_id in b.prerequisites:  # is the edge a -> b supported?
            # with the edge right, none of these can know b up front
            lacked = _learned_then_reached(c, learners, a_id, b.id)
            had = [lr for lr in learners if c.status.get((lr, a_id)) == "known"
                   and c.status.get((lr, b.id)) not in (None, "not_reached", "not_started")]
            k1 = sum(c.status.get((lr, b.id)) == "known" for lr in lacked)
            k0 = sum(c.status.get((lr, b.id)) == "known" for lr in had)
            n1, n0 = len(lacked), len(had)
            if n1 < th.min_pair_learners or not k1:
                continue
            q1, q0 = k1 / n1, (k0 / n0 if n0 else 0.0)
            conf = binom_cdf(k1 - 1, n1, th.false_known)
            if q1 < th.spurious_min_share or (n0 and q1 < 0.4 * q0) or conf < 0.5:
                continue
            # Their first answers on b are shown too (with the edge right, right only by
            # guessing). They are not a second test any more: it was there for learners who
            # knew a and slipped on its diagnostic, whom the wrong practice answer on a now
            # leaves out, and with them left out it only cost power.
            firsts = [first_on[(lr, b.id)] for lr in lacked if (lr, b.id) in first_on]
            f_n, f_k = len(firsts), sum(a.correct for a in firsts)
            n_stuck = sum(c.status.get((lr, a_id)) == "flagged" for lr in lacked)
            stuck_note = (f" ({n_stuck} of them got stuck on it)" if n_stuck > 1 else
                          " (one of them got stuck on it)" if n_stuck else "")
            chance = (sum(max(c.module.bkt_for(b.id).guess, floors.get(a.item_id, 0.0))
                          for a in firsts) / f_n if f_n else 1.0)
            out.append(Restructuring(
                "remove_prerequisite", f"{a_id}>{b.id}",
                f"{k1} of {n1} learners who had to learn “{title[a_id]}”{stuck_note} "
                f"already knew “{title[b.id]}” ({_pct(q1)}; {_pct(q0)} of those who knew "
                f"“{title[a_id]}”), and {f_k} of {f_n} got their first question on "
                f"“{title[b.id]}” right (guessing explains about {_pct(chance)}): "
                f"“{title[b.id]}” does not seem to need it.",
                f"Remove “{title[a_id]}” from the prerequisites of “{title[b.id]}”, so "
                "learners are not held back.", round(conf, 3),
                {"lacked": n1, "lacked_knew_b": k1, "lacked_stuck": n_stuck,
                 "had": n0, "had_knew_b": k0,
                 "lacked_first_right": f_k, "lacked_first": f_n,
                 "chance": round(chance, 3)},
                {"op": "remove_prerequisite", "skill": b.id, "prerequisite": a_id}))
    for b_id in skills:
        # Learners who lack one skill tend to lack others (strong and weak learners), so
        # several skills can look like b's missing prerequisite: keep the one whose absence
        # explains the most (largest gap in stuck rates, see below).
        best: tuple[float, Restructuring] | None = None
        for a_id in skills:
            if a_id == b_id or a_id in closure[b_id] or b_id in closure[a_id]:
                continue
            practised = [lr for lr in learners if c.status.get((lr, b_id)) in
                         ("mastered", "flagged") and (lr, b_id) in first_practice]
            # Had a: passed it before practising b, or knew it from the start.
            without = [lr for lr in practised
                       if passed.get((lr, a_id), 10 ** 9) > first_practice[(lr, b_id)]
                       and c.status.get((lr, a_id)) != "known"]
            with_a = [lr for lr in practised if lr not in without]
            nw, kw = len(without), sum(c.status[(lr, b_id)] == "flagged" for lr in without)
            na, ka = len(with_a), sum(c.status[(lr, b_id)] == "flagged" for lr in with_a)
            if nw < th.min_pair_learners:
                continue
            fw, fa = kw / nw, (ka / na if na else 0.0)
            # Learners who knew b up front and never got a contradict the edge.
            knew_b_not_a = sum(1 for lr in learners if c.status.get((lr, b_id)) == "known"
                               and c.status.get((lr, a_id)) == "flagged")
            if fw < th.missing_min_flag or fw - fa < th.missing_min_gap or \
                    knew_b_not_a > max(1, 0.1 * nw):
                continue
            # How probable it is that the stuck rate without a exceeds the rate with a (and
            # the class's usual rate) by more than a margin (learners who lack one skill are
            # weaker on others too): the posterior of both rates, so that 4 of 4 stuck, or
            # 0 of 2 learners with a, is the little evidence it is.
            # Learners who lack a tend to be the weaker ones, stuck more often on every
            # skill: the stuck rate without a must also exceed what the same learners do on
            # the other skills (their own level), or a is only a marker of weakness.
            own = [c.status[(lr, s)] for lr in without for s in skills
                   if s not in (a_id, b_id) and (lr, s) in first_practice
                   and c.status.get((lr, s)) in ("mastered", "flagged")]
            conf = prob_rate_exceeds(kw, nw, ka, na, floor=usual_flag, margin=0.2,
                                     also=(sum(st == "flagged" for st in own), len(own))
                                     if own else None)
            found = (Restructuring(
                "add_prerequisite", f"{a_id}>{b_id}",
                f"{kw} of {nw} learners who practised “{title[b_id]}” before mastering "
                f"“{title[a_id]}” got stuck on it ({_pct(fw)}), against {ka} of {na} "
                f"who had mastered “{title[a_id]}” first ({_pct(fa)}).",
                f"Make “{title[a_id]}” a prerequisite of “{title[b_id]}”.", round(conf, 3),
                {"without": nw, "without_stuck": kw, "with": na, "with_stuck": ka},
                {"op": "add_prerequisite", "skill": b_id, "prerequisite": a_id}))
            # The candidate that splits stuck from not stuck most cleanly: the gap of the
            # posterior means (Laplace), which a group of two or three cannot inflate.
            # Learners who knew b up front count too, as not stuck: one who knew b without
            # a contradicts a as b's prerequisite as much as one who mastered b without it,
            # and these are what tells the real prerequisite from a skill that merely goes
            # with it (a correlate splits the learners who practised b alike).
            knew_b = [lr for lr in learners if c.status.get((lr, b_id)) == "known"]
            first_b = {lr: first_on[(lr, b_id)].seq if (lr, b_id) in first_on else 0
                       for lr in knew_b}
            knew_b_without = sum(1 for lr in knew_b if c.status.get((lr, a_id)) != "known"
                                 and passed.get((lr, a_id), 10 ** 9) > first_b[lr])
            gap = ((kw + 1) / (nw + knew_b_without + 2)
                   - (ka + 1) / (na + len(knew_b) - knew_b_without + 2))
            if best is None or gap > best[0]:
                best = (gap, found)
        if best is not None:
            out.append(best[1])
    return out


def _lesson_samples(c: _Class, pages: Sequence[PageRecord]
                    ) -> dict[str, tuple[list[bool], list[bool]]]:
    """Per lesson page: the diagnostic answers before it and the first answer after it of
    the learners it can be judged on (see ``_lessons``)."""
    by_learner: dict[str, list[AnswerRecord]] = defaultdict(list)
    for a in c.answers:
        by_learner[a.learner].append(a)
    samples: dict[str, tuple[list[bool], list[bool]]] = {}
    for page in c.module.pages:
        if page.kind != "lesson" or not page.skill:
            continue
        pre: list[bool] = []
        post: list[bool] = []
        # Only learners who went on to master the skill: one who cannot learn it yet (a
        # missing prerequisite) would make any lesson look useless. Only the first answer
        # after the page: later ones also measure what the feedback taught.
        seen = [p for p in pages if p.page_id == page.id and p.reason == "lesson"
                and c.status.get((p.learner, page.skill)) == "mastered"]
        # And only those whose diagnostic was all wrong (who did not know the skill before
        # the lesson), so the first answer after it measures what the lesson taught.
        for p in seen:
            rows = [a for a in by_learner.get(p.learner, ()) if a.primary_skill == page.skill]
            diag = [a.correct for a in rows if a.seq < p.seq and a.phase == "diagnostic"]
            if any(diag):
                continue
            pre += diag
            post += [a.correct for a in rows if a.seq > p.seq][:1]
        samples[page.id] = (pre, post)
    return samples


def _lessons(c: _Class, pages: Sequence[PageRecord], th: Thresholds) -> list[Restructuring]:
    gains: dict[str, tuple[float, int, float, float]] = {}
    for page_id, (pre, post) in _lesson_samples(c, pages).items():
        if len(post) < th.lesson_min_learners or not pre:
            continue
        p_pre, p_post = sum(pre) / len(pre), sum(post) / len(post)
        se = math.sqrt(max(p_post * (1 - p_post), 0.05) / len(post))
        gains[page_id] = (p_post - p_pre, len(post), se, p_post)
    out = []
    for pid, (gain, n, se, p_post) in gains.items():
        others = [g for q, (g, *_) in gains.items() if q != pid]
        if not others:
            continue
        typical = median(others)
        if typical - gain < th.lesson_min_gap:
            continue
        # Sound lessons differ too (the item after each is another item, some skills are
        # harder): their spread beyond sampling noise is part of what a sound lesson's
        # share may be, and it does not shrink with the class size.
        ses = [e for q, (_, _, e, _) in gains.items() if q != pid]
        spread = (_sample_var(others) - sum(e * e for e in ses) / len(ses)
                  if len(others) > 1 else 0.0)
        z = (typical - gain) / math.sqrt(se * se + max(0.0, spread))
        # Every lesson is tested and the worst is the one reported: the chance that some
        # sound lesson of the module looks this bad grows with their number (Bonferroni).
        conf = max(0.0, 1.0 - len(gains) * (1.0 - _phi(z)))
        page = c.module.page(pid)
        out.append(Restructuring(
            "useless_lesson", pid,
            f"Learners who failed the diagnostic get the first item after the lesson "
            f"“{page.title}” right {_pct(p_post)} of the time ({n} learners); after the "
            f"other lessons, typically {_pct(typical)}.",
            f"Rewrite “{page.title}”: add a worked example and a check question.",
            round(conf, 3), {"learners": n, "gain": round(gain, 3),
                             "typical_gain": round(typical, 3)}))
    return out


def _sample_var(xs: Sequence[float]) -> float:
    m = sum(xs) / len(xs)
    return sum((x - m) ** 2 for x in xs) / (len(xs) - 1)


def _few_items(c: _Class, practice_cap: int) -> list[Restructuring]:
    """Skills whose learners can run out of different questions before the practice cap.

    Counted in questions, not items: an item with variants shows new numbers at each
    showing (``adaptive.modules.variants``), and the engine asks those once every item was
    asked, so a skill of 9 items with one variant item never repeats a question."""
    out = []
    per_skill = Counter(i.skills[0] for i in c.module.items if i.skills)
    questions: Counter[str] = Counter()
    for item in c.module.items:
        if item.skills:
            questions[item.skills[0]] += distinct_questions(item)
    most = Counter((a.learner, a.primary_skill) for a in c.answers)
    for s in c.module.skills:
        n, q = per_skill.get(s.id, 0), questions.get(s.id, 0)
        if q >= practice_cap:
            continue
        top = max((v for (lr, sid), v in most.items() if sid == s.id), default=0)
        size = (f"{n} items" if q == n
                else f"{n} items ({q} different questions with their variants)")
        out.append(Restructuring(
            "too_few_items", s.id,
            f"“{s.title}” has {size} but a practice cap of {practice_cap}; learners who "
            f"need the whole cap see questions again "
            + (f"(one learner answered {top} questions of it)." if top > q else
               f"(no learner has needed that many yet: at most {top} "
               f"{'answer' if top == 1 else 'answers'} by one learner)."),
            f"Add {practice_cap - q} items to “{s.title}” (or lower its practice cap).",
            1.0 if top > q else 0.9,
            {"items": n, "questions": q, "cap": practice_cap, "most_answers": top}))
    return out


# ---- HMM-based item and lesson analysis (small-sample evidence; see adaptive.analytics.evidence)


@dataclass(frozen=True)
class Evidence:
    """The model-based item analysis of small classes: prior odds of each flaw (how often
    an item has it before any data; the confidence is the posterior probability), and
    the fewest learners an item must have been answered by. Tuned on planted-flaw classes
    with seeds other than the ones the benchmark reports (docs/benchmarks.md)."""

    odds_non_discriminating: float = 1 / 60
    odds_mis_keyed: float = 1 / 200  # per wrong choice (the likelihood is maximised over them)
    odds_too_hard: float = 1 / 100
    odds_too_easy: float = 1 / 100
    min_item_learners: int = 8
    profile_candidates: int = 2  # items per skill the quick screen passes to the full test
    #: Above this many learners the upper/lower-group item analysis (``_items``) has enough
    #: data and is much faster; the model-based one is for small classes.
    max_learners: int = 40
    min_confidence: float = 0.8
    #: The first-answer split (``adaptive.analytics.first_answers``): the fewest learners
    #: right and wrong on an item's first answer, the least spread between sound items'
    #: gaps, and the largest gap an item may have to be called flat. Calibrated on
    #: simulated classes of 30 with nothing planted (bench/planted_flaws.py --null, tuning
    #: seeds 100-119): at these values none of those classes gets a flat-item suggestion.
    split_min_group: int = 5
    split_min_spread: float = 0.12
    split_max_gap: float = 0.05


def _sequences(c: _Class, pages: Sequence[PageRecord]
               ) -> dict[str, dict[str, list[Event]]]:
    """skill -> learner -> that learner's answers and pages on the skill, in order."""
    page_skill = {p.id: p.skill for p in c.module.pages if p.skill}
    rows: list[tuple[str, int, int, str, Event]] = []
    for a in c.answers:
        if a.primary_skill:
            rows.append((a.learner, a.seq, 1, a.primary_skill,
                         ("answer", a.item_id, a.correct, a.answer_text)))
    for p in pages:
        sid = page_skill.get(p.page_id)
        if sid:
            rows.append((p.learner, p.seq, 0, sid, ("page", p.page_id, False, "")))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    out: dict[str, dict[str, list[Event]]] = defaultdict(lambda: defaultdict(list))
    ability = _ability(c)
    for learner, _, _, sid, ev in rows:
        seq = out[sid][learner]
        if not seq and (learner, sid) in ability:
            seq.append(("ability", "", False, f"{ability[(learner, sid)]:.4f}"))
        seq.append(ev)
    return out


def _ability(c: _Class) -> dict[tuple[str, str], float]:
    """(learner, skill) -> the share of the learner's *other* reached skills shown known up
    front, minus the class's mean share: knowledge goes together (a learner who knew the
    other skills is likelier to know this one), which a class of 30 needs to tell a bad
    item from a learner who did not know."""
    skills = [s.id for s in c.module.skills]
    known: dict[str, dict[str, bool]] = defaultdict(dict)
    for (learner, sid), st in c.status.items():
        if st in ("known", "mastered", "flagged"):
            known[learner][sid] = st == "known"
    raw: dict[tuple[str, str], float] = {}
    for learner, by_skill in known.items():
        for sid in skills:
            others = [v for k, v in by_skill.items() if k != sid]
            if others:
                raw[(learner, sid)] = sum(others) / len(others)
    if not raw:
        return {}
    mean = sum(raw.values()) / len(raw)
    return {k: v - mean for k, v in raw.items()}


def _start_model(module: Module, sid: str) -> SkillModel:
    bkt = module.bkt_for(sid)
    floors = {i.id: guess_floor(i) for i in module.items if i.skills and i.skills[0] == sid}
    teach = {p.id: 0.3 for p in module.pages if p.skill == sid}
    return SkillModel(bkt.prior, max(bkt.learn, 0.05), bkt.guess, bkt.slip, teach, floors)


def _choice_emissions(model: SkillModel, item_id: str, key: str, n_choices: int,
                      keyed_to: frozenset[str] | None) -> Emission:
    """Choice-level emission: knowers pick ``keyed_to`` (None: the key) with 1 − slip,
    the other choices evenly; non-knowers the key with guess, the rest evenly."""
    g, s = model.guess_of(item_id), model.slip
    m = max(2, n_choices)

    # Scaled so that a wrong answer weighs as in the right/wrong model (every wrong choice
    # (m − 1) times its share): likelihoods of the two models then compare directly.
    def emit(ev: Event) -> tuple[float, float]:
        pu = g if ev[2] else 1 - g
        if keyed_to is None:
            pk = 1 - s if ev[2] else s
        elif ev[3] in keyed_to:
            pk = (1 - s) * (m - 1)
        else:
            pk = s / (m - 1) if ev[2] else s
        return pk, pu
    return emit


def _flat(p: float) -> Emission:
    return lambda ev: (p, p) if ev[2] else (1 - p, 1 - p)


def _knower_p(model: SkillModel, q: float) -> Emission:
    return lambda ev: (q, model.guess_of(ev[1])) if ev[2] else (1 - q, 1 - model.guess_of(ev[1]))


def _novice_p(model: SkillModel, q: float) -> Emission:
    return lambda ev: (1 - model.slip, q) if ev[2] else (model.slip, 1 - q)


@dataclass
class _ItemTest:
    kind: str
    llr: float
    odds: float
    param: float = 0.0
    choice: str | None = None

    @property
    def confidence(self) -> float:
        return posterior(self.llr, self.odds)


def _item_tests(model: SkillModel, seqs: Sequence[Sequence[Event]], item: Any,
                key: str | None, choices: Sequence[str], ev_th: Evidence,
                fixed: Mapping[str, Emission] | None = None) -> list[_ItemTest]:
    """Likelihood ratio of each flaw of one item against "it behaves like its skill",
    the skill's fit held fixed (``fixed``: items already found flawed, as found)."""
    item_id = item.id
    fixed = dict(fixed or {})

    def fixed_ll(override: Mapping[str, Emission] | None = None) -> float:
        """log P(seqs | model), the items in ``fixed`` as found and ``override`` as given."""
        return log_likelihood(seqs, model, {**fixed, **(override or {})})

    base = fixed_ll()
    tests = []
    p, ll = best_over(lambda p: fixed_ll({item_id: _flat(p)}), 0.05, 0.95)
    tests.append(_ItemTest("non_discriminating", ll - base, ev_th.odds_non_discriminating, p))
    q, ll = best_over(lambda q: fixed_ll({item_id: _knower_p(model, q)}), 0.02, 0.6)
    tests.append(_ItemTest("too_hard", ll - base, ev_th.odds_too_hard, q))
    q, ll = best_over(lambda q: fixed_ll({item_id: _novice_p(model, q)}), 0.5, 0.98)
    if q > model.guess_of(item_id) + 0.2:
        tests.append(_ItemTest("too_easy", ll - base, ev_th.odds_too_easy, q))
    if key is not None and len(choices) >= 2:
        h0 = fixed_ll({item_id: _choice_emissions(model, item_id, key, len(choices), None)})
        for ch in choices:
            if ch == key:
                continue
            ll = fixed_ll({item_id: _choice_emissions(
                model, item_id, key, len(choices), _names_of(item, ch))})
            tests.append(_ItemTest("mis_keyed", ll - h0, ev_th.odds_mis_keyed, choice=ch))
    return tests


def _best_emission(model: SkillModel, t: _ItemTest, item: Any, key: str | None,
                   n_choices: int) -> Emission:
    """The emission of the alternative a test chose (for the refit without the item)."""
    if t.kind == "mis_keyed" and key is not None and t.choice is not None:
        return _choice_emissions(model, item.id, key, n_choices, _names_of(item, t.choice))
    if t.kind == "too_hard":
        return _knower_p(model, t.param)
    if t.kind == "too_easy":
        return _novice_p(model, t.param)
    return _flat(t.param)


def _key_of(item: Any) -> tuple[str | None, list[str]]:
    """(the key's choice id, every choice id) for a single-choice item."""
    if item.type != ItemType.SINGLE_CHOICE or not item.choices:
        return None, []
    key = next((g.match.choice for g in item.answer_groups if g.correct and g.match.choice),
               None)
    return key, [ch.id for ch in item.choices]


def _names_of(item: Any, choice_id: str) -> frozenset[str]:
    """How a chosen answer may be logged: the choice id, or its text (the dashboard logs
    the text, plain or with its math)."""
    ch = next((c for c in item.choices if c.id == choice_id), None)
    if ch is None:
        return frozenset({choice_id})
    return frozenset({ch.id, ch.text, ch.text.replace("$", "").strip()})


def _skill_fits(c: _Class, seqs_by_skill: Mapping[str, Mapping[str, list[Event]]]
                ) -> dict[str, tuple[SkillModel, float]]:
    """skill -> (its fitted model, the fit's score), for the module's skills. How much
    ability carries over (``lift``) is one number for the module: the median of the skills'
    own fits (a flawed item bends its skill's fit, not the others')."""
    ids = {s.id for s in c.module.skills}
    own = {sid: fit_skill_scored(list(by_l.values()), _start_model(c.module, sid), rounds=1,
                                 steps=12)
           for sid, by_l in seqs_by_skill.items() if sid in ids}
    if not own:
        return {}
    lift = median(m.lift for m, _ in own.values())
    return {sid: fit_skill_scored(list(seqs_by_skill[sid].values()),
                                  replace(_start_model(c.module, sid), lift=lift),
                                  init=replace(m, lift=lift), fit_lift=False, rounds=2,
                                  steps=12)
            for sid, (m, _) in own.items()}


def _items_hmm(c: _Class, seqs_by_skill: Mapping[str, Mapping[str, list[Event]]],
               fits: dict[str, tuple[SkillModel, float]],
               ev_th: Evidence) -> list[Restructuring]:
    """Per skill: a quick likelihood-ratio screen of every item with the skill's fit held
    fixed, then, for the few items it points at, the profile likelihood ratio (the skill
    refitted with the item flawed, against refitted with it sound). An item found flawed
    is then modelled as such while its skill's other items are judged (a flawed diagnostic
    item is a large share of a small class's answers and would bend the skill's fit)."""
    out = []
    for sid, by_l in seqs_by_skill.items():
        if sid not in fits:
            continue
        all_seqs = list(by_l.values())
        start = replace(_start_model(c.module, sid), lift=fits[sid][0].lift)
        items = []
        for item in c.module.items:
            if not item.skills or item.skills[0] != sid:
                continue
            n = sum(1 for s in all_seqs if any(ev[0] == "answer" and ev[1] == item.id
                                               for ev in s))
            if n < ev_th.min_item_learners:
                continue
            key, choices = _key_of(item)
            items.append((item, key, choices))
        flawed: dict[str, tuple[_ItemTest, Emission]] = {}
        model, base = fits[sid]
        for _ in range(2):
            override = {iid: em for iid, (_, em) in flawed.items()}
            quick = []
            for it, key, choices in items:
                if it.id in flawed:
                    continue
                seqs = [s for s in all_seqs if any(ev[1] == it.id for ev in s)]
                tests = _item_tests(model, seqs, it, key, choices, ev_th, override)
                score = max(t.llr + math.log(t.odds) for t in tests)
                if max(t.llr for t in tests) > 0:
                    quick.append((score, it, key, choices, tests))
            quick.sort(key=lambda q: -q[0])
            found_now = None
            for _, it, key, choices, tests in quick[:ev_th.profile_candidates]:
                # The screen ranks the item; which flaw it has is decided on the refits of
                # the best alternative of each kind (a mis-keyed item also looks "too hard"
                # and "flat" while the skill's fit is held).
                per_kind: dict[str, _ItemTest] = {}
                for t in tests:
                    if t.kind not in per_kind or t.llr > per_kind[t.kind].llr:
                        per_kind[t.kind] = t
                # the two likeliest kinds only (a dashboard page waits for this)
                per_kind = dict(sorted(per_kind.items(), key=lambda kv: -(
                    kv[1].llr + math.log(kv[1].odds)))[:2])
                for t in per_kind.values():
                    em = _best_emission(model, t, it, key, len(choices))
                    alt_model, alt = fit_skill_scored(
                        all_seqs, start, rounds=1, override={**override, it.id: em},
                        init=model, fit_lift=False, only=("prior", "learn"), steps=10)
                    t.llr = alt - base
                    if t.confidence >= ev_th.min_confidence and (
                            found_now is None or t.llr + math.log(t.odds) >
                            found_now[1].llr + math.log(found_now[1].odds)):
                        found_now = (it, t, em, alt_model, alt)
            if found_now is None:
                break
            it, best, em, model, base = found_now
            flawed[it.id] = (best, em)
        fits[sid] = (model, base)
        for iid, (best, _) in flawed.items():
            seqs = [s for s in all_seqs if any(ev[1] == iid for ev in s)]
            out.append(_item_finding(c, model, c.module.item(iid), seqs, best))
    return out


def flat_item_evidence(c: _Class, by_learner: Mapping[str, list[Event]],
                       fit: tuple[SkillModel, float], item_id: str) -> float:
    """The profile log likelihood ratio "this item is flat" against "it is sound" (for the
    benchmark's evidence table)."""
    model, base = fit
    seqs = list(by_learner.values())
    start = replace(_start_model(c.module, c.module.item(item_id).skills[0]), lift=model.lift)
    item_seqs = [s for s in seqs if any(ev[1] == item_id for ev in s)]
    p, _ = best_over(lambda p: log_likelihood(item_seqs, model, {item_id: _flat(p)}),
                     0.05, 0.95)
    _, alt = fit_skill_scored(seqs, start, rounds=1, override={item_id: _flat(p)},
                              init=model, fit_lift=False, only=("prior", "learn"), steps=10)
    return alt - base


def _item_finding(c: _Class, model: SkillModel, item: Any, seqs: Sequence[Sequence[Event]],
                  t: _ItemTest) -> Restructuring:
    """Words and numbers for one item flaw: learners counted by P(known) from their other
    answers (≥ 0.7 "know the skill", ≤ 0.3 "do not yet")."""
    name = c.label(item.id)
    kk = nk = kd = nd = 0
    wrong: Counter[str] = Counter()
    for seq in seqs:
        w = loo_known(seq, model)
        for ev, p in zip(seq, w, strict=True):
            if ev[0] != "answer" or ev[1] != item.id:
                continue
            if p >= 0.7:
                nk += 1
                kk += ev[2]
                if not ev[2]:
                    wrong[ev[3]] += 1
            elif p <= 0.3:
                nd += 1
                kd += ev[2]
    nums: dict[str, float] = {"knowers": nk, "knowers_right": kk, "others": nd,
                              "others_right": kd, "log_likelihood_ratio": round(t.llr, 2)}
    conf = round(t.confidence, 3)
    k_txt = f"{_pct(kk / nk)} ({kk} of {nk})" if nk else "–"
    d_txt = f"{_pct(kd / nd)} ({kd} of {nd})" if nd else "–"
    odds = f"the class's answers are {_times(t.llr)} as likely if it is so"
    if t.kind == "mis_keyed":
        choice = next((ch for ch in item.choices if ch.id == t.choice), None)
        shown = choice.text if choice is not None else str(t.choice)
        top_n = sum(v for k, v in wrong.items() if k in _names_of(item, t.choice or ""))
        return Restructuring(
            "mis_keyed", item.id,
            f"Learners who know the skill (by their other answers) get “{name}” right "
            f"only {k_txt}; {top_n} of them chose “{shown}”; {odds}.",
            f"Check the key of “{name}”: “{shown}” may be the right answer.", conf, nums,
            {"op": "set_key", "item": item.id, "choice": choice.id}
            if choice is not None and item.type == ItemType.SINGLE_CHOICE else None)
    if t.kind == "non_discriminating":
        return Restructuring(
            "non_discriminating", item.id,
            f"“{name}” is answered right by {k_txt} of the learners who know the skill "
            f"(by their other answers) and by {d_txt} of those who do not: it does not "
            f"tell them apart; {odds} as if it did.",
            f"Rewrite or replace “{name}”; as it is, it moves P(mastery) at random.",
            conf, nums)
    if t.kind == "too_easy":
        return Restructuring(
            "too_easy", item.id,
            f"Learners who do not know the skill yet get “{name}” right {d_txt}; {odds}.",
            f"“{name}” gives the answer away: make the wrong choices plausible.", conf, nums)
    return Restructuring(
        "too_hard", item.id,
        f"Learners who know the skill get “{name}” right only {k_txt}, and their wrong "
        f"answers differ; {odds}.",
        f"Make “{name}” clearer, add a hint, or give it a higher difficulty.", conf, nums)


def _flat_first(c: _Class, ev_th: Evidence, flawed: set[str]) -> list[Restructuring]:
    """Items whose first answers say nothing about the learner's next answers on the skill,
    where the class's other first items do (``adaptive.analytics.first_answers``); items
    the model-based analysis already found flawed are neither judged nor a reference."""
    rows = [(a.learner, a.primary_skill, a.item_id, a.correct) for a in c.answers
            if a.primary_skill]
    splits = first_splits(rows, next_answers=NEXT_ANSWERS, min_group=ev_th.split_min_group)
    out = []
    for f in flat_first_items(splits, exclude=flawed, max_gap=ev_th.split_max_gap,
                              min_spread=ev_th.split_min_spread):
        if f.confidence < ev_th.min_confidence:
            continue
        s, name = f.split, c.label(f.split.item_id)
        out.append(Restructuring(
            "non_discriminating", s.item_id,
            f"Learners who got “{name}” right as their first answer on the skill got "
            f"{_pct(s.right_next)} of their next answers on it right ({s.right_n} learners); "
            f"those who got it wrong, {_pct(s.wrong_next)} ({s.wrong_n} learners). On the "
            f"class's other first items, those who got the item right did typically "
            f"{round(100 * f.typical_gap)} points better: this item does not tell who knows "
            "the skill.",
            f"Rewrite or replace “{name}”; as it is, it moves P(mastery) at random.",
            round(f.confidence, 3),
            {"right_first": s.right_n, "right_first_next": round(s.right_next, 3),
             "wrong_first": s.wrong_n, "wrong_first_next": round(s.wrong_next, 3),
             "typical_gap": round(f.typical_gap, 3), "z": round(f.z, 2),
             "items_tested": f.tested}))
    return out


def _times(llr: float) -> str:
    """A likelihood ratio in words ("12 times")."""
    r = math.exp(min(llr, 50.0))
    return f"{r:.0f} times" if r < 1e4 else "over 10,000 times"


def suggest_restructuring(module: Module, answers: Iterable[AnswerRecord],
                          pages: Sequence[PageRecord] = (), states: Iterable[SkillState] = (),
                          *, practice_cap: int | None = None,
                          thresholds: Thresholds | None = None,
                          evidence: Evidence | None = None,
                          item_names: Mapping[str, str] | None = None) -> list[Restructuring]:
    """Changes to the module the data supports, most confident first (only those at or
    above ``thresholds.min_confidence``, except structural ones which are certain)."""
    th = thresholds or Thresholds()
    c = _Class.build(module, answers, states)
    c.names = dict(item_names or {})
    ev_th = evidence or Evidence()
    learners = len({a.learner for a in c.answers})
    if learners <= ev_th.max_learners:
        seqs = _sequences(c, pages)
        items = _items_hmm(c, seqs, _skill_fits(c, seqs), ev_th)
        items += _flat_first(c, ev_th, {r.target for r in items})
    else:
        items = _items(c, th)
    found = (items + _misconceptions(c, th) + _prerequisites(c, th)
             + _lessons(c, pages, th)
             + _few_items(c, practice_cap or module.settings.practice_cap))
    # A lesson cannot teach learners who lack a prerequisite: when one is missing, its
    # skill's lesson looks useless for that reason, and the prerequisite is the change.
    lacking = {r.target.split(">")[1] for r in found if r.kind == "add_prerequisite"}
    found = [r for r in found if r.confidence >= th.min_confidence and not (
        r.kind == "useless_lesson" and c.module.page(r.target).skill in lacking)]
    found.sort(key=lambda r: (-r.confidence, KINDS.index(r.kind), r.target))
    return found


def not_judged(module: Module, answers: Iterable[AnswerRecord],
               pages: Sequence[PageRecord] = (), states: Iterable[SkillState] = (), *,
               thresholds: Thresholds | None = None,
               evidence: Evidence | None = None) -> list[str]:
    """What ``suggest_restructuring`` could not judge on this class, in plain sentences:
    no suggestion about a lesson or an item is not the same as "it is sound" when there
    were too few learners to tell (docs/benchmarks.md: at 30 learners even an analysis
    knowing the true model finds a useless lesson in 2-3 classes of 20)."""
    th = thresholds or Thresholds()
    ev_th = evidence or Evidence()
    c = _Class.build(module, answers, states)
    out = []
    learners = {a.learner for a in c.answers}
    if learners and len(learners) <= ev_th.max_learners:
        by_item = defaultdict(set)
        for a in c.answers:
            by_item[a.item_id].add(a.learner)
        skilled = [i for i in module.items if i.skills]
        short = [i for i in skilled if len(by_item.get(i.id, ())) < ev_th.min_item_learners]
        if short:
            out.append(f"Items: {len(short)} of {len(skilled)} were answered by fewer than "
                       f"{ev_th.min_item_learners} learners; an item is judged only once "
                       f"{ev_th.min_item_learners} have answered it.")
    edges = [(a_id, b.id) for b in module.skills for a_id in b.prerequisites]
    if edges and learners:
        # the same learners ``_prerequisites`` checks an edge on
        unchecked = [(a_id, b_id) for a_id, b_id in edges
                     if len(_learned_then_reached(c, learners, a_id, b_id))
                     < th.min_pair_learners]
        if unchecked:
            title = {sk.id: sk.title for sk in module.skills}
            named = "; ".join(f"“{title[a]}” before “{title[b]}”" for a, b in unchecked[:3])
            more = f" and {len(unchecked) - 3} more" if len(unchecked) > 3 else ""
            out.append(f"Prerequisites: {len(unchecked)} of the {len(edges)} prerequisite "
                       f"links could not be checked ({named}{more}). A link “A before B” is "
                       f"checked on learners who had to learn A (or got stuck on it) and "
                       f"then reached B, at least "
                       f"{th.min_pair_learners} of them.")
    lessons = [p for p in module.pages if p.kind == "lesson" and p.skill]
    if lessons and learners:
        sizes = {pid: len(post) for pid, (pre, post) in _lesson_samples(c, pages).items()
                 if pre or post}
        judged = [p for p in lessons if sizes.get(p.id, 0) >= th.lesson_min_learners]
        rest = [p for p in lessons if p not in judged]
        most = max(rest, key=lambda p: (sizes.get(p.id, 0), p.id)) if rest else None
        who = ("learners who failed the skill's diagnostic, read the lesson and went on to "
               "master the skill")
        if most is not None and not judged:
            out.append(f"Lessons: none of the {len(lessons)} can be judged yet. A lesson is "
                       f"judged by the next answer of {who}, and needs "
                       f"{th.lesson_min_learners} of them (here at most "
                       f"{sizes.get(most.id, 0)}, for “{most.title}”).")
        elif most is not None and len(judged) == 1:
            out.append(f"Lessons: only “{judged[0].title}” had enough learners to be judged "
                       f"({sizes[judged[0].id]}), and a lesson is judged against the others; "
                       f"the other {len(rest)} had fewer than {th.lesson_min_learners} "
                       f"({who}; at most {sizes.get(most.id, 0)}).")
        elif most is not None:
            out.append(f"Lessons: {len(rest)} of the {len(lessons)} had fewer than "
                       f"{th.lesson_min_learners} learners to judge them on ({who}).")
    return out
