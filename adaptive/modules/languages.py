"""Language tags: primary language, and which languages write decimals with a comma.

No imports from the rest of the engine: grading and the translations both use it.
"""

from __future__ import annotations

__all__ = ["DECIMAL_COMMA_LANGUAGES", "primary_language", "uses_decimal_comma"]

#: Languages that write decimals with a comma (their grouped numbers, "1.000,5", are read so).
DECIMAL_COMMA_LANGUAGES = frozenset({
    "es", "fr", "de", "it", "pt", "nl", "ca", "gl", "eu", "ro", "pl", "cs", "sk", "sl", "hr",
    "sr", "bs", "hu", "fi", "sv", "da", "nb", "nn", "no", "is", "et", "lv", "lt", "ru", "uk",
    "be", "bg", "el", "tr", "az", "kk", "id", "vi",
})


def primary_language(tag: str) -> str:
    """"es-MX" -> "es"; "pt_BR" -> "pt"."""
    return tag.replace("_", "-").split("-", 1)[0].lower()


def uses_decimal_comma(language: str | None) -> bool:
    """Whether ``language`` (a tag such as "es" or "fr-CA") writes 0,5 for a half."""
    return bool(language) and primary_language(language or "") in DECIMAL_COMMA_LANGUAGES
