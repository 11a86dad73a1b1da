"""Knowledge-tracing benchmark on the ASSISTments 2009 DKT split (guide §4 protocol).

Every model is fitted on the training students and predicts each test answer
one step ahead from the learner's earlier answers on that skill (the state is
updated with the true answers). The one test answer on a skill unseen in
training gets the global training rate. Each model runs in its own process,
which reports fit time, wall time and its peak RSS; metrics are computed here
from the saved predictions, with the same code for every model.

    .venv/bin/python bench/kt_benchmark.py                  # all models, markdown table
    .venv/bin/python bench/kt_benchmark.py --models bkt ema # a subset
    .venv/bin/python bench/kt_benchmark.py --json out.json
    .venv/bin/python bench/kt_benchmark.py --resplit 3      # pooled, re-split by student

``--resplit N`` pools train and test, splits the students 80/20 with seeds 0..N-1 and runs
EMA, BKT, BKT+forgets and the production fit (BKT+forgets as MAP with 10 pseudo-answers at
the default parameters, ``lti_tool/dashboard/fitting.py``) in this process; ``--sample F``
keeps a share F of the students to make it shorter. The published split alone favours EMA;
the model with the best mean AUC over the re-splits is the one production fits.

pyBKT runs from ``bench/.venv-pybkt`` (see docs/benchmarks.md) when it exists.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from kt_data import DEFAULT_DATA, Answers, load_split  # noqa: E402

OURS = ["global-rate", "skill-rate", "ema", "streak", "bkt", "bkt-forgets", "bkt-forgets-map"]
RESPLIT_MODELS = ["ema", "bkt", "bkt-forgets", "bkt-forgets-map"]
PYBKT = ["pybkt", "pybkt-forgets"]
PYBKT_PYTHON = HERE / ".venv-pybkt" / "bin" / "python"
LABELS = {
    "global-rate": "global rate",
    "skill-rate": "per-skill rate",
    "ema": "per-skill EMA (α=0.85, seeded with the skill rate)",
    "streak": "3-in-a-row streak as a score",
    "bkt": "Branchwise BKT (numpy EM)",
    "bkt-forgets": "Branchwise BKT + forgets (numpy EM)",
    "bkt-forgets-map": "Branchwise BKT + forgets, MAP toward defaults (production fit)",
    "pybkt": "pyBKT BKT (C++)",
    "pybkt-forgets": "pyBKT BKT + forgets (C++)",
}


# ------------------------------------------------------------------ sequential scores


def _positions(key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stable order by ``key``, the group start of each sorted answer, its index in the group."""
    order = np.argsort(key, kind="stable")
    k = key[order]
    new = np.concatenate(([True], k[1:] != k[:-1]))
    starts = np.flatnonzero(new)
    group_start = starts[np.cumsum(new) - 1]
    return order, group_start, np.arange(key.size) - group_start


def ema_scores(key: np.ndarray, correct: np.ndarray, init: np.ndarray, alpha: float) -> np.ndarray:
    """EMA of earlier answers within each ``key`` group, before each answer (time order)."""
    order, _, t_in = _positions(key)
    c = correct[order].astype(float)
    score = init[order].astype(float).copy()
    for t in range(1, int(t_in.max(initial=0)) + 1):
        idx = np.flatnonzero(t_in == t)
        score[idx] = alpha * score[idx - 1] + (1.0 - alpha) * c[idx - 1]
    out = np.empty_like(score)
    out[order] = score
    return out


def streak_before(key: np.ndarray, correct: np.ndarray) -> np.ndarray:
    """Number of correct answers in a row just before each answer, within each group."""
    order, group_start, t_in = _positions(key)
    c = correct[order].astype(np.int64)
    pos = np.arange(c.size)
    # last wrong answer strictly before each position inside the group (-1: none)
    wrong_at = np.where(c == 0, pos, -1)
    last_wrong = np.maximum.accumulate(wrong_at)
    prev_wrong = np.concatenate(([-1], last_wrong[:-1]))
    begin = np.maximum(prev_wrong + 1, group_start)
    out = np.empty(c.size, dtype=np.int64)
    out[order] = pos - begin
    del t_in
    return out


# ---------------------------------------------------------------------------- workers


# pyBKT fits with parallel=True (a process per core); ours splits skills over the same
# two cores, so both sides use the whole machine.
FIT_JOBS = 2


def _pair_key(a: Answers) -> np.ndarray:
    return a.student * 1000 + a.skill


def run_ours(name: str, train: Answers, test: Answers) -> tuple[np.ndarray, float]:
    """Fit ``name`` on train, return (predictions for test, fit seconds)."""
    from adaptive.mastery import (
        FlatSequences,
        StreakModel,
        fit_skill_arrays,
        predict_one_step,
    )

    global_rate = float(train.correct.mean())
    t0 = time.perf_counter()
    if name == "global-rate":
        return np.full(len(test), global_rate), time.perf_counter() - t0
    n_skill = int(max(train.skill.max(), test.skill.max())) + 1
    count = np.bincount(train.skill, minlength=n_skill)
    right = np.bincount(train.skill, weights=train.correct, minlength=n_skill)
    rate = np.where(count > 0, right / np.maximum(count, 1), global_rate)
    if name == "skill-rate":
        return rate[test.skill], time.perf_counter() - t0
    if name == "ema":
        fit_s = time.perf_counter() - t0
        return ema_scores(_pair_key(test), test.correct, rate[test.skill], 0.85), fit_s
    if name == "streak":
        model = StreakModel()
        streak = streak_before(_pair_key(test), test.correct)
        capped = np.minimum(streak, model.n)
        return (capped + 1) / (model.n + 2), time.perf_counter() - t0
    if name in ("bkt", "bkt-forgets", "bkt-forgets-map"):
        extra = {}
        if name == "bkt-forgets-map":
            from adaptive.mastery.fit_check import DEFAULT_STRENGTH

            # no anchor given per skill: every skill is shrunk toward BKTParams()'s defaults
            extra = {"anchors": {}, "strength": DEFAULT_STRENGTH}
        fits = fit_skill_arrays(
            train.student, train.skill, train.correct, forgets=name != "bkt", seed=0,
            jobs=FIT_JOBS, **extra,
        )
        fit_s = time.perf_counter() - t0
        pred = np.full(len(test), global_rate)
        for skill, fit in fits.items():
            mask = test.skill == skill
            if mask.any():
                flat = FlatSequences(test.student[mask], test.correct[mask])
                pred[mask] = predict_one_step(fit.params, flat)
        return pred, fit_s
    raise ValueError(f"unknown model {name!r}")


def worker(name: str, data: Path, out: Path) -> None:
    """Run one of our models and print its cost as JSON (predictions go to ``out``)."""
    start = time.perf_counter()
    train, test = load_split(data)
    pred, fit_s = run_ours(name, train, test)
    np.save(out, pred)
    # the fit's worker processes count too (as for pyBKT's parallel fit)
    peak = max(resource.getrusage(who).ru_maxrss
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
    print(json.dumps({"fit_s": fit_s, "wall_s": time.perf_counter() - start, "peak_rss_mib": peak}))


# ------------------------------------------------------------------------------- main


def _metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    from adaptive.mastery import accuracy, auc, log_loss, rmse

    return {
        "auc": auc(y, p),
        "rmse": rmse(y, p),
        "accuracy": accuracy(y, p),
        "log_loss": log_loss(y, p),
    }


def run_one(name: str, data: Path, tmp: Path) -> dict:
    out = tmp / f"{name}.npy"
    if name in PYBKT:
        cmd = [str(PYBKT_PYTHON), str(HERE / "kt_pybkt_runner.py"), "--data", str(data)]
        cmd += ["--out", str(out)] + (["--forgets"] if name == "pybkt-forgets" else [])
    else:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name]
        cmd += ["--data", str(data), "--out", str(out)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        return {"model": name, "error": proc.stderr.strip().splitlines()[-1:]}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_s"] = wall
    result["model"] = name
    result["pred"] = np.load(out)
    return result


def markdown(rows: list[dict], n_test: int) -> str:
    by = {r["model"]: r for r in rows}
    head = (
        "| model | AUC | RMSE | acc | log loss | fit s | fit ÷ pyBKT same variant "
        "| process s | peak RSS MiB |\n|---|---|---|---|---|---|---|---|---|"
    )
    lines = [head]
    for r in rows:
        if "error" in r:
            lines.append(f"| {LABELS[r['model']]} | failed: {' '.join(r['error'])} |||||||| ")
            continue
        ref = None
        if r["model"] in ("bkt", "pybkt"):
            ref = by.get("pybkt")
        elif r["model"] in ("bkt-forgets", "pybkt-forgets"):
            ref = by.get("pybkt-forgets")
        ratio = f"{r['fit_s'] / ref['fit_s']:.2f}" if ref and "fit_s" in ref else "–"
        lines.append(
            f"| {LABELS[r['model']]} | {r['auc']:.4f} | {r['rmse']:.4f} | {r['accuracy']:.3f} "
            f"| {r['log_loss']:.4f} | {r['fit_s']:.2f} | {ratio} | {r['process_s']:.2f} "
            f"| {r['peak_rss_mib']:.0f} |"
        )
    lines.append(f"\n{n_test:,} test answers.")
    return "\n".join(lines)


def resplit(data: Path, seeds: int, sample: float, models: list[str]) -> str:
    """Pool train+test, re-split by student 80/20 per seed; a markdown table of AUCs."""
    train, test = load_split(data)
    offset = int(train.student.max()) + 1
    pooled = Answers(np.concatenate([train.student, test.student + offset]),
                     np.concatenate([train.skill, test.skill]),
                     np.concatenate([train.correct, test.correct]))
    students = np.unique(pooled.student)
    aucs: dict[str, list[float]] = {m: [] for m in models}
    secs: dict[str, list[float]] = {m: [] for m in models}
    sizes = []
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        chosen = rng.permutation(students)[: max(2, int(round(sample * students.size)))]
        cut = int(round(0.8 * chosen.size))
        in_train = np.isin(pooled.student, chosen[:cut])
        in_test = np.isin(pooled.student, chosen[cut:])

        def part(mask: np.ndarray) -> Answers:
            return Answers(pooled.student[mask], pooled.skill[mask], pooled.correct[mask])

        tr, te = part(in_train), part(in_test)
        sizes.append((cut, chosen.size - cut, len(tr), len(te)))
        for name in models:
            t0 = time.perf_counter()
            pred, _ = run_ours(name, tr, te)
            secs[name].append(time.perf_counter() - t0)
            aucs[name].append(_metrics(te.correct, pred)["auc"])
            print(f"seed {seed} {name}: AUC {aucs[name][-1]:.4f}", file=sys.stderr, flush=True)
    lines = ["| model | " + " | ".join(f"seed {s}" for s in range(seeds))
             + " | mean | s per fit+predict |", "|---" * (seeds + 3) + "|"]
    best = max(models, key=lambda m: float(np.mean(aucs[m])))
    for name in models:
        mark = " **(best)**" if name == best else ""
        lines.append(f"| {LABELS[name]}{mark} | " + " | ".join(f"{a:.4f}" for a in aucs[name])
                     + f" | {np.mean(aucs[name]):.4f} | {np.mean(secs[name]):.1f} |")
    tr_s, te_s, tr_a, te_a = sizes[0]
    lines.append(f"\nPooled train+test, re-split 80/20 by student, seeds 0-{seeds - 1}, "
                 f"{sample:.0%} of the students ({tr_s:,} train / {te_s:,} test students, "
                 f"{tr_a:,} / {te_a:,} answers on seed 0). Recommended: {LABELS[best]}.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--models", nargs="+", default=None, choices=OURS + PYBKT)
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--resplit", type=int, default=0, metavar="N",
                        help="pool train+test and re-split by student with N seeds")
    parser.add_argument("--sample", type=float, default=1.0,
                        help="with --resplit: the share of students kept (shorter runs)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.data, args.out)
        return
    if args.resplit:
        print(resplit(args.data, args.resplit, args.sample, args.models or RESPLIT_MODELS))
        return
    models = args.models or (OURS + (PYBKT if PYBKT_PYTHON.exists() else []))
    _, test = load_split(args.data)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in models:
            result = run_one(name, args.data, Path(tmp))
            if "pred" in result:
                pred = result.pop("pred")
                if np.isnan(pred).any():  # pyBKT: skills it never saw
                    train, _ = load_split(args.data)
                    pred = np.where(np.isnan(pred), float(train.correct.mean()), pred)
                result.update(_metrics(test.correct, pred))
            rows.append(result)
            print(f"{name}: {json.dumps(result)}", file=sys.stderr, flush=True)
    print(markdown(rows, len(test)))
    if args.json:
        meta = {"cpu_count": os.cpu_count(), "load_avg": os.getloadavg(), "python": sys.version}
        args.json.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
