"""Hypothesis strategies for modules nobody wrote by hand (the engine's property tests, the
QTI round trip): one to five skills with random prerequisites, one to eight items of every
type, lessons and remediation pages or none, practice caps from 1, thresholds 0.6-0.99,
extreme BKT parameters. Drawn as module JSON text, for the real loader and validator."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st


def choices(n: int) -> list[dict[str, str]]:
    return [{"id": chr(ord("a") + i), "text": f"choice {i}"} for i in range(n)]


ITEM_TYPES = ("single_choice", "multiple_choice", "numeric", "short_text", "ordering")


@st.composite
def item_dicts(draw: st.DrawFn, sid: str, n: int, pages: list[str],
               siblings: list[str], kinds: tuple[str, ...] = ITEM_TYPES) -> dict[str, Any]:
    """One item of skill ``sid``: any type, a right and a wrong answer group, maybe a
    destination for the wrong one (a remediation page of the skill, or another item)."""
    kind = draw(st.sampled_from(kinds))
    item: dict[str, Any] = {
        "id": f"{sid}-i{n}",
        "type": kind,
        "skills": [sid],
        "diagnostic": draw(st.booleans()),
        "difficulty": draw(st.floats(-2.0, 2.0, allow_nan=False)),
        "prompt": f"Question {n} of {sid}",
    }
    if kind == "single_choice":
        item["choices"] = choices(draw(st.integers(2, 5)))
        right, wrong = {"choice": "a"}, {"choice": "b"}
    elif kind == "multiple_choice":
        item["choices"] = choices(draw(st.integers(2, 4)))
        right, wrong = {"choices": ["a", "b"]}, {"choices": ["a"]}
    elif kind == "ordering":
        count = draw(st.integers(2, 4))
        item["choices"] = choices(count)
        ids = [c["id"] for c in item["choices"]]
        right, wrong = {"order": ids}, {"order": list(reversed(ids))}
    elif kind == "numeric":
        right, wrong = {"value": 3.0, "tolerance": 0.01}, {"value": 5.0}
    else:
        right, wrong = {"text": "right"}, {"text": "wrong"}
    wrong_group: dict[str, Any] = {"match": wrong, "correct": False, "feedback": "No."}
    destination = draw(st.sampled_from(["none", "page", "item"]))
    if destination == "page" and pages:
        wrong_group["destination"] = {"page": draw(st.sampled_from(pages))}
    elif destination == "item" and siblings:
        wrong_group["destination"] = {"item": draw(st.sampled_from(siblings))}
    item["answer_groups"] = [{"match": right, "correct": True, "feedback": "Yes."}, wrong_group]
    return item


@st.composite
def module_texts(draw: st.DrawFn, kinds: tuple[str, ...] = ITEM_TYPES) -> str:
    n_skills = draw(st.integers(1, 5))
    ids = [f"s{i}" for i in range(n_skills)]
    skills, pages, items = [], [], []
    for i, sid in enumerate(ids):
        skill: dict[str, Any] = {
            "id": sid,
            "title": f"Skill {i}",
            "prerequisites": draw(st.lists(st.sampled_from(ids[:i]), unique=True,
                                           max_size=2)) if i else [],
        }
        if draw(st.booleans()):
            skill["lesson"] = f"{sid}-lesson"
            pages.append({"id": f"{sid}-lesson", "title": "Lesson", "skill": sid,
                          "kind": "lesson", "body": "Read this."})
        remediation = []
        if draw(st.booleans()):
            remediation = [f"{sid}-fix"]
            pages.append({"id": f"{sid}-fix", "title": "Fix", "skill": sid,
                          "kind": "remediation", "body": "Try this way."})
        count = draw(st.integers(1, 8))
        siblings = [f"{sid}-i{n}" for n in range(count)]
        for n in range(count):
            items.append(draw(item_dicts(sid, n, remediation,
                                         [s for s in siblings if s != siblings[n]], kinds)))
        skills.append(skill)
    bkt = {
        "prior": draw(st.floats(0.01, 0.9)),
        "learn": draw(st.floats(0.01, 0.5)),
        "guess": draw(st.floats(0.01, 0.4)),
        "slip": draw(st.floats(0.01, 0.3)),
    }
    data = {
        "schema_version": 1,
        "id": "drawn",
        "title": "Drawn module",
        "settings": {
            "mastery_threshold": draw(st.floats(0.6, 0.99)),
            "practice_cap": draw(st.integers(1, 15)),
            "diagnostic_items": draw(st.integers(0, 3)),
            "bkt": bkt,
        },
        "skills": skills,
        "pages": pages,
        "items": items,
    }
    return json.dumps(data)


