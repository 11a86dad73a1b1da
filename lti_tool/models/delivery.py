"""Grade delivery state shared by every worker: one learner's sending slot, one platform's budget.

Both live in the database (not the cache) because their updates must be atomic
between processes and hosts on SQLite and PostgreSQL alike: a conditional UPDATE
takes a slot, an UPDATE ... RETURNING reserves a sending time.
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.extensions import Model


class DeliverySlot(Model):
    """Who is sending a learner's score for a resource link right now, and when one last went.

    ``holder`` is the ScoreSubmission being sent (None: free); ``lease_until`` frees the
    slot of a worker that died mid-send. ``last_sent_at`` (epoch seconds, taken after the
    platform answered) bounds every timestamp the platform may have stored for this
    learner, so the next score is stamped after it at the platform's resolution.
    """

    __tablename__ = "score_delivery_slots"

    user_pk: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    resource_link_pk: Mapped[int] = mapped_column(
        ForeignKey("resource_links.id", ondelete="CASCADE"), primary_key=True)
    holder: Mapped[int | None] = mapped_column(Integer, nullable=True)
    lease_until: Mapped[float] = mapped_column(Float, default=0.0)
    last_sent_at: Mapped[float] = mapped_column(Float, default=0.0)
    last_stamp: Mapped[float] = mapped_column(Float, default=0.0)


class PlatformBudget(Model):
    """How fast one platform accepts scores, learned from its 429s (epoch seconds).

    ``next_slot_at`` is the earliest time the next score may leave (a Retry-After pushes
    it out); ``interval`` the spacing between scores, grown on a rate-limit answer and
    shrunk on success. ``resolution`` is the platform's timestamp resolution in seconds
    (1.0 for Moodle, or learned from an "equal timestamp" 409).
    """

    __tablename__ = "ags_platform_budgets"

    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"),
                                             primary_key=True)
    next_slot_at: Mapped[float] = mapped_column(Float, default=0.0)
    interval: Mapped[float] = mapped_column(Float, default=0.0)
    resolution: Mapped[float] = mapped_column(Float, default=0.0)
    rate_limited: Mapped[int] = mapped_column(Integer, default=0)
