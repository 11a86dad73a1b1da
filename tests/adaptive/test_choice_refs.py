"""Items whose explanations cite their choices by id ("Report (a), (b) and (e)") are shown
with those ids and, for single and multiple choice, in the author's order: the security
sample's solutions pointed at letters the learner never saw, on shuffled choices."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from adaptive.modules.choice_refs import cited_choice_ids, cites_choices, keeps_author_order
from adaptive.modules.format import ItemType
from adaptive.policy.base import ask
from adaptive.samples import load_sample


class _Ctx:
    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)


def test_the_security_samples_citations_are_found():
    module = load_sample("security-awareness")
    report = module.item("ir-1")  # "Report (a), (b), (c) and (e). (d) is an ordinary ..."
    assert cited_choice_ids(report) == {"a", "b", "c", "d", "e"}
    assert keeps_author_order(report)
    # "(1)" of an article number or a choice id the item does not have is not a citation
    plain = replace(report, solution="See GDPR Article 5(1)(z).", hints=(),
                    default_feedback="", answer_groups=tuple(
                        replace(g, feedback="") for g in report.answer_groups))
    assert not cites_choices(plain)
    fractions = load_sample("fractions")
    assert not any(keeps_author_order(i) for i in fractions.items)


def test_a_citing_item_keeps_the_authors_order_and_the_rng_stream():
    module = load_sample("security-awareness")
    citing = module.item("ir-1")
    quiet = next(i for i in module.items if i.type is ItemType.SINGLE_CHOICE
                 and i.shuffle and not cites_choices(i) and len(i.choices) > 3)
    orders = set()
    for seed in range(20):
        ctx, same = _Ctx(seed), _Ctx(seed)
        assert ask(ctx, citing, "incident-reporting", "practice").choice_order == tuple(
            c.id for c in citing.choices)
        # the citing item still drew its shuffle: the stream is where a shuffle leaves it
        same.rng.shuffle(list(range(len(citing.choices))))
        assert ctx.rng.random() == same.rng.random()
        orders.add(ask(_Ctx(seed), quiet, quiet.skills[0], "practice").choice_order)
    assert len(orders) > 1  # items that cite nothing are still shuffled


def test_an_ordering_item_keeps_its_shuffle_even_when_it_cites():
    module = load_sample("security-awareness")
    ordering = next(i for i in module.items if i.type is ItemType.ORDERING)
    cited = replace(ordering, solution="First (" + ordering.choices[0].id + ").")
    assert cites_choices(cited) and not keeps_author_order(cited)
    orders = {ask(_Ctx(seed), cited, cited.skills[0], "practice").choice_order
              for seed in range(20)}
    assert len(orders) > 1
