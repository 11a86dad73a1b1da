"""The gradebook comment in the learner's language.

The engine writes the comment beside the score (``adaptive.grading.score``); its skill
titles come from the learner's translation of the module, so its own words must too: a
Spanish learner's comment read "Mastered 0/5 skills: Reconocer el phishing ⚑ needs the
teacher" in Moodle's gradebook.
"""

from __future__ import annotations

from functools import lru_cache

from flask_babel import get_locale, gettext

from adaptive.grading.score import CommentWords, GradeReport, grade_comment


def comment_words() -> CommentWords:
    """The comment's sentences in this request's language (English outside a request)."""
    return _words(str(get_locale() or "en"))


@lru_cache(maxsize=8)
def _words(locale: str) -> CommentWords:
    # Once per language: a graded answer step should not look six messages up each time.
    # ``locale`` is the request's own, so gettext here translates into it; without
    # variables gettext returns the translated format string unformatted.
    return CommentWords(
        none=gettext("No graded skills."),
        mastered=gettext("%(title)s ✓"),
        flagged=gettext("%(title)s ⚑ needs the teacher"),
        blocked=gettext("%(title)s not reached"),
        open=gettext("%(title)s %(percent)s"),
        summary=gettext("Mastered %(n)s/%(total)s skills: %(skills)s"),
    )


def localized_comment(report: GradeReport) -> str:
    """``report``'s gradebook comment in the learner's language."""
    return grade_comment(report, comment_words())
