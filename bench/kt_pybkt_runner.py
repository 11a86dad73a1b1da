"""Fit and predict with PyPI pyBKT on the ASSISTments 2009 DKT split; print JSON.

Runs inside its own virtualenv (``bench/.venv-pybkt``, see docs/benchmarks.md),
called by ``bench/kt_benchmark.py``. Writes the one-step-ahead predictions of
the test answers (in file order) to ``--out`` as a .npy file; answers on skills
pyBKT has not fitted are left as NaN for the caller to fill.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kt_data import DEFAULT_DATA, Answers, load_split  # noqa: E402


def _frame(answers: Answers, offset: int = 0):  # -> pandas.DataFrame
    import pandas as pd

    # pyBKT treats skill names as regular expressions: use fixed-width, regex-safe ids
    return pd.DataFrame(
        {
            "order_id": np.arange(len(answers)) + offset,
            "user_id": answers.student + (offset and 10_000_000),
            "skill_name": [f"k{s:04d}" for s in answers.skill],
            "correct": answers.correct.astype(int),
        }
    )


def main() -> None:
    start = time.perf_counter()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--forgets", action="store_true")
    parser.add_argument("--num-fits", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    from pyBKT.fit import E_step  # noqa: F401  (fails if the C++ core was not built)
    from pyBKT.models import Model

    train, test = load_split(args.data)
    train_df = _frame(train)
    test_df = _frame(test, offset=len(train))
    model = Model(seed=args.seed, num_fits=args.num_fits)
    t0 = time.perf_counter()
    model.fit(data=train_df, forgets=args.forgets)
    fit_s = time.perf_counter() - t0
    fitted = set(model.coef_)
    known = test_df["skill_name"].isin(fitted).to_numpy()
    t0 = time.perf_counter()
    pred_df = model.predict(data=test_df[known])
    predict_s = time.perf_counter() - t0
    pred = np.full(len(test_df), np.nan)
    order = pred_df["order_id"].to_numpy() - len(train)
    pred[order] = pred_df["correct_predictions"].to_numpy()
    np.save(args.out, pred)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "fit_s": fit_s,
                "predict_s": predict_s,
                "wall_s": time.perf_counter() - start,
                "peak_rss_mib": max(peak, peak_children),
                "n_skills": len(fitted),
                "cpp": True,
            }
        )
    )


if __name__ == "__main__":
    main()
