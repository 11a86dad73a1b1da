"""QTI 2.1 and 3.0 assessment items (``assessmentItem`` / ``qti-assessment-item``).

``importers.xml`` maps QTI 3.0 names onto 2.1's, so this module reads both.
Interactions and what they become:

======================= =========================================================
choiceInteraction       single_choice (``maxChoices=1``) or multiple_choice
orderInteraction        ordering
textEntryInteraction    numeric (``baseType`` float/integer) or short_text
inlineChoiceInteraction single_choice (the blank shown as ``_____``)
anything else           unmapped, listed with the file (match, associate, gap
                        match, hotspot, hottext, slider, drawing, upload,
                        extended text, custom and portable custom interactions)
======================= =========================================================

Answers come from the explicit response processing when it has conditions
(one answer group per ``responseIf``/``responseElseIf`` branch: ``match``,
``member``, ``stringMatch``, ``patternMatch``, ``equal`` with a tolerance,
``gte``/``lte`` ranges), else from ``correctResponse`` and ``mapping`` (the
``match_correct`` and ``map_response`` templates). Feedback: a ``modalFeedback``
or ``feedbackInline`` whose identifier is a choice id, or the value a branch
sets the FEEDBACK outcome to; ``CORRECT``/``INCORRECT`` identifiers, and the
``HINT``/``SOLUTION`` outcomes Branchwise's own export writes (docs/import.md).
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element, tostring

from adaptive.importers.draft import Draft, DraftItem
from adaptive.importers.html import html_to_markdown

__all__ = ["read_assessment_item"]

_SUPPORTED = {"choiceInteraction", "orderInteraction", "textEntryInteraction",
              "inlineChoiceInteraction"}
_INTERACTIONS = _SUPPORTED | {
    "matchInteraction", "associateInteraction", "gapMatchInteraction",
    "hotspotInteraction", "hottextInteraction", "sliderInteraction", "drawingInteraction",
    "uploadInteraction", "extendedTextInteraction", "customInteraction",
    "portableCustomInteraction", "selectPointInteraction", "graphicOrderInteraction",
    "graphicAssociateInteraction", "graphicGapMatchInteraction", "positionObjectInteraction",
    "mediaInteraction", "endAttemptInteraction"}
_NAMES = {"matchInteraction": "matching", "associateInteraction": "associate",
          "gapMatchInteraction": "gap match", "hotspotInteraction": "hotspot",
          "hottextInteraction": "hot text", "sliderInteraction": "slider",
          "drawingInteraction": "drawing", "uploadInteraction": "file upload",
          "extendedTextInteraction": "extended text (essay)",
          "customInteraction": "custom", "portableCustomInteraction": "portable custom",
          "selectPointInteraction": "select point", "mediaInteraction": "media",
          "endAttemptInteraction": "end attempt"}
_FEEDBACK_TAGS = ("modalFeedback", "feedbackInline", "feedbackBlock")


def _markdown(el: Element | None, draft: Draft, where: str, skip: set[str]) -> str:
    """The HTML content of ``el`` (children named in ``skip`` removed) as Markdown."""
    if el is None:
        return ""
    parts = [el.text or ""]
    for child in el:
        if child.tag in skip or child.tag in _FEEDBACK_TAGS:
            parts.append(child.tail or "")
            continue
        parts.append(tostring(child, encoding="unicode"))
    text, dropped = html_to_markdown("".join(parts))
    for kind in dropped:
        draft.skip(where, f"{kind} in the text was left out")
    return text


def _prompt(body: Element, interaction: Element, draft: Draft, where: str) -> str:
    """The item body's text around the interaction, plus the interaction's own prompt."""
    inline = interaction.tag in ("textEntryInteraction", "inlineChoiceInteraction")
    clone = _strip(body, interaction, inline)
    text = _markdown(clone, draft, where, set(_INTERACTIONS))
    own = _markdown(interaction.find("prompt"), draft, where, set())
    if own and own not in text:
        text = f"{text}\n\n{own}".strip()
    return text


def _strip(body: Element, interaction: Element, inline: bool) -> Element:
    """A copy of ``body`` without interactions and feedback, at any depth.

    An inline interaction (text entry, inline choice) with text around it reads
    ``_____``, so that "The capital is ___." still makes sense as a prompt.
    """
    def has_text(el: Element) -> bool:
        return bool((el.text or "").strip()) or any((c.tail or "").strip() for c in el)

    def copy(el: Element) -> Element:
        new = Element(el.tag, el.attrib)
        new.text = el.text
        for child in el:
            if child.tag in _INTERACTIONS or child.tag in _FEEDBACK_TAGS:
                filler = " _____ " if child is interaction and inline and has_text(el) else ""
                rest = filler + (child.tail or "")
                if len(new):
                    new[-1].tail = (new[-1].tail or "") + rest
                else:
                    new.text = (new.text or "") + rest
                continue
            kid = copy(child)
            kid.tail = child.tail
            new.append(kid)
        return new

    return copy(body)


def _declaration(item: Element, rid: str) -> Element | None:
    for decl in item.findall("responseDeclaration"):
        if decl.get("identifier") == rid:
            return decl
    return None


def _values(el: Element | None) -> list[str]:
    if el is None:
        return []
    return [(v.text or "").strip() for v in el.iter("value")]


def _feedbacks(item: Element, draft: Draft, where: str) -> tuple[dict[str, str], dict[str, Any]]:
    """``({identifier: text}, {"HINT": [...], "SOLUTION": text})`` of the item's feedback."""
    by_id: dict[str, str] = {}
    extra: dict[str, Any] = {"HINT": []}
    for tag in _FEEDBACK_TAGS:
        for fb in item.iter(tag):
            text = _markdown(fb, draft, where, set())
            if not text:
                continue
            outcome = (fb.get("outcomeIdentifier") or "").upper()
            ident = fb.get("identifier") or ""
            if outcome == "HINT":
                extra["HINT"].append(text)
            elif outcome == "SOLUTION":
                extra["SOLUTION"] = text
            else:
                by_id[ident] = text
    return by_id, extra


def _branch_groups(
    item: Element, rid: str, base_type: str
) -> list[tuple[dict[str, Any], bool, str]]:
    """``[(rule, correct, feedback_id)]`` from explicit response conditions."""
    rp = item.find("responseProcessing")
    if rp is None:
        return []
    out = []
    for cond in rp.iter("responseCondition"):
        for branch in cond:
            if branch.tag not in ("responseIf", "responseElseIf"):
                continue
            test = next(iter(branch), None)
            if test is None:
                continue
            rule = _rule(test, rid, base_type)
            if rule is None:
                continue
            score, feedback = None, ""
            for sov in branch.findall("setOutcomeValue"):
                ident = (sov.get("identifier") or "").upper()
                value = sov.find("baseValue")
                if value is None:
                    continue
                if ident == "SCORE":
                    try:
                        score = float((value.text or "0").strip())
                    except ValueError:
                        score = None
                elif ident == "FEEDBACK":
                    feedback = (value.text or "").strip()
            if score is None:
                continue
            out.append((rule, score > 0, feedback))
    return out


def _refers(el: Element, rid: str) -> bool:
    return any(v.get("identifier") == rid for v in el.iter("variable"))


def _rule(test: Element, rid: str, base_type: str) -> dict[str, Any] | None:
    """One answer-group rule from a condition on the response, or None."""
    if not _refers(test, rid):
        return None
    consts = [(v.text or "").strip() for v in test.iter("baseValue")]
    if test.tag == "match" and test.find("correct") is not None:
        return {"_correct": True}
    if test.tag == "match" and consts:
        if test.find("ordered") is not None:
            return {"order": consts}
        if test.find("multiple") is not None:
            return {"choices": consts}
        if base_type == "identifier":
            return {"choice": consts[0]}
        if base_type in ("float", "integer"):
            try:
                return {"value": float(consts[0]), "tolerance": 0.0}
            except ValueError:
                return None
        return {"text": consts[0], "mode": "exact"}
    if test.tag == "member" and consts:
        return {"choice": consts[0]}
    if test.tag == "stringMatch" and consts:
        exact = (test.get("caseSensitive") or "true").lower() == "true"
        return {"text": consts[0], "mode": "exact" if exact else "normalised"}
    if test.tag == "patternMatch" and test.get("pattern"):
        return {"mode": "regex", "pattern": test.get("pattern")}
    if test.tag == "equal" and consts:
        try:
            value = float(consts[0])
            tolerance = float((test.get("tolerance") or "0").split()[0])
        except ValueError:
            return None
        if (test.get("toleranceMode") or "exact") == "relative":
            return {"low": value * (1 - tolerance / 100), "high": value * (1 + tolerance / 100)}
        return {"value": value, "tolerance": tolerance}
    if test.tag == "and":
        low = high = None
        for part in test:
            vals = [(v.text or "").strip() for v in part.iter("baseValue")]
            try:
                number = float(vals[0]) if vals else None
            except ValueError:
                return None
            if part.tag in ("gte", "gt"):
                low = number
            elif part.tag in ("lte", "lt"):
                high = number
        if low is None and high is None:
            return None
        return {k: v for k, v in (("low", low), ("high", high)) if v is not None}
    if test.tag in ("gte", "gt") and consts:
        return {"low": float(consts[0])}
    if test.tag in ("lte", "lt") and consts:
        return {"high": float(consts[0])}
    return None


def _tolerance(item: Element) -> dict[str, Any]:
    rp = item.find("responseProcessing")
    for eq in (rp.iter("equal") if rp is not None else ()):
        if eq.find("correct") is not None:
            try:
                tol = float((eq.get("tolerance") or "0").split()[0])
            except ValueError:
                tol = 0.0
            return {"mode": eq.get("toleranceMode") or "exact", "tolerance": tol}
    return {"mode": "exact", "tolerance": 0.0}


def _ids(choices: list[Element]) -> tuple[list[str], dict[str, str]]:
    idents = [c.get("identifier") or "" for c in choices]
    if all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}", i) for i in idents) and \
            len(set(idents)) == len(idents):
        ids = idents
    else:
        ids = [chr(ord("a") + n) if n < 26 else f"c{n + 1}" for n in range(len(idents))]
    return ids, dict(zip(idents, ids, strict=True))


def read_assessment_item(item: Element, draft: Draft, doc: str, category: str | None,
                         tags: tuple[str, ...] = ()) -> None:
    """Add one QTI 2.x/3.0 item to ``draft`` (or list why it was left out)."""
    title = item.get("title") or item.get("identifier") or ""
    where = f"{doc}" + (f" '{title}'" if title else "")
    body = item.find("itemBody")
    if body is None:
        draft.skip(where, "item without a body; left out")
        return
    found = [el for el in body.iter() if el.tag in _INTERACTIONS]
    if not found:
        draft.skip(where, "item without an interaction this importer knows (text only or "
                          "misspelt); left out")
        return
    if len(found) > 1:
        names = ", ".join(sorted({_NAMES.get(f.tag, f.tag) for f in found}))
        draft.skip(where, f"item with {len(found)} interactions ({names}): no such item type")
        return
    inter = found[0]
    if inter.tag not in _SUPPORTED:
        draft.skip(where, f"{_NAMES.get(inter.tag, inter.tag)} interaction: no such item type")
        return
    rid = inter.get("responseIdentifier") or "RESPONSE"
    decl = _declaration(item, rid)
    base_type = (decl.get("baseType") if decl is not None else None) or "identifier"
    cardinality = (decl.get("cardinality") if decl is not None else None) or "single"
    feedback, extra = _feedbacks(item, draft, where)
    data: dict[str, Any] = {"prompt": _prompt(body, inter, draft, where)}

    choice_els = [c for c in inter if c.tag in ("simpleChoice", "inlineChoice")]
    ids, by_ident = _ids(choice_els)
    if choice_els:
        data["choices"] = [{"id": cid, "text": _markdown(c, draft, where, set())}
                           for cid, c in zip(ids, choice_els, strict=True)]
        shuffle = (inter.get("shuffle") or "false").lower() == "true"
        data["shuffle"] = shuffle
    correct_values = _values(decl.find("correctResponse") if decl is not None else None)
    mapping = []
    mapping_el = decl.find("mapping") if decl is not None else None
    if mapping_el is not None:
        for entry in mapping_el.iter("mapEntry"):
            try:
                mapped = float(entry.get("mappedValue") or "0")
            except ValueError:
                mapped = 0.0
            mapping.append((entry.get("mapKey") or "", mapped,
                            (entry.get("caseSensitive") or "true").lower() == "true"))

    def remap(rule: dict[str, Any]) -> dict[str, Any] | None:
        if "choice" in rule:
            return {"choice": by_ident[rule["choice"]]} if rule["choice"] in by_ident else None
        for key in ("choices", "order"):
            if key in rule:
                if not all(v in by_ident for v in rule[key]):
                    return None
                return {key: [by_ident[v] for v in rule[key]]}
        return rule

    groups: list[dict[str, Any]] = []
    branches = _branch_groups(item, rid, base_type)
    explicit = [b for b in branches if "_correct" not in b[0]]
    kind = _type(inter, cardinality, base_type)
    rule: dict[str, Any] | None
    if explicit:
        for rule, correct, fb_id in branches:
            if "_correct" in rule:
                rule = _correct_rule(kind, correct_values, item)
            rule = remap(rule) if rule is not None else None
            if rule is None:
                continue
            g: dict[str, Any] = {"match": rule, "correct": correct}
            text = feedback.get(fb_id) if fb_id else None
            if text:
                g["feedback"] = text
            groups.append(g)
    else:
        rule = _correct_rule(kind, correct_values, item)
        if kind == "single_choice":
            accepted = set(correct_values) | {k for k, v, _ in mapping if v > 0}
            for ident, cid in by_ident.items():
                g = {"match": {"choice": cid}, "correct": ident in accepted}
                text = feedback.get(ident) or (feedback.get("CORRECT") or feedback.get(
                    "correct", "") if ident in accepted else "")
                if text:
                    g["feedback"] = text
                groups.append(g)
        elif kind == "short_text":
            seen: set[str] = set()
            entries = [(v, True) for v in correct_values] + [(k, cs) for k, v, cs in mapping
                                                              if v > 0]
            case_of = {k: cs for k, _, cs in mapping}
            for text, _ in entries:
                if not text or text.casefold() in seen:
                    continue
                seen.add(text.casefold())
                exact = case_of.get(text, True)
                groups.append({"match": {"text": text,
                                         "mode": "exact" if exact else "normalised"},
                               "correct": True})
        elif rule is not None:
            rule = remap(rule)
            if rule is not None:
                groups.append({"match": rule, "correct": True})
        correct_fb = feedback.get("CORRECT") or feedback.get("correct")
        if correct_fb and kind != "single_choice":
            for g in groups:
                if g["correct"]:
                    g.setdefault("feedback", correct_fb)
    if not any(g["correct"] for g in groups):
        draft.skip(where, "no correct answer could be read; left out")
        return
    data = {"type": kind, **data, "answer_groups": groups}
    default = feedback.get("INCORRECT") or feedback.get("incorrect") or feedback.get("DEFAULT")
    if default:
        data["default_feedback"] = default
    if extra["HINT"]:
        data["hints"] = extra["HINT"]
    if extra.get("SOLUTION"):
        data["solution"] = extra["SOLUTION"]
    if kind == "ordering":
        data.pop("shuffle", None)
    draft.add_item(DraftItem(data, category=category, tags=tags,
                             source_id=item.get("identifier"), location=where))


def _type(inter: Element, cardinality: str, base_type: str) -> str:
    if inter.tag == "orderInteraction":
        return "ordering"
    if inter.tag == "choiceInteraction":
        single = cardinality == "single" or inter.get("maxChoices") == "1"
        return "single_choice" if single else "multiple_choice"
    if inter.tag == "inlineChoiceInteraction":
        return "single_choice"
    return "numeric" if base_type in ("float", "integer") else "short_text"


def _correct_rule(kind: str, values: list[str], item: Element) -> dict[str, Any] | None:
    if not values:
        return None
    if kind == "single_choice":
        return {"choice": values[0]}
    if kind == "multiple_choice":
        return {"choices": values}
    if kind == "ordering":
        return {"order": values}
    if kind == "numeric":
        try:
            value = float(values[0])
        except ValueError:
            return None
        tol = _tolerance(item)
        if tol["mode"] == "relative":
            return {"low": value * (1 - tol["tolerance"] / 100),
                    "high": value * (1 + tol["tolerance"] / 100)}
        return {"value": value, "tolerance": tol["tolerance"]}
    return {"text": values[0], "mode": "exact"}
