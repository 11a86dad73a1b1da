"""The Spanish catalogue is complete and its compiled .mo matches the .po."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from lti_tool.i18n import locale_for

ES = Path(__file__).resolve().parents[2] / "lti_tool/translations/es/LC_MESSAGES"


def test_es_catalogue_complete_and_compiled():
    with open(ES / "messages.po", "rb") as f:
        po = read_po(f)
    with open(ES / "messages.mo", "rb") as f:
        mo = read_mo(f)
    po_strings = {m.id: m.string for m in po if m.id}
    assert all(po_strings.values()), "untranslated Spanish messages"
    assert {m.id: m.string for m in mo if m.id} == po_strings, "run pybabel compile"


def test_locale_for():
    assert locale_for("es-MX") == "es" and locale_for("es_ES") == "es"
    assert locale_for("fr") == "en" and locale_for(None) == "en"
