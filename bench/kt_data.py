"""Loading the ASSISTments 2009 DKT split (shared by the benchmark and the pyBKT runner).

The files have three lines per student: the number of answers N, N skill
indices, N 0/1 correctness flags (comma-separated, trailing comma), in time
order. Only numpy is needed, so the pyBKT runner can import this module from
its own virtualenv.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "assist09_dkt"


@dataclass(frozen=True)
class Answers:
    """All answers of one file, student by student, each student's answers in time order."""

    student: np.ndarray  # int64, 0..n_students-1 in file order
    skill: np.ndarray  # int64 skill index
    correct: np.ndarray  # int8 0/1

    def __len__(self) -> int:
        return int(self.student.size)


def _ints(line: str) -> list[int]:
    return [int(x) for x in line.split(",") if x.strip()]


def load_dkt(path: str | Path) -> Answers:
    """Read one ``builder_{train,test}.csv`` file of the DKT release."""
    lines = Path(path).read_text().splitlines()
    students: list[np.ndarray] = []
    skills: list[np.ndarray] = []
    corrects: list[np.ndarray] = []
    i = 0
    n_students = 0
    while i + 2 < len(lines) + 1 and i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        n = int(lines[i])
        sk, co = _ints(lines[i + 1]), _ints(lines[i + 2])
        if len(sk) != n or len(co) != n:
            raise ValueError(f"{path}: student block at line {i + 1} is malformed")
        students.append(np.full(n, n_students, dtype=np.int64))
        skills.append(np.asarray(sk, dtype=np.int64))
        corrects.append(np.asarray(co, dtype=np.int8))
        n_students += 1
        i += 3
    return Answers(np.concatenate(students), np.concatenate(skills), np.concatenate(corrects))


def load_split(data_dir: str | Path = DEFAULT_DATA) -> tuple[Answers, Answers]:
    """The published (train, test) split."""
    data_dir = Path(data_dir)
    return load_dkt(data_dir / "builder_train.csv"), load_dkt(data_dir / "builder_test.csv")
