"""Learner profiles: a few groups of learners by how they move through the module.

Each learner becomes a small vector (share of skills known up front, mastered by practice,
stuck on, never reached; answers per practised skill against the cap; hints per answer;
seconds per answer against the class median). Seeded k-means (numpy, k-means++ start)
groups them, k chosen as the smallest that leaves little spread unexplained. Each group
is described in plain words with its size; a group that does not converge (members stuck
on a skill at the practice cap) says on which skill, and what its members have in common
that the others do not (a skill they did not know up front, a misconception, hints, time).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from statistics import median

import numpy as np

from adaptive.analytics.events import AnswerRecord, SkillState
from adaptive.defaults import PRACTICE_CAP

#: The fewest learners in a profile (two profiles need twice as many learners who started).
MIN_PROFILE = 3

#: Share of a group stuck (on any skill) from which the group "does not converge".
STUCK_SHARE = 0.3

FEATURES = ("known", "mastered", "stuck", "not_reached", "answers_per_skill", "hints",
            "time")


@dataclass(frozen=True)
class Profile:
    """One group of learners."""

    name: str  # a short plain name ("Skip ahead", "Stuck on Simplifying", ...)
    description: str
    learners: tuple[str, ...]
    converges: bool
    stuck_on: tuple[tuple[str, int], ...] = ()  # (skill id, members stuck on it)
    in_common: tuple[str, ...] = ()  # sentences, for groups that do not converge
    note: str = ""  # why there is only one group, when that is the reason

    @property
    def size(self) -> int:
        """How many learners are in the group."""
        return len(self.learners)


def _pct(p: float) -> str:
    return f"{round(100 * p)} %"


def _vectors(learners: Sequence[str], skills: Sequence[str], states: Iterable[SkillState],
             answers: Iterable[AnswerRecord], practice_cap: int
             ) -> tuple[np.ndarray, dict[str, dict[str, str]], dict[str, list[AnswerRecord]]]:
    status: dict[str, dict[str, str]] = defaultdict(dict)
    for s in states:
        stat = "not_reached" if s.status == "flagged" and s.attempts == 0 else s.status
        status[s.learner][s.skill_id] = stat
    mine: dict[str, list[AnswerRecord]] = defaultdict(list)
    for a in answers:
        if a.valid:
            mine[a.learner].append(a)
    secs = [a.seconds for rows in mine.values() for a in rows if a.seconds]
    typical = median(secs) if secs else 1.0
    rows = []
    k = max(len(skills), 1)
    for lr in learners:
        st = status.get(lr, {})
        got = Counter(st.get(s, "not_started") for s in skills)
        ans = mine.get(lr, [])
        practised = {a.primary_skill for a in ans if a.phase != "diagnostic"}
        per_skill = (sum(a.phase != "diagnostic" for a in ans) / len(practised)
                     if practised else 0.0)
        with_time = [a.seconds for a in ans if a.seconds]
        rows.append([got["known"] / k, got["mastered"] / k, got["flagged"] / k,
                     got["not_reached"] / k, min(per_skill / max(practice_cap, 1), 1.0),
                     min(sum(a.hints_used for a in ans) / max(len(ans), 1), 1.0),
                     min((sum(with_time) / len(with_time) / typical) / 3, 1.0)
                     if with_time else 0.0])
    return np.array(rows, dtype=float).reshape(len(learners), len(FEATURES)), status, mine


def _kmeans(x: np.ndarray, k: int, rng: np.random.Generator, iters: int = 50) -> np.ndarray:
    """Labels of a k-means++ / Lloyd run (deterministic for a seeded ``rng``)."""
    centres = [x[int(rng.integers(len(x)))]]
    for _ in range(1, k):
        d = np.min([((x - c) ** 2).sum(1) for c in centres], axis=0)
        if d.sum() == 0:
            break
        centres.append(x[int(rng.choice(len(x), p=d / d.sum()))])
    c = np.array(centres)
    labels = np.zeros(len(x), dtype=int)
    for _ in range(iters):
        new = ((x[:, None, :] - c[None]) ** 2).sum(2).argmin(1)
        if (new == labels).all() and _ > 0:
            break
        labels = new
        c = np.array([x[labels == j].mean(0) if (labels == j).any() else c[j]
                      for j in range(len(c))])
    return labels


def _spread(x: np.ndarray, labels: np.ndarray) -> float:
    return float(sum(((x[labels == j] - x[labels == j].mean(0)) ** 2).sum()
                     for j in set(labels.tolist())))


def group(x: np.ndarray, *, max_k: int = 4, min_size: int = MIN_PROFILE, seed: int = 0,
          gain: float = 0.25) -> np.ndarray:
    """Cluster labels: more groups only while each halves enough of the remaining spread
    (``gain``) and no group is smaller than ``min_size``."""
    n = len(x)
    labels = np.zeros(n, dtype=int)
    if n < 2 * min_size:
        return labels
    best = _spread(x, labels)
    for k in range(2, max_k + 1):
        cand = _kmeans(x, k, np.random.default_rng(seed))
        sizes = Counter(cand.tolist())
        s = _spread(x, cand)
        if min(sizes.values()) < min_size or len(sizes) < k or best == 0 or \
                (best - s) / best < gain:
            break
        labels, best = cand, s
    return labels


def profiles(learners: Sequence[str], skills: Sequence[tuple[str, str]],
             states: Iterable[SkillState], answers: Iterable[AnswerRecord], *,
             practice_cap: int = PRACTICE_CAP, seed: int = 0) -> list[Profile]:
    """The class's profiles, largest first; ``skills`` are (id, title) in module order."""
    learners = [lr for lr in dict.fromkeys(learners)]
    ids = [s for s, _ in skills]
    title = dict(skills)
    answers = list(answers)
    x, status, mine = _vectors(learners, ids, states, answers, practice_cap)
    started = [i for i, lr in enumerate(learners) if status.get(lr) or mine.get(lr)]
    if not started:
        return []
    xs = x[started]
    labels = group(xs, seed=seed)
    out = []
    for j in sorted(set(labels.tolist())):
        members = [learners[started[i]] for i in range(len(started)) if labels[i] == j]
        others = [learners[i] for i in started if learners[i] not in members]
        centre = xs[labels == j].mean(0)
        stuck = Counter(s for lr in members for s in ids if status[lr].get(s) == "flagged")
        out.append(_describe(members, others, centre, stuck, status, mine, ids, title,
                             practice_cap))
    out.sort(key=lambda p: (-p.size, p.name))
    if len(out) == 1:
        # One group holding everyone is the class, not a kind of learner: "Stuck on X" or
        # "Skip ahead" would label learners who skipped everything, or were stuck, alike.
        note = ("" if len(started) >= 2 * MIN_PROFILE else
                f"Too few learners to tell profiles apart: {len(started)} started, profiles "
                f"need at least {2 * MIN_PROFILE}.")
        out = [replace(out[0], name="The whole class", note=note)]
    return out


def _describe(members: list[str], others: list[str], centre: np.ndarray, stuck: Counter[str],
              status: Mapping[str, Mapping[str, str]],
              mine: Mapping[str, list[AnswerRecord]], ids: Sequence[str],
              title: Mapping[str, str], cap: int) -> Profile:
    known, mastered, flagged, not_reached, per_skill, hints, time = centre.tolist()
    n = len(members)
    who = "1 learner" if n == 1 else f"{n} learners"
    parts = []
    if known >= 0.5:
        parts.append(f"skip most skills through the diagnostic ({_pct(known)} known up "
                     "front)")
    elif known > 0:
        parts.append(f"know {_pct(known)} of the skills up front")
    if mastered > 0:
        parts.append(f"master {_pct(mastered)} by practice, with "
                     f"{per_skill * cap:.1f} answers per practised skill")
    if hints >= 0.2:
        parts.append(f"use hints on {_pct(hints)} of their answers")
    if time >= 0.6 and others:
        # Compared with the class's typical answer time: said of the whole class it was
        # "the class takes longer than the class" (a skewed class's mean over its median).
        parts.append("take much longer per answer than the class")
    # A group "does not converge" when a real share of it ends stuck, not for one member.
    stuck_members = sum(1 for lr in members if any(v == "flagged" for v in status[lr].values()))
    converges = stuck_members < STUCK_SHARE * n
    in_common: list[str] = []
    if stuck and converges:
        top, k = stuck.most_common(1)[0]
        parts.append(f"{stuck_members} of them stuck, on “{title.get(top, top)}” and others"
                     if len(stuck) > 1 else f"{k} of them stuck on “{title.get(top, top)}”")
    if not converges:
        top, k = stuck.most_common(1)[0]
        where = ", ".join(f"“{title.get(sid, sid)}” ({c})" for sid, c in stuck.most_common(3))
        parts.append(f"{_how_many(stuck_members, n)} stuck: on {where}"
                     + (f"; {_pct(not_reached)} of their skills are never reached"
                        if not_reached >= 0.005 else ""))
        name = (f"Stuck on “{title.get(top, top)}”" if k * 2 > stuck_members
                else "Stuck on several skills")
        in_common = _in_common(members, others, status, mine, [s for s in ids if s != top],
                               title)
    elif known >= 0.5:
        name = "Skip ahead"
    elif per_skill * cap >= 0.6 * cap:
        name = "Master slowly"
    else:
        name = "Master by practice"
    text = f"{who}: " + ("; ".join(parts) if parts else "have only begun") + "."
    return Profile(name, text, tuple(members), converges, tuple(stuck.most_common()),
                   tuple(in_common))


def _how_many(k: int, n: int) -> str:
    """Who of a group of ``n`` gets stuck, counted as a reader would say it."""
    if k == n == 2:
        return "both get"
    if k == n > 2:
        return "all of them get"
    return "1 of them gets" if k == 1 else f"{k} of them get"


def _in_common(members: list[str], others: list[str], status: Mapping[str, Mapping[str, str]],
               mine: Mapping[str, list[AnswerRecord]], ids: Sequence[str],
               title: Mapping[str, str]) -> list[str]:
    """What sets a non-converging group apart: the skill its members knew up front far
    less often than the others, and the misconception they share most."""
    out = []
    if others:
        gaps = []
        for s in ids:
            p_in = sum(status[lr].get(s) == "known" for lr in members) / len(members)
            p_out = sum(status[lr].get(s) == "known" for lr in others) / len(others)
            gaps.append((p_out - p_in, s, p_in, p_out))
        for gap, s, p_in, p_out in sorted(gaps, reverse=True)[:2]:
            if gap >= 0.25:
                out.append(f"{_pct(p_in)} of them knew “{title.get(s, s)}” up front, "
                           f"against {_pct(p_out)} of the other learners")
    tags = Counter(tag for lr in members for tag in {a.misconception for a in mine.get(lr, ())
                                                     if a.misconception and not a.correct})
    if tags:
        tag, k = tags.most_common(1)[0]
        if k >= max(2, len(members) // 2):
            out.append(f"{k} of them show the misconception “{tag}”")
    return out
