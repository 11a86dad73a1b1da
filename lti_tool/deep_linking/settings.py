"""Moved to ``lti_tool.link_settings`` (shared: the launch service reads them too).

Kept as a re-export so code written against the old path keeps working.
"""

from lti_tool.link_settings import (  # noqa: F401
    ASSISTANT_MODES,
    CUSTOM_KEYS,
    DEFAULT_ASSISTANT,
    DEFAULT_MAX_SCORE,
    GOAL_CHOICES,
    MAX_SCORE_MAX,
    PickedSettings,
    log,
    parse_picked,
    settings_from_custom,
)
