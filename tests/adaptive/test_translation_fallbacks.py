"""``fallback_texts``: which texts of a localised module fell back to the default language
(so the tool can mark them with that language inside a translated page)."""

from __future__ import annotations

from pathlib import Path

from adaptive.modules.loader import load_module
from adaptive.modules.translations import fallback_texts, localise
from adaptive.samples import load_sample

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "modules" / "translated" / "mini.yaml"


def test_the_missing_translation_is_the_one_fallback():
    module = load_module(MINI)
    es = localise(module, "es")
    default, texts = fallback_texts(es)
    assert default == "en"
    assert texts == {"A third"}  # mini.es.yaml leaves items.h-3.choices.b out on purpose
    assert es.item("h-3").choices[1].text == "A third"
    # The stale translation is still a translation (shown, not a fallback).
    assert module.item("h-1").default_feedback not in texts


def test_complete_samples_and_the_default_language_have_none():
    fractions = load_sample("fractions")
    assert fallback_texts(fractions) == ("en", frozenset())
    for lang in ("es", "fr"):
        default, texts = fallback_texts(localise(fractions, lang))
        assert default == "en" and texts == frozenset(), lang
