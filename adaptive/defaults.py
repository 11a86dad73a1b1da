"""The engine's defaults, in one place.

A module that sets no ``settings:`` gets these (``ModuleSettings``), an activity the
teacher did not tune gets them (``ActivitySettings``), and the analytics and the tool's
dashboard fall back on them when they have no module to ask. 0.95 is the classic BKT
mastery threshold (Corbett & Anderson); 12 items per skill is where a learner who has not
reached it is flagged for the teacher instead of practising on (docs/engine.md).
"""

from __future__ import annotations

from typing import Final

#: P(known) at which a skill counts as mastered.
MASTERY_THRESHOLD: Final = 0.95
#: Items per skill before a skill not yet mastered is flagged "needs the teacher".
PRACTICE_CAP: Final = 12
