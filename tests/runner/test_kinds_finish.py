"""Issue 16.3 over HTTP: the finish page reports first tries right per kind of thinking,
and names the kinds with too few first tries instead of scoring them."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from adaptive.analytics.kinds import MIN_FIRST_TRIES
from lti_tool.modules.library import get_module, learner_module
from lti_tool.protocol import claims
from lti_tool.runner import services
from lti_tool.runner.answers import correct_form

from .conftest import Learner, launch_token
from .test_unresolved_finish import always_wrong_form

LABELS = {"en": {"recall": "Recall", "understand": "Understanding", "apply": "Applying",
                 "reason": "Reasoning"},
          "es": {"recall": "Recordar", "understand": "Comprender", "apply": "Aplicar",
                 "reason": "Razonar"}}


def run_learner(learner: Learner, module, wrong_kinds=("reason",)) -> dict[str, list[bool]]:
    """Answer every item of ``wrong_kinds`` wrong and everything else right, to the finish
    page. Returns kind -> the outcome of each first try, tallied here, apart from the tool."""
    first: dict[str, bool] = {}
    kinds: dict[str, list[bool]] = {}
    steps = 0
    while learner.kind != "finish":
        assert steps < 400, "the activity did not finish"
        steps += 1
        if learner.kind == "page":
            learner.continue_page()
        elif learner.kind == "feedback":
            learner.next()
        else:
            item = module.item(learner.item_id)
            right = item.kind not in wrong_kinds
            if item.id not in first:
                first[item.id] = right
                kinds.setdefault(item.kind, []).append(right)
            learner.answer(correct_form(item) if right else always_wrong_form(item))
        assert learner.status == 200, learner.html[:2000]
    return kinds


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


PHRASES = {
    "en": ("Kinds of thinking", "{label}: {right} of {tries} first tries right",
           "Your weakest kind so far: {label}."),
    "es": ("Tipos de pensamiento", "{label}: {right} de {tries} primeros intentos correctos",
           "Tu tipo más débil por ahora: {label}."),
}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_finish_page_reports_kinds_with_minimum(client, lms, lang):
    presentation = {"locale": "es-ES" if lang == "es" else "en-GB"}
    # The learner reads (and answers) the module in their language: "mediana" in Spanish.
    module = learner_module(get_module("statistics-basics"), presentation["locale"])
    learner = Learner(client, launch_token(client, lms, module="statistics-basics", **{
        claims.LAUNCH_PRESENTATION: presentation})).open()
    kinds = run_learner(learner, module)
    text = _text(learner.html)
    heading, line_of, weakest = PHRASES[lang]
    assert heading in text
    assert len(kinds.get("reason", ())) >= MIN_FIRST_TRIES, kinds  # the path asks enough
    for kind, outcomes in kinds.items():
        label = LABELS[lang][kind]
        line = line_of.format(label=label, right=sum(outcomes), tries=len(outcomes))
        if len(outcomes) >= MIN_FIRST_TRIES:
            assert line in text
        else:  # named with its count, never scored
            assert line not in text
            assert f"{label} ({len(outcomes)})" in text
    # Every reasoning item was answered wrong first, everything else right.
    assert weakest.format(label=LABELS[lang]["reason"]) in text


def test_untagged_module_has_no_kinds_section(client, lms, tmp_path, monkeypatch):
    """A module without ``kind:`` tags shows no empty section."""
    learner = Learner(client, launch_token(client, lms)).open()
    module = get_module("fractions")
    untagged = replace(module, items=tuple(replace(i, kind=None) for i in module.items))
    monkeypatch.setattr(services, "get_module", lambda *a, **k: untagged)
    learner.run_to_finish(untagged)
    assert "You have finished" in learner.html
    assert "Kinds of thinking" not in learner.html
