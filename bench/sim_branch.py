"""sim-branch-v1: simulated learners through fixed linear, 3-in-a-row and Branchwise's policy.

Protocol: shared guide §5 (K = 6 skills, >= 20 items each, guess 0.2 ± 0.05, slip 0.1 ± 0.05 per
item; 30 % experts / 50 % intermediates / 20 % novices knowing each skill with p = 0.95 / 0.5 /
0.05; learning rate T ~ Beta(2, 6) per learner after every answered item; a page teaches with
p = 0.3; practice cap 12). Every policy runs through the real engine (``adaptive.engine``) and
the real answer evaluation. Results: mean ± sd over seeds.

    .venv/bin/python bench/sim_branch.py                      # seeds 0-19, 2,000 learners
    .venv/bin/python bench/sim_branch.py --seeds 2 --learners 500 --jobs 2
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from statistics import median

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adaptive.simulation.learners import make_learners, slowest_quarter  # noqa: E402
from adaptive.simulation.runner import run_population, summarise  # noqa: E402
from adaptive.simulation.synthetic import synthetic_module  # noqa: E402

POLICIES = {"fixed": "linear", "3row": "streak", "branchwise": "adaptive"}
COLUMNS = [
    ("items_per_skill", "items/skill"),
    ("pages_per_skill", "pages/skill"),
    ("false_mastery", "false mastery"),
    ("false_mastery_slowest_q", "false mastery, slowest 25 %"),
    ("missed_mastery", "missed mastery"),
    ("expert_wasted", "expert wasted (items+pages on known skill)"),
    ("known_at_end", "known at end"),
    ("grade_mae", "grade MAE"),
    ("flagged_share", "flagged"),
    ("decision_ms_median", "decision ms median"),
    ("decision_ms_p99", "decision ms p99"),
    ("decision_ratio", "decision / baseline op (median)"),
]


def baseline_op_ns(repeat: int = 2000) -> float:
    """Median ns of a fixed reference operation: sorting 1,000 shuffled floats."""
    data = [random.Random(0).random() for _ in range(1000)]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter_ns()
        sorted(data)
        times.append(time.perf_counter_ns() - t0)
    return float(median(times))


def run_one(args: tuple[str, int, int, bool]) -> tuple[str, int, dict]:
    name, seed, n, timed = args
    rng = np.random.default_rng(seed)
    module, truth = synthetic_module(rng)
    learners = make_learners(n, [s.id for s in module.skills], rng)
    slow = slowest_quarter(learners)
    # The same learners (same hidden states) for every policy: the seed fixes them.
    outcomes = run_population(
        module,
        truth,
        learners,
        rng,
        policy=POLICIES[name],
        base_seed=seed * 1_000_000,
        time_decisions=timed,
    )
    summary = summarise(outcomes, slow)
    base = baseline_op_ns()
    summary["baseline_op_ms"] = base / 1e6
    summary["decision_ratio"] = summary["decision_ms_median"] / (base / 1e6)
    return name, seed, summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--learners", type=int, default=2000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--policies", default=",".join(POLICIES))
    ap.add_argument(
        "--timing-learners",
        type=int,
        default=500,
        help="decision time comes from a separate serial pass (seed 0, this many learners) in "
        "the main process, so parallel jobs do not inflate it",
    )
    ap.add_argument("--json", type=Path, help="also write all per-seed results here")
    args = ap.parse_args(argv)
    names = [p for p in args.policies.split(",") if p]
    tasks = [(name, seed, args.learners, False) for name in names for seed in range(args.seeds)]
    t0 = time.time()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(run_one, tasks))
    wall = time.time() - t0
    by_policy: dict[str, list[dict]] = {name: [] for name in names}
    for name, _seed, summary in results:
        by_policy[name].append(summary)
    timing_keys = ("decision_ms_median", "decision_ms_p99", "decision_ratio")
    for name in names:
        _, _, timed = run_one((name, 0, args.timing_learners, True))
        for row in by_policy[name]:
            for key in timing_keys:
                row[key] = timed[key]
    print(
        f"sim-branch-v1: {args.seeds} seeds x {args.learners} learners x 6 skills, "
        f"{wall:.0f} s wall, {args.jobs} jobs; decision times from a serial pass of "
        f"{args.timing_learners} learners"
    )
    print("| policy | " + " | ".join(label for _, label in COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 1) + "|")
    for name in names:
        rows = by_policy[name]
        cells = []
        for key, _ in COLUMNS:
            vals = np.array([r[key] for r in rows], dtype=float)
            digits = 4 if key.startswith("decision_ms") else 3
            cells.append(f"{vals.mean():.{digits}f}±{vals.std():.{digits}f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    if "fixed" in by_policy and "branchwise" in by_policy:
        fixed = {k: np.mean([r[k] for r in by_policy["fixed"]]) for k, _ in COLUMNS}
        ours = {k: np.mean([r[k] for r in by_policy["branchwise"]]) for k, _ in COLUMNS}
        print()
        checks = [
            (
                "experts' waste <= 40 % of fixed",
                ours["expert_wasted"] <= 0.4 * fixed["expert_wasted"],
                f"{ours['expert_wasted'] / fixed['expert_wasted']:.1%}",
            ),
            ("false mastery <= 2 %", ours["false_mastery"] <= 0.02, f"{ours['false_mastery']:.2%}"),
            (
                "false mastery slowest 25 % <= 4 %",
                ours["false_mastery_slowest_q"] <= 0.04,
                f"{ours['false_mastery_slowest_q']:.2%}",
            ),
            (
                "known at end >= fixed",
                ours["known_at_end"] >= fixed["known_at_end"],
                f"{ours['known_at_end']:.3f} vs {fixed['known_at_end']:.3f}",
            ),
            (
                "decision <= 1 ms (p99)",
                ours["decision_ms_p99"] <= 1.0,
                f"{ours['decision_ms_p99']:.3f} ms",
            ),
        ]
        for label, ok, value in checks:
            print(f"- {'PASS' if ok else 'FAIL'} {label}: {value}")
    if args.json:
        args.json.write_text(json.dumps({n: by_policy[n] for n in names}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
