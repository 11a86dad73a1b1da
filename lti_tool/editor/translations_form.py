"""The editor's translations form: each language's strings next to their originals.

Pure functions, no Flask. A draft keeps its translations in the module file's own
``translations:`` (docs/module-format.md, "Translations"), which the other forms carry
through untouched (``fields.extra_json``). This form shows, per language, every
translatable text of the module (``translations.source_texts``) with its translation and
the marks the validator gives it (``translations.translation_problems``: missing, stale,
unstamped ...), and writes back only the strings the teacher changed, each as the format's
``{text, source}`` with the hash from ``translations.source_hash`` (the validator's own),
so an untouched translation — a sample's, or one typed in the YAML view — is kept as it is.

Field names are ``tr|<language>|<key part>|...`` (``tr|es|items|eq-1|prompt``): ids may
hold dots, never a bar. ``tr-also|...`` holds a short-text rule's other accepted answers
(one a line) and ``tr-ok|...`` says "the translation is still right" for a stale one.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from adaptive.modules.format import TextKey, TranslatedText
from adaptive.modules.loader import build_module
from adaptive.modules.translations import (
    LANGUAGE_TAG,
    SourceText,
    needs_translation,
    read_translation,
    source_hash,
    source_texts,
    translation_leaf,
    translation_problems,
)
from lti_tool.editor.fields import Form

__all__ = ["LanguageForm", "Row", "add_language", "apply_form", "field_name",
           "language_forms", "remove_language", "supported_languages"]

SEP = "|"
# The marks shown on a row, most pressing first (the validator's codes).
_ORDER = ("translation-placeholder", "translation-regex", "translation-missing",
          "translation-stale", "translation-rule", "translation-unstamped")

_MARKS = {"translation-missing", "translation-stale", "translation-unstamped"}


@cache
def supported_languages() -> tuple[str, ...]:
    """The languages a teacher may add: those the sample modules are translated into."""
    from adaptive.samples import sample_ids, sample_languages

    found = {lang for sid in sample_ids() for lang in sample_languages(sid)}
    return tuple(sorted(found))


def field_name(prefix: str, language: str, key: TextKey) -> str:
    return SEP.join((prefix, language, *key))


@dataclass(frozen=True)
class Row:
    """One translatable text of the module in one language."""

    key: TextKey
    path: str  # the original's path in the module ("items[0].prompt")
    source: str
    rule: str  # "", "text" or "regex" (a short-text answer group's rule)
    text: str  # the translation as it stands (a regex rule: its pattern)
    also: str  # a text rule's other accepted answers, one a line
    codes: tuple[str, ...]  # the validator's marks on it
    messages: tuple[str, ...]
    needed: bool  # False: nothing to translate in it ("$\\frac{1}{2}$")

    @property
    def status(self) -> str:
        """The most pressing mark: "missing", "stale", ... or "ok" (or "" when optional)."""
        for code in _ORDER:
            if code in self.codes:
                return code.removeprefix("translation-")
        if not self.text.strip():
            return "missing" if self.needed else ""
        return "ok"

    @property
    def lines(self) -> int:
        return min(12, max(1, self.source.count("\n") + 1, len(self.source) // 70 + 1))


@dataclass(frozen=True)
class LanguageForm:
    """One language's rows and what the validator says of them as a whole."""

    language: str
    rows: list[Row]
    unknown: list[str] = field(default_factory=list)  # translated keys the module lacks

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)


def _get(body: Any, key: TextKey) -> Any:
    node = body
    for part in key:
        if not isinstance(node, Mapping):
            return None
        # In memory a YAML ``0:`` is an int; a stored draft (JSON) has "0".
        node = node.get(part, node.get(int(part)) if part.isdigit() else None)
    return node


def _set(body: dict[Any, Any], key: TextKey, value: Any) -> None:
    node = body
    for n, part in enumerate(key):
        if part.isdigit() and int(part) in node:
            node[part] = node.pop(int(part))  # one spelling of a position: "0"
        if n == len(key) - 1:
            break
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[key[-1]] = value


def _delete(body: dict[Any, Any], key: TextKey) -> None:
    """Remove the entry, and the mappings it leaves empty."""
    trail: list[tuple[dict[Any, Any], Any]] = []
    node: Any = body
    for part in key[:-1]:
        found = part if part in node else int(part) if part.isdigit() and int(part) in node \
            else None
        if found is None or not isinstance(node[found], dict):
            return
        trail.append((node, found))
        node = node[found]
    node.pop(key[-1], None)
    if key[-1].isdigit():
        node.pop(int(key[-1]), None)
    for parent, part in reversed(trail):
        if parent[part]:
            break
        parent.pop(part)


def _entry_text(entry: Any, rule: str) -> tuple[str, str]:
    """(the text shown, its other accepted answers) of an entry in the file format."""
    if isinstance(entry, str):
        return entry, ""
    if not isinstance(entry, Mapping):
        return "", ""
    if rule == "regex":
        return str(entry.get("pattern") or ""), ""
    also = entry.get("also") if rule == "text" else None
    return (str(entry.get("text") or ""),
            "\n".join(str(a) for a in also) if isinstance(also, list) else "")


def _rule(src: SourceText) -> str:
    if not src.rule:
        return ""
    return "regex" if src.path.endswith(".pattern") else "text"


def _translations(data: Mapping[str, Any]) -> Mapping[str, Any]:
    found = data.get("translations")
    return found if isinstance(found, Mapping) else {}


def language_forms(data: Mapping[str, Any]) -> list[LanguageForm]:
    """The form of each language the draft has (its default language excluded)."""
    bodies = {str(k): v for k, v in _translations(data).items() if isinstance(v, Mapping)}
    if not bodies:
        return []
    module = build_module({k: v for k, v in data.items() if k != "translations"},
                          "module.yaml")
    sources = list(source_texts(module))
    out = []
    for language, body in sorted(bodies.items()):
        if language == module.language:
            continue  # the validator reports it; nothing to translate into
        table = read_translation(body)
        problems = translation_problems(replace(module, translations={language: table}),
                                        "module.yaml", None)
        by_path: dict[str, list[Any]] = {}
        for p in problems:
            by_path.setdefault(p.path, []).append(p)
        rows = []
        for src in sources:
            rule = _rule(src)
            text, also = _entry_text(_get(body, src.key), rule)
            found = by_path.get(src.path, []) + by_path.get(".".join(src.key), [])
            found = [p for p in found if p.code.startswith("translation-")
                     and p.code != "translation-unknown"]
            # Missing, stale and unstamped are shown as the row's mark; the validator's
            # message is kept for the others (a pattern or placeholder that cannot work).
            said = tuple(p.message for p in found if p.code not in _MARKS)
            rows.append(Row(src.key, src.path, src.text, rule, text, also,
                            tuple(p.code for p in found), said, needs_translation(src.text)))
        unknown = [p.path for p in problems if p.code == "translation-unknown"]
        out.append(LanguageForm(language, rows, unknown))
    return out


def apply_form(data: dict[str, Any], form: Form) -> dict[str, Any]:
    """``data`` (the other forms' module, translations as they were) with the strings the
    teacher changed in the translations form written back, each stamped with the hash of
    the original as the module now has it. Unchanged strings are left exactly as they were."""
    names = [k for k in form if k.startswith("tr" + SEP)]
    if not names:
        return data
    data = copy.deepcopy(data)
    bodies = data.get("translations")
    if not isinstance(bodies, dict):
        return data
    module = build_module({k: v for k, v in data.items() if k != "translations"},
                          "module.yaml")
    sources = {src.key: src for src in source_texts(module)}
    for name in names:
        language, *parts = name.split(SEP)[1:]
        key = tuple(parts)
        src = sources.get(key)
        body = bodies.get(language)
        if src is None or not isinstance(body, dict):
            continue  # the original is gone (or emptied): the entry stays as it was
        rule = _rule(src)
        posted = (form.getlist(name) or [""])[-1].replace("\r\n", "\n")
        also_lines = (form.getlist(field_name("tr-also", language, key)) or [""])[-1]
        also = "\n".join(a.strip() for a in also_lines.splitlines() if a.strip())
        confirmed = "1" in form.getlist(field_name("tr-ok", language, key))
        entry = _get(body, key)
        was_text, was_also = _entry_text(entry, rule)
        if posted == was_text and also == was_also and not confirmed:
            continue
        if not posted.strip() and not also:
            _delete(body, key)
            continue
        written = TranslatedText(
            text="" if rule == "regex" else posted,
            pattern=posted if rule == "regex" else None,
            also=tuple(also.splitlines()) if rule == "text" else (),
            source=source_hash(src.text))
        _set(body, key, translation_leaf(written, bool(rule)))
    return data


def add_language(data: dict[str, Any], language: str) -> tuple[dict[str, Any], str | None]:
    """``data`` with an (empty) translation into ``language``; or why not."""
    language = language.strip()
    if language == (data.get("language") or "en"):
        return data, "own"
    if language not in supported_languages() or not LANGUAGE_TAG.match(language):
        return data, "unsupported"
    data = copy.deepcopy(data)
    bodies = data.get("translations")
    if not isinstance(bodies, dict):
        bodies = data["translations"] = {}
    bodies.setdefault(language, {})
    return data, None


def remove_language(data: dict[str, Any], language: str) -> dict[str, Any]:
    data = copy.deepcopy(data)
    bodies = data.get("translations")
    if isinstance(bodies, dict):
        bodies.pop(language, None)
        if not bodies:
            data.pop("translations")
    return data
