"""GIFT (Moodle's plain-text question format) as a module draft.

Written from the format's published description (Moodle docs, "GIFT format"):
questions are separated by blank lines; ``//`` starts a comment line;
``$CATEGORY: a/b`` sets the category of the questions after it; ``::title::``
names a question; ``[html]``/``[markdown]``/``[plain]``/``[moodle]`` give the
text format; the answer block ``{...}`` holds ``=right``, ``~wrong``,
``%50%`` weights, ``#feedback`` and ``####general feedback``; ``\\~ \\= \\# \\{ \\}
\\:`` escape the special characters.

Question types and what they become:

============================ ========================================
multiple choice ``{=a ~b}``  single_choice
multiple answers ``~%50%a``  multiple_choice (the positive-weight set)
true/false ``{T}``           single_choice with choices true / false
short answer ``{=a =b}``     short_text, one group per accepted answer
missing word ``x {=a ~b} y`` single_choice, the blank shown as ``_____``
numerical ``{#3:0.1}``       numeric (tolerance or ``low..high`` range)
description (no answers)     a lesson page of the category
essay ``{}``, matching       unmapped (no such item type)
============================ ========================================

PyPI ``pygiftparser`` exists but is unmaintained since 2017; the grammar is
small enough to read here.
"""

from __future__ import annotations

import re
from typing import Any

from adaptive.importers.draft import Draft, DraftItem, DraftPage, ImportResult
from adaptive.importers.html import html_to_markdown

__all__ = ["parse_gift"]

# Escaped special characters are swapped for private-use code points while parsing.
_ESCAPES = {"\\~": "\ue000", "\\=": "\ue001", "\\#": "\ue002", "\\{": "\ue003",
            "\\}": "\ue004", "\\:": "\ue005", "\\n": "\n", "\\\\": "\ue006"}
_UNESCAPE = {"\ue000": "~", "\ue001": "=", "\ue002": "#", "\ue003": "{", "\ue004": "}",
             "\ue005": ":", "\ue006": "\\"}
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_NUM = r"-?\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?"


def _escape(text: str) -> str:
    for k, v in _ESCAPES.items():
        text = text.replace(k, v)
    return text


def _unescape(text: str) -> str:
    for k, v in _UNESCAPE.items():
        text = text.replace(k, v)
    return text


def _text(raw: str, fmt: str, draft: Draft, where: str) -> str:
    value = _unescape(raw).strip()
    if fmt in ("html", "moodle"):
        value, dropped = html_to_markdown(value)
        for kind in dropped:
            draft.skip(where, f"{kind} in the text was left out")
    return value


def _blocks(text: str) -> list[tuple[int, str]]:
    """Question blocks with their first line number; blank lines inside ``{}`` do not split."""
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    depth = 0
    for n, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("//") and depth == 0:
            continue
        if not stripped and depth == 0:
            if current:
                blocks.append((start, "\n".join(current)))
                current = []
            continue
        if not current:
            start = n
        current.append(line)
        depth = max(0, depth + line.count("{") - line.count("}"))
    if current:
        blocks.append((start, "\n".join(current)))
    return blocks


def _split_answers(body: str) -> list[tuple[str, str]]:
    """``[(marker, text)]`` for each ``=``/``~`` answer of a block (the general feedback aside)."""
    out: list[tuple[str, str]] = []
    for m in re.finditer(r"([=~])([^=~]*)", body):
        out.append((m.group(1), m.group(2)))
    return out


def _answer(text: str) -> tuple[float | None, str, str]:
    """``(weight, answer, feedback)`` of one answer's text."""
    text = text.strip()
    weight = None
    wm = _WEIGHT.match(text)
    if wm:
        weight = float(wm.group(1))
        text = text[wm.end():]
    answer, _, feedback = text.partition("#")
    return weight, answer.strip(), feedback.strip()


def _letters(n: int) -> list[str]:
    return [chr(ord("a") + i) if i < 26 else f"c{i + 1}" for i in range(n)]


def _numeric_rule(text: str) -> dict[str, Any] | None:
    text = text.strip().replace(",", ".")
    m = re.fullmatch(rf"({_NUM})\s*\.\.\s*({_NUM})", text)
    if m:
        low, high = float(m.group(1)), float(m.group(2))
        return {"low": min(low, high), "high": max(low, high)}
    m = re.fullmatch(rf"({_NUM})(?:\s*:\s*({_NUM}))?", text)
    if m:
        return {"value": float(m.group(1)), "tolerance": abs(float(m.group(2) or 0))}
    return None


def _numeric(body: str, item: dict[str, Any], draft: Draft, where: str) -> bool:
    body = body[1:].strip()  # after the leading '#'
    parts = _split_answers(body) if body.startswith("=") else [("=", body)]
    groups = []
    for _, raw in parts:
        weight, answer, feedback = _answer(raw)
        rule = _numeric_rule(_unescape(answer))
        if rule is None:
            draft.skip(where, f"numeric answer '{_unescape(answer)}' could not be read")
            continue
        group = {"match": rule, "correct": weight is None or weight >= 100}
        if weight is not None and 0 < weight < 100:
            draft.skip(where, f"partial credit {weight:g}% for '{_unescape(answer)}' "
                              "imported as wrong")
        if feedback:
            group["feedback"] = _unescape(feedback)
        groups.append(group)
    item.update(type="numeric", answer_groups=groups)
    return bool(groups)


def _question(draft: Draft, category: str | None, number: int, line: int, block: str) -> None:
    text = _escape(block.strip())
    title = ""
    tm = re.match(r"^::(.*?)::", text, re.S)
    if tm:
        title = _unescape(tm.group(1)).strip()
        text = text[tm.end():].lstrip()
    fmt = "moodle"
    fm = re.match(r"^\[(html|moodle|plain|markdown)\]", text)
    if fm:
        fmt = fm.group(1)
        text = text[fm.end():].lstrip()
    where = f"question {number} (line {line})" + (f" '{title}'" if title else "")
    open_at = text.find("{")
    if open_at < 0:
        body = _text(text, fmt, draft, where)
        draft.add_page(DraftPage(title=title or body.split("\n")[0][:80], body=body,
                                 category=category))
        return
    close_at = text.find("}", open_at)
    if close_at < 0:
        draft.skip(where, "answer block '{' is not closed; question left out")
        return
    before, inside, after = text[:open_at], text[open_at + 1:close_at].strip(), \
        text[close_at + 1:].strip()
    prompt = _text(before.rstrip() + (" _____ " + after if after else ""), fmt, draft, where)
    general = ""
    if "####" in inside:
        inside, _, general = inside.partition("####")
        inside = inside.strip()
    item: dict[str, Any] = {"prompt": prompt}
    if general.strip():
        item["solution"] = _text(general, fmt, draft, where)
    ok = False
    if not inside:
        draft.skip(where, "essay question (free text, graded by hand): no such item type")
        return
    if inside.startswith("#"):
        ok = _numeric(inside, item, draft, where)
    elif re.fullmatch(r"(T|F|TRUE|FALSE)(#[^#]*)?(#[^#]*)?", inside, re.S):
        value, *fbs = inside.split("#")
        truth = value.upper().startswith("T")
        wrong_fb = _unescape(fbs[0]).strip() if fbs else ""
        right_fb = _unescape(fbs[1]).strip() if len(fbs) > 1 else ""
        right, wrong = ("true", "false") if truth else ("false", "true")
        item.update(type="single_choice",
                    choices=[{"id": "true", "text": "True"}, {"id": "false", "text": "False"}],
                    answer_groups=[
                        {"match": {"choice": right}, "correct": True,
                         **({"feedback": right_fb} if right_fb else {})},
                        {"match": {"choice": wrong}, "correct": False,
                         **({"feedback": wrong_fb} if wrong_fb else {})}],
                    shuffle=False)
        ok = True
    else:
        answers = _split_answers(inside)
        if any("->" in a for _, a in answers):
            draft.skip(where, "matching question: no such item type")
            return
        parsed = [(mark, *_answer(raw)) for mark, raw in answers]
        if all(mark == "=" for mark, *_ in parsed):
            groups = []
            for _, weight, answer, feedback in parsed:
                if weight is not None and weight < 100:
                    draft.skip(where, f"partial credit {weight:g}% for '{_unescape(answer)}' "
                                      "imported as wrong")
                group = {"match": {"text": _unescape(answer), "mode": "normalised"},
                         "correct": weight is None or weight >= 100}
                if feedback:
                    group["feedback"] = _unescape(feedback)
                groups.append(group)
            item.update(type="short_text", answer_groups=groups)
            ok = bool(groups)
        else:
            ids = _letters(len(parsed))
            choices = [{"id": cid, "text": _text(answer, fmt, draft, where)}
                       for cid, (_, _, answer, _) in zip(ids, parsed, strict=True)]
            weighted = any(w is not None for _, w, _, _ in parsed)
            if weighted and not any(mark == "=" for mark, *_ in parsed):
                right_ids = [cid for cid, (_, w, _, _) in zip(ids, parsed, strict=True)
                             if w is not None and w > 0]
                feedbacks = [f for *_, f in parsed if f]
                if feedbacks:
                    draft.skip(where, "per-answer feedback of a multiple-answer question "
                                      "cannot be attached to one selection; left out")
                item.update(type="multiple_choice", choices=choices,
                            answer_groups=[{"match": {"choices": right_ids}, "correct": True}])
                ok = bool(right_ids)
            else:
                groups = []
                for cid, (mark, weight, _, feedback) in zip(ids, parsed, strict=True):
                    if weight is not None and 0 < weight < 100:
                        draft.skip(where, f"partial credit {weight:g}% imported as wrong")
                    group = {"match": {"choice": cid},
                             "correct": mark == "=" or (weight is not None and weight >= 100)}
                    if feedback:
                        group["feedback"] = _unescape(feedback)
                    groups.append(group)
                item.update(type="single_choice", choices=choices, answer_groups=groups)
                ok = True
    if not ok:
        draft.skip(where, "no usable answer; question left out")
        return
    draft.add_item(DraftItem(item, category=category, source_id=None, location=where))


def parse_gift(text: str, title: str = "Imported questions") -> ImportResult:
    """Read GIFT text into a module draft (never raises on odd input; it lists it)."""
    draft = Draft("gift", title)
    category: str | None = None
    number = 0
    for line, block in _blocks(text.lstrip("\ufeff")):
        cm = re.match(r"^\s*\$CATEGORY:\s*(.+?)\s*$", block, re.M)
        if cm:
            category = _category_name(cm.group(1))
            block = (block[:cm.start()] + block[cm.end():]).strip()
            if not block:
                continue
        number += 1
        _question(draft, category, number, line, block)
    return draft.finish(f"{title}.gift")


def _category_name(path: str) -> str:
    """``$course$/top/Fractions/Adding`` -> ``Fractions / Adding`` (Moodle's prefixes dropped)."""
    parts = [p.strip() for p in path.split("/") if p.strip()]
    parts = [p for p in parts if not (p.startswith("$") and p.endswith("$")) and p != "top"]
    return " / ".join(parts) or path.strip()
