"""Where authored text has math (``$...$``, ``$$...$$``), read exactly as the renderer reads it.

One definition for two readers: the app's renderer (``lti_tool.filters``) turns these spans
into MathML, and item variants (``adaptive.modules.variants``) write a drawn number
differently inside them (``7{,}4`` in math, ``7,4`` in a Spanish sentence). If the two
disagreed on where math is, a number would be written for the wrong context.
"""

from __future__ import annotations

import re

__all__ = ["DISPLAY_MATH", "INLINE_MATH", "math_spans"]

# Display math first so "$$x$$" is not read as two empty inline spans. "\$" is a literal
# dollar; inline math may not start or end with a space ("costs $5 and $6" stays text).
DISPLAY_MATH = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$", re.DOTALL)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?![\s$])([^$\n]+?)(?<![\s\\])\$(?!\d)")


def math_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of every math span in ``text``, delimiters included, in order.

    Inline math is looked for once display math is taken out, as the renderer does; the
    display spans are masked with as many letters (neither ``$``, a digit nor a space), so
    offsets stay those of ``text`` and the inline rule sees the same neighbours."""
    if "$" not in text:
        return []
    spans = [m.span() for m in DISPLAY_MATH.finditer(text)]
    masked = text
    for start, end in spans:
        masked = masked[:start] + "X" * (end - start) + masked[end:]
    spans += [m.span() for m in INLINE_MATH.finditer(masked)]
    return sorted(spans)
