"""Moodle XML question export as a module draft.

The element names are those of Moodle's ``qformat_xml`` (docs: "Moodle XML
format"). A ``<question type="category">`` sets the category of the questions
after it; each category becomes a skill. Per type:

=================== ==============================================================
multichoice         single_choice (``<single>true``) or multiple_choice (the set
                    of answers with a positive fraction)
truefalse           single_choice with choices true / false
shortanswer         short_text (``usecase`` 1 -> exact; ``*`` wildcards -> regex)
numerical           numeric, ``tolerance`` absolute
ordering            ordering (answers listed in the correct order)
description         a lesson page of the category
essay, matching,    unmapped, listed with the question's name (no such item type)
multianswer (cloze),
ddwtos, gapselect,
ddimageortext,
ddmarker,
calculated*,
randomsamatch
=================== ==============================================================

Kept on every item: answer feedback, ``<hint>`` texts (hints),
``<generalfeedback>`` (the worked solution) and ``<incorrectfeedback>`` (the
default feedback). Tags that name a category become secondary skills.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from adaptive.importers.draft import Draft, DraftItem, DraftPage, ImportError_, ImportResult
from adaptive.importers.gift import _category_name
from adaptive.importers.html import html_to_markdown

__all__ = ["parse_moodle_xml"]

_UNMAPPED_TYPES = {
    "essay": "essay question (graded by hand)",
    "matching": "matching question",
    "multianswer": "embedded answers (cloze) question",
    "ddwtos": "drag and drop into text question",
    "gapselect": "select missing words question",
    "ddimageortext": "drag and drop onto image question",
    "ddmarker": "drag and drop markers question",
    "calculated": "calculated question",
    "calculatedsimple": "simple calculated question",
    "calculatedmulti": "calculated multichoice question",
    "randomsamatch": "random short-answer matching question",
    "random": "random question (picks from a category at quiz time)",
}


def _child_text(el: Element | None, path: str = "text") -> str:
    if el is None:
        return ""
    found = el.find(path)
    return (found.text or "") if found is not None else ""


def _rich(el: Element | None, draft: Draft, where: str) -> str:
    """A ``<x format=...><text>`` field as Markdown (HTML converted, media reported)."""
    if el is None:
        return ""
    raw = _child_text(el)
    fmt = el.get("format", "html")
    if fmt in ("html", "moodle_auto_format"):
        text, dropped = html_to_markdown(raw)
        for kind in dropped:
            draft.skip(where, f"{kind} in the text was left out")
        return text
    return raw.strip()


def _fraction(answer: Element) -> float:
    try:
        return float(answer.get("fraction", "0"))
    except ValueError:
        return 0.0


def _letters(n: int) -> list[str]:
    return [chr(ord("a") + i) if i < 26 else f"c{i + 1}" for i in range(n)]


def _wildcard_pattern(text: str) -> str:
    return ".*".join(re.escape(part) for part in text.split("*"))


def _common(q: Element, item: dict[str, Any], draft: Draft, where: str) -> None:
    hints = [h for h in (_rich(h, draft, where) for h in q.findall("hint")) if h]
    if hints:
        item["hints"] = hints
    solution = _rich(q.find("generalfeedback"), draft, where)
    if solution:
        item["solution"] = solution
    default = _rich(q.find("incorrectfeedback"), draft, where)
    if default and "default_feedback" not in item:
        item["default_feedback"] = default


def _choices(q: Element, draft: Draft, where: str) -> tuple[list[dict[str, Any]], list[Element]]:
    answers = q.findall("answer")
    ids = _letters(len(answers))
    choices = [{"id": cid, "text": _rich(a, draft, where)}
               for cid, a in zip(ids, answers, strict=True)]
    return choices, answers


def _feedback(answer: Element, draft: Draft, where: str) -> str:
    return _rich(answer.find("feedback"), draft, where)


def _item(q: Element, qtype: str, draft: Draft, where: str) -> dict[str, Any] | None:
    prompt = _rich(q.find("questiontext"), draft, where)
    item: dict[str, Any] = {"prompt": prompt}
    if qtype == "multichoice":
        choices, answers = _choices(q, draft, where)
        single = (q.findtext("single") or "true").strip().lower() in ("true", "1")
        item["shuffle"] = (q.findtext("shuffleanswers") or "1").strip().lower() in ("true", "1")
        if single:
            groups = []
            for c, a in zip(choices, answers, strict=True):
                frac = _fraction(a)
                if 0 < frac < 100:
                    draft.skip(where, f"partial credit {frac:g}% for '{c['text']}' "
                                      "imported as wrong")
                group = {"match": {"choice": c["id"]}, "correct": frac >= 100}
                fb = _feedback(a, draft, where)
                if fb:
                    group["feedback"] = fb
                groups.append(group)
            item.update(type="single_choice", choices=choices, answer_groups=groups)
        else:
            right = [c["id"] for c, a in zip(choices, answers, strict=True) if _fraction(a) > 0]
            if any(_feedback(a, draft, where) for a in answers):
                draft.skip(where, "per-answer feedback of a multiple-answer question cannot "
                                  "be attached to one selection; left out")
            group = {"match": {"choices": right}, "correct": True}
            fb = _rich(q.find("correctfeedback"), draft, where)
            if fb:
                group["feedback"] = fb
            item.update(type="multiple_choice", choices=choices, answer_groups=[group])
            wrong = _rich(q.find("incorrectfeedback"), draft, where)
            if wrong:
                item["default_feedback"] = wrong
    elif qtype == "truefalse":
        groups = []
        for a in q.findall("answer"):
            value = _child_text(a).strip().lower()
            if value not in ("true", "false"):
                continue
            group = {"match": {"choice": value}, "correct": _fraction(a) >= 100}
            fb = _feedback(a, draft, where)
            if fb:
                group["feedback"] = fb
            groups.append(group)
        item.update(type="single_choice",
                    choices=[{"id": "true", "text": "True"}, {"id": "false", "text": "False"}],
                    answer_groups=groups, shuffle=False)
    elif qtype == "shortanswer":
        exact = (q.findtext("usecase") or "0").strip() == "1"
        groups = []
        for a in q.findall("answer"):
            text = _child_text(a).strip()
            frac = _fraction(a)
            if 0 < frac < 100:
                draft.skip(where, f"partial credit {frac:g}% for '{text}' imported as wrong")
            if text == "*":  # Moodle's "any other answer": what the default feedback is for
                other = _feedback(a, draft, where)
                if other:
                    item["default_feedback"] = other
                continue
            if "*" in text:
                rule = {"mode": "regex", "pattern": _wildcard_pattern(text)}
                if exact:
                    rule["pattern"] = f"(?-i:{rule['pattern']})"
            else:
                rule = {"text": text, "mode": "exact" if exact else "normalised"}
            group = {"match": rule, "correct": frac >= 100}
            fb = _feedback(a, draft, where)
            if fb:
                group["feedback"] = fb
            groups.append(group)
        item.update(type="short_text", answer_groups=groups)
    elif qtype == "numerical":
        groups = []
        for a in q.findall("answer"):
            text = _child_text(a).strip()
            frac = _fraction(a)
            if text == "*":
                continue
            try:
                number = float(text.replace(",", "."))
                tolerance = abs(float(a.findtext("tolerance") or 0))
            except ValueError:
                draft.skip(where, f"numeric answer '{text}' could not be read")
                continue
            if 0 < frac < 100:
                draft.skip(where, f"partial credit {frac:g}% for '{text}' imported as wrong")
            group = {"match": {"value": number, "tolerance": tolerance}, "correct": frac >= 100}
            fb = _feedback(a, draft, where)
            if fb:
                group["feedback"] = fb
            groups.append(group)
        if q.find("units/unit") is not None:
            draft.skip(where, "units are not imported; learners answer the number alone")
        item.update(type="numeric", answer_groups=groups)
    elif qtype == "ordering":
        choices, _ = _choices(q, draft, where)
        item.update(type="ordering", choices=choices,
                    answer_groups=[{"match": {"order": [c["id"] for c in choices]},
                                    "correct": True}])
        fb = _rich(q.find("correctfeedback"), draft, where)
        if fb:
            item["answer_groups"][0]["feedback"] = fb
    else:
        return None
    _common(q, item, draft, where)
    return item


def parse_moodle_xml(data: bytes | str, title: str = "Imported questions") -> ImportResult:
    """Read a Moodle XML export into a module draft; ``ImportError_`` if it is not one."""
    try:
        root = SafeET.fromstring(data)
    except (SafeET.ParseError, DefusedXmlException) as exc:
        raise ImportError_(f"not readable XML: {exc}") from exc
    if root.tag != "quiz":
        raise ImportError_(f"not a Moodle XML export (root element <{root.tag}>, not <quiz>)")
    draft = Draft("moodle-xml", title)
    category: str | None = None
    n = 0  # questions counted as Moodle lists them: categories are not questions
    for q in root.findall("question"):
        qtype = q.get("type", "")
        if qtype == "category":
            category = _category_name(_child_text(q.find("category")))
            continue
        n += 1
        name = _child_text(q.find("name")).strip()
        where = f"question {n}" + (f" '{name}'" if name else "") + f" ({qtype})"
        if qtype == "description":
            draft.add_page(DraftPage(title=name, body=_rich(q.find("questiontext"), draft, where),
                                     category=category))
            continue
        if qtype in _UNMAPPED_TYPES:
            draft.skip(where, f"{_UNMAPPED_TYPES[qtype]}: no such item type")
            continue
        item = _item(q, qtype, draft, where)
        if item is None:
            draft.skip(where, f"question type '{qtype}' is not known")
            continue
        if not any(g.get("correct") for g in item.get("answer_groups", [])):
            draft.skip(where, "no fully correct answer; question left out")
            continue
        tags = tuple(t.strip() for t in (el.text or "" for el in q.findall("tags/tag/text"))
                     if t.strip())
        idnumber = (q.findtext("idnumber") or "").strip() or None
        draft.add_item(DraftItem(item, category=category, tags=tags, source_id=idnumber,
                                 location=where))
    return draft.finish(f"{title}.xml")
