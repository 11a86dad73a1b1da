"""One module in several languages: reading translations, choosing a language, localising.

A module is written in its default language (``Module.language``). Translations name each
learner-facing text by the stable ids of what it belongs to (``TextKey``, e.g.
``("items", "eq-1", "choices", "a")``), so a translation needs no copy of the structure and
an item keeps its id — and so its answers, analytics and fits — in every language
(docs/module-format.md, "Translations").

Pure functions over plain data and the frozen dataclasses; no I/O (the loader reads files).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from adaptive.modules.format import (
    Choice,
    Goal,
    Item,
    ItemType,
    Match,
    Module,
    Page,
    Resource,
    Skill,
    TextKey,
    TranslatedText,
)
from adaptive.modules.languages import (
    DECIMAL_COMMA_LANGUAGES,
    primary_language,
    uses_decimal_comma,
)
from adaptive.modules.problems import WARNING, Problem

__all__ = [
    "DECIMAL_COMMA_LANGUAGES",
    "SourceText",
    "fallback_texts",
    "languages",
    "localise",
    "needs_translation",
    "pick_language",
    "primary_language",
    "read_translation",
    "source_hash",
    "source_texts",
    "is_rule_key",
    "translation_leaf",
    "translation_problems",
    "uses_decimal_comma",
]

LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")

def source_hash(text: str) -> str:
    """The short hash a translation records of the original it translates: the first 8
    hex digits of the SHA-256 of the stripped text (whitespace-only edits keep it)."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:8]


def languages(module: Module) -> tuple[str, ...]:
    """The module's languages: its default first, then every translated one, sorted."""
    others = sorted(lang for lang in module.translations if lang != module.language)
    return (module.language, *others)


def pick_language(locale: str | None, available: tuple[str, ...] | list[str], default: str) -> str:
    """The language to show a learner whose launch says ``locale`` (e.g. "es-MX").

    A whole-tag match first ("pt-BR"), then the primary language ("es-MX" -> "es", or
    "es" -> "es-ES" when only a regional translation exists); else ``default``.
    """
    if not locale or not isinstance(locale, str):
        return default
    wanted = locale.strip().replace("_", "-").lower()
    by_lower = {a.lower(): a for a in available}
    if wanted in by_lower:
        return by_lower[wanted]
    primary = primary_language(wanted)
    if primary in by_lower:
        return by_lower[primary]
    for lower, tag in sorted(by_lower.items()):
        if primary_language(lower) == primary:
            return tag
    return default


# --- the texts of a module ------------------------------------------------------------


@dataclass(frozen=True)
class SourceText:
    """A translatable text of a module: its key, the original, and where it is written."""

    key: TextKey
    text: str
    path: str  # path in the module file, e.g. "items[3].choices[0].text"
    rule: bool = False  # a short-text answer group's rule (text or pattern), not prose


def _written(item: Item) -> Item:
    # Items with variants are translated as written (with {{placeholders}}), not as the
    # instance at the defaults that the loader keeps.
    if item.variants is not None and item.variants.template is not None:
        return item.variants.template
    return item


def source_texts(module: Module) -> Iterator[SourceText]:
    """Every non-empty learner-facing text of ``module``, in file order."""
    def text(key: TextKey, value: str, path: str) -> Iterator[SourceText]:
        if value and value.strip():
            yield SourceText(key, value, path)

    yield from text(("title",), module.title, "title")
    yield from text(("description",), module.description, "description")
    for i, s in enumerate(module.skills):
        base = f"skills[{i}]"
        yield from text(("skills", s.id, "title"), s.title, f"{base}.title")
        yield from text(("skills", s.id, "description"), s.description, f"{base}.description")
        for n, r in enumerate(s.resources):
            for name in ("title", "description"):
                yield from text(("skills", s.id, "resources", str(n), name), getattr(r, name),
                                f"{base}.resources[{n}].{name}")
    for i, p in enumerate(module.pages):
        yield from text(("pages", p.id, "title"), p.title, f"pages[{i}].title")
        yield from text(("pages", p.id, "body"), p.body, f"pages[{i}].body")
    for i, raw in enumerate(module.items):
        item = _written(raw)
        base, key = f"items[{i}]", ("items", item.id)
        yield from text((*key, "prompt"), item.prompt, f"{base}.prompt")
        for n, c in enumerate(item.choices):
            yield from text((*key, "choices", c.id), c.text, f"{base}.choices[{n}].text")
        for n, g in enumerate(item.answer_groups):
            gkey = (*key, "answer_groups", str(n))
            yield from text((*gkey, "feedback"), g.feedback, f"{base}.answer_groups[{n}].feedback")
            if item.type == ItemType.SHORT_TEXT:
                rule = g.match.pattern if g.match.mode == "regex" else g.match.text
                if rule:
                    field_name = "pattern" if g.match.mode == "regex" else "text"
                    yield SourceText((*gkey, "match"), rule,
                                     f"{base}.answer_groups[{n}].match.{field_name}", rule=True)
        yield from text((*key, "default_feedback"), item.default_feedback,
                        f"{base}.default_feedback")
        for n, h in enumerate(item.hints):
            yield from text((*key, "hints", str(n)), h, f"{base}.hints[{n}]")
        yield from text((*key, "solution"), item.solution, f"{base}.solution")
    for i, f in enumerate(module.figures):
        yield from text(("figures", f.id, "alt"), f.alt, f"figures[{i}].alt")
        yield from text(("figures", f.id, "caption"), f.caption, f"figures[{i}].caption")
    for i, goal in enumerate(module.goals):
        yield from text(("goals", goal.id, "title"), goal.title, f"goals[{i}].title")
        yield from text(("goals", goal.id, "description"), goal.description,
                        f"goals[{i}].description")


# Math, placeholders, figure references, code and URLs are the same in every language.
_NOT_WORDS = re.compile(
    r"\$\$.*?\$\$|\$[^$]*\$|\{\{.*?\}\}|\]\(figure:[^)]*\)|`[^`]*`|https?://\S+|\\[A-Za-z]+",
    re.S,
)
_WORD = re.compile(r"[^\W\d_]{2,}")


def needs_translation(text: str) -> bool:
    """Whether ``text`` has a word (two letters or more) outside math, placeholders,
    figure references and code: "$\\frac{2}{4}$" or "3/4" does not, "half of 8" does."""
    return _WORD.search(_NOT_WORDS.sub(" ", text)) is not None


# --- reading a translation ------------------------------------------------------------


def is_rule_key(key: TextKey) -> bool:
    """Whether ``key`` names a short-text answer group's rule (``items.<id>.answer_groups.<n>
    .match``), whose translation has ``text``/``also``/``pattern`` instead of prose."""
    return len(key) == 5 and key[2] == "answer_groups" and key[4] == "match"


def translation_leaf(entry: TranslatedText, rule: bool) -> dict[str, Any]:
    """``entry`` in the file format (the inverse of ``read_translation`` for one string): a
    rule without text writes none (the schema wants a rule's ``text`` non-empty)."""
    data: dict[str, Any] = {}
    if entry.text or not rule:
        data["text"] = entry.text
    if entry.also:
        data["also"] = list(entry.also)
    if entry.pattern:
        data["pattern"] = entry.pattern
    if entry.source:
        data["source"] = entry.source
    return data


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _leaf(value: Any, path: str, file: str, lines: Mapping[str, int] | None,
          is_rule: bool) -> TranslatedText | None:
    line = (lines or {}).get(path)
    if isinstance(value, str):
        return TranslatedText(text=value, file=file, line=line)
    if not isinstance(value, Mapping):
        return None
    source = value.get("source") if isinstance(value.get("source"), str) else None
    if is_rule:
        also = tuple(a for a in value.get("also") or () if isinstance(a, str))
        pattern = value.get("pattern") if isinstance(value.get("pattern"), str) else None
        rule_text = value.get("text")
        return TranslatedText(text=rule_text if isinstance(rule_text, str) else "",
                              source=source, also=also, pattern=pattern, file=file, line=line)
    text = value.get("text")
    if not isinstance(text, str):
        return None
    return TranslatedText(text=text, source=source, file=file, line=line)


def read_translation(body: Mapping[str, Any], file: str = "<translation>",
                     lines: Mapping[str, int] | None = None,
                     prefix: str = "") -> dict[TextKey, TranslatedText]:
    """The flat form of one language's translation body (already schema-checked).

    ``prefix`` is the body's path in its file ("" for a sibling file,
    "translations.es" in the module file), for line numbers. Keys are strings (YAML's
    ``0:`` becomes "0"). Anything that is not a text is ignored (the schema reports it).
    """
    out: dict[TextKey, TranslatedText] = {}

    def walk(node: Mapping[str, Any], key: TextKey, path: str) -> None:
        for raw_name, value in node.items():
            name = str(raw_name)
            child_key, child_path = (*key, name), _join(path, name)
            if not key and name in ("translation_of", "language"):
                continue
            is_rule = is_rule_key(child_key)
            is_text = isinstance(value, str) or is_rule or (
                isinstance(value, Mapping) and "text" in value)
            if is_text:
                leaf = _leaf(value, child_path, file, lines, is_rule)
                if leaf is not None:
                    out[child_key] = leaf
            elif isinstance(value, Mapping):
                walk(value, child_key, child_path)

    walk(body, (), prefix)
    return out


# --- localising -----------------------------------------------------------------------


def _pick(table: Mapping[TextKey, TranslatedText], key: TextKey, original: str) -> str:
    entry = table.get(key)
    if entry is None or not entry.text.strip():
        return original  # per-string fallback to the default language
    return entry.text


def _rule(table: Mapping[TextKey, TranslatedText], key: TextKey, match: Match) -> Match:
    entry = table.get(key)
    if entry is None:
        return match
    if match.mode == "regex":
        return replace(match, pattern=entry.pattern) if entry.pattern else match
    if entry.text.strip():
        return replace(match, text=entry.text, also=entry.also)
    return match


def _localise_item(item: Item, t: Mapping[TextKey, TranslatedText]) -> Item:
    key = ("items", item.id)
    groups = tuple(
        replace(
            g,
            feedback=_pick(t, (*key, "answer_groups", str(n), "feedback"), g.feedback),
            match=_rule(t, (*key, "answer_groups", str(n), "match"), g.match)
            if item.type == ItemType.SHORT_TEXT else g.match,
        )
        for n, g in enumerate(item.answer_groups)
    )
    return replace(
        item,
        prompt=_pick(t, (*key, "prompt"), item.prompt),
        choices=tuple(Choice(c.id, _pick(t, (*key, "choices", c.id), c.text))
                      for c in item.choices),
        answer_groups=groups,
        default_feedback=_pick(t, (*key, "default_feedback"), item.default_feedback),
        hints=tuple(_pick(t, (*key, "hints", str(n)), h) for n, h in enumerate(item.hints)),
        solution=_pick(t, (*key, "solution"), item.solution),
    )


def _localised_item(item: Item, t: Mapping[TextKey, TranslatedText], language: str) -> Item:
    variants = item.variants
    if variants is None or variants.template is None:
        return _localise_item(item, t)
    from adaptive.modules.variants import VariantError, default_values, instantiate

    template = _localise_item(variants.template, t)
    new_variants = replace(variants, template=template)
    try:
        concrete = instantiate(template, default_values(new_variants), language)
    except VariantError:  # cannot happen for a validated module; keep the original then
        return item
    return replace(concrete, variants=new_variants)


def _localise_skill(s: Skill, t: Mapping[TextKey, TranslatedText]) -> Skill:
    key = ("skills", s.id)
    return replace(
        s,
        title=_pick(t, (*key, "title"), s.title),
        description=_pick(t, (*key, "description"), s.description),
        resources=tuple(
            Resource(kind=r.kind, url=r.url,
                     title=_pick(t, (*key, "resources", str(n), "title"), r.title),
                     description=_pick(t, (*key, "resources", str(n), "description"),
                                       r.description))
            for n, r in enumerate(s.resources)
        ),
    )


def localise(module: Module, language: str) -> Module:
    """``module`` with its texts in ``language`` (per string, falling back to the default
    language), and everything else — ids, rules, numbers, settings — unchanged.

    The result's ``language`` is ``language``; the result is cached on the module, so
    calling this on every request is cheap.
    """
    if language == module.language or language not in module.translations:
        return module
    # Cached with the object it was made from: ``dataclasses.replace`` (e.g. a module
    # given a versioned id) shares the engine cache dict, and must not get another's result.
    cache: dict[str, tuple[Module, Module]] = module.engine_cache.setdefault("_localised", {})
    hit = cache.get(language)
    if hit is not None and hit[0] is module:
        return hit[1]
    t = module.translations[language]
    localised = replace(
        module,
        title=_pick(t, ("title",), module.title),
        description=_pick(t, ("description",), module.description),
        language=language,
        skills=tuple(_localise_skill(s, t) for s in module.skills),
        pages=tuple(
            Page(id=p.id, skill=p.skill, kind=p.kind,
                 title=_pick(t, ("pages", p.id, "title"), p.title),
                 body=_pick(t, ("pages", p.id, "body"), p.body))
            for p in module.pages
        ),
        items=tuple(_localised_item(i, t, language) for i in module.items),
        figures=tuple(
            replace(f, alt=_pick(t, ("figures", f.id, "alt"), f.alt),
                    caption=_pick(t, ("figures", f.id, "caption"), f.caption))
            for f in module.figures
        ),
        goals=tuple(
            Goal(id=g.id, skills=g.skills,
                 title=_pick(t, ("goals", g.id, "title"), g.title),
                 description=_pick(t, ("goals", g.id, "description"), g.description))
            for g in module.goals
        ),
        # Authored metadata is shared; the engine's lookups (items by id, the policy's
        # index, ...) are per object: a shared cache would hand out the other language's.
        metadata=dict(module.metadata),
        engine_cache={"default_language": module.language,
                      _FALLBACKS: frozenset(
                          src.text for src in source_texts(module) if not src.rule
                          and needs_translation(src.text)  # not "$1 \\div 2$": no words
                          and _pick(t, src.key, src.text) is src.text)},
        translations=module.translations,
    )
    cache[language] = (module, localised)
    return localised


_FALLBACKS = "fallback_texts"


def fallback_texts(module: Module) -> tuple[str, frozenset[str]]:
    """The default language of a localised ``module`` and the texts it shows in that
    language because their translation is missing (the per-string fallback of ``localise``);
    for a module in its own language: its language and no texts.

    Texts are matched by value, as written: an item with variants falls back with its
    ``{{placeholders}}`` filled in, which this does not see (it stays unmarked)."""
    cache = module.engine_cache
    return (cache.get("default_language", module.language),
            cache.get(_FALLBACKS, frozenset()))


# --- validation -----------------------------------------------------------------------


def _placeholders(item: Item) -> set[str] | None:
    if item.variants is None:
        return None
    return {p.name for p in item.variants.params} | {n for n, _ in item.variants.derived}


def translation_problems(
    module: Module,
    filename: str,
    lines: Mapping[str, int] | None,
    files: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Missing, stale, unstamped and unknown translations, and translated patterns and
    placeholders that cannot work. ``files`` maps a language to the file its translation
    is in (for messages); missing ones are reported at the original's line."""
    from adaptive.modules.patterns import PatternError, backtracking_risk, compile_pattern
    from adaptive.modules.variants import PLACEHOLDER

    problems: list[Problem] = []
    sources = {s.key: s for s in source_texts(module)}
    items = {i.id: i for i in module.items}  # with their variants (the template has none)
    for language, table in sorted(module.translations.items()):
        where = (files or {}).get(language, filename)
        for key, src in sources.items():
            entry = table.get(key)
            empty = entry is None or not (entry.text.strip() or entry.pattern)
            # A rule such as "3/4" or "\\s*6\\s*/\\s*15" is the same in every language.
            if empty and needs_translation(src.text):
                what = "accepted answer" if src.rule else "text"
                problems.append(Problem(
                    filename, _line(lines, src.path), src.path, "translation-missing",
                    f"no {language} translation of this {what} (add {'.'.join(key)} in {where})",
                    WARNING))
        for key, entry in table.items():
            tpath = ".".join(key)
            found = sources.get(key)
            if found is None:
                problems.append(Problem(
                    entry.file or where, entry.line, tpath, "translation-unknown",
                    f"the module has no text {tpath!r} to translate (a typo, or removed?)",
                    WARNING))
                continue
            src = found
            if src.rule:
                regex = src.path.endswith(".pattern")
                if (regex and not entry.pattern) or (not regex and entry.pattern):
                    want = "pattern:" if regex else "text: (and also:)"
                    problems.append(Problem(
                        entry.file or where, entry.line, tpath, "translation-rule",
                        f"this rule is {'a regex' if regex else 'a text'} rule: translate it "
                        f"with {want}, or it is ignored", WARNING))
            if entry.source is None:
                problems.append(Problem(
                    entry.file or where, entry.line, tpath, "translation-unstamped",
                    "no source hash: staleness cannot be checked (run branchwise module "
                    f"translations --language {language} --stamp)", WARNING))
            elif entry.source != source_hash(src.text):
                problems.append(Problem(
                    entry.file or where, entry.line, tpath, "translation-stale",
                    f"stale: the original at {filename}:{_line(lines, src.path)} changed "
                    f"after this was translated (source {entry.source}, now "
                    f"{source_hash(src.text)})", WARNING))
            if key[0] == "items" and key[1] in items:
                known = _placeholders(items[key[1]])
                texts = [entry.text, *entry.also, entry.pattern or ""]
                used = {n for t in texts for n in PLACEHOLDER.findall(t)}
                unknown = sorted(used - (known or set()))
                if unknown:
                    problems.append(Problem(
                        entry.file or where, entry.line, tpath, "translation-placeholder",
                        f"unknown placeholder(s) {', '.join(unknown)}: the item "
                        + ("defines " + ", ".join(sorted(known)) if known else
                           "has no variants")))
            if entry.pattern and "{{" not in entry.pattern:
                message = None
                try:
                    re.compile(entry.pattern)
                    compile_pattern(entry.pattern)
                    message = backtracking_risk(entry.pattern)
                except (re.error, PatternError) as exc:
                    message = f"invalid regex: {exc}"
                if message:
                    problems.append(Problem(entry.file or where, entry.line, tpath,
                                            "translation-regex", message))
    return problems


def _line(lines: Mapping[str, int] | None, path: str) -> int | None:
    from adaptive.modules.validate import line_for

    return line_for(lines, path)
