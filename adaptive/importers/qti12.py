"""QTI 1.2 (``questestinterop``) as Canvas and Blackboard write it.

Canvas (and PyPI ``text2qti``, which writes Canvas-style QTI) names the
question type in ``itemmetadata`` (``question_type``: ``multiple_choice_question``,
...), writes HTML in ``mattext`` and links feedback by ``displayfeedback``
(``<choice>_fb``, ``general_fb``, ``correct_fb``, ``general_incorrect_fb``).
Blackboard pools (``res00001.dat`` files in an export zip) name it in
``bbmd_questiontype`` (``Multiple Choice``, ...), write ``mat_formattedtext`` and
mark the correct condition with ``title="correct"`` or ``linkrefid="correct"``.
Without either, the response element decides (``response_lid`` single /
multiple / ordered, ``response_num``, ``response_str``).

Skills: one per question group / section title (Canvas), per question bank
(``bank_title``) or per assessment / pool title.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element

from adaptive.importers.draft import Draft, DraftItem, DraftPage
from adaptive.importers.html import html_to_markdown
from adaptive.importers.xml import element_text

__all__ = ["read_questestinterop"]

_CANVAS_TYPES = {
    "multiple_choice_question": "single", "true_false_question": "single",
    "multiple_answers_question": "multiple", "short_answer_question": "text",
    "numerical_question": "numeric", "text_only_question": "page",
    "essay_question": "essay question (graded by hand)",
    "file_upload_question": "file upload question",
    "matching_question": "matching question",
    "multiple_dropdowns_question": "multiple dropdowns question",
    "fill_in_multiple_blanks_question": "fill in multiple blanks question",
    "calculated_question": "formula question",
}
_BB_TYPES = {
    "multiple choice": "single", "true/false": "single", "either/or": "single",
    "multiple answer": "multiple", "fill in the blank": "text", "short answer": "text",
    "numeric": "numeric", "ordering": "ordering",
    "essay": "essay question (graded by hand)", "short response": "short response question",
    "file upload": "file upload question", "matching": "matching question",
    "fill in the blank plus": "fill in multiple blanks question",
    "jumbled sentence": "jumbled sentence question", "calculated": "calculated question",
    "hot spot": "hot spot question", "quiz bowl": "quiz bowl question",
    "opinion scale": "opinion scale (Likert) question",
}
_GENERAL_FEEDBACK = {"general_fb"}
_CORRECT_FEEDBACK = {"correct_fb", "correct"}
_INCORRECT_FEEDBACK = {"general_incorrect_fb", "incorrect"}


def _material_text(el: Element | None, draft: Draft, where: str) -> str:
    """The text of the ``material`` elements under ``el`` (not inside responses), as Markdown."""
    if el is None:
        return ""
    parts: list[str] = []

    def walk(node: Element) -> None:
        for child in node:
            if child.tag.startswith("response_"):
                continue
            if child.tag in ("mattext", "mat_formattedtext"):
                raw = element_text(child)
                kind = (child.get("texttype") or child.get("type") or "").lower()
                if "html" in kind or kind == "smart_text" or "<" in raw:
                    text, dropped = html_to_markdown(raw)
                    for d in dropped:
                        draft.skip(where, f"{d} in the text was left out")
                else:
                    text = raw.strip()
                if text:
                    parts.append(text)
            elif child.tag in ("matimage", "mataudio", "matvideo", "matapplet"):
                draft.skip(where, f"{child.tag[3:]} material was left out")
            else:
                walk(child)

    walk(el)
    return "\n\n".join(parts)


def _meta(item: Element) -> dict[str, str]:
    fields = {}
    for f in item.iter("qtimetadatafield"):
        label = (f.findtext("fieldlabel") or "").strip()
        if label:
            fields[label] = (f.findtext("fieldentry") or "").strip()
    meta = item.find("itemmetadata")
    if meta is not None:
        for child in meta:
            if child.tag.startswith("bbmd_") and child.text:
                fields[child.tag] = child.text.strip()
    return fields


def _kind(item: Element, meta: dict[str, str]) -> str:
    if meta.get("question_type") in _CANVAS_TYPES:
        return _CANVAS_TYPES[meta["question_type"]]
    bb = meta.get("bbmd_questiontype", "").lower()
    if bb in _BB_TYPES:
        return _BB_TYPES[bb]
    lids = list(item.iter("response_lid"))
    if len(lids) == 1:
        card = (lids[0].get("rcardinality") or "Single").lower()
        return {"multiple": "multiple", "ordered": "ordering"}.get(card, "single")
    if len(lids) > 1:
        return "matching question"
    if any(True for _ in item.iter("response_num")):
        return "numeric"
    fib = next(item.iter("render_fib"), None)
    if fib is not None:
        return "numeric" if (fib.get("fibtype") or "").lower() in ("decimal", "integer") \
            else "text"
    if item.find("presentation") is not None:
        return "page"
    return "question without a response"


def _score_value(cond: Element) -> float | None:
    for sv in cond.iter("setvar"):
        if (sv.get("varname") or sv.get("variablename") or "SCORE").upper() != "SCORE":
            continue
        text = (sv.text or "").strip()
        if text.upper().endswith(".MAX"):
            return 100.0
        try:
            return float(text)
        except ValueError:
            return None
    return None


def _is_correct(cond: Element) -> bool:
    score = _score_value(cond)
    if score is not None:
        return score > 0
    links = {d.get("linkrefid") for d in cond.iter("displayfeedback")}
    return (cond.get("title") or "").lower() == "correct" or bool(links & _CORRECT_FEEDBACK)


def _positive_values(node: Element) -> list[tuple[str, str]]:
    """``(respident, value)`` of the ``varequal`` tests not under a ``<not>``."""
    out: list[tuple[str, str]] = []
    for child in node:
        if child.tag == "not":
            continue
        if child.tag == "varequal":
            out.append((child.get("respident") or "", (child.text or "").strip()))
        else:
            out.extend(_positive_values(child))
    return out


def _feedback_texts(item: Element, draft: Draft, where: str) -> dict[str, str]:
    out = {}
    for fb in item.findall("itemfeedback"):
        ident = fb.get("ident") or ""
        text = _material_text(fb, draft, where)
        if text:
            out[ident] = text
    return out


def _links(cond: Element) -> list[str]:
    return [d.get("linkrefid") or "" for d in cond.iter("displayfeedback")]


def _choice_item(item: Element, kind: str, draft: Draft, where: str) -> dict[str, Any] | None:
    lid = next(item.iter("response_lid"))
    labels = list(lid.iter("response_label"))
    idents = [lab.get("ident") or "" for lab in labels]
    ids = _short_ids(idents)
    choices = [{"id": cid, "text": _material_text(lab, draft, where) or ident}
               for cid, ident, lab in zip(ids, idents, labels, strict=True)]
    by_ident = dict(zip(idents, ids, strict=True))
    feedback = _feedback_texts(item, draft, where)
    conds = list(item.iter("respcondition"))
    choice_fb: dict[str, str] = {}
    correct: list[str] = []
    correct_fb = ""
    for cond in conds:
        var = cond.find("conditionvar")
        tests = _positive_values(var if var is not None else cond)
        # Blackboard writes per-choice feedback as <varequal respident="CHOICE"/>.
        values = [v for _, v in tests] + [r for r, v in tests if not v and r in by_ident]
        chosen = [by_ident[v] for v in values if v in by_ident]
        links = _links(cond)
        if _is_correct(cond) and chosen:
            if kind == "single":
                correct += [c for c in chosen if c not in correct]
            else:
                correct = chosen
            for link in links:
                if link in _CORRECT_FEEDBACK and link in feedback:
                    correct_fb = feedback[link]
        if len(chosen) == 1:
            for link in links:
                if link not in _CORRECT_FEEDBACK | _INCORRECT_FEEDBACK | _GENERAL_FEEDBACK \
                        and link in feedback:
                    choice_fb[chosen[0]] = feedback[link]
    data: dict[str, Any] = {"prompt": _material_text(item.find("presentation"), draft, where),
                  "choices": choices}
    if kind == "single":
        right = set(correct)
        if len(right) > 1:
            draft.skip(where, "several choices are marked correct; each is accepted")
        groups = []
        for c in choices:
            g: dict[str, Any] = {"match": {"choice": c["id"]}, "correct": c["id"] in right}
            text = choice_fb.get(c["id"]) or (correct_fb if c["id"] in right else "")
            if text:
                g["feedback"] = text
            groups.append(g)
        data.update(type="single_choice", answer_groups=groups)
    elif kind == "multiple":
        if choice_fb:
            draft.skip(where, "per-answer feedback of a multiple-answer question cannot be "
                              "attached to one selection; left out")
        g = {"match": {"choices": sorted(set(correct), key=ids.index)}, "correct": True}
        if correct_fb:
            g["feedback"] = correct_fb
        data.update(type="multiple_choice", answer_groups=[g])
    else:  # ordering: the correct condition lists the choices in order
        order = list(dict.fromkeys(correct)) or ids
        if set(order) != set(ids):
            order = ids
        data.update(type="ordering", answer_groups=[{"match": {"order": order},
                                                     "correct": True}])
    if not correct:
        return None
    _general(data, feedback)
    return data


def _general(data: dict[str, Any], feedback: dict[str, str]) -> None:
    for key in _GENERAL_FEEDBACK:
        if key in feedback:
            data["solution"] = feedback[key]
    for key in _INCORRECT_FEEDBACK:
        if key in feedback:
            data["default_feedback"] = feedback[key]


def _num(text: str | None) -> float | None:
    try:
        return float((text or "").strip())
    except ValueError:
        return None


def _numeric_item(item: Element, draft: Draft, where: str) -> dict[str, Any] | None:
    feedback = _feedback_texts(item, draft, where)
    groups = []
    for cond in item.iter("respcondition"):
        if not _is_correct(cond):
            continue
        var = cond.find("conditionvar")
        if var is None:
            continue
        low = _num(next((e.text for e in var.iter("vargte")), None))
        high = _num(next((e.text for e in var.iter("varlte")), None))
        if low is None:
            low = _num(next((e.text for e in var.iter("vargt")), None))
        if high is None:
            high = _num(next((e.text for e in var.iter("varlt")), None))
        exact = _num(next((e.text for e in var.iter("varequal")), None))
        if low is not None or high is not None:
            rule = {k: v for k, v in (("low", low), ("high", high)) if v is not None}
        elif exact is not None:
            rule = {"value": exact, "tolerance": 0.0}
        else:
            continue
        g: dict[str, Any] = {"match": rule, "correct": True}
        for link in _links(cond):
            if link in feedback and link not in _INCORRECT_FEEDBACK | _GENERAL_FEEDBACK:
                g["feedback"] = feedback[link]
        groups.append(g)
    if not groups:
        return None
    data = {"type": "numeric",
            "prompt": _material_text(item.find("presentation"), draft, where),
            "answer_groups": groups}
    _general(data, feedback)
    return data


def _text_item(item: Element, draft: Draft, where: str) -> dict[str, Any] | None:
    feedback = _feedback_texts(item, draft, where)
    groups = []
    seen: set[str] = set()
    for cond in item.iter("respcondition"):
        if not _is_correct(cond):
            continue
        var = cond.find("conditionvar")
        for el in (var.iter("varequal") if var is not None else ()):
            text = (el.text or "").strip()
            if not text or text.casefold() in seen:
                continue
            seen.add(text.casefold())
            exact = (el.get("case") or "No").lower() == "yes"
            g: dict[str, Any] = {
                "match": {"text": text, "mode": "exact" if exact else "normalised"},
                "correct": True,
            }
            for link in _links(cond):
                if link in feedback and link not in _CORRECT_FEEDBACK | _INCORRECT_FEEDBACK \
                        | _GENERAL_FEEDBACK:
                    g["feedback"] = feedback[link]
            groups.append(g)
    if not groups:
        return None
    data = {"type": "short_text",
            "prompt": _material_text(item.find("presentation"), draft, where),
            "answer_groups": groups}
    _general(data, feedback)
    return data


def _short_ids(idents: list[str]) -> list[str]:
    """Source choice ids when short and valid (they survive a round trip), else a, b, c..."""

    ok = all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,23}", i) for i in idents)
    if ok and len(set(idents)) == len(idents):
        return idents
    return [chr(ord("a") + n) if n < 26 else f"c{n + 1}" for n in range(len(idents))]


def _item(item: Element, category: str | None, draft: Draft, number: int, doc: str) -> None:
    meta = _meta(item)
    title = item.get("title") or ""
    where = f"{doc}: item {number}" + (f" '{title}'" if title and title != "Question" else "")
    kind = _kind(item, meta)
    if kind == "page":
        draft.add_page(DraftPage(title=title if title != "Question" else "",
                                 body=_material_text(item.find("presentation"), draft, where),
                                 category=category))
        return
    if kind in ("single", "multiple", "ordering"):
        if next(item.iter("response_lid"), None) is None:
            draft.skip(where, "choice question without choices; left out")
            return
        data = _choice_item(item, kind, draft, where)
    elif kind == "numeric":
        data = _numeric_item(item, draft, where)
    elif kind == "text":
        data = _text_item(item, draft, where)
    else:
        draft.skip(where, f"{kind}: no such item type")
        return
    if data is None:
        draft.skip(where, "no correct answer found; question left out")
        return
    draft.add_item(DraftItem(data, category=category, source_id=item.get("ident"),
                             location=where))


def _walk(node: Element, category: str | None, draft: Draft, doc: str,
          counter: list[int]) -> None:
    for child in node:
        if child.tag == "item":
            counter[0] += 1
            _item(child, category, draft, counter[0], doc)
        elif child.tag == "section":
            title = (child.get("title") or "").strip()
            # Canvas's unnamed top section is "root_section"; Blackboard's has no title.
            name = title if title and child.get("ident") != "root_section" else category
            pick = child.findtext("selection_ordering/selection/selection_number")
            if pick:
                draft.skip(f"{doc}: section '{title or child.get('ident')}'",
                           f"picks {pick.strip()} question(s) at random; every question of "
                           "it is imported")
            _walk(child, name, draft, doc, counter)
        elif child.tag in ("assessment", "objectbank"):
            meta = {(f.findtext("fieldlabel") or ""): (f.findtext("fieldentry") or "")
                    for f in child.findall("qtimetadata/qtimetadatafield")}
            name = (meta.get("bank_title") or child.get("title") or "").strip() or category
            if name and not draft.source_title:
                draft.source_title = name
            _walk(child, name, draft, doc, counter)


def read_questestinterop(root: Element, draft: Draft, doc: str) -> None:
    """Add every item of one QTI 1.2 document to ``draft``."""
    _walk(root, None, draft, doc, [0])
