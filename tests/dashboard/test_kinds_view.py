"""Issue 16.3 on the dashboard: the class by kind of thinking, and one learner's kinds in
the drill-down, from learners who really went through the activity (runner over HTTP)."""

from __future__ import annotations

import re

from adaptive.analytics.kinds import MIN_FIRST_TRIES
from lti_tool.modules.library import get_module
from lti_tool.protocol import claims
from tests.runner.conftest import Learner
from tests.runner.test_kinds_finish import run_learner

from .conftest import INSTRUCTOR, LEARNER, token_of

NAMES = {"recall": "Recall", "understand": "Understanding", "apply": "Applying",
         "reason": "Reasoning"}


def _launch(client, lms, role: str, sub: str) -> str:
    extra = {claims.CUSTOM: {"module": "statistics-basics"}, "sub": sub, "name": sub.title(),
             claims.CONTEXT: {"id": "course-1", "title": "Stats", "label": "S1"},
             claims.RESOURCE_LINK: {"id": "rl-1", "title": "Statistics"}}
    token = token_of(lms.launch(client, roles=[role], **extra))
    landing = client.get("/lti/landing", query_string={"t": token})
    assert landing.status_code == 303
    return token_of(landing)


def _rows(html: str) -> dict[str, tuple[str, str]]:
    """kind -> ("right of tries", learners or "") from a kinds table."""
    return {kind: (tries, learners) for kind, tries, learners in re.findall(
        r'<tr id="kind-(\w+)"><th scope="row">[^<]*</th><td>([^<]*)</td><td>[^<]*</td>'
        r'(?:<td>(\d+)</td>)?</tr>', html)}


def _expect(tallies: dict[str, list[bool]]) -> tuple[dict[str, str], dict[str, int]]:
    shown = {k: f"{sum(v)} of {len(v)}" for k, v in tallies.items() if len(v) >= MIN_FIRST_TRIES}
    withheld = {k: len(v) for k, v in tallies.items() if len(v) < MIN_FIRST_TRIES}
    return shown, withheld


def test_class_and_learner_by_kind(client, lms):
    module = get_module("statistics-basics")
    ana = Learner(client, _launch(client, lms, LEARNER, "ana")).open()
    ana_kinds = run_learner(ana, module, wrong_kinds=("reason",))
    ben = Learner(client, _launch(client, lms, LEARNER, "ben")).open()
    ben_kinds = run_learner(ben, module, wrong_kinds=("recall",))
    teacher = _launch(client, lms, INSTRUCTOR, "teacher-1")

    html = client.get("/dashboard", query_string={"t": teacher}).get_data(as_text=True)
    section = html[html.index('<section id="kinds"'):]
    section = section[:section.index("</section>")]
    both = {k: ana_kinds.get(k, []) + ben_kinds.get(k, []) for k in {*ana_kinds, *ben_kinds}}
    shown, withheld = _expect(both)
    rows = _rows(section)
    assert {k: v[0] for k, v in rows.items()} == shown
    for kind in shown:  # learners who had a first try of that kind
        assert rows[kind][1] == str((kind in ana_kinds) + (kind in ben_kinds))
    for kind, n in withheld.items():
        assert f"{NAMES[kind]} ({n})" in section
    assert f"fewer than {MIN_FIRST_TRIES} first tries" in section

    # Ana's drill-down: only her answers, reasoning the weakest.
    page = client.get("/dashboard/learner", query_string={"t": teacher, "id": "ana"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    shown, withheld = _expect(ana_kinds)
    rows = _rows(html)
    assert {k: v[0] for k, v in rows.items()} == shown
    assert all(learners == "" for _, learners in rows.values())  # no learners column
    for kind, n in withheld.items():
        assert f"{NAMES[kind]} ({n})" in html
    assert "reason" in shown  # her path asks enough reasoning items to report them
    assert "Weakest kind: <strong>Reasoning</strong>" in html
