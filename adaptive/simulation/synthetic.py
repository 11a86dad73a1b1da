"""A synthetic module for simulations: K skills, one lesson each, a pool of single-choice items.

The hidden item parameters (guess, slip) are returned next to the module, not inside it: the
policies never see them.
"""

from __future__ import annotations

import numpy as np

from adaptive.modules.format import (
    AnswerGroup,
    Choice,
    Destination,
    Item,
    ItemType,
    Match,
    Module,
    Page,
    Skill,
)

ItemTruth = dict[str, tuple[float, float]]  # item id -> (guess, slip)


def synthetic_module(
    rng: np.random.Generator,
    *,
    skills: int = 6,
    items_per_skill: int = 20,
    diagnostic_per_skill: int = 4,
    chain: bool = False,
    remediation: bool = False,
    module_id: str = "synthetic",
    guess: float = 0.2,
    slip: float = 0.1,
    spread: float = 0.05,
    difficulty_effect: float = 0.0,
) -> tuple[Module, ItemTruth]:
    """Build the sim-branch-v1 module (guess ~ 0.2 ± 0.05, slip ~ 0.1 ± 0.05 per item).

    The held-out learner models of issue 12 change the hidden truth only (the module the
    engine sees is the same): ``guess``/``slip`` move the centres, and ``difficulty_effect``
    e makes them follow the item's difficulty d in [-1.5, 1.5]: guess − e·0.1·d/1.5 and
    slip + e·0.1·d/1.5 (hard items are guessed less and slipped on more; the diagnostic
    items are the hardest).

    ``chain`` makes skill k a prerequisite of skill k+1 (the v2 DAG in its simplest form);
    ``remediation`` adds a remediation page per skill that wrong choice "b" points to.
    Difficulties are spread evenly over [-1.5, 1.5]; the hardest ``diagnostic_per_skill`` items
    of each skill are flagged diagnostic.
    """
    skill_objs, pages, items = [], [], []
    truth: ItemTruth = {}
    choices = tuple(Choice(c, f"Option {c.upper()}") for c in "abcd")
    for k in range(1, skills + 1):
        sid = f"s{k}"
        pre = (f"s{k - 1}",) if chain and k > 1 else ()
        skill_objs.append(
            Skill(id=sid, title=f"Skill {k}", prerequisites=pre, lesson=f"{sid}-lesson")
        )
        pages.append(Page(id=f"{sid}-lesson", title=f"Lesson {k}", body="…", skill=sid))
        wrong_dest = Destination()
        if remediation:
            pages.append(
                Page(id=f"{sid}-fix", title=f"Fix {k}", body="…", skill=sid, kind="remediation")
            )
            wrong_dest = Destination("page", f"{sid}-fix")
        diffs = np.linspace(-1.5, 1.5, items_per_skill)
        for j in range(items_per_skill):
            iid = f"{sid}-i{j + 1:02d}"
            items.append(
                Item(
                    id=iid,
                    type=ItemType.SINGLE_CHOICE,
                    skills=(sid,),
                    prompt="?",
                    choices=choices,
                    answer_groups=(
                        AnswerGroup(Match(choice="a"), correct=True),
                        AnswerGroup(Match(choice="b"), correct=False, destination=wrong_dest),
                    ),
                    difficulty=float(diffs[j]),
                    diagnostic=j >= items_per_skill - diagnostic_per_skill,
                )
            )
            shift = difficulty_effect * 0.1 * float(diffs[j]) / 1.5
            g = guess + float(rng.uniform(-spread, spread)) - shift
            s_ = slip + float(rng.uniform(-spread, spread)) + shift
            truth[iid] = (min(0.95, max(0.0, g)), min(0.95, max(0.0, s_)))
    module = Module(
        id=module_id,
        title="Synthetic",
        skills=tuple(skill_objs),
        pages=tuple(pages),
        items=tuple(items),
    )
    return module, truth
