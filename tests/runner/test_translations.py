"""Every interface catalogue (Spanish, French) is complete and its compiled .mo matches the .po.

French also covers every message extracted from the source (babel.cfg), keeps each
placeholder of the English message, and follows one typographic convention (below).
A plural message (``ngettext``, ``{% trans count=... %}``) has its id as (singular, plural)
and one string per plural form of the language; every form is checked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from lti_tool.i18n import SUPPORTED_LOCALES, locale_for

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "lti_tool/translations"
ES = TRANSLATIONS / "es/LC_MESSAGES"
FR = TRANSLATIONS / "fr/LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def _plain(value):
    """A message id or string as read: a str, or a tuple for a plural (.mo gives lists)."""
    return tuple(value) if isinstance(value, list | tuple) else value


def _forms(text) -> tuple[str, ...]:
    """Every form of a translation (one for a message without plural)."""
    return text if isinstance(text, tuple) else (text,)


def _po(directory: Path) -> dict:
    with open(directory / "messages.po", "rb") as f:
        return {_plain(m.id): _plain(m.string) for m in read_po(f) if m.id}


@pytest.mark.parametrize("lang", ["es", "fr"])
def test_catalogue_complete_and_compiled(lang):
    directory = TRANSLATIONS / lang / "LC_MESSAGES"
    po_strings = _po(directory)
    with open(directory / "messages.mo", "rb") as f:
        mo = read_mo(f)
    untranslated = [k for k, v in po_strings.items() if not all(_forms(v))]
    assert po_strings and untranslated == [], f"untranslated {lang} messages"
    assert {_plain(m.id): _plain(m.string) for m in mo if m.id} == po_strings, \
        "run pybabel compile"


def test_french_translates_every_spanish_and_every_extracted_message():
    with open(ROOT / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    extracted = {msg[2] for msg in extract_from_dir(str(ROOT), method_map, options_map)}
    assert extracted, "nothing extracted: babel.cfg paths moved?"
    french = _po(FR)
    assert sorted(set(_po(ES)) - set(french)) == []
    assert sorted(extracted - set(french)) == []


def test_french_keeps_every_placeholder():
    for msgid, text in _po(FR).items():
        # A plural's first form (French: 0 and 1) keeps the singular's, the others the plural's.
        english = _forms(msgid)
        for n, form in enumerate(_forms(text)):
            original = english[min(n, len(english) - 1)]
            assert sorted(PLACEHOLDER.findall(form)) == sorted(PLACEHOLDER.findall(original)), \
                msgid
            assert "%" not in PLACEHOLDER.sub("", form), msgid  # a bare % breaks %-formatting


def test_french_typography_is_consistent():
    """One convention (docs/activity.md): no space before : ; ! ? (the templates put
    plain colons after labels), quotes are « » with no-break spaces inside, the
    apostrophe is the straight one, and French is written with its accents."""
    french = _po(FR)
    for msgid, forms in french.items():
        for text in _forms(forms):
            assert not re.search(r"\s[:;!?]", text), msgid
            assert "“" not in text and "”" not in text and '"' not in text, msgid
            assert "’" not in text, msgid
            assert all(part == "«\u00a0" for part in re.findall(r"«.", text)), msgid
            assert all(part == "\u00a0»" for part in re.findall(r".»", text)), msgid
    everything = " ".join(text for forms in french.values() for text in _forms(forms))
    for accented in ("é", "è", "à", "ç", "ê", "î"):
        assert accented in everything


def test_every_catalogue_is_a_supported_locale():
    catalogues = {p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")}
    assert set(SUPPORTED_LOCALES) == catalogues | {"en"}


def test_locale_for():
    assert locale_for("es-MX") == "es" and locale_for("es_ES") == "es"
    assert locale_for("fr") == "fr" and locale_for("fr-CA") == "fr" and locale_for("FR_be") == "fr"
    assert locale_for("de") == "en" and locale_for(None) == "en"
