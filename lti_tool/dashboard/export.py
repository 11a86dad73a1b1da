"""CSV of the data behind each dashboard view (heatmap, skills, items, misconceptions, learner).

Learners' typed answers end up in these files, and spreadsheets run cells that
start with ``=``, ``+``, ``-`` or ``@`` as formulas (CSV injection), so such
cells are prefixed with an apostrophe, except plain numbers like ``-1.5``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from adaptive.analytics import PathStep
from lti_tool.dashboard.services import VARIANT_NOTES, Dashboard, LearnerDetail

_NUMBER = re.compile(r"^[+-]?\d+([.,/]\d+)?$")
VIEWS = ("heatmap", "skills", "items", "misconceptions", "learner", "restructuring")


def _safe(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") and \
            not _NUMBER.match(value):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Rows as CSV text (RFC 4180 quoting, CRLF line ends)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe(v) for v in row])
    return buf.getvalue()


def heatmap_csv(d: Dashboard) -> str:
    """One row per learner × skill: state, P(mastery), answers."""
    titles = {s.skill_id: s.title for s in d.skills}
    rows = []
    for learner, lr in zip(d.roster.learners, d.learners, strict=True):
        for sid, title in titles.items():
            st = lr.statuses.get(sid)
            rows.append([learner.name, learner.sub, "yes" if learner.on_roster else "no",
                         sid, title, st.status if st else "not_started",
                         st.p_mastery if st else None, st.attempts if st else 0,
                         st.correct if st else 0])
    return to_csv(["learner", "learner_id", "on_roster", "skill_id", "skill", "status",
                   "p_mastery", "answers", "correct"], rows)


def skills_csv(d: Dashboard) -> str:
    """One row per skill."""
    return to_csv(
        ["skill_id", "skill", "learners", "not_started", "practising", "mastered", "known",
         "flagged", "mean_p_mastery", "mean_answers_to_mastery", "answers", "p_correct",
         "struggle", "flagged_misconceptions"],
        ([s.skill_id, s.title, s.n_learners, s.not_started, s.practising, s.mastered, s.known,
          s.flagged, s.mean_p_mastery, s.mean_answers_to_mastery, s.n_answers, s.p_correct,
          s.struggle, "; ".join(f"{t} ({n})" for t, n in s.flagged_misconceptions)]
         for s in d.skills))


def items_csv(d: Dashboard) -> str:
    """One row per item and wrong answer group (items without wrong answers: one row)."""
    rows = []
    titles = {s.skill_id: s.title for s in d.skills}
    for i in d.items:
        base = [d.item_labels.get(i.item_id, i.item_id), i.item_id,
                "; ".join(titles.get(s, s) for s in i.skill_ids), i.n_learners, i.n_answers,
                i.first_attempts,
                i.first_correct, i.p_first_correct, i.skilled_first_attempts,
                i.skilled_first_correct, i.difficulty, i.mean_seconds, i.hints_used]
        if not i.wrong_groups:
            rows.append(base + [None, None, None, None, None])
        for g in i.wrong_groups:
            rows.append(base + [d.group_labels.get((i.item_id, g.group_index), ""),
                                g.misconception, g.n_answers, g.n_learners,
                                " | ".join(f"{t} ({n})" for t, n in g.examples)])
    return to_csv(["item", "item_id", "skills", "learners", "answers", "first_attempts",
                   "first_correct", "p_first_correct", "skilled_first_attempts",
                   "skilled_first_correct", "difficulty", "mean_seconds", "hints_used",
                   "wrong_answer", "misconception", "group_answers", "group_learners",
                   "typed_answers"], rows)


def misconceptions_csv(d: Dashboard) -> str:
    """One row per misconception."""
    titles = {s.skill_id: s.title for s in d.skills}
    return to_csv(["misconception", "learners", "answers", "skills", "items", "typed_answers"],
                  ([m.misconception, m.n_learners, m.n_answers,
                    "; ".join(titles.get(s, s) for s in m.skills),
                    " | ".join(f"{d.item_labels.get(i, i)} [{i}] ({n})" for i, n in m.items),
                    " | ".join(f"{t} ({n})" for t, n in m.examples)]
                   for m in d.misconceptions))


def learner_csv(detail: LearnerDetail) -> str:
    """One row per step of the learner's path; an answer's question as the learner saw it
    (a variant item's own numbers), with a note when only the authored one is known."""
    titles = {s.id: s.title for s in detail.skills}

    def question(s: PathStep) -> str:
        if s.kind == "answer" and s.seq in detail.step_labels:
            return detail.step_labels[s.seq]
        return detail.labels.get(s.ref, s.ref)

    return to_csv(["seq", "kind", "item_or_page", "item_or_page_id", "skill", "phase", "answer",
                   "correct", "misconception", "hints_used", "seconds", "p_mastery_after",
                   "question_note"],
                  ([s.seq, s.kind, question(s), s.ref,
                    titles.get(s.skill_id or "", s.skill_id), s.phase, s.answer_text,
                    "" if s.correct is None else ("yes" if s.correct else "no"),
                    s.misconception, s.hints_used, s.seconds, s.mastery_after,
                    VARIANT_NOTES.get(detail.step_notes.get(s.seq, ""), "")
                    if s.kind == "answer" else ""]
                   for s in detail.path))


def restructuring_csv(d: Dashboard) -> str:
    """One row per suggested change to the module (the list a teacher can work through)."""
    return to_csv(["kind", "target", "confidence", "evidence", "change", "edit"],
                  ([r.kind, r.target, r.confidence, r.evidence, r.change,
                    " ".join(f"{k}={v}" for k, v in (r.edit or {}).items())]
                   for r in d.restructuring))
