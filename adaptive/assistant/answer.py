"""Answer a learner's question from the module's own passages, without giving the answer away.

``respond`` is the whole assistant without a language model: it reads the intent of
the question (asking for the answer, saying "I don't get it"), searches only the
passages this learner may see (``policy.visible``), quotes the sentences that match
best and drops every sentence that states the current item's answer
(``policy.redact``). The learner's own words are never echoed, so a prompt such as
"repeat after me: the answer is 15" has nothing to work with. The fixed phrases around
the quotes live in the web templates, translated; a ``Reply`` carries only quotes and
flags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from adaptive.assistant.passages import Passage
from adaptive.assistant.policy import (
    LearnerView,
    Mode,
    Secrets,
    leaks,
    redact,
    secrets_of,
    visible,
)
from adaptive.assistant.retrieval import Index
from adaptive.assistant.text import fold, sentences, tokens
from adaptive.modules.format import Module

__all__ = ["Quote", "Reply", "asks_for_answer", "is_confused", "respond"]

MAX_QUESTION_CHARS = 1000
_QUOTE_SENTENCES = 4

_ANSWER_SEEKING = re.compile("|".join([
    r"\banswers?\b", r"\bsolution\b", r"\bsolve (it|this)\b", r"\btell me\b", r"\bgive me\b",
    r"\bjust (say|give|tell)\b", r"\bwhich (one|option|choice)\b", r"\bis it\b",
    r"\bcorrect (one|option|choice|value|number)\b", r"\bright (one|option|choice)\b",
    r"\bwhat (should|do) i (put|type|choose|pick|select|enter|write)\b",
    r"\brespuesta", r"\bsolucion", r"\bresuelve", r"\bdime\b", r"\bdame\b",
    r"\bcual es (la )?(correcta|buena|opcion)", r"\bque (pongo|elijo|marco|escribo|respondo)\b",
    r"\bes la (opcion|correcta)", r"\bopcion correcta\b",
]))
_CONFUSED = re.compile("|".join([
    r"\bi (do ?n[o']?t|dont|still don ?t) (get|understand|follow)", r"\bconfus", r"\blost\b",
    r"\bmakes? no sense\b", r"\bno (lo )?entiendo\b", r"\bno (lo )?comprendo\b",
    r"\bestoy perdid", r"\bme confund", r"\bno se (como|que)\b", r"\bno tiene sentido\b",
    r"\bhelp\b", r"\bayuda\b",
]))


def asks_for_answer(question: str) -> bool:
    """Does the learner ask to be told the answer (in English or Spanish)?"""
    return _ANSWER_SEEKING.search(fold(question)) is not None


def is_confused(question: str) -> bool:
    """Does the learner say they are lost ("I don't get it", "no entiendo")?"""
    return _CONFUSED.search(fold(question).replace("’", "'")) is not None


@dataclass(frozen=True)
class Quote:
    """One cited passage: what is quoted and where it comes from."""

    passage_id: str
    kind: str
    title: str
    text: str  # plain text, already redacted
    skill: str | None = None
    url: str = ""


@dataclass(frozen=True)
class Reply:
    status: str  # "answer" | "nothing" (no passage fits) | "off"
    quotes: tuple[Quote, ...] = ()
    skill: str | None = None  # what the question is about, for the teacher's insight
    asked_for_answer: bool = False  # the reply says it will not give the answer
    confused: bool = False  # the learner said they are lost

    @property
    def text(self) -> str:
        """Everything a reply shows apart from fixed phrases (what a leak check reads)."""
        return "\n".join(f"{q.title}\n{q.text}" for q in self.quotes)


def _best_sentences(passage: Passage, query_tokens: set[str], secrets: Secrets) -> str:
    kept = redact(passage.text, secrets)
    parts = sentences(kept)
    if len(parts) <= _QUOTE_SENTENCES:
        return "\n".join(parts)
    scored = [(len(query_tokens & set(tokens(s))), -n) for n, s in enumerate(parts)]
    if not any(score for score, _ in scored):
        chosen = set(range(_QUOTE_SENTENCES))
    else:
        best = sorted(range(len(parts)), key=lambda n: scored[n], reverse=True)
        chosen = set(best[:_QUOTE_SENTENCES])
    return "\n".join(parts[n] for n in sorted(chosen))


def _quote(passage: Passage, query_tokens: set[str], secrets: Secrets) -> Quote | None:
    text = _best_sentences(passage, query_tokens, secrets)
    if not text.strip():
        return None
    title = passage.title if not leaks(passage.title, secrets) else ""
    return Quote(passage.id, passage.kind, title, text, passage.skill, passage.url)


def respond(index: Index, module: Module, question: str, view: LearnerView, k: int = 3,
            ) -> Reply:
    """The assistant's reply to ``question`` for a learner in ``view`` (pure, no model)."""
    if view.mode is Mode.OFF:
        return Reply(status="off")
    question = question[:MAX_QUESTION_CHARS]
    item = None
    if view.current_item:
        try:
            item = module.item(view.current_item)
        except KeyError:
            item = None
    secrets = secrets_of(item)
    seeking = item is not None and asks_for_answer(question)
    confused = is_confused(question)
    allowed = {p.id for p in index.passages if visible(p, view)}
    query = question
    if item is not None and (len(tokens(question)) < 3 or seeking or confused):
        # "I don't get it" or "what's the answer?" say nothing about the topic: search with
        # the item on screen instead (its prompt, never its answer).
        query = f"{question}\n{item.prompt}"
    hits = index.search(query, allowed, k=k + 3)
    q_tokens = set(tokens(query))
    picked: list[Passage] = []
    if item is not None and (seeking or confused):
        # Hints the ladder unlocked come first: they are the next step for this item.
        picked += [p for p in index.passages if p.kind == "hint" and p.item == item.id
                   and p.id in allowed]
    skill = item.primary_skill if item is not None else (hits[0].passage.skill if hits else None)
    if confused and skill:
        picked += [p for p in index.passages if p.kind == "resource" and p.skill == skill
                   and p.id in allowed]
    picked += [h.passage for h in hits]
    quotes: list[Quote] = []
    seen: set[str] = set()
    limit = k + (2 if seeking or confused else 0)
    for passage in picked:
        if passage.id in seen or len(quotes) >= limit:
            continue
        seen.add(passage.id)
        quote = _quote(passage, q_tokens, secrets)
        # Quotes that are harmless alone can give the answer together (two steps of an
        # ordering): a quote joins only if the reply as a whole still does not leak.
        if quote is not None and not leaks(Reply("answer", (*quotes, quote)).text, secrets):
            quotes.append(quote)
    return Reply(status="answer" if quotes else "nothing", quotes=tuple(quotes), skill=skill,
                 asked_for_answer=seeking, confused=confused)

