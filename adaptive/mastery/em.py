"""Fitting BKT parameters by EM (Baum-Welch), vectorised with numpy.

The hidden state of a learner on a skill is *known* / *unknown*; answers are
emitted with P(correct | known) = 1 - slip and P(correct | unknown) = guess;
between answers an unknown skill is learnt with probability ``learn`` and, with
``forgets=True``, a known skill is forgotten with probability ``forget``.

Layout: all sequences of a fit (every skill, and every random restart, at once)
are sorted by length and stored *time-major*: block ``t`` holds answer ``t`` of
every sequence that is longer than ``t``, and because of the sort the sequences
alive at ``t + 1`` are a prefix of those alive at ``t``. A forward or backward
pass is then one Python step per time index (the longest sequence), each step a
handful of numpy operations over all live sequences; everything else (E-step
sums, M-step, log-likelihood) is a flat vectorised reduction with ``bincount``.
The passes are scaled (each filtered state is normalised), so nothing underflows.

Random restarts follow the "short EM" scheme (Biernacki, Celeux & Govaert 2003):
every restart runs ``warmup`` iterations, the best one per skill (by
log-likelihood) continues to convergence. Guess and slip are clipped below
``max_guess_slip`` (< 0.5) in every M-step, so "known" always means "answers
better"; prior, learn and forget stay inside (0, 1).

Sequences are given either as a list of 0/1 arrays (one per learner, time
order) or as :class:`FlatSequences` (parallel ``student`` / ``correct`` arrays,
answers of each student in time order).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from adaptive.mastery.bkt import STATE_FLOOR
from adaptive.modules.format import BKTParams

#: Smallest and largest value of prior/learn/forget and the lower bound of guess/slip.
PARAM_EPS = 1e-6
#: Default upper bound of guess and slip (BKTParams requires < 0.5).
MAX_GUESS_SLIP = 0.45
#: Floor of the normalised forward/backward quantities (its square is still a normal float).
_TINY = 1e-150


class FlatSequences(NamedTuple):
    """Answers as two parallel arrays; each student's answers are in time order."""

    student: np.ndarray
    correct: np.ndarray


SequencesLike = Sequence[Any] | FlatSequences


@dataclass(frozen=True)
class FitResult:
    """The outcome of fitting one skill."""

    params: BKTParams
    log_likelihood: float
    iterations: int
    converged: bool = True
    n_sequences: int = 0
    n_answers: int = 0


# --------------------------------------------------------------------------- input


def _as_sequences(sequences: SequencesLike) -> list[np.ndarray]:
    """Normalise the accepted inputs to a list of int8 0/1 arrays (empty ones dropped)."""
    if isinstance(sequences, FlatSequences):
        student = np.asarray(sequences.student)
        correct = np.asarray(sequences.correct)
        if student.shape != correct.shape or student.ndim != 1:
            raise ValueError("student and correct must be 1-D arrays of the same length")
        if student.size == 0:
            return []
        order = np.argsort(student, kind="stable")
        s_sorted = student[order]
        cuts = np.flatnonzero(s_sorted[1:] != s_sorted[:-1]) + 1
        return [c.astype(np.int8) for c in np.split(correct[order], cuts)]
    out = []
    for seq in sequences:
        arr = np.asarray(seq)
        if arr.ndim != 1:
            raise ValueError("every sequence must be 1-D")
        if arr.size and not np.isin(arr, (0, 1)).all():
            raise ValueError("answers must be 0/1 (or booleans)")
        if arr.size:
            out.append(arr.astype(np.int8))
    return out


def _restore_shape(sequences: SequencesLike, flat_pred: list[np.ndarray]) -> Any:
    """Map per-sequence predictions back onto the caller's layout."""
    if isinstance(sequences, FlatSequences):
        student = np.asarray(sequences.student)
        out = np.empty(student.shape, dtype=float)
        if student.size:
            order = np.argsort(student, kind="stable")
            out[order] = np.concatenate(flat_pred)
        return out
    it = iter(flat_pred)
    return [next(it) if np.asarray(s).size else np.empty(0) for s in sequences]


# -------------------------------------------------------------------------- layout


class _Layout:
    """Time-major storage of many sequences, each belonging to one problem."""

    def __init__(self, seqs: list[np.ndarray], problem: np.ndarray) -> None:
        lengths = np.fromiter((s.size for s in seqs), dtype=np.int64, count=len(seqs))
        order = np.argsort(-lengths, kind="stable")
        self.order = order
        self.lengths = lengths[order]
        self.n_seq = len(seqs)
        self.seq_problem = np.asarray(problem, dtype=np.int64)[order]
        t_max = int(self.lengths[0]) if self.n_seq else 0
        # alive[t] = number of sequences longer than t (a prefix, thanks to the sort)
        self.alive = self.n_seq - np.searchsorted(self.lengths[::-1], np.arange(t_max), "right")
        self.start = np.concatenate(([0], np.cumsum(self.alive)))
        total = int(self.start[-1])
        self.size = total
        # position of every answer: sequence-major -> time-major
        seq_idx = np.repeat(np.arange(self.n_seq), self.lengths)
        seq_first = np.concatenate(([0], np.cumsum(self.lengths)[:-1]))
        t_idx = np.arange(total) - np.repeat(seq_first, self.lengths)
        self.tm_pos = self.start[t_idx] + seq_idx  # index into time-major arrays
        obs = np.empty(total, dtype=np.int8)
        if total:
            obs[self.tm_pos] = np.concatenate([seqs[i] for i in order])
        self.obs = obs.astype(bool)
        self.elem_problem = np.empty(total, dtype=np.int64)
        self.elem_problem[self.tm_pos] = np.repeat(self.seq_problem, self.lengths)
        # time-major positions of the last answer of every sequence
        self.last = self.tm_pos[np.cumsum(self.lengths) - 1]


def _emissions(layout: _Layout, guess: np.ndarray, slip: np.ndarray) -> tuple[np.ndarray, ...]:
    g = guess[layout.elem_problem]
    s = slip[layout.elem_problem]
    ek = np.where(layout.obs, 1.0 - s, s)
    eu = np.where(layout.obs, g, 1.0 - g)
    return ek, eu


def _forward(
    layout: _Layout,
    p: dict[str, np.ndarray],
    ek: np.ndarray,
    eu: np.ndarray,
    floor: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Scaled forward pass.

    ``ek``/``eu`` are the time-major emission probabilities of each answer given
    known/unknown. Returns (filtered P(known) after each answer, filtered
    P(unknown), the normaliser c_t = P(answer_t | earlier answers), predicted
    P(known) before each answer), all time-major. With ``floor > 0`` the predicted
    state is kept above the floor exactly like :func:`adaptive.mastery.bkt.bkt_update`.
    """
    sp = layout.seq_problem
    learn, forget = p["learn"][sp], p["forget"][sp]
    stay_u, stay_k = 1.0 - learn, 1.0 - forget
    pk = p["prior"][sp].copy()
    pu = 1.0 - pk
    n_total = layout.size
    ak_all = np.empty(n_total)
    au_all = np.empty(n_total)
    c_all = np.empty(n_total)
    pred_k = np.empty(n_total)
    start, alive = layout.start.tolist(), layout.alive.tolist()
    for t in range(len(alive)):
        a, n = start[t], alive[t]
        b = a + n
        pk, pu = pk[:n], pu[:n]
        pred_k[a:b] = pk
        ak = np.multiply(pk, ek[a:b], out=ak_all[a:b])
        au = np.multiply(pu, eu[a:b], out=au_all[a:b])
        c = np.add(ak, au, out=c_all[a:b])
        ak /= c
        au /= c
        # One-way histories (500 right, then 500 wrong) drive one state to exactly 0.0 in
        # float64; a floor far below any probability that matters keeps every later ratio
        # (here, in the backward pass and in the E-step) away from 0/0.
        np.maximum(ak, _TINY, out=ak)
        np.maximum(au, _TINY, out=au)
        pk = ak * stay_k[:n]
        pk += au * learn[:n]
        pu = au * stay_u[:n]
        pu += ak * forget[:n]
        if floor > 0.0:
            z = pk + pu
            pk = np.maximum(pk / z, floor)
            pu = np.maximum(pu / z, floor)
            z = pk + pu
            pk /= z
            pu /= z
    return ak_all, au_all, c_all, pred_k


def _backward(
    layout: _Layout,
    p: dict[str, np.ndarray],
    ek: np.ndarray,
    eu: np.ndarray,
    ak_all: np.ndarray,
    au_all: np.ndarray,
    forgets: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Scaled backward pass, with the transition posteriors it needs on the way.

    Returns (beta_known, beta_unknown) normalised per answer, and the posterior
    probabilities xi(unknown -> known) and, with ``forgets``, xi(known -> unknown)
    of the transition *after* each answer (0 for the last answer of a sequence).
    """
    sp = layout.seq_problem
    learn, forget = p["learn"][sp], p["forget"][sp]
    stay_u, stay_k = 1.0 - learn, 1.0 - forget
    bk_all = np.full(layout.size, 0.5)
    bu_all = np.full(layout.size, 0.5)
    xuk_all = np.zeros(layout.size)
    xku_all = np.zeros(layout.size) if forgets else None
    start, alive = layout.start.tolist(), layout.alive.tolist()
    for t in range(len(alive) - 2, -1, -1):
        n = alive[t + 1]
        a1 = start[t + 1]
        wk = ek[a1 : a1 + n] * bk_all[a1 : a1 + n]
        wu = eu[a1 : a1 + n] * bu_all[a1 : a1 + n]
        a = start[t]
        bk = stay_k[:n] * wk
        bk += forget[:n] * wu
        bu = stay_u[:n] * wu
        lk = learn[:n] * wk
        bu += lk
        ak, au = ak_all[a : a + n], au_all[a : a + n]
        z = ak * bk
        z += au * bu
        np.divide(au * lk, z, out=xuk_all[a : a + n])
        if xku_all is not None:
            np.divide(ak * forget[:n] * wu, z, out=xku_all[a : a + n])
        s = bk + bu
        np.maximum(np.divide(bk, s, out=bk_all[a : a + n]), _TINY, out=bk_all[a : a + n])
        np.maximum(np.divide(bu, s, out=bu_all[a : a + n]), _TINY, out=bu_all[a : a + n])
    return bk_all, bu_all, xuk_all, xku_all


def _e_step(
    layout: _Layout, p: dict[str, np.ndarray], n_problems: int, forgets: bool
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Expected sufficient statistics per problem, and log-likelihood per problem."""
    ek, eu = _emissions(layout, p["guess"], p["slip"])
    ak, au, c, _ = _forward(layout, p, ek, eu)
    bk, bu, xuk, xku = _backward(layout, p, ek, eu, ak, au, forgets)
    ep = layout.elem_problem

    def per_problem(weights: np.ndarray) -> np.ndarray:
        return np.bincount(ep, weights=weights, minlength=n_problems)

    ll = per_problem(np.log(c))
    gk = ak * bk
    gu = au * bu
    z = gk + gu
    gk /= z
    gu /= z
    gu_right = gu * layout.obs
    gk_wrong = gk - gk * layout.obs
    # every answer but a sequence's last has a transition after it
    last = layout.last
    stats = {
        "first_k": np.bincount(
            layout.seq_problem, weights=gk[: layout.n_seq], minlength=n_problems
        ),
        "n_seq": np.bincount(layout.seq_problem, minlength=n_problems).astype(float),
        "k": per_problem(gk),
        "k_wrong": per_problem(gk_wrong),
        "u": per_problem(gu),
        "u_right": per_problem(gu_right),
        "uk": per_problem(xuk),
        "u_from": per_problem(gu) - np.bincount(ep[last], gu[last], minlength=n_problems),
    }
    if xku is not None:
        stats["ku"] = per_problem(xku)
        stats["k_from"] = stats["k"] - np.bincount(ep[last], gk[last], minlength=n_problems)
    return stats, ll


def _ratio(num: np.ndarray, den: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        out = num / den
    return np.where(den > 0, out, fallback)


def _m_step(
    stats: dict[str, np.ndarray], old: dict[str, np.ndarray], forgets: bool, max_gs: float
) -> dict[str, np.ndarray]:
    """Maximum-likelihood update, or with an anchor (``old["anchor_w"] > 0``) the MAP update
    under Beta priors centred on the anchor: ``(expected count + w * anchor) / (expected
    total + w)``, i.e. ``w`` pseudo-observations at the module's parameters. That shrinks a
    skill with little data toward the module, and no denominator is ever 0."""
    hi = 1.0 - PARAM_EPS
    w = old.get("anchor_w")

    def update(name: str, num: str, den: str) -> np.ndarray:
        if w is None:
            return _ratio(stats[num], stats[den], old[name])
        return _ratio(stats[num] + w * old["anchor_" + name], stats[den] + w, old[name])

    new = {
        "prior": np.clip(update("prior", "first_k", "n_seq"), PARAM_EPS, hi),
        "learn": np.clip(update("learn", "uk", "u_from"), PARAM_EPS, hi),
        "guess": np.clip(update("guess", "u_right", "u"), PARAM_EPS, max_gs),
        "slip": np.clip(update("slip", "k_wrong", "k"), PARAM_EPS, max_gs),
    }
    if forgets:
        new["forget"] = np.clip(update("forget", "ku", "k_from"), PARAM_EPS, hi)
    else:
        new["forget"] = np.zeros_like(old["forget"])
    return new


_NAMES = ("prior", "learn", "guess", "slip", "forget")


def _random_starts(
    n: int, restarts: int, forgets: bool, rng: np.random.Generator, max_gs: float
) -> dict[str, np.ndarray]:
    """Start values, shape (n * restarts,), problem ``i * restarts + r``.

    Restart 0 is a fixed, plausible point; the others are uniform draws.
    """
    size = (n, restarts)
    p = {
        "prior": rng.uniform(0.05, 0.95, size),
        "learn": rng.uniform(0.01, 0.5, size),
        "guess": rng.uniform(0.01, min(0.4, max_gs), size),
        "slip": rng.uniform(0.01, min(0.4, max_gs), size),
        "forget": rng.uniform(0.0, 0.2, size) if forgets else np.zeros(size),
    }
    fixed = {"prior": 0.5, "learn": 0.1, "guess": 0.2, "slip": 0.1, "forget": 0.02 * forgets}
    for name in _NAMES:
        p[name][:, 0] = fixed[name]
    return {k: v.reshape(-1) for k, v in p.items()}


def _run_em(
    seqs: list[np.ndarray],
    problem: np.ndarray,
    params: dict[str, np.ndarray],
    *,
    forgets: bool,
    iterations: int,
    tol: float,
    max_gs: float,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """Run EM on many independent problems at once.

    Converged problems are frozen and their sequences dropped from the layout.
    Returns (params, log-likelihood of the returned params, iterations, converged).
    """
    n_problems = params["prior"].size
    params = {k: v.astype(float).copy() for k, v in params.items()}
    ll = np.full(n_problems, -np.inf)
    iters = np.zeros(n_problems, dtype=np.int64)
    converged = np.zeros(n_problems, dtype=bool)
    active_seq = np.arange(len(seqs))
    seq_len = np.fromiter((s.size for s in seqs), dtype=np.int64, count=len(seqs))
    layout = _Layout(seqs, problem)
    active_answers = layout.size
    for _ in range(iterations):
        stats, new_ll = _e_step(layout, params, n_problems, forgets)
        present = np.bincount(layout.seq_problem, minlength=n_problems) > 0
        live = present & ~converged
        # EM never decreases the likelihood, except by rounding or by M-step clipping
        done = live & (new_ll - ll <= tol * np.abs(new_ll))
        ll = np.where(live, new_ll, ll)
        converged |= done
        step = live & ~done
        if not step.any():
            break
        new = _m_step(stats, params, forgets, max_gs)
        for name in _NAMES:
            params[name] = np.where(step, new[name], params[name])
        iters += step
        # drop sequences of converged problems once they are a large share of the work
        keep = ~converged[problem[active_seq]]
        if not keep.all() and seq_len[active_seq[keep]].sum() < 0.7 * active_answers:
            active_seq = active_seq[keep]
            layout = _Layout([seqs[i] for i in active_seq], problem[active_seq])
            active_answers = layout.size
    else:
        # out of iterations: the last M-step's params still need their likelihood
        live = ~converged
        if live.any():
            _, last_ll = _e_step(layout, params, n_problems, forgets)
            ll = np.where(
                live & (np.bincount(layout.seq_problem, minlength=n_problems) > 0), last_ll, ll
            )
    return params, ll, iters, converged


def _fit_many(
    groups: list[list[np.ndarray]],
    *,
    forgets: bool = False,
    restarts: int = 5,
    warmup: int = 10,
    max_iter: int = 200,
    tol: float = 1e-5,
    seed: int | None = 0,
    max_guess_slip: float = MAX_GUESS_SLIP,
    jobs: int = 1,
    anchor: BKTParams | Sequence[BKTParams] | None = None,
    strength: float = 0.0,
) -> list[FitResult]:
    """Fit one BKT per group of sequences, all groups in one vectorised run.

    With ``anchor`` (one BKTParams for all groups, or one per group) and ``strength`` > 0
    every M-step is a MAP step with ``strength`` pseudo-observations at the anchor (see
    :func:`_m_step`): regularisation and shrinkage toward the module's parameters.

    With ``jobs > 1`` the groups are split into that many chunks of about equal
    answer counts, fitted in worker processes. Groups are independent problems
    and their random starts are drawn here, before the split, so the result is
    the same as with ``jobs=1``.
    """
    if not 0.0 < max_guess_slip < 0.5:
        raise ValueError("max_guess_slip must be in (0, 0.5)")
    if restarts < 1:
        raise ValueError("restarts must be >= 1")
    if jobs < 1:
        raise ValueError("jobs must be >= 1")
    if strength < 0:
        raise ValueError("strength must be >= 0")
    rng = np.random.default_rng(seed)
    n = len(groups)
    starts = _random_starts(n, restarts, forgets, rng, max_guess_slip)
    if anchor is not None and strength > 0:
        anchors = [anchor] * n if isinstance(anchor, BKTParams) else list(anchor)
        if len(anchors) != n:
            raise ValueError("one anchor per group of sequences")
        for name in _NAMES:
            values = np.array([getattr(a, name) for a in anchors], dtype=float)
            starts["anchor_" + name] = np.repeat(values, restarts)
        starts["anchor_w"] = np.full(n * restarts, float(strength))
    options: dict[str, Any] = {"forgets": forgets, "restarts": restarts, "warmup": warmup,
               "max_iter": max_iter, "tol": tol, "max_guess_slip": max_guess_slip}
    if jobs == 1 or n < 2:
        return _fit_chunk(groups, starts, **options)
    chunks = _balanced_chunks(groups, jobs)
    results: list[FitResult | None] = [None] * n
    # fork: the children inherit the data instead of pickling it (Linux, macOS).
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(max_workers=len(chunks), mp_context=context) as pool:
        futures = []
        for idx in chunks:
            chunk_starts = {k: v.reshape(n, restarts)[idx].ravel() for k, v in starts.items()}
            futures.append(pool.submit(_fit_chunk, [groups[i] for i in idx], chunk_starts,
                                       **options))
        for idx, future in zip(chunks, futures, strict=True):
            for i, result in zip(idx, future.result(), strict=True):
                results[i] = result
    return [r for r in results if r is not None]


def _balanced_chunks(groups: list[list[np.ndarray]], jobs: int) -> list[np.ndarray]:
    """Group indices split into ``jobs`` chunks of about equal answer counts (greedy)."""
    sizes = np.array([sum(s.size for s in g) for g in groups], dtype=np.int64)
    loads = np.zeros(jobs, dtype=np.int64)
    members: list[list[int]] = [[] for _ in range(jobs)]
    for i in np.argsort(-sizes, kind="stable"):
        target = int(np.argmin(loads))
        members[target].append(int(i))
        loads[target] += sizes[i]
    return [np.array(sorted(m), dtype=np.int64) for m in members if m]


def _fit_chunk(
    groups: list[list[np.ndarray]],
    starts: dict[str, np.ndarray],
    *,
    forgets: bool,
    restarts: int,
    warmup: int,
    max_iter: int,
    tol: float,
    max_guess_slip: float,
) -> list[FitResult]:
    """EM for some groups from given random starts (``restarts`` per group)."""
    n = len(groups)
    seqs: list[np.ndarray] = []
    group_of: list[int] = []
    for g, group in enumerate(groups):
        seqs.extend(group)
        group_of.extend([g] * len(group))
    group_idx = np.asarray(group_of, dtype=np.int64)
    warm_iters = np.zeros(n, dtype=np.int64)
    if restarts > 1:
        # restarts run one after the other (all groups batched), which keeps the
        # memory at one copy of the data; the best restart per group continues
        warm_params, warm_ll, warm_it = [], [], []
        for r in range(restarts):
            start_r = {k: v.reshape(n, restarts)[:, r] for k, v in starts.items()}
            w_params, w_ll, w_iters, _ = _run_em(
                seqs,
                group_idx,
                start_r,
                forgets=forgets,
                iterations=warmup,
                tol=tol,
                max_gs=max_guess_slip,
            )
            warm_params.append(w_params)
            warm_ll.append(w_ll)
            warm_it.append(w_iters)
        best = np.argmax(np.stack(warm_ll, axis=1), axis=1)
        rows = np.arange(n)
        anchors = {k: v.reshape(n, restarts)[:, 0] for k, v in starts.items() if k not in _NAMES}
        starts = {k: np.stack([w[k] for w in warm_params], axis=1)[rows, best] for k in _NAMES}
        starts.update(anchors)
        warm_iters = np.stack(warm_it, axis=1)[rows, best]
    params, ll, iters, converged = _run_em(
        seqs,
        group_idx,
        starts,
        forgets=forgets,
        iterations=max(max_iter - int(warm_iters.min(initial=0)), 1),
        tol=tol,
        max_gs=max_guess_slip,
    )
    results = []
    for g in range(n):
        n_answers = int(sum(s.size for s in groups[g]))
        values = {k: float(params[k][g]) for k in _NAMES}
        results.append(
            FitResult(
                params=BKTParams(**values),
                log_likelihood=float(ll[g]) if n_answers else 0.0,
                iterations=int(iters[g] + warm_iters[g]),
                converged=bool(converged[g]),
                n_sequences=len(groups[g]),
                n_answers=n_answers,
            )
        )
    return results


# ---------------------------------------------------------------------- public API


def fit_bkt(
    sequences: SequencesLike,
    *,
    forgets: bool = False,
    restarts: int = 5,
    warmup: int = 10,
    max_iter: int = 200,
    tol: float = 1e-5,
    seed: int | None = 0,
    max_guess_slip: float = MAX_GUESS_SLIP,
    anchor: BKTParams | None = None,
    strength: float = 0.0,
) -> FitResult:
    """Fit the BKT parameters of one skill by EM.

    ``sequences``: one 0/1 array per learner in time order, or :class:`FlatSequences`.
    ``restarts`` random starts each run ``warmup`` iterations; the best continues
    until the relative log-likelihood gain is below ``tol`` or ``max_iter``
    iterations in all. Without ``forgets`` the forget rate is fixed at 0. ``anchor`` and
    ``strength``: MAP fitting with ``strength`` pseudo-observations at ``anchor``.
    """
    return _fit_many(
        [_as_sequences(sequences)],
        forgets=forgets,
        restarts=restarts,
        warmup=warmup,
        max_iter=max_iter,
        tol=tol,
        seed=seed,
        max_guess_slip=max_guess_slip,
        anchor=anchor,
        strength=strength,
    )[0]


def group_responses(
    responses: Iterable[tuple[Any, Any, Any]],
) -> dict[Any, list[np.ndarray]]:
    """Group ``(learner, skill, correct)`` triples (time order) into sequences per skill."""
    per_skill: dict[Any, dict[Any, list[int]]] = {}
    for learner, skill, correct in responses:
        per_skill.setdefault(skill, {}).setdefault(learner, []).append(1 if correct else 0)
    return {
        skill: [np.asarray(v, dtype=np.int8) for v in learners.values()]
        for skill, learners in per_skill.items()
    }


def fit_skills(responses: Iterable[tuple[Any, Any, Any]], **kw: Any) -> dict[Any, FitResult]:
    """Fit every skill of ``(learner, skill, correct)`` triples given in time order.

    All skills are fitted in one vectorised run; keyword arguments as for :func:`fit_bkt`.
    """
    grouped = group_responses(responses)
    skills = list(grouped)
    results = _fit_many([grouped[s] for s in skills], **kw)
    return dict(zip(skills, results, strict=True))


def group_arrays(
    learner: np.ndarray, skill: np.ndarray, correct: np.ndarray
) -> dict[Any, list[np.ndarray]]:
    """Vectorised :func:`group_responses` for three parallel arrays in time order."""
    learner, skill, correct = (np.asarray(x) for x in (learner, skill, correct))
    if not learner.shape == skill.shape == correct.shape:
        raise ValueError("learner, skill and correct must have the same shape")
    if learner.size == 0:
        return {}
    order = np.lexsort((learner, skill))  # stable: time order kept inside each group
    sk, le, co = skill[order], learner[order], correct[order].astype(np.int8)
    cut = np.flatnonzero((sk[1:] != sk[:-1]) | (le[1:] != le[:-1])) + 1
    starts = np.concatenate(([0], cut))
    seqs = np.split(co, cut)
    out: dict[Any, list[np.ndarray]] = {}
    for first, seq in zip(starts.tolist(), seqs, strict=True):
        out.setdefault(sk[first].item(), []).append(seq)
    return out


def fit_skill_arrays(
    learner: np.ndarray,
    skill: np.ndarray,
    correct: np.ndarray,
    anchors: Mapping[Any, BKTParams] | None = None,
    **kw: Any,
) -> dict[Any, FitResult]:
    """:func:`fit_skills` for three parallel arrays (answers in time order).

    ``anchors``: skill -> the parameters to shrink toward (with ``strength`` in ``kw``); a
    skill missing from it is anchored at the default BKTParams."""
    grouped = group_arrays(learner, skill, correct)
    skills = list(grouped)
    if anchors is not None:
        kw["anchor"] = [anchors.get(s, BKTParams()) for s in skills]
    results = _fit_many([grouped[s] for s in skills], **kw)
    return dict(zip(skills, results, strict=True))


def _params_arrays(params: BKTParams) -> dict[str, np.ndarray]:
    return {name: np.array([getattr(params, name)], dtype=float) for name in _NAMES}


def predict_one_step(
    params: BKTParams, sequences: SequencesLike, floor: float = STATE_FLOOR
) -> Any:
    """P(correct) before each answer, given the learner's earlier answers.

    Returns a list of arrays shaped like ``sequences``, or one flat array for
    :class:`FlatSequences`. The state update is the one of
    :class:`adaptive.mastery.bkt.BKTModel` (including its ``floor``).
    """
    seqs = _as_sequences(sequences)
    if not seqs:
        return _restore_shape(sequences, [])
    layout = _Layout(seqs, np.zeros(len(seqs), dtype=np.int64))
    arrays = _params_arrays(params)
    ek, eu = _emissions(layout, arrays["guess"], arrays["slip"])
    _, _, _, pred_k = _forward(layout, arrays, ek, eu, floor=floor)
    p_corr = pred_k * (1.0 - params.slip) + (1.0 - pred_k) * params.guess
    seq_major = p_corr[layout.tm_pos]
    bounds = np.cumsum(layout.lengths)[:-1]
    per_sorted = np.split(seq_major, bounds)
    per_seq: list[np.ndarray] = [np.empty(0)] * len(seqs)
    for pos, i in enumerate(layout.order):
        per_seq[int(i)] = per_sorted[pos]
    return _restore_shape(sequences, per_seq)


def log_likelihood(params: BKTParams, sequences: SequencesLike) -> float:
    """Exact log P(answers | params) summed over all sequences (natural log)."""
    seqs = _as_sequences(sequences)
    if not seqs:
        return 0.0
    layout = _Layout(seqs, np.zeros(len(seqs), dtype=np.int64))
    arrays = _params_arrays(params)
    ek, eu = _emissions(layout, arrays["guess"], arrays["slip"])
    _, _, c, _ = _forward(layout, arrays, ek, eu)
    return float(np.log(c).sum())


def simulate_bkt(
    params: BKTParams, n_learners: int, n_answers: int, rng: np.random.Generator
) -> list[np.ndarray]:
    """Draw answer sequences from a BKT with known parameters (for tests and benchmarks)."""
    known = rng.random(n_learners) < params.prior
    out = np.empty((n_learners, n_answers), dtype=np.int8)
    for t in range(n_answers):
        p = np.where(known, 1.0 - params.slip, params.guess)
        out[:, t] = rng.random(n_learners) < p
        r = rng.random(n_learners)
        known = np.where(known, r >= params.forget, r < params.learn)
    return list(out)
