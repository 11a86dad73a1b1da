"""Goals in the simulated-learner benchmark: items to reach mastery of a goal vs the module.

The same simulated learners (sim-branch-v1's population mix: 30 % experts / 50 % intermediates
/ 20 % novices, learning rate Beta(2, 6), a page teaches with p = 0.3; every item's guess 0.2 and
slip 0.1) take the security-awareness sample once per goal and once for the whole module,
through the real engine with Branchwise's policy. Per run: items answered until the activity
finishes (median and mean), the share of learners who ended with every target skill of the goal
passed, false mastery on those skills (passed while not truly known), and the items relative to
the whole module. Learners are redrawn from the same seed for every run, so every goal sees the
same people.

    .venv/bin/python bench/goals_bench.py                    # 400 learners, seed 0
    .venv/bin/python bench/goals_bench.py --learners 1000 --seed 3 --json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from statistics import mean, median

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adaptive.engine import ActivitySettings  # noqa: E402
from adaptive.goals import goal_targets  # noqa: E402
from adaptive.modules.format import Module  # noqa: E402
from adaptive.samples import load_sample  # noqa: E402
from adaptive.simulation.learners import make_learners  # noqa: E402
from adaptive.simulation.runner import run_population  # noqa: E402

WHOLE = "(whole module)"


def measure(module: Module, learners: int = 400, seed: int = 0) -> dict[str, dict[str, float]]:
    """One row per goal (and ``WHOLE``): items to finish, goal reached, false mastery."""
    rows: dict[str, dict[str, float]] = {}
    for goal in [None, *(g.id for g in module.goals)]:
        rng = np.random.default_rng(seed)
        people = make_learners(learners, [s.id for s in module.skills], rng)
        settings = ActivitySettings.from_module(module, goal=goal)
        outcomes = run_population(module, {}, people, rng, policy="adaptive",
                                  base_seed=seed * 100_000, settings=settings)
        targets = goal_targets(module, goal)
        items = [sum(so.items for so in o.skills.values()) for o in outcomes]
        awarded = [o.skills[t] for o in outcomes for t in targets if o.skills[t].awarded]
        rows[goal or WHOLE] = {
            "targets": len(targets),
            "items_median": float(median(items)),
            "items_mean": float(mean(items)),
            "goal_reached": mean(all(o.skills[t].awarded for t in targets) for o in outcomes),
            "false_mastery": (sum(not so.known_at_award for so in awarded) / len(awarded)
                              if awarded else 0.0),
        }
    whole = rows[WHOLE]["items_mean"]
    for row in rows.values():
        row["items_vs_whole"] = row["items_mean"] / whole if whole else 0.0
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--module", default="security-awareness", help="a sample module id")
    parser.add_argument("--learners", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = measure(load_sample(args.module), args.learners, args.seed)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{args.module}: {args.learners} simulated learners, seed {args.seed}\n")
    print("| goal | target skills | items median | items mean | vs whole module "
          "| goal reached | false mastery |")
    print("|---|---|---|---|---|---|---|")
    for name, r in rows.items():
        print(f"| {name} | {r['targets']:.0f} | {r['items_median']:.0f} | {r['items_mean']:.1f} "
              f"| {r['items_vs_whole']:.2f} | {100 * r['goal_reached']:.1f} % "
              f"| {100 * r['false_mastery']:.1f} % |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
