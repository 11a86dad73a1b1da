"""Planted-flaw benchmark for the restructuring suggestions (issue 17 item 4).

A synthetic module (6 skills × 20 single-choice items, a lesson each) gets five planted
flaws; simulated classes (``adaptive.simulation.classroom``) go through it with the real
engine; ``adaptive.analytics.restructuring.suggest_restructuring`` reads their log. A
planted flaw is *found* when a suggestion has its kind and target; a suggestion is *false*
when it matches no planted flaw (the rest of the module is sound by construction).

    .venv/bin/python bench/planted_flaws.py --seeds 10 --sizes 30 300

Goal: at least 90 % of planted flaws found and at most 10 % of suggestions false, at class
sizes 30 and 300.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adaptive.analytics.restructuring import suggest_restructuring  # noqa: E402
from adaptive.simulation.classroom import (  # noqa: E402
    PLANTED,
    planted_flaw_module,
    simulate_class,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--sizes", type=int, nargs="+", default=[30, 300])
    args = parser.parse_args(argv)
    print("| class size | classes | planted flaws found | suggestions false | "
          "missed (kind: times) | false (kind: times) | s per class |")
    print("|---|---|---|---|---|---|---|")
    ok = True
    for size in args.sizes:
        hits = total = false = 0
        missed: dict[str, int] = {}
        wrong: dict[str, int] = {}
        t0 = time.perf_counter()
        for seed in range(args.seeds):
            module, truth = planted_flaw_module(seed)
            log = simulate_class(module, truth, size, np.random.default_rng(1000 + seed))
            found = suggest_restructuring(module, log.answers, log.pages, log.states)
            keys = {(r.kind, r.target) for r in found}
            for p in PLANTED:
                if p in keys:
                    hits += 1
                else:
                    missed[p[0]] = missed.get(p[0], 0) + 1
            for r in found:
                if (r.kind, r.target) not in PLANTED:
                    false += 1
                    wrong[r.kind] = wrong.get(r.kind, 0) + 1
            total += len(found)
        secs = (time.perf_counter() - t0) / args.seeds
        recall = hits / (len(PLANTED) * args.seeds)
        false_share = false / total if total else 0.0
        ok &= recall >= 0.9 and false_share <= 0.1
        fmt = ", ".join(f"{k}: {v}" for k, v in sorted(missed.items())) or "–"
        fmt_w = ", ".join(f"{k}: {v}" for k, v in sorted(wrong.items())) or "–"
        print(f"| {size} | {args.seeds} | {100 * recall:.0f} % ({hits}/"
              f"{len(PLANTED) * args.seeds}) | {100 * false_share:.0f} % ({false}/{total}) | "
              f"{fmt} | {fmt_w} | {secs:.2f} |")
    print("goal met" if ok else "goal MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
