"""The editor's pages through the Flask app: drafts, checking, YAML view, publishing."""

from __future__ import annotations

import re

import lxml.html
import pytest
from sqlalchemy import func, select

from adaptive.modules.loader import module_to_dict, parse_module
from adaptive.samples import sample_text
from lti_tool.editor import fields
from lti_tool.extensions import db
from lti_tool.models import AnswerEvent, Attempt, CustomModule, ModuleDraft
from lti_tool.modules import library
from tests.editor.html_form import form_fields, multipart


def _new_draft(client, token: str) -> str:
    resp = client.post("/lti/editor/new", data={"t": token})
    assert resp.status_code == 303
    return resp.headers["Location"].split("?")[0]


def _open_text(client, token: str, text: str) -> str:
    resp = client.post("/lti/editor/open", data={"t": token, "source": text})
    assert resp.status_code == 303, resp.get_data(True)[:500]
    return resp.headers["Location"].split("?")[0]


def _page(client, url: str, token: str) -> str:
    resp = client.get(url, query_string={"t": token})
    assert resp.status_code == 200, resp.get_data(True)[:800]
    return resp.get_data(as_text=True)


def _post_form(client, url: str, html: str, action: str = "save",
               changes: dict | None = None):
    """Post the page's form as a browser would (multipart: the form's enctype), with some
    fields changed."""
    form = form_fields(html)
    for key, value in (changes or {}).items():
        form.setlist(key, value if isinstance(value, list) else [value])
    form.setlist("action", [action])
    return client.post(url, **multipart(form))


@pytest.mark.parametrize("sample", ["fractions", "statistics-basics", "security-awareness"])
def test_the_forms_carry_every_part_of_the_sample_modules(client, dl, sample):
    """Render a sample in the editor, post the page's form back unchanged: the same module
    (skills, pages, items of every type, groups, hints, variants, goals, figures, resources)."""
    token = dl.launch()
    url = _open_text(client, token, sample_text(sample))
    html = _page(client, url, token)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "an id used twice"
    form = form_fields(html)
    assert "items[0].answer_groups[0].correct" in form
    posted, _ = parse_module(fields.module_yaml(fields.form_to_module(form)))
    original, _ = parse_module(sample_text(sample))
    assert posted is not None
    assert _unordered(module_to_dict(posted)) == _unordered(module_to_dict(original))


def _unordered(data: dict) -> dict:
    """The order of prerequisites, and of an item's skills after the first, means nothing."""
    for skill in data["skills"]:
        skill["prerequisites"] = sorted(skill.get("prerequisites") or [])
    for item in data["items"]:
        item["skills"] = item["skills"][:1] + sorted(item["skills"][1:])
    return data


def test_build_a_module_with_forms_save_with_errors_publish_when_clean(client, dl):
    token = dl.launch()
    url = _new_draft(client, token)
    html = _page(client, url, token)
    assert "error(s)" in html and 'id="f-title-p"' in html
    # Publishing a draft with errors is refused; the draft itself is kept.
    refused = _post_form(client, url, html, "publish", {"title": "Two skills"})
    assert refused.status_code == 400 and "fix them before publishing" in refused.get_data(True)
    assert db.session.scalar(select(func.count()).select_from(CustomModule)) == 0
    assert db.session.scalars(select(ModuleDraft)).one().data["title"] == "Two skills"

    # Add a second skill and one question each, by the form's own buttons.
    html = _page(client, url, token)
    resp = _post_form(client, url, html, "add:skills")
    assert resp.status_code == 303 and resp.headers["Location"].endswith("#f-skills_1")
    for _ in range(2):
        html = _page(client, url, token)
        assert _post_form(client, url, html, "add:items:single_choice").status_code == 303
    html = _page(client, url, token)
    resp = _post_form(client, url, html, "save", {
        "id": "two-skills", "skills[0].title": "Counting", "skills[1].title": "Adding",
        "skills[1].prerequisites": "skill-1",
        "pages[0].title": "Counting", "pages[0].body": "Count: $1 + 1$",
        "items[0].prompt": "Which is two?", "items[0].diagnostic": ["0", "1"],
        "items[0].choices[0].text": "2", "items[0].choices[1].text": "3",
        "items[1].skills": "skill-2", "items[1].prompt": "1 + 1?",
        "items[1].choices[0].text": "2", "items[1].choices[1].text": "11",
        "items[1].answer_groups[0].feedback": "Yes."})
    assert resp.status_code == 303
    html = _page(client, url, token)
    assert "<math" in html  # the lesson's preview, through the runner's renderer
    assert "Adding: builds on skill-1" in html  # the graph's text alternative
    published = _post_form(client, url, html, "publish")
    text = published.get_data(as_text=True)
    assert published.status_code == 200, text[-2000:]
    version = re.search(r"Published as version ([0-9a-f]{12})", text).group(1)
    row = db.session.scalars(select(CustomModule)).one()
    assert row.module_id == "two-skills" and library.content_version(row.source) == version
    module = library.get_module("two-skills")
    assert [s.prerequisites for s in module.skills] == [(), ("skill-1",)]

    # A change published again is a new version of the same module.
    html = _page(client, url, token)
    again = _post_form(client, url, html, "publish", {"title": "Two skills, revised"})
    second = re.search(r"Published as version ([0-9a-f]{12})",
                       again.get_data(as_text=True)).group(1)
    assert second != version
    db.session.expire_all()
    assert db.session.scalars(select(CustomModule)).one().title == "Two skills, revised"


def test_a_circle_made_in_the_form_is_refused_with_the_reason(client, dl):
    token = dl.launch()
    url = _open_text(client, token, sample_text("fractions"))
    html = _page(client, url, token)
    first = form_fields(html).getlist("skills[0].id")[0]
    last_index = len(form_fields(html).getlist("skills[0].id")) and \
        max(int(m) for m in re.findall(r'name="skills\[(\d+)\]\.id"', html))
    last = form_fields(html).getlist(f"skills[{last_index}].id")[0]
    resp = _post_form(client, url, html, "save", {"skills[0].prerequisites": last})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "would make a circle" in text
    draft = db.session.scalars(select(ModuleDraft)).one()
    assert last not in (draft.data["skills"][0].get("prerequisites") or [])
    assert first  # the first skill is still the first


def test_checking_while_typing_returns_problems_by_field(client, dl):
    token = dl.launch()
    url = _open_text(client, token, sample_text("fractions"))
    form = form_fields(_page(client, url, token))
    form.setlist("items[0].difficulty", ["very"])
    form.setlist("items[0].answer_groups[0].feedback", ["unsaved"])
    resp = client.post(url + "/validate", data=form)
    body = resp.get_json()
    assert resp.status_code == 200 and body["errors"] == 1
    assert {"field": "f-items_0__difficulty", "path": "items[0].difficulty",
            "severity": "error", "message": "Enter a number."} in body["problems"]
    draft = db.session.scalars(select(ModuleDraft)).one()
    assert draft.data["items"][0].get("difficulty") != "very"  # checking saves nothing


def test_live_preview_renders_math_and_drops_scripts(client, dl):
    token = dl.launch()
    resp = client.post("/lti/editor/render", data={
        "t": token, "text": "Half: $\\frac{1}{2}$ <script>alert(1)</script> **bold**"})
    html = resp.get_json()["html"]
    assert "<math" in html and "<mfrac>" in html and "<strong>bold</strong>" in html
    assert "<script" not in html
    # every keystroke is a new text: none of them takes a place in the learners' cache
    from lti_tool.filters import cache_info

    before = cache_info().currsize
    for n in range(3):
        assert client.post("/lti/editor/render", data={"t": token, "text": f"draft {n}"}) \
            .status_code == 200
    assert cache_info().currsize == before
    assert client.post("/lti/editor/render", data={"text": "no token"}).status_code == 401


def test_yaml_view_and_forms_show_one_module(client, dl):
    token = dl.launch()
    url = _new_draft(client, token)
    yaml_page = _page(client, url + "/yaml", token)
    text = re.search(r'<textarea id="yaml-source"[^>]*>(.*?)</textarea>', yaml_page,
                     re.DOTALL).group(1)
    assert "id: my-module" in text
    edited = sample_text("fractions").replace("id: fractions\n", "id: from-yaml\n", 1)
    resp = client.post(url + "/yaml", data={"t": token, "source": edited})
    assert resp.status_code == 303
    form = form_fields(_page(client, url, token))
    assert form["id"] == "from-yaml" and form["skills[0].id"] == "equivalent"
    bad = client.post(url + "/yaml", data={"t": token, "source": "id: [unclosed\n"})
    assert bad.status_code == 400 and "Line" in bad.get_data(True)
    assert db.session.scalars(select(ModuleDraft)).one().data["id"] == "from-yaml"


def test_figure_upload_needs_alt_text_and_shows_in_the_preview(client, dl):
    from io import BytesIO

    token = dl.launch()
    url = _new_draft(client, token)
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
           b'<rect width="5" height="5"/></svg>')
    form = form_fields(_page(client, url, token))
    form.setlist("action", ["save"])
    data = {**form.to_dict(flat=False), "figure_id": "box",
            "figure_file": (BytesIO(svg), "box.svg")}
    refused = client.post(url, data=data, content_type="multipart/form-data")
    assert refused.status_code == 400 and "alt text" in refused.get_data(True)
    assert not db.session.scalars(select(ModuleDraft)).one().data.get("figures")
    data = {**form.to_dict(flat=False), "figure_id": "box", "figure_alt": "A small square",
            "figure_file": (BytesIO(svg), "box.svg"),
            "pages[0].body": ["See ![](figure:box)"]}
    assert client.post(url, data=data, content_type="multipart/form-data").status_code == 303
    html = _page(client, url, token)
    src = re.search(r'<img src="([^"]+)" alt="A small square"', html).group(1)
    served = client.get(src.replace("&amp;", "&"))
    assert served.status_code == 200 and served.mimetype == "image/svg+xml"
    assert served.data == svg and "sandbox" in served.headers["Content-Security-Policy"]
    assert client.get(src.replace("&amp;", "&").replace("k=", "k=0")).status_code == 404
    # the figure survives the next save of the form (carried in the form itself)
    assert _post_form(client, url, html, "save").status_code == 303
    assert db.session.scalars(select(ModuleDraft)).one().data["figures"][0]["svg"] == \
        svg.decode()


def test_a_hostile_or_unknown_figure_upload_is_refused_and_the_form_is_kept(client, dl):
    from io import BytesIO

    token = dl.launch()
    url = _new_draft(client, token)
    form = form_fields(_page(client, url, token))
    form.setlist("action", ["save"])
    uploads = [b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
               b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
               b"\xff\xd8\xff\xe0 a JPEG, not a figure type of the format"]
    for n, raw in enumerate(uploads):
        data = {**form.to_dict(flat=False), "title": [f"Kept {n}"], "figure_id": "x",
                "figure_alt": "A figure", "figure_file": (BytesIO(raw), "x.svg")}
        refused = client.post(url, data=data, content_type="multipart/form-data")
        assert refused.status_code == 400 and "The figure was not added" in \
            refused.get_data(True)
        draft = db.session.scalars(select(ModuleDraft)).one()
        assert not draft.data.get("figures") and draft.data["title"] == f"Kept {n}"


def test_preview_as_a_learner_grades_without_recording(client, dl):
    token = dl.launch()
    url = _open_text(client, token, sample_text("fractions"))
    module = parse_module(sample_text("fractions"))[0]
    item = next(i for i in module.items if i.type.value == "single_choice"
                and any(not g.correct and g.destination.kind == "page"
                        for g in i.answer_groups))
    wrong = next(g for g in item.answer_groups if not g.correct
                 and g.destination.kind == "page")
    page = client.get(f"{url}/preview/item/{item.id}", query_string={"t": token})
    assert page.status_code == 200 and 'name="answer"' in page.get_data(True)
    resp = client.post(f"{url}/preview/item/{item.id}",
                       data={"t": token, "answer": wrong.match.choice})
    text = resp.get_data(as_text=True)
    assert "Not right" in text and f"/preview/page/{wrong.destination.target}?" in text
    # the runner's own answer controls, read by the runner's own parser: ordering by position
    order = next(i for i in module.items if i.type.value == "ordering")
    right = next(g for g in order.answer_groups if g.correct).match.order
    positions = {f"pos-{cid}": str(n) for n, cid in enumerate(right, start=1)}
    graded = client.post(f"{url}/preview/item/{order.id}", data={"t": token, **positions})
    assert 'name="pos-' in graded.get_data(True) and "Right" in graded.get_data(True)
    assert "Not right" not in graded.get_data(True)
    empty = client.post(f"{url}/preview/item/{item.id}", data={"t": token})
    assert "Please check your answer" in empty.get_data(True)
    lesson = client.get(f"{url}/preview/page/{wrong.destination.target}",
                        query_string={"t": token})
    assert lesson.status_code == 200
    skill = client.get(f"{url}/preview/skill/{module.skills[0].id}", query_string={"t": token})
    assert skill.status_code == 200 and "pre-test" in skill.get_data(True)
    assert db.session.scalar(select(func.count()).select_from(AnswerEvent)) == 0
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_the_authoring_page_links_to_the_editor_and_imports_open_in_it(client, dl):
    token = dl.launch()
    page = client.get("/lti/deep-link/author", query_string={"t": token}).get_data(True)
    assert "/lti/editor/" in page

    # an imported question bank opens in the editor as a draft of this course
    from io import BytesIO

    gift = b"::q1:: What is 2 + 2? {=4 ~3 ~5}\n\n::q2:: The capital of France? {=Paris ~Rome}\n"
    imported = client.post("/lti/deep-link/author", content_type="multipart/form-data",
                           data={"t": token, "import_file": (BytesIO(gift), "bank.gift")})
    html = imported.get_data(as_text=True)
    assert imported.status_code == 200 and "/lti/editor/open" in html
    doc = lxml.html.fromstring(html)
    form = next(f for f in doc.forms if f.action.endswith("/lti/editor/open"))
    resp = client.post("/lti/editor/open", data=dict(form.form_values()))
    assert resp.status_code == 303
    draft = db.session.scalars(select(ModuleDraft)).one()
    assert len(draft.data["items"]) == 2


def test_the_editor_speaks_the_launch_language(client, dl):
    from lti_tool.protocol import claims

    token = dl.launch(**{claims.LAUNCH_PRESENTATION: {"locale": "es-ES"}})
    html = _page(client, _new_draft(client, token), token)
    assert '<html lang="es">' in html and "Guardar borrador" in html
    assert 'data-msg-status="{n} error(es), {w} aviso(s)."' in html


@pytest.mark.parametrize("text", [
    "skills: 5\nitems: x\n", "settings: [1, 2]\n", "items: [1, 2]\n",
    "pages: {a: 1}\n", "items: [{type: numeric, answer_groups: 3, choices: 4, hints: 5}]\n",
    "skills: [{id: s, prerequisites: 5, resources: 3}]\n"])
def test_yaml_of_a_shape_the_forms_cannot_show_is_refused_and_nothing_saved(client, dl, text):
    token = dl.launch()
    url = _new_draft(client, token)
    before = db.session.scalars(select(ModuleDraft)).one().data
    resp = client.post(url + "/yaml", data={"t": token, "source": text})
    assert resp.status_code == 400 and "must be a" in resp.get_data(True)
    db.session.expire_all()
    assert db.session.scalars(select(ModuleDraft)).one().data == before
    assert client.get(url, query_string={"t": token}).status_code == 200


def test_odd_variants_in_a_draft_still_show_in_the_forms(client, dl):
    token = dl.launch()
    url = _new_draft(client, token)
    odd = ("items: [{id: i, variants: {params: {a: {values: 5, min: [1]}}, "
           "where: [1, 2]}}]\n")
    assert client.post(url + "/yaml", data={"t": token, "source": odd}).status_code == 303
    page = _page(client, url, token)
    assert form_fields(page)["items[0].variants.where"] == "1\n2"
