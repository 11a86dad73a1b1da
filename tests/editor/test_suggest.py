"""Skills suggested for questions without one, from shared words (offline BM25)."""

from __future__ import annotations

from io import BytesIO

import lxml.html
from sqlalchemy import select

from lti_tool.editor.suggest import accept, suggest_skills
from lti_tool.extensions import db
from lti_tool.models import ModuleDraft
from tests.editor.html_form import form_fields

SKILLS = [
    {"id": "fractions", "title": "Fractions", "lesson": "frac-intro"},
    {"id": "percent", "title": "Percentages",
     "description": "A percentage is a part of a hundred."},
]
PAGES = [{"id": "frac-intro", "title": "Numerator and denominator", "skill": "fractions",
          "body": "The denominator says into how many equal parts the whole is cut."}]


def test_each_untagged_question_gets_the_skill_it_shares_words_with():
    data = {"skills": SKILLS, "pages": PAGES, "items": [
        {"id": "q1", "prompt": "What is the denominator of 3/4?"},
        {"id": "q2", "prompt": "Write 0.25 as a percentage.", "skills": []},
        {"id": "q3", "prompt": "Already tagged percentages", "skills": ["fractions"]},
        {"id": "q4", "prompt": "Name the capital of Peru."},
    ]}
    found = suggest_skills(data)
    assert {n: s.skill_id for n, s in found.items()} == {0: "fractions", 1: "percent"}
    assert "denomin" in " ".join(found[0].shared)  # the words shown as the reason
    accept(data, found, only=1)
    assert [i.get("skills") for i in data["items"]] == [None, ["percent"], ["fractions"], None]
    accept(data, found)
    assert data["items"][0]["skills"] == ["fractions"]


def test_after_an_import_the_teacher_accepts_or_changes_the_suggestions(client, dl):
    token = dl.launch()
    gift = (b"::q1:: What is the denominator of 3/4? {=4 ~3}\n\n"
            b"::q2:: Write 0.25 as a percentage. {=25% ~2.5%}\n\n"
            b"::q3:: Name the capital of Peru. {=Lima ~Quito}\n")
    page = client.post("/lti/deep-link/author", content_type="multipart/form-data",
                       data={"t": token, "import_file": (BytesIO(gift), "bank.gift")})
    form = next(f for f in lxml.html.fromstring(page.get_data(True)).forms
                if f.action.endswith("/lti/editor/open"))
    url = client.post("/lti/editor/open", data=dict(form.form_values())
                      ).headers["Location"].split("?")[0]
    # The teacher names two skills (the import made one from the file) and unassigns the items.
    draft = db.session.scalars(select(ModuleDraft)).one()
    data = dict(draft.data)
    data["skills"] = SKILLS
    data["pages"] = PAGES
    for item in data["items"]:
        item["skills"] = []
    resp = client.post(url + "/yaml", data={"t": token, "source": _yaml(data)})
    assert resp.status_code == 303
    html = client.get(url, query_string={"t": token}).get_data(as_text=True)
    assert "3 question(s) have no skill yet" not in html  # q3 shares no word: no guess
    assert "2 question(s) have no skill yet" in html
    assert "Suggested skill: percent" in html

    fields = form_fields(html)
    fields.setlist("items[2].skills", ["percent"])  # the teacher picks one themselves
    fields.setlist("action", ["suggest:all"])          # and takes the other suggestions
    assert client.post(url, data=fields).status_code == 303
    db.session.expire_all()
    skills = [i["skills"] for i in db.session.scalars(select(ModuleDraft)).one().data["items"]]
    assert skills == [["fractions"], ["percent"], ["percent"]]


def _yaml(data: dict) -> str:
    from lti_tool.editor.fields import module_yaml

    return module_yaml(data)
