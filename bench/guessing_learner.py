"""A learner who knows nothing and guesses, through every sample module (issue 12, item 3).

Goal: awarded no skill in >= 97 % of runs of each sample module. The learner picks a uniformly
random answer on choice items and answers typed items wrong; it never learns
(``adaptive.simulation.guessing``). The synthetic sim-branch module (six skills, twenty
four-choice items each) is reported as well, for comparison: there every item can be guessed.
So are quizzes as a teacher imports them from Moodle (GIFT: three skills of eight questions,
true/false and 3-, 4- and 5-choice; ``adaptive.simulation.quizzes``), under the importer's
defaults: the samples were written for the goal, these were not. Each row also gives the
guessers' mean grade (issue 12 item 1: at most 10 %).

    .venv/bin/python bench/guessing_learner.py               # 1,000 runs per module
    .venv/bin/python bench/guessing_learner.py --runs 200
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adaptive.samples import load_sample, sample_ids  # noqa: E402
from adaptive.simulation.guessing import guesser_summary  # noqa: E402
from adaptive.simulation.quizzes import imported_quiz  # noqa: E402
from adaptive.simulation.synthetic import synthetic_module  # noqa: E402

GOAL = 0.97


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000)
    args = ap.parse_args(argv)
    modules = [(sid, load_sample(sid), True) for sid in sample_ids()]
    modules.append(("synthetic (sim-branch, all 4-choice)",
                    synthetic_module(np.random.default_rng(0))[0], False))
    names = {2: "true/false", 3: "3-choice", 4: "4-choice", 5: "5-choice"}
    modules += [(f"imported GIFT quiz, {names[c]}", imported_quiz(c), False) for c in names]
    print(f"guessing learner: {args.runs} runs per module")
    print("| module | runs with no skill awarded | skills awarded (total over runs) | "
          "mean grade | goal (no skill) |")
    print("|---|---|---|---|---|")
    failed = False
    for name, module, goal in modules:
        t0 = time.time()
        summary = guesser_summary(module, args.runs)
        share = summary.no_skill
        awarded = ", ".join(f"{k} {v}" for k, v in summary.per_skill.items() if v) or "none"
        verdict = ("PASS" if share >= GOAL else "FAIL") if goal else "(not a goal)"
        failed |= goal and share < GOAL
        print(f"| {name} | {share:.1%} | {awarded} | {summary.mean_score:.1%} | "
              f">= {GOAL:.0%}: {verdict} ({time.time() - t0:.0f} s) |")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
