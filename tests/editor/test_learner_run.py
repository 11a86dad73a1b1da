"""The full preview as a learner: the real engine over the draft, in memory, nothing written."""

from __future__ import annotations

import lxml.html
from sqlalchemy import func, select

from adaptive.modules.loader import parse_module
from adaptive.samples import sample_text
from lti_tool.editor import fields
from lti_tool.extensions import db
from lti_tool.models import AnswerEvent, Attempt, LaunchSession, ModuleDraft, ScoreSubmission

from .test_views import _open_text

TABLES = (AnswerEvent, Attempt, ScoreSubmission, ModuleDraft, LaunchSession)


def _counts() -> dict[str, int]:
    return {t.__name__: db.session.scalar(select(func.count()).select_from(t)) for t in TABLES}


def _wrong(item, choices: list[str]) -> dict:
    """An answer no right group takes, preferring one whose group sends to a page."""
    kind = item.type.value
    if kind == "single_choice":
        to_page = [g.match.choice for g in item.answer_groups
                   if not g.correct and g.destination.kind == "page"]
        right = {g.match.choice for g in item.answer_groups if g.correct}
        return {"answer": to_page[:1] or [c for c in choices if c not in right][:1]}
    if kind == "multiple_choice":
        return {"answer": choices[:1]}
    if kind == "ordering":
        return {f"pos-{c}": str(len(choices) - n) for n, c in enumerate(choices)}
    return {"answer": "98765"}


class Run:
    def __init__(self, client, url: str, token: str) -> None:
        self.client, self.url, self.token = client, url, token
        self.html = ""

    def take(self, resp) -> Run:
        assert resp.status_code == 200, resp.get_data(True)[:800]
        self.html = resp.get_data(as_text=True)
        return self

    def start(self, **query) -> Run:
        return self.take(self.client.get(f"{self.url}/run", query_string={"t": self.token,
                                                                         **query}))

    @property
    def doc(self):
        return lxml.html.fromstring(self.html)

    @property
    def current(self):
        return self.doc.get_element_by_id("run-current")

    def field(self, name: str) -> str:
        return self.doc.xpath(f"//form[@class='run-form']//input[@name='{name}']")[0].get("value")

    def step(self, module) -> None:
        """Answer the question wrong, or read the page on."""
        kind = self.current.get("data-kind")
        data = {"t": self.token, "run": self.field("run")}
        if kind == "page":
            data |= {"action": "continue", "page": self.field("page")}
        else:
            item = next(i for i in module.items if i.id == self.field("item"))
            form = self.doc.xpath("//form[@class='run-form']")[0]
            shown = [el.get("value") for el in form.xpath(".//input[@name='answer']")] or [
                el.get("name").removeprefix("pos-")
                for el in form.xpath(".//*[starts-with(@name, 'pos-')]")]
            data |= {"action": "answer", "item": item.id, **_wrong(item, shown)}
        self.take(self.client.post(f"{self.url}/run", data=data))

    @property
    def trail(self) -> list[tuple[str, str]]:
        return [(li.get("data-kind"), li.get("data-phase"))
                for li in self.doc.xpath("//ol[@id='run-trail']/li")]


def test_a_run_reaches_the_diagnostic_and_remediation_by_wrong_answers_and_writes_nothing(
        client, dl):
    token = dl.launch()
    url = _open_text(client, token, sample_text("fractions"))
    module = parse_module(sample_text("fractions"))[0]
    before = _counts()
    run = Run(client, url, token).start()
    assert run.current.get("data-kind") == "item" and run.current.get("data-phase") == "diagnostic"
    assert "Pre-test question" in run.html
    for _ in range(60):
        if ("page", "remediation") in run.trail or run.current.get("data-kind") == "finish":
            break
        run.step(module)
    assert ("item", "diagnostic") in run.trail
    assert ("page", "remediation") in run.trail, run.trail
    assert "Not right" in run.html or run.trail[-1] == ("page", "remediation")
    assert _counts() == before  # no attempt, no answer event, no grade, no new draft row
    draft = db.session.scalars(select(ModuleDraft)).one()
    assert draft.data == fields.yaml_to_module(sample_text("fractions"))[0]


def test_a_forged_or_outdated_run_starts_again_and_one_skill_runs_alone(client, dl):
    token = dl.launch()
    url = _open_text(client, token, sample_text("fractions"))
    module = parse_module(sample_text("fractions"))[0]
    run = Run(client, url, token).start()
    genuine = run.field("run")
    forged = client.post(f"{url}/run", data={"t": token, "run": genuine[:-4] + "AAAA",
                                             "action": "answer", "item": run.field("item"),
                                             "answer": "a"})
    assert forged.status_code == 200 and "it starts again" in forged.get_data(True)
    # the draft changes: the old run is not continued on the new text
    draft = db.session.scalars(select(ModuleDraft)).one()
    draft.data = {**draft.data, "title": "Fractions, revised"}
    db.session.commit()
    old = client.post(f"{url}/run", data={"t": token, "run": genuine, "action": "answer",
                                          "item": run.field("item"), "answer": "a"})
    assert "it starts again" in old.get_data(True)
    # one skill (here one that builds on nothing): only its own questions are asked
    alone = next(s for s in module.skills if not s.prerequisites)
    one = Run(client, url, token).start(skill=alone.id)
    assert f"Only this skill and what it builds on: {alone.id}." in one.html
    asked = _items_asked(one, module, steps=8)
    assert asked and all(module.item(i).skills[0] == alone.id for i in asked), asked
    others = {i.id for i in module.items if i.skills[0] != alone.id}
    seen = _items_asked(Run(client, url, token).start(), module, steps=25)
    assert seen & others  # the whole module's run goes beyond that skill


def _items_asked(run, module, steps: int) -> set[str]:
    """The items a run asks in up to ``steps`` steps (or until it finishes)."""
    asked = set()
    for _ in range(steps):
        if run.current.get("data-kind") == "finish":
            break
        if run.current.get("data-kind") == "item":
            asked.add(run.field("item"))
        run.step(module)
    return asked


def test_a_run_in_one_of_the_module_languages(client, dl):
    from adaptive.modules.loader import module_to_dict
    from adaptive.modules.translations import localise
    from adaptive.samples import load_sample

    sample = load_sample("fractions")
    token = dl.launch()
    url = _open_text(client, token, fields.module_yaml(module_to_dict(sample)))
    run = Run(client, url, token).start(language="es")
    assert '<option value="es" selected>' in run.html.replace("\n", "")
    spanish = localise(sample, "es")
    item = spanish.item(run.field("item"))
    english = sample.item(item.id)
    assert item.prompt != english.prompt
    prompt = run.doc.get_element_by_id("prompt")
    assert prompt.get("lang") == "es"
    first_words = " ".join(item.prompt.replace("*", "").split()[:2])
    assert first_words in prompt.text_content()
    run.step(spanish)  # the run stays in Spanish from step to step
    assert run.doc.xpath("//select[@id='run-language']/option[@selected]")[0].get("value") == "es"
