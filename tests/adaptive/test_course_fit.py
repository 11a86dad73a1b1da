"""The course-fit recipe shared by the tool and the simulated courses (issue 12, item 5):
a course's answers give per-skill parameters, judged before the engine may use them, and
the simulated course runs the engine on them as the tool does."""

from __future__ import annotations

import numpy as np
import pytest

from adaptive.engine import make_model
from adaptive.mastery import simulate_bkt
from adaptive.mastery.course_fit import accepted_params, fit_course
from adaptive.modules.format import BKTParams
from adaptive.simulation.learners import SimLearner
from adaptive.simulation.runner import run_population
from adaptive.simulation.scenarios import SCENARIOS

TRUE = BKTParams(prior=0.4, learn=0.2, guess=0.3, slip=0.15, forget=0.0)
ANCHOR = BKTParams(prior=0.5, learn=0.2, guess=0.2, slip=0.1, forget=0.0)


def _arrays(sequences: list[np.ndarray], skill: str, offset: int = 0):
    learner, skills, correct = [], [], []
    for n, seq in enumerate(sequences):
        learner += [offset + n] * len(seq)
        skills += [skill] * len(seq)
        correct += [int(x) for x in seq]
    return learner, skills, correct


def test_a_course_with_enough_answers_gets_its_own_guess_and_slip() -> None:
    rng = np.random.default_rng(3)
    learner, skill, correct = _arrays(simulate_bkt(TRUE, 400, 8, rng), "s1")
    fits = fit_course(learner, skill, correct, anchors={"s1": ANCHOR}, threshold=0.95)
    assert fits["s1"].verdict.accepted, fits["s1"].verdict.reasons
    fitted = accepted_params(fits)["s1"]
    # Closer to the truth than to the module's parameters it was shrunk toward.
    assert abs(fitted.guess - TRUE.guess) < abs(fitted.guess - ANCHOR.guess)
    assert abs(fitted.slip - TRUE.slip) < abs(fitted.slip - ANCHOR.slip)


def test_a_skill_with_too_few_learners_keeps_the_module_parameters() -> None:
    rng = np.random.default_rng(4)
    big = _arrays(simulate_bkt(TRUE, 300, 8, rng), "s1")
    small = _arrays(simulate_bkt(TRUE, 5, 8, rng), "s2", offset=1000)
    learner, skill, correct = (a + b for a, b in zip(big, small, strict=True))
    fits = fit_course(learner, skill, correct, anchors={"s1": ANCHOR, "s2": ANCHOR},
                      threshold=0.95)
    assert not fits["s2"].verdict.accepted
    assert "Not enough data" in " ".join(fits["s2"].verdict.reasons)
    assert set(accepted_params(fits)) == {"s1"}


def test_no_answers_no_fits() -> None:
    assert fit_course([], [], [], anchors={}, threshold=0.95) == {}


def test_the_simulated_course_logs_answers_and_runs_on_the_fitted_parameters() -> None:
    module, truth, learners = SCENARIOS["default"].build(np.random.default_rng(0), 80)
    rng = np.random.default_rng(1)
    outcomes = run_population(module, truth, learners[:40], rng, policy="adaptive")
    for o in outcomes:
        assert len(o.answers) == sum(so.items for so in o.skills.values())
        assert {sid for sid, _ in o.answers} <= {s.id for s in module.skills}
    # The same learners again, once on the module's parameters and once on a "fit" that says
    # a right answer is nearly a coin toss: the engine must ask experts for more evidence.
    rest = learners[40:]
    experts = [lr for lr in rest if lr.population == "expert"]
    assert experts

    def items(bkt_params):
        copies = [SimLearner(lr.id, lr.population, lr.learn_rate, dict(lr.known),
                             page_learn=lr.page_learn) for lr in experts]
        outs = run_population(module, truth, copies, np.random.default_rng(2),
                              policy="adaptive", base_seed=500, bkt_params=bkt_params)
        return sum(so.items for o in outs for so in o.skills.values())

    model = make_model(module)
    noisy = {sid: BKTParams(prior=p.prior, learn=p.learn, guess=0.45, slip=0.3,
                            forget=p.forget) for sid, p in model.params.items()}
    assert items(noisy) > items(None) * 1.3


def test_fitted_parameters_change_nothing_for_unknown_skills() -> None:
    module, truth, learners = SCENARIOS["default"].build(np.random.default_rng(0), 5)
    junk = {"no-such-skill": BKTParams(prior=0.9, learn=0.5, guess=0.4, slip=0.4)}
    a = run_population(module, truth, learners, np.random.default_rng(1), policy="adaptive")
    _, _, again = SCENARIOS["default"].build(np.random.default_rng(0), 5)
    b = run_population(module, truth, again, np.random.default_rng(1), policy="adaptive",
                       bkt_params=junk)
    assert [o.answers for o in a] == [o.answers for o in b]
    assert [o.grade for o in a] == pytest.approx([o.grade for o in b])
