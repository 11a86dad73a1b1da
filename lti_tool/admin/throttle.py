"""Moved to ``lti_tool.throttle`` (shared: the launch and registration views use it too).

Kept as a re-export so code written against the old path keeps working.
"""

from lti_tool.throttle import (  # noqa: F401
    clear,
    count,
    over_limit,
    record,
    record_at,
    retry_after,
)
