"""How the demo LMS's score endpoint behaves: like the AGS spec, like Moodle, or like Canvas.

Real platforms differ in exactly the places that lose grades (guide lti.md §6, and
Canvas's ``Lti::IMS::ScoresController``):

* ``spec``   — a score whose timestamp is not newer than the stored one is answered 200
  and not applied (AGS 2.0 §3.4.8).
* ``moodle`` — timestamps are compared in **whole seconds**; an in-progress score is
  stored with Moodle's own processing time (a final ``Completed``/``FullyGraded`` one
  with its own timestamp); a score not newer than the stored second is answered
  **409**. Rate limiting answers 429 with ``Retry-After``.
* ``canvas`` — the stored time is the result's ``updated_at`` (processing time, ms);
  a score stamped before it is answered **400** "Provided timestamp of ... before last
  updated timestamp of ...". Rate limiting answers Canvas's **403** "Rate Limit
  Exceeded" with ``X-Rate-Limit-Remaining: 0`` and no Retry-After.

``rate`` (scores per second, 0 = unlimited) and ``burst`` set a token bucket shared by
every score POST; every POST is counted, also the refused ones, so a test can compare
what the tool sent with what the LMS accepted.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

MODES = ("spec", "moodle", "canvas")


@dataclass
class ScoreVerdict:
    """The platform's answer to one score POST."""

    status: int
    applied: bool
    reason: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    stored_at: float | None = None  # the time the platform keeps for the next comparison


@dataclass
class AgsBehaviour:
    """Mode + rate limit of the score endpoint, with counters (thread-safe)."""

    mode: str = "spec"
    rate: float = 0.0
    burst: int = 0
    posts: int = 0
    rate_limited: int = 0
    conflicts: int = 0
    _tokens: float = 0.0
    _refilled: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def configure(self, mode: str | None = None, rate: float | None = None,
                  burst: int | None = None) -> None:
        """Change the behaviour; counters start again from zero."""
        with self._lock:
            if mode is not None:
                if mode not in MODES:
                    raise ValueError(f"mode must be one of {', '.join(MODES)}")
                self.mode = mode
            if rate is not None:
                self.rate = max(0.0, float(rate))
            if burst is not None:
                self.burst = max(0, int(burst))
            self._tokens = float(self.bucket_size)
            self._refilled = time.monotonic()
            self.posts = self.rate_limited = self.conflicts = 0

    @property
    def bucket_size(self) -> int:
        return self.burst or max(1, math.ceil(self.rate))

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return {"mode": self.mode, "rate": self.rate, "burst": self.bucket_size,
                    "posts": self.posts, "rate_limited": self.rate_limited,
                    "conflicts": self.conflicts}

    def admit(self) -> ScoreVerdict | None:
        """Count a POST; a refusal when over the rate (None: go on)."""
        with self._lock:
            self.posts += 1
            if self.rate <= 0:
                return None
            now = time.monotonic()
            self._tokens = min(float(self.bucket_size),
                               self._tokens + (now - self._refilled) * self.rate)
            self._refilled = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return None
            self.rate_limited += 1
            wait = (1.0 - self._tokens) / self.rate
        if self.mode == "canvas":
            return ScoreVerdict(403, False, "403 Forbidden (Rate Limit Exceeded)",
                                {"X-Rate-Limit-Remaining": "0.0"})
        # Retry-After carries whole seconds (RFC 9110 delta-seconds).
        return ScoreVerdict(429, False, "rate limit exceeded",
                            {"Retry-After": str(max(1, math.ceil(wait)))})

    def judge(self, score: dict[str, Any], stored_at: float | None) -> ScoreVerdict:
        """Compare a score's timestamp with the stored one the way the mode's LMS does."""
        ts = datetime.fromisoformat(score["timestamp"]).timestamp()
        now = time.time()
        if self.mode == "moodle":
            final = (score.get("activityProgress") == "Completed"
                     and score.get("gradingProgress") == "FullyGraded")
            seconds = math.floor(ts)
            if stored_at is not None and seconds <= stored_at:
                with self._lock:
                    self.conflicts += 1
                return ScoreVerdict(409, False, "Refusing score with an earlier timestamp "
                                    "for item and user")
            return ScoreVerdict(200, True, stored_at=float(seconds if final
                                                           else max(seconds, math.floor(now))))
        if self.mode == "canvas":
            if stored_at is not None and ts < stored_at:
                with self._lock:
                    self.conflicts += 1
                last = datetime.fromtimestamp(stored_at, UTC).isoformat(timespec="milliseconds")
                return ScoreVerdict(400, False, f"Provided timestamp of {score['timestamp']} "
                                    f"before last updated timestamp of {last}")
            return ScoreVerdict(200, True, stored_at=max(ts, now))
        if stored_at is not None and ts <= stored_at:
            return ScoreVerdict(200, False, "timestamp not newer than the stored score")
        return ScoreVerdict(200, True, stored_at=ts)
