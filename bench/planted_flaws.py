"""Planted-flaw benchmark for the restructuring suggestions (issue 17 item 4).

A synthetic module (5 skills × 20 single-choice items, a lesson each) gets five planted
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
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adaptive.analytics.restructuring import suggest_restructuring  # noqa: E402
from adaptive.modules.format import AnswerGroup, Match, Module  # noqa: E402
from adaptive.simulation.classroom import ClassTruth, ItemBehaviour, simulate_class  # noqa: E402
from adaptive.simulation.synthetic import synthetic_module  # noqa: E402

#: (kind, target) of every planted flaw.
PLANTED = (
    ("mis_keyed", "s1-i20"),  # knowers pick "c", the key says "a"
    ("non_discriminating", "s4-i20"),  # right half the time whatever one knows
    ("add_prerequisite", "s4>s2"),  # s2 really needs s4, the module lacks the edge
    ("remove_prerequisite", "s3>s5"),  # the module says s5 needs s3; it does not
    ("useless_lesson", "s3-lesson"),  # teaches nobody
)


def flawed_module(seed: int = 0) -> tuple[Module, ClassTruth]:
    """The synthetic module with the flaws above, and the truth the learners follow."""
    module, guess_slip = synthetic_module(np.random.default_rng(seed), skills=5,
                                          items_per_skill=20, module_id="planted")
    skills = tuple(replace(s, prerequisites=("s3",)) if s.id == "s5" else s
                   for s in module.skills)
    items = []
    for item in module.items:
        if item.id == "s1-i20":  # a wrong group for "c" as well, so the log shows the choice
            item = replace(item, answer_groups=item.answer_groups + (
                AnswerGroup(Match(choice="c"), correct=False),))
        items.append(item)
    module = replace(module, skills=skills, items=tuple(items))
    behaviour = {iid: ItemBehaviour(guess=g, slip=s) for iid, (g, s) in guess_slip.items()}
    behaviour["s1-i20"] = replace(behaviour["s1-i20"], knower_choice="c")
    behaviour["s4-i20"] = replace(behaviour["s4-i20"], flat=0.5)
    truth = ClassTruth(items=behaviour, prerequisites={"s2": ("s4",)},
                       page_learn={"s3-lesson": 0.0})
    return module, truth


def run(size: int, seed: int) -> tuple[int, int, int, list[str]]:
    """(planted found, suggestions, false suggestions, the false ones) for one class."""
    module, truth = flawed_module(seed)
    log = simulate_class(module, truth, size, np.random.default_rng(1000 + seed))
    found = suggest_restructuring(module, log.answers, log.pages, log.states)
    keys = {(r.kind, r.target) for r in found}
    hits = sum(1 for p in PLANTED if p in keys)
    false = [f"{r.kind}:{r.target}" for r in found if (r.kind, r.target) not in PLANTED]
    return hits, len(found), len(false), false


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
            module, truth = flawed_module(seed)
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
