"""The size-aware restructuring rules (issue 17 item 4, fourth session): each finds its
planted flaw in a simulated class and stays quiet on the same class with nothing planted
(``bench.planted_flaws._null_truth``: the module's prerequisites real, every item and lesson
sound). Seeds are from the benchmark's tuning range (100-119), never its report range."""

from __future__ import annotations

import numpy as np
import pytest

from adaptive.analytics.first_answers import first_splits, flat_first_items
from adaptive.analytics.restructuring import prob_rate_exceeds, suggest_restructuring
from adaptive.simulation.classroom import planted_flaw_module, simulate_class
from bench.planted_flaws import _null_truth


def _suggestions(seed: int, size: int, *, planted: bool):
    module, truth = planted_flaw_module(seed)
    if not planted:
        truth = _null_truth(module, truth)
    log = simulate_class(module, truth, size, np.random.default_rng(1000 + seed))
    return {(r.kind, r.target): r for r in suggest_restructuring(
        module, log.answers, log.pages, log.states)}


# ---- the posterior of a rate gap (the missing-prerequisite rule's confidence)

@pytest.mark.parametrize(("k1", "n1", "k0", "n0", "floor", "margin"), [
    (4, 4, 0, 2, 0.2, 0.2), (13, 18, 0, 3, 0.2, 0.2), (5, 10, 5, 10, 0.0, 0.0),
    (7, 12, 3, 9, 0.5, 0.1)])
def test_the_rate_gap_posterior_matches_sampling_both_betas(k1, n1, k0, n0, floor, margin):
    rng = np.random.default_rng(0)
    t1 = rng.beta(k1 + 1, n1 - k1 + 1, 400_000)
    t0 = rng.beta(k0 + 1, n0 - k0 + 1, 400_000)
    sampled = float(np.mean(t1 > np.maximum(t0, floor) + margin))
    assert prob_rate_exceeds(k1, n1, k0, n0, floor=floor, margin=margin) == pytest.approx(
        sampled, abs=0.01)


@pytest.mark.parametrize(("k1", "n1", "k0", "n0", "k2", "n2", "floor", "margin"), [
    (9, 12, 1, 6, 4, 10, 0.2, 0.1), (5, 6, 0, 3, 5, 8, 0.0, 0.0),
    (13, 18, 2, 9, 1, 12, 0.3, 0.2)])
def test_the_three_rate_posterior_matches_sampling(k1, n1, k0, n0, k2, n2, floor, margin):
    # ``also``: stuck without A must beat both the learners with A and the same learners'
    # rate on other skills; the grid's max-of-two CDF must agree with sampling all three.
    rng = np.random.default_rng(1)
    t1 = rng.beta(k1 + 1, n1 - k1 + 1, 400_000)
    t0 = rng.beta(k0 + 1, n0 - k0 + 1, 400_000)
    t2 = rng.beta(k2 + 1, n2 - k2 + 1, 400_000)
    sampled = float(np.mean(t1 > np.maximum(np.maximum(t0, t2), floor) + margin))
    got = prob_rate_exceeds(k1, n1, k0, n0, floor=floor, margin=margin, also=(k2, n2))
    assert got == pytest.approx(sampled, abs=0.01)
    # a third rate to beat can only lower the probability
    assert got <= prob_rate_exceeds(k1, n1, k0, n0, floor=floor, margin=margin) + 1e-12


def test_a_handful_of_learners_is_not_certain_and_many_are():
    # 4 of 4 stuck without A, 0 of 2 with A: a normal test on the point estimates has no
    # spread to work with and said 1.0; the posterior says how little four learners show.
    assert prob_rate_exceeds(4, 4, 0, 2, floor=0.2, margin=0.2) < 0.95
    assert prob_rate_exceeds(40, 40, 0, 20, floor=0.2, margin=0.2) > 0.999


def _prerequisite_rates() -> tuple[int, int, int]:
    """Over the 20 tuning classes of 30 (seeds 100-119): classes where the planted missing
    prerequisite s4 > s2 is found at confidence >= 0.8, and, on the same classes with nothing
    planted, classes with an invented "add prerequisite" and with the real s3 > s5 suggested
    for removal."""
    found = invented = removed = 0
    for seed in range(100, 120):
        planted = _suggestions(seed, 30, planted=True)
        clean = _suggestions(seed, 30, planted=False)
        hit = planted.get(("add_prerequisite", "s4>s2"))
        found += hit is not None and hit.confidence >= 0.8 and hit.edit == {
            "op": "add_prerequisite", "skill": "s2", "prerequisite": "s4"}
        invented += any(k[0] == "add_prerequisite" for k in clean)
        removed += ("remove_prerequisite", "s3>s5") in clean
    return found, invented, removed


def test_prerequisite_rules_at_30_find_the_missing_edge_and_keep_the_real_one():
    """One class of 30 is one draw; these are rates over 20. Measured 2026-12-02: found 16,
    invented 2, real edge removed 1 (with the diagnostic that counted no learning: 19, 0, 2).
    Until then this was three single-class tests (seeds 106 and 116), which the engine's
    change of paths turned over while the rates stayed where they were."""
    found, invented, removed = _prerequisite_rates()
    assert found >= 15
    assert invented <= 2
    # Without the first-answer check class 116 got "remove s3 > s5" at 0.999: learners who
    # had to learn s3 then passed s5's diagnostic by learning during it, and their first
    # answers on s5 were right about as often as guessing explains.
    assert removed <= 2


# ---- the first-answer split (non-discriminating items in small classes)

def _answers(flat: str | None, rng: np.random.Generator, learners: int = 30):
    """Six skills, each starting with item "<skill>-first"; a learner who knows the skill
    answers right with 0.9, one who does not with 0.2; a ``flat`` first item is right with
    0.5 whatever the learner knows. Three more answers per skill follow."""
    out = []
    for k in range(learners):
        for s in range(1, 7):
            sid = f"s{s}"
            knows = rng.random() < 0.5
            p = 0.9 if knows else 0.2
            first = 0.5 if f"{sid}-first" == flat else p
            out.append((f"L{k}", sid, f"{sid}-first", bool(rng.random() < first)))
            out += [(f"L{k}", sid, f"{sid}-i{j}", bool(rng.random() < p)) for j in range(3)]
    return out


def test_the_first_answer_split_finds_a_flat_first_item():
    hits = 0
    for seed in range(5):
        splits = first_splits(_answers("s4-first", np.random.default_rng(seed)))
        assert len(splits) == 6
        found = {f.split.item_id: f for f in flat_first_items(splits, min_spread=0.12)
                 if f.confidence >= 0.8}
        assert set(found) <= {"s4-first"}
        if found:
            hits += 1
            flat = found["s4-first"]
            assert flat.tested == 6 and flat.split.gap <= 0.15 < flat.typical_gap
    # 30 learners: the flat item's gap is noisy too (in one of these five classes it is
    # 0.32 by chance, like a sound item's)
    assert hits >= 4


def test_the_first_answer_split_flags_no_sound_item():
    for seed in range(5):
        splits = first_splits(_answers(None, np.random.default_rng(seed)))
        assert all(f.confidence < 0.8 for f in flat_first_items(splits, min_spread=0.12))


def test_items_known_flawed_are_neither_judged_nor_a_reference():
    splits = first_splits(_answers("s4-first", np.random.default_rng(0)))
    found = flat_first_items(splits, exclude={"s4-first"}, min_spread=0.12, max_gap=1.0)
    assert sorted(f.split.item_id for f in found) == [
        f"s{s}-first" for s in (1, 2, 3, 5, 6)]
    assert all(f.tested == 5 and f.confidence < 0.8 for f in found)
    # with it as a reference, the typical gap would be lower
    with_it = {f.split.item_id: f for f in flat_first_items(splits, max_gap=1.0)}
    assert all(with_it[f.split.item_id].typical_gap <= f.typical_gap for f in found)


def test_a_class_of_30_finds_the_flat_item_in_readable_words():
    found = _suggestions(104, 30, planted=True)
    r = found[("non_discriminating", "s6-i20")]
    assert r.confidence >= 0.8
    assert "as their first answer on the skill" in r.evidence
    assert "does not tell who knows the skill" in r.evidence
    assert r.numbers["right_first"] >= 5 and r.numbers["wrong_first"] >= 5
    assert "Rewrite or replace" in r.change
    clean = _suggestions(104, 30, planted=False)
    assert not [k for k in clean if k[0] == "non_discriminating"]


# ---- the spurious-prerequisite rule's first-answer check

def test_a_spurious_prerequisite_is_found_at_30():
    r = _suggestions(101, 30, planted=True)[("remove_prerequisite", "s3>s5")]
    assert r.confidence >= 0.8
    assert r.numbers["lacked_first_right"] / r.numbers["lacked_first"] > r.numbers["chance"]
    assert "got their first question on" in r.evidence


# ---- the useless-lesson rule: spread between lessons and the number of lessons tested

def test_the_useless_lesson_is_found_and_a_sound_one_is_not_at_300():
    found = _suggestions(100, 300, planted=True)
    assert found[("useless_lesson", "s3-lesson")].confidence >= 0.8
    # s5's lesson looked useless at 0.99 when sound lessons were assumed to differ only by
    # sampling noise and only one lesson was tested
    assert ("useless_lesson", "s5-lesson") not in found
