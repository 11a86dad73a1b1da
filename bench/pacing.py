"""How long a simulated learner takes over a step, for the load benchmarks.

A closed loop of clients that answer as soon as a page arrives measures the most a tool can
take, but its latencies say nothing about an exam room: by Little's law they are just the
number of clients over the throughput. A real room is paced by reading and thinking. The
pace here is *measured*, not chosen: the time to the first response of real learners in
ASSISTments 2009-2010 (``ms_first_response`` of pyBKT's ``as.csv`` sample, 10,791 answers of
902 students; median 22 s, quartiles 10 s and 58 s), read from ``../shared/data`` at run
time and never copied into the repository.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

DEFAULT_TIMES = (Path(__file__).resolve().parents[2] / "shared" / "data" / "pybkt_samples"
                 / "as.csv")


def first_response_seconds(path: Path = DEFAULT_TIMES) -> list[float]:
    """Every positive ``ms_first_response`` of an ASSISTments export, in seconds."""
    if not path.exists():
        raise SystemExit(f"{path} is missing: the ASSISTments sample (see ../shared/data/"
                         "README.md) gives the measured pace; or use --think S")
    with path.open(newline="") as handle:
        times = [int(row["ms_first_response"]) / 1000 for row in csv.DictReader(handle)
                 if row["ms_first_response"].lstrip("-").isdigit()]
    return [t for t in times if t > 0]


@dataclass(frozen=True)
class Pace:
    """A learner's time on each step: drawn from ``times`` (scaled, capped), or uniform
    around ``mean`` when no times are given, or nothing (a closed loop)."""

    times: tuple[float, ...] = ()
    mean: float = 0.0
    scale: float = 1.0
    cap: float = 120.0

    @property
    def paced(self) -> bool:
        return bool(self.times) or self.mean > 0

    def draw(self, rng: random.Random) -> float:
        if self.times:
            return min(rng.choice(self.times), self.cap) * self.scale
        if self.mean > 0:
            return rng.uniform(0.4 * self.mean, 1.6 * self.mean)
        return 0.0

    def expected(self) -> float:
        """The mean seconds per step, to say how busy a room this is."""
        if self.times:
            return sum(min(t, self.cap) for t in self.times) / len(self.times) * self.scale
        return self.mean
