"""The sample statements shown in docs/xapi.md, built by the real builders."""

from __future__ import annotations

from datetime import UTC, datetime

from adaptive.modules.loader import load_module
from adaptive.samples import sample_path
from lti_tool.xapi import statements as st


def doc_samples() -> dict[str, dict]:
    module = load_module(sample_path("fractions"))
    ctx = st.EventContext(base_url="https://branchwise.school.example",
                          issuer="https://canvas.instructure.com", subject="8d1e2c3f-learner",
                          deployment_id="12:abcd", module=module, context_id="course-42",
                          context_title="Maths 7", resource_link_id="rl-9", attempt_id=17)
    at = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    item = module.item("eq-1")
    return {
        "launched": st.launched(ctx, "launch-abc", at=at),
        "experienced": st.page_seen(ctx, module.pages[0].id, 0, reason="lesson",
                                    seconds=41.2, at=at),
        "answered": st.answered(ctx, item, 1, answer="a", correct=True, phase="diagnostic",
                                hints_used=1, seconds=12.4,
                                mastery_before={"equivalent": 0.4},
                                mastery_after={"equivalent": 0.71}, at=at),
        "requested-hint": st.hint_requested(ctx, item, 1, 1, at=at),
        "mastered": st.skill_mastered(ctx, "equivalent", 0.962, status="mastered", at=at),
        "flagged": st.skill_flagged(ctx, "adding", 0.48, at=at),
        "asked": st.assistant_asked(ctx, "Why does doubling keep the value?",
                                    event_id="q-1", item=item, at=at),
        "completed": st.completed(ctx, 0.83, mastered=["equivalent", "comparing"],
                                  flagged=["adding"], at=at),
    }


if __name__ == "__main__":  # print the docs' JSON blocks
    import json

    for name, statement in doc_samples().items():
        body = json.dumps(statement, indent=2, ensure_ascii=False)
        print(f"### {name}\n\n```json\n{body}\n```\n")
