"""The editor's translations form: strings beside their originals, marked as the validator
marks them, written back as the format's ``{text, source}``, in sync with the YAML view."""

from __future__ import annotations

import re

import lxml.html
import pytest
from sqlalchemy import select

from adaptive.modules.loader import module_to_dict, parse_module
from adaptive.modules.translations import source_hash
from adaptive.samples import load_sample
from lti_tool.editor import fields
from lti_tool.editor import translations_form as tr_form
from lti_tool.extensions import db
from lti_tool.models import ModuleDraft
from lti_tool.protocol import claims
from tests.editor.html_form import form_fields, multipart
from tests.runner.conftest import Learner, launch_token

from .test_views import _new_draft, _open_text, _page, _post_form

TWO_SKILLS = {
    "id": "tr-mod", "skills[0].title": "Counting", "pages[0].title": "Counting",
    "pages[0].body": "Count the apples.", "items[0].prompt": "Which number is two?",
    "items[0].choices[0].text": "two", "items[0].choices[1].text": "three",
    "items[0].answer_groups[0].feedback": "Yes, two.", "title": "Counting things",
}


def _draft() -> ModuleDraft:
    db.session.expire_all()
    return db.session.scalars(select(ModuleDraft)).one()


def _rows(html: str, lang: str) -> dict[str, lxml.html.HtmlElement]:
    """Each row of the language's form, by its key ("items › item-1 › prompt")."""
    doc = lxml.html.fromstring(html)
    section = doc.get_element_by_id(fields.dom_id(f"translations.{lang}"))
    return {row.find("label").text.strip(): row
            for row in section.find_class("ed-tr")}


def _one_skill_module(client, token) -> str:
    url = _new_draft(client, token)
    assert _post_form(client, url, _page(client, url, token),
                      "add:items:single_choice").status_code == 303
    assert _post_form(client, url, _page(client, url, token), "save",
                      TWO_SKILLS).status_code == 303
    return url


def test_a_language_added_and_filled_by_form_validates_clean_and_reaches_learners(
        client, lms, dl):
    token = dl.launch()
    url = _one_skill_module(client, token)
    html = _page(client, url, token)
    assert 'value="es"' in html and 'value="fr"' in html  # the samples' languages
    resp = _post_form(client, url, html, "add-language", {"_language": "es"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("#f-translations__es")
    html = _page(client, url, token)
    rows = _rows(html, "es")
    # every translatable text, next to its original, each marked missing as the validator does
    assert "items › item-1 › prompt" in rows
    prompt = rows["items › item-1 › prompt"]
    assert "Which number is two?" in prompt.find_class("ed-tr-src")[0].text_content()
    assert "missing" in prompt.find("label").text_content()
    assert all("ed-tr-missing" in r.get("class") for r in rows.values())
    problems = parse_module(fields.module_yaml(_draft().data))[1]
    missing = {p.path for p in problems if p.code == "translation-missing"}
    assert len(missing) == len(rows) and "items[0].prompt" in missing

    spanish = {"title": "Contar cosas", "skills › skill-1 › title": "Contar",
               "pages › page-1 › title": "Contar", "pages › page-1 › body": "Cuenta las manzanas.",
               "items › item-1 › prompt": "¿Qué número es dos?",
               "items › item-1 › choices › a": "dos", "items › item-1 › choices › b": "tres",
               "items › item-1 › answer_groups › 0 › feedback": "Sí, dos."}
    assert set(spanish) == set(rows)
    changes = {rows[k].find("textarea").get("name"): v for k, v in spanish.items()}
    assert _post_form(client, url, html, "save", changes).status_code == 303
    data = _draft().data
    body = data["translations"]["es"]
    # the format's {text, source}, hashed by the validator's own function
    assert body["items"]["item-1"]["prompt"] == {"text": "¿Qué número es dos?",
                                                 "source": source_hash("Which number is two?")}
    assert body["items"]["item-1"]["answer_groups"]["0"]["feedback"]["text"] == "Sí, dos."
    module, problems = parse_module(fields.module_yaml(data))
    assert module is not None
    assert [p for p in problems if p.code.startswith("translation-")] == []
    # the YAML view shows the same strings
    yaml_page = client.get(f"{url}/yaml", query_string={"t": token}).get_data(True)
    assert "¿Qué número es dos?" in yaml_page and source_hash("Which number is two?") in yaml_page

    published = _post_form(client, url, _page(client, url, token), "publish")
    assert published.status_code == 200, published.get_data(True)[-1500:]
    learner = Learner(client, launch_token(
        client, lms, module="tr-mod", sub="sofia",
        **{claims.LAUNCH_PRESENTATION: {"locale": "es-ES"}})).open()
    # the first step: the diagnostic question (or the lesson), in Spanish
    assert learner.status == 200 and learner.kind in ("item", "page")
    assert ("¿Qué número es dos?" if learner.kind == "item" else "Cuenta las manzanas.") \
        in learner.html
    assert "Which number is two?" not in learner.html and "Contar cosas" in learner.html
    english = Learner(client, launch_token(client, lms, module="tr-mod", sub="sam")).open()
    assert "Contar" not in english.html


def test_a_changed_original_shows_its_translation_stale_until_redone_or_confirmed(client, dl):
    token = dl.launch()
    url = _one_skill_module(client, token)
    _post_form(client, url, _page(client, url, token), "add-language", {"_language": "fr"})
    html = _page(client, url, token)
    name = _rows(html, "fr")["items › item-1 › prompt"].find("textarea").get("name")
    assert _post_form(client, url, html, "save", {name: "Quel nombre est deux ?"}) \
        .status_code == 303
    # the original changes (in the YAML view): the translation is now stale
    text = fields.module_yaml(_draft().data).replace("Which number is two?",
                                                     "Which number is 2?")
    saved = client.post(f"{url}/yaml", data={"t": token, "source": text})
    assert saved.status_code == 303
    html = _page(client, url, token)
    row = _rows(html, "fr")["items › item-1 › prompt"]
    assert "ed-tr-stale" in row.get("class") and "stale" in row.find("label").text_content()
    assert "Which number is 2?" in row.find_class("ed-tr-src")[0].text_content()
    assert "The original has changed since this was translated." in row.text_content()
    problems = parse_module(fields.module_yaml(_draft().data))[1]
    assert any(p.code == "translation-stale" for p in problems)
    # saving the form unchanged keeps it stale (the old hash is kept, not rewritten) ...
    assert _post_form(client, url, html, "save").status_code == 303
    entry = _draft().data["translations"]["fr"]["items"]["item-1"]["prompt"]
    assert entry == {"text": "Quel nombre est deux ?",
                     "source": source_hash("Which number is two?")}
    # ... "still right" stamps it with the original as it is now
    html = _page(client, url, token)
    ok = _rows(html, "fr")["items › item-1 › prompt"].find(".//input[@type='checkbox']")
    assert _post_form(client, url, html, "save", {ok.get("name"): "1"}).status_code == 303
    entry = _draft().data["translations"]["fr"]["items"]["item-1"]["prompt"]
    assert entry["source"] == source_hash("Which number is 2?")
    row = _rows(_page(client, url, token), "fr")["items › item-1 › prompt"]
    assert "ed-tr-ok" in row.get("class")
    # emptying a translation removes it: missing again
    html = _page(client, url, token)
    assert _post_form(client, url, html, "save", {name: ""}).status_code == 303
    assert "prompt" not in _draft().data["translations"]["fr"].get("items", {}).get("item-1", {})


@pytest.mark.parametrize("sample", ["fractions", "statistics-basics", "security-awareness"])
def test_the_form_round_trips_the_sample_translations_unchanged(client, dl, sample):
    """A sample with its Spanish and French (one text, as the library keeps it): posted back
    through the rendered form untouched, every translation is the same."""
    original = load_sample(sample)
    assert set(original.translations) == {"es", "fr"}
    token = dl.launch()
    url = _open_text(client, token, fields.module_yaml(module_to_dict(original)))
    html = _page(client, url, token)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "an id used twice"
    form = form_fields(html)
    assert any(k.startswith("tr|es|items|") for k in form)
    before = _draft().data["translations"]
    data = tr_form.apply_form(fields.form_to_module(form), form)
    assert data["translations"] == before
    posted, _ = parse_module(fields.module_yaml(data))
    assert posted is not None and posted.translations == original.translations
    # and through the view itself, posted as a browser posts the form (multipart; some
    # 3,000 fields, past Werkzeug's default limit of 1,000 parts)
    assert len(list(form.items(multi=True))) > 1000
    checked = client.post(f"{url}/validate", **multipart(form))
    assert checked.status_code == 200 and checked.get_json()["errors"] == 0, checked.get_json()
    assert client.post(url, **multipart(form)).status_code == 303
    assert _draft().data["translations"] == before


def test_a_short_text_rule_is_translated_with_its_other_answers():
    module = load_sample("statistics-basics")
    data = module_to_dict(module)
    forms = {f.language: f for f in tr_form.language_forms(data)}
    rule = next(r for r in forms["es"].rows if r.rule == "text")
    from werkzeug.datastructures import MultiDict

    form = MultiDict({tr_form.field_name("tr", "es", rule.key): "media",
                      tr_form.field_name("tr-also", "es", rule.key): "la media\n  \nuna media"})
    out = tr_form.apply_form(data, form)
    entry = tr_form._get(out["translations"]["es"], rule.key)
    assert entry == {"text": "media", "also": ["la media", "una media"],
                     "source": source_hash(rule.source)}
    added, why = tr_form.add_language(data, "de")
    assert why == "unsupported" and added == data
    assert tr_form.add_language(data, data.get("language") or "en")[1] == "own"


def test_a_draft_with_errors_still_lists_its_texts_to_translate():
    data = fields.blank_module()
    data["title"] = "Counting"
    data["items"] = [{"id": "q1", "type": "single_choice", "skills": ["nowhere"],
                      "prompt": "Pick one", "choices": [{"id": "a", "text": "this"}],
                      "answer_groups": [{"match": {"choice": "zz"}, "correct": True}]}]
    data, why = tr_form.add_language(data, "fr")
    assert why is None and parse_module(fields.module_yaml(data))[0] is None  # errors
    [french] = tr_form.language_forms(data)
    keys = {r.key: r.status for r in french.rows}
    assert keys[("title",)] == "missing" and keys[("items", "q1", "prompt")] == "missing"
    assert tr_form.remove_language(data, "fr").get("translations") is None
