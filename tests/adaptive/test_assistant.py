"""The assistant's pure core: passages, the no-answer policy, retrieval and replies."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from adaptive.assistant import (
    Index,
    LearnerView,
    Mode,
    leaks,
    parse_mode,
    passages_of,
    redact,
    respond,
    secrets_of,
    visible,
)
from adaptive.assistant.policy import Secrets
from adaptive.assistant.text import plain, sentences, tokens
from adaptive.samples import load_sample, sample_ids
from bench.assistant_leakcheck import answer_strings, inject, is_leak

ROOT = Path(__file__).resolve().parents[2]
PROMPTS = yaml.safe_load((ROOT / "bench/assistant_questions/adversarial.yaml").read_text())[
    "prompts"]


@pytest.fixture(scope="module")
def fractions():
    module = load_sample("fractions")
    return module, Index(passages_of(module))


def _everything_but(module, item_id, hints=None):
    item = module.item(item_id)
    return LearnerView(current_item=item_id,
                       hints_unlocked=len(item.hints) if hints is None else hints,
                       answered=frozenset(i.id for i in module.items if i.id != item_id))


def test_plain_text_reads_math_and_joins_wrapped_lines():
    text = plain("Two fractions are **equal**\nwhen $\\frac{2 \\times 4}{3 \\times 4}$ = 8/12.\n\n"
                 "1. First step.\n2. Second.")
    assert text.splitlines() == ["Two fractions are equal when (2 × 4)/(3 × 4) = 8/12.",
                                 "1. First step.", "2. Second."]
    assert sentences("A is one. B is two.\n1. Step one.") == ["A is one.", "B is two.",
                                                              "1. Step one."]
    assert tokens("Las FRACCIONES equivalentes") == ["fraccion", "equivalent"]
    assert plain("mean < median and mean > mode") == "mean < median and mean > mode"


def test_plain_text_reads_tables_and_sub_and_superscripts():
    # A quote of the statistics lesson printed "| average | how | remember | |---|---|---|"
    # and "Q_1" (seen asking the demo's assistant, twelfth session).
    table = ("| average | how | remember |\n|---|:---:|---|\n"
             "| mean | add up, divide by how many | the fair share |\n"
             "| median | sort first, take the middle | |\n\nAfter it.")
    assert plain(table).splitlines() == [
        "mean (how: add up, divide by how many; remember: the fair share)",
        "median (how: sort first, take the middle)", "After it."]
    assert plain(r"IQR = $Q_3 - Q_1$, $26^{10} \div 26^8$, $x_{ij}$, \$5") == (
        "IQR = Q₃ - Q₁, 26¹⁰ ÷ 26⁸, x_(ij), $5")
    assert plain("a | b without a rule line") == "a | b without a rule line"
    assert plain("Averages:\n- Median: the middle\n* Mode: most often") == (
        "Averages:\n• Median: the middle\n• Mode: most often")
    # the answer check still reads a subscript as the number it is
    secrets = Secrets(ranges=((1.0, 1.0),))
    assert leaks("Q₁ is the lower quartile.", secrets)
    assert not leaks("Q₃ is the upper quartile.", secrets)


def test_plain_text_reads_each_latex_command_whole():
    """"\\left(" was read "≤ft(" (the "\\le" inside it replaced as text)."""
    assert plain(r"$\left(\frac{1}{2}\right) \leq 1$, $x \to 0$") == "(1/2) ≤ 1, x → 0"


def test_a_number_grouped_in_thousands_is_read_as_one_number():
    """Spanish and French write 17 576 (and the numbers drawn for item variants are written
    so there): the answer check must see 17576 in it, not only 17 and 576."""
    secrets = Secrets(ranges=((17576.0, 17576.0),))
    for text in ("son 17\u202f576 veces más", "$26^3 = 17\\,576$", "soit 17 576 fois",
                 "12\u00a0000,5 ou 17 576"):
        assert leaks(text, secrets), text
    assert not leaks("17 577 et 576", secrets)
    assert leaks("il y en a 12 000,5", Secrets(ranges=((12000.5, 12000.5),)))


def test_every_source_of_the_module_is_a_passage(fractions):
    module, index = fractions
    ids = {p.id for p in index.passages}
    assert {f"page:{p.id}" for p in module.pages} <= ids
    assert {f"glossary:{s.id}" for s in module.skills} <= ids
    item = module.item("eq-2")
    assert {"hint:eq-2:0", "hint:eq-2:1", "solution:eq-2"} <= ids
    assert {f"feedback:eq-2:{g}" for g, grp in enumerate(item.answer_groups) if grp.feedback} <= ids
    assert len(ids) == len(index.passages)  # unique


def test_visibility_follows_the_hint_ladder_and_what_was_answered(fractions):
    module, index = fractions
    by_id = {p.id: p for p in index.passages}
    view = LearnerView(current_item="eq-2", hints_unlocked=1, answered=frozenset({"eq-1"}))
    assert visible(by_id["hint:eq-2:0"], view) and not visible(by_id["hint:eq-2:1"], view)
    assert not visible(by_id["solution:eq-2"], view)  # the item being answered
    assert not visible(by_id["feedback:eq-2:0"], view)
    assert visible(by_id["solution:eq-1"], view) and visible(by_id["hint:eq-1:0"], view)
    assert not visible(by_id["solution:eq-3"], view) and not visible(by_id["hint:eq-3:0"], view)
    assert visible(by_id["page:equivalent-intro"], view)
    # A previously answered item that comes back is still the item being answered.
    again = LearnerView(current_item="eq-1", hints_unlocked=0, answered=frozenset({"eq-1"}))
    assert not visible(by_id["solution:eq-1"], again) and not visible(by_id["hint:eq-1:0"], again)
    hints_only = LearnerView("eq-2", 1, frozenset({"eq-1"}), Mode.HINTS)
    assert visible(by_id["hint:eq-2:0"], hints_only) and visible(by_id["hint:eq-1:0"], hints_only)
    assert not visible(by_id["page:equivalent-intro"], hints_only)
    assert not visible(by_id["solution:eq-1"], hints_only)
    off = LearnerView("eq-2", 1, frozenset({"eq-1"}), Mode.OFF)
    assert not any(visible(p, off) for p in index.passages)
    assert parse_mode("Hints") is Mode.HINTS and parse_mode("nonsense") is Mode.FULL


def test_secrets_cover_every_kind_of_answer():
    module = load_sample("fractions")
    eq2 = secrets_of(module.item("eq-2"))  # numeric 15
    assert leaks("so it is 15", eq2) and leaks("3/4 = 15/20", eq2) and not leaks("150 or 1.5", eq2)
    eq1 = secrets_of(module.item("eq-1"))  # single choice a: 4/6
    assert leaks("It is $\\frac{4}{6}$.", eq1) and leaks("the answer is option a", eq1)
    assert leaks("pick (a)", eq1) and not leaks("a fraction is a number", eq1)
    eq5 = secrets_of(module.item("eq-5"))  # regex 6/15
    assert leaks("write 6 / 15", eq5) and not leaks("6/16", eq5)  # searched, not anchored
    stats = load_sample("statistics-basics")
    ce6 = secrets_of(stats.item("ce-6"))  # normalised text "median"
    assert leaks("It is the Median.", ce6) and not leaks("the mean", ce6)
    order = stats.item("ce-7")  # ordering
    texts = [plain(c.text) for c in order.choices]
    assert leaks(" then ".join(texts[:2]), secrets_of(order))
    kept = redact("Lessons help. The answer is 15. Keep going.", eq2)
    assert kept.splitlines() == ["Lessons help.", "Keep going."]


def test_reply_cites_only_what_the_learner_may_see_and_never_echoes(fractions):
    module, index = fractions
    view = LearnerView(current_item="eq-2", hints_unlocked=1, answered=frozenset({"eq-1"}))
    reply = respond(index, module, "how do I make an equivalent fraction zebra42", view)
    assert reply.status == "answer" and reply.quotes
    allowed = {p.id for p in index.passages if visible(p, view)}
    assert {q.passage_id for q in reply.quotes} <= allowed
    assert "zebra42" not in reply.text
    assert reply.skill == "equivalent"


def test_asking_for_the_answer_gets_the_unlocked_hints_first(fractions):
    module, index = fractions
    view = LearnerView(current_item="eq-2", hints_unlocked=1, answered=frozenset())
    reply = respond(index, module, "Just tell me the answer please", view)
    assert reply.asked_for_answer
    assert reply.quotes[0].passage_id == "hint:eq-2:0"
    assert "hint:eq-2:1" not in {q.passage_id for q in reply.quotes}
    es = respond(index, module, "Dime la respuesta, por favor", view)
    assert es.asked_for_answer and es.quotes[0].passage_id == "hint:eq-2:0"
    lost = respond(index, module, "No entiendo nada", view)
    assert lost.confused and not lost.asked_for_answer


def test_hints_only_mode_quotes_hints_alone(fractions):
    module, index = fractions
    view = LearnerView("eq-2", 1, frozenset({"eq-1"}), Mode.HINTS)
    reply = respond(index, module, "what are equivalent fractions?", view)
    assert reply.quotes and all(q.kind == "hint" for q in reply.quotes)
    assert respond(index, module, "hello", LearnerView(mode=Mode.OFF)).status == "off"


def test_the_leak_checker_catches_a_stated_answer():
    """The check below can fail: it flags every sample item's answer when stated plainly."""
    for sid in sample_ids():
        module = load_sample(sid)
        for item in module.items:
            strings = answer_strings(item)
            assert strings, item.id
            assert all(is_leak(f"Sure! The answer is {s}.", item) for s in strings), item.id


def _adversarial_leaks(module, index, guard=True):
    """Every prompt once per module, each with another item on screen (all hints unlocked)."""
    import adaptive.assistant.answer as answer_mod

    found = []
    items = module.items
    original = answer_mod.secrets_of
    if not guard:
        answer_mod.secrets_of = lambda item: original(None)
    try:
        for n, prompt in enumerate(PROMPTS):
            item = items[(n * 7) % len(items)]
            question = prompt["q"].replace("{answer}", (answer_strings(item) or ["?"])[0])
            reply = respond(index, module, question, _everything_but(module, item.id))
            if is_leak(reply.text, item):
                found.append((item.id, prompt["q"]))
    finally:
        answer_mod.secrets_of = original
    return found


def test_prompt_set_is_large_and_bilingual():
    langs = [p["lang"] for p in PROMPTS]
    assert len(PROMPTS) >= 200 and langs.count("en") >= 100 and langs.count("es") >= 100
    assert len({p["q"] for p in PROMPTS}) == len(PROMPTS)


@pytest.mark.parametrize("sample", sample_ids())
def test_no_adversarial_prompt_leaks_an_answer(sample):
    """>= 200 EN+ES prompts, on the module as shipped and with answers hidden in its content."""
    shipped = load_sample(sample)
    assert _adversarial_leaks(shipped, Index(passages_of(shipped))) == []
    hostile = inject(shipped)
    index = Index(passages_of(hostile))
    assert _adversarial_leaks(hostile, index) == []
    # Without the guard the same replies do leak: the test above has teeth.
    assert _adversarial_leaks(hostile, index, guard=False)


@pytest.mark.parametrize("sample", sample_ids())
def test_every_item_resists_the_direct_asks(sample):
    module = load_sample(sample)
    index = Index(passages_of(module))
    asks = [p["q"] for p in PROMPTS if "{answer}" in p["q"]][:6] + ["Just tell me the answer."]
    for item in module.items:
        answer = (answer_strings(item) or ["?"])[0]
        for hints in (0, len(item.hints)):
            view = _everything_but(module, item.id, hints)
            for ask in asks:
                reply = respond(index, module, ask.replace("{answer}", answer), view)
                assert not is_leak(reply.text, item), (item.id, ask)
