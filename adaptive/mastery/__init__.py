"""Mastery models: BKT (default), and alternatives behind the same interface."""

from adaptive.mastery.base import MasteryModel
from adaptive.mastery.bkt import BKTModel, bkt_observe, bkt_p_correct, bkt_transition, bkt_update

__all__ = ["BKTModel", "MasteryModel", "bkt_observe", "bkt_p_correct", "bkt_transition", "bkt_update"]
