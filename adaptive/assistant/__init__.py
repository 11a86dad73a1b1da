"""The learning assistant as a pure library: passages, retrieval, the no-answer policy.

See docs/assistant.md. The web app (``lti_tool.assistant``) builds an ``Index`` per
module, a ``LearnerView`` from the learner's state and calls ``respond``.
"""

from adaptive.assistant.answer import Quote, Reply, asks_for_answer, is_confused, respond
from adaptive.assistant.passages import Passage, passages_of
from adaptive.assistant.policy import (
    LearnerView,
    Mode,
    Secrets,
    leaks,
    parse_mode,
    redact,
    secrets_of,
    visible,
)
from adaptive.assistant.retrieval import Embed, Hit, Index

__all__ = [
    "Embed", "Hit", "Index", "LearnerView", "Mode", "Passage", "Quote", "Reply", "Secrets",
    "asks_for_answer", "is_confused", "leaks", "parse_mode", "passages_of", "redact",
    "respond", "secrets_of", "visible",
]
