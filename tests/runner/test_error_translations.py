"""Error pages a learner can meet speak their language (the browser's before a launch, the
launch's after): every title, the HTTP pages' sentences and the fixed sentence of every
learner-facing refusal (Replay, SessionExpired, LoginError, StateMismatch,
DatabaseUnavailable) raised anywhere in lti_tool/ has a Spanish and a French translation.
Found in the source, so a new refusal without a translation fails here."""

from __future__ import annotations

import ast
import html
import inspect
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import g
from flask_babel import refresh

from lti_tool import errors
from lti_tool.protocol import errors as protocol_errors

ROOT = Path(__file__).resolve().parents[2]
LEARNER_FACING = {"Replay", "SessionExpired", "LoginError", "StateMismatch",
                  "DatabaseUnavailable"}


def _catalogue(lang: str) -> dict[str, str]:
    with open(ROOT / f"lti_tool/translations/{lang}/LC_MESSAGES/messages.po", "rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def learner_facing_sentences() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "lti_tool").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if name in LEARNER_FACING and isinstance(first, ast.Constant) \
                    and isinstance(first.value, str):
                found.add(first.value)
    titles = {cls.title for _, cls in inspect.getmembers(protocol_errors, inspect.isclass)
              if issubclass(cls, protocol_errors.BranchwiseError)}
    pages = {text for pair in errors._PAGES.values() for text in pair}
    return found | titles | pages


def test_the_sentences_are_found() -> None:
    sentences = learner_facing_sentences()
    assert "This launch was already used. Open the activity again from your course." \
        in sentences
    assert "This launch was already used" in sentences  # a title
    assert len(sentences) > 30


@pytest.mark.parametrize("lang", ["es", "fr"])
def test_every_learner_facing_error_is_translated(lang: str) -> None:
    catalogue = _catalogue(lang)
    missing = sorted(s for s in learner_facing_sentences() if not catalogue.get(s))
    assert missing == [], f"{lang}: translate these in lti_tool/translations"


def test_a_replayed_launch_is_refused_in_french(client, lms) -> None:
    login = lms.login(client, target=lms.base_url + "/lti/launch")
    form = {"id_token": lms.sign(lms.claims(login.nonce)), "state": login.state}
    assert client.post("/lti/launch", data=form).status_code == 200
    # The fixture keeps one app context (and so one ``g``) around every request; in
    # production each request has its own: forget the first launch's language.
    g.pop("bw_locale", None)
    refresh()
    again = client.post("/lti/launch", data=form, headers={"Accept-Language": "fr-FR,fr"})
    page = again.get_data(as_text=True)
    assert again.status_code == 401, again.status_code
    assert '<html lang="fr"' in page
    assert _catalogue("fr")["This launch was already used"] in page
    assert "Open the activity again" not in page
    assert "<code>replayed_nonce</code>" in page  # the code is the same in every language


def test_an_unknown_page_is_spanish_for_a_spanish_browser(client) -> None:
    page = client.get("/no-such-page", headers={"Accept-Language": "es"}).get_data(True)
    assert _catalogue("es")["This page does not exist"] in page
    assert '<html lang="es"' in page
    # Its skip link too (it said "Skip to content" on every learner's error page).
    assert ">Saltar al contenido</a>" in page and "Skip to content" not in page


@pytest.mark.parametrize(("lang", "skip"), [("fr", "Aller au contenu"),
                                             ("es", "Saltar al contenido")])
def test_a_refusal_has_its_skip_link_in_the_learners_language(client, lang, skip) -> None:
    page = client.get("/activity?t=not-a-token", headers={"Accept-Language": lang})
    assert page.status_code == 401
    text = page.get_data(as_text=True)
    assert f">{skip}</a>" in text and "Skip to content" not in text


def test_the_admin_console_keeps_its_english_skip_link(client) -> None:
    page = client.get("/admin/login", headers={"Accept-Language": "es"}).get_data(True)
    assert ">Skip to content</a>" in page


def test_a_sentence_carrying_user_input_is_escaped_and_not_formatted(app) -> None:
    """Translation happens in Python: a refusal whose sentence carries what a user sent
    (markup, a %) is shown escaped and verbatim, never as HTML and never %-formatted."""
    hostile = 'Unknown issuer <script>alert(1)</script> "50% off" %(x)s'
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        page = errors.error_page(protocol_errors.LaunchError(hostile)).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "50% off" in page and "%(x)s" in page
    assert _catalogue("fr")["This launch could not be accepted"] in html.unescape(page)
