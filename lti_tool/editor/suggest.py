"""Skills suggested for questions without one, from the words they share (offline BM25).

Each skill is one document: its title, description and the text of its pages (its lesson
and any page of that skill). A question without a skill is the query: its prompt, choices,
feedback, hints and solution. BM25 (PyPI ``bm25s``, as the assistant's search) ranks the
skills; the best is suggested when it shares at least one word, with the words it shares,
so the teacher sees why and accepts or picks another. No model, nothing downloaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import bm25s
import numpy as np

from adaptive.assistant.text import tokens


@dataclass(frozen=True)
class SkillSuggestion:
    item_index: int
    skill_id: str
    score: float
    shared: tuple[str, ...]  # the (stemmed) words the question and the skill share


def _item_text(item: Mapping[str, Any]) -> str:
    parts = [str(item.get("prompt", "")), str(item.get("solution", "")),
             str(item.get("default_feedback", ""))]
    parts += [str(c.get("text", "")) for c in item.get("choices") or [] if isinstance(c, Mapping)]
    parts += [str(g.get("feedback", "")) for g in item.get("answer_groups") or []
              if isinstance(g, Mapping)]
    parts += [str(h) for h in item.get("hints") or []]
    return "\n".join(parts)


def _skill_texts(data: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    skills = [s for s in data.get("skills") or [] if isinstance(s, Mapping) and s.get("id")]
    pages = [p for p in data.get("pages") or [] if isinstance(p, Mapping)]
    ids, texts = [], []
    for skill in skills:
        sid = str(skill["id"])
        body = [str(skill.get("title", "")), str(skill.get("description", ""))]
        body += [f"{p.get('title', '')}\n{p.get('body', '')}" for p in pages
                 if p.get("skill") == sid or p.get("id") == skill.get("lesson")]
        ids.append(sid)
        texts.append("\n".join(body))
    return ids, texts


def suggest_skills(data: Mapping[str, Any]) -> dict[int, SkillSuggestion]:
    """A suggested skill for each question that has none (by its index in ``items``)."""
    ids, texts = _skill_texts(data)
    untagged = [(n, item) for n, item in enumerate(data.get("items") or [])
                if isinstance(item, Mapping) and not item.get("skills")]
    if not ids or not untagged:
        return {}
    corpus = [tokens(t) or ["\x00"] for t in texts]  # bm25s refuses an empty document
    index = bm25s.BM25()
    index.index(corpus, show_progress=False)
    out: dict[int, SkillSuggestion] = {}
    for n, item in untagged:
        query = tokens(_item_text(item))
        if not query:
            continue
        scores = np.asarray(index.get_scores(query), dtype=np.float64)
        best = int(np.argmax(scores))
        if scores[best] <= 0:
            continue  # no shared word: better no suggestion than a guess
        shared = tuple(sorted(set(query) & set(corpus[best])))
        out[n] = SkillSuggestion(n, ids[best], float(scores[best]), shared)
    return out


def accept(data: dict[str, Any], suggestions: Mapping[int, SkillSuggestion],
           only: int | None = None) -> dict[str, Any]:
    """The module with the suggestions taken (all, or the one for item ``only``)."""
    items = data.get("items") or []
    for n, suggestion in suggestions.items():
        if (only is None or n == only) and n < len(items) and isinstance(items[n], dict) \
                and not items[n].get("skills"):
            items[n]["skills"] = [suggestion.skill_id]
    return data
