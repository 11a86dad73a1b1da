"""The dashboard filters by goal and compares goals (issue 16 item 1), on attempts made
through the real runner."""

from __future__ import annotations

import re

from adaptive.samples import load_sample
from lti_tool.protocol import claims
from tests.runner.conftest import Learner

from .conftest import INSTRUCTOR, LEARNER, token_of

SAMPLE = "security-awareness"
WHERE = {claims.CONTEXT: {"id": "course-g", "title": "Staff training"},
         claims.RESOURCE_LINK: {"id": "rl-g", "title": "Security"}}


def _launch(client, lms, sub: str, role: str, custom: dict) -> str:
    resp = lms.launch(client, roles=[role], sub=sub,
                      **{claims.CUSTOM: {"module": SAMPLE, **custom}, **WHERE})
    landing = client.get(resp.headers["Location"]) if resp.status_code == 303 else resp
    return token_of(landing)


def _row(html: str, title: str) -> list[str]:
    table = html.split('id="goal-compare"', 1)[1].split("</table>", 1)[0]
    row = table.split(title, 1)[1].split("</tr>", 1)[0]
    return [re.sub(r"<[^>]+>", "", c).strip() for c in row.split("<td>")[1:]]


def test_dashboard_compares_and_filters_goals(client, lms):
    module = load_sample(SAMPLE)
    for sub, goal in [("ann", "sales"), ("bob", "sales"), ("cy", "engineering")]:
        learner = Learner(client, _launch(client, lms, sub, LEARNER, {"goal": goal})).open()
        if sub != "bob":  # bob starts but does not finish
            learner.run_to_finish(module)
    teacher = _launch(client, lms, "teacher-1", INSTRUCTOR, {})
    page = client.get("/dashboard", query_string={"t": teacher})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="goal-compare"' in html and 'name="goal"' in html
    sales, eng = _row(html, "Sales and customer-facing staff"), _row(html, "Engineering and IT")
    assert sales[:2] == ["2", "1 of 2"] and eng[:2] == ["1", "1 of 1"]
    # A goal nobody took has no cost to show (it said "0.0 answers per learner").
    assert _row(html, "Managers") == ["0", "0 of 0", "—", "—"]
    assert re.fullmatch(r"\d+(\.\d)?", sales[2]), sales
    assert "Safe browsing and devices" in html  # the whole class: every skill

    page = client.get("/dashboard", query_string={"t": teacher, "goal": "sales"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Filtered to the goal" in html
    assert "2 learners" in html
    heat = html.split('id="heatmap"', 1)[1].split("</section>", 1)[0]
    assert "Handling sensitive data" in heat and "Safe browsing and devices" not in heat

    # An unknown goal in the URL is the whole class, not an error.
    page = client.get("/dashboard", query_string={"t": teacher, "goal": "astronaut"})
    assert page.status_code == 200 and "Filtered to the goal" not in page.get_data(True)
