"""Moved to ``lti_tool.filters`` (app-wide: not only the runner renders module text).

Kept as a re-export so code written against the old path keeps working.
"""

from lti_tool.filters import (  # noqa: F401
    FigureLinks,
    cache_info,
    inline_filter,
    markdown_filter,
    plain_text,
    render_inline,
    render_markdown,
)
