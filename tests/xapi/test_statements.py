"""Every statement of the profile is valid xAPI by ralph's models (PyPI ``ralph-malph``),
with ralph's specific verb and activity-type models where ralph has them."""

from __future__ import annotations

import uuid

import pytest
from ralph.models.xapi.base.statements import BaseXapiStatement
from ralph.models.xapi.base.unnested_objects import BaseXapiActivityInteractionDefinition
from ralph.models.xapi.concepts.activity_types.activity_streams_vocabulary import PageActivity
from ralph.models.xapi.concepts.activity_types.scorm_profile import (
    CMIInteractionActivity,
    CourseActivity,
    ModuleActivity,
    ProfileActivity,
)
from ralph.models.xapi.concepts.verbs.adl_vocabulary import AnsweredVerb, AskedVerb
from ralph.models.xapi.concepts.verbs.scorm_profile import CompletedVerb

from adaptive.modules.format import ItemType
from adaptive.modules.loader import load_module
from adaptive.samples import sample_ids, sample_path
from lti_tool.xapi import statements as st

_VERB_MODELS = {AnsweredVerb().id: AnsweredVerb, AskedVerb().id: AskedVerb,
                CompletedVerb().id: CompletedVerb}
_ACTIVITY_MODELS = {st.ACTIVITY["module"]: ModuleActivity,
                    st.ACTIVITY["page"]: PageActivity,
                    st.ACTIVITY["course"]: CourseActivity,
                    st.ACTIVITY["profile"]: ProfileActivity}


def validate_with_ralph(statement: dict) -> None:
    """Raise unless ``statement`` is valid xAPI 1.0.3 as ralph models it."""
    BaseXapiStatement.model_validate(statement)
    verb = statement["verb"]["id"]
    if verb in _VERB_MODELS:
        _VERB_MODELS[verb].model_validate(statement["verb"])
    activities = [statement["object"]]
    for kind in ("parent", "grouping", "category", "other"):
        activities += statement.get("context", {}).get("contextActivities", {}).get(kind, [])
    for activity in activities:
        kind = activity.get("definition", {}).get("type")
        if kind == st.ACTIVITY["item"]:
            # ralph's cmi.interaction activity model has no interaction fields; its
            # interaction definition model checks them (and the type IRI apart).
            BaseXapiActivityInteractionDefinition.model_validate(activity["definition"])
            CMIInteractionActivity.model_validate(
                {**activity, "definition": {"type": kind}})
        elif kind in _ACTIVITY_MODELS:
            _ACTIVITY_MODELS[kind].model_validate(activity)


def _ctx(module, **kw) -> st.EventContext:
    return st.EventContext(base_url="https://tool.example", issuer="https://lms.example",
                           subject="learner-7", deployment_id="dep-1", module=module,
                           context_id="course-1", context_title="Maths 7",
                           resource_link_id="rl-1", attempt_id=42, **kw)


def _every_statement(module) -> list[dict]:
    ctx = _ctx(module)
    item = module.items[0]
    skill = module.skills[0].id
    out = [
        st.launched(ctx, "launch-1"),
        st.page_seen(ctx, module.pages[0].id, 1, reason="lesson", seconds=12.5)
        if module.pages else None,
        st.hint_requested(ctx, item, 2, 1),
        st.skill_mastered(ctx, skill, 0.97, status="mastered"),
        st.skill_flagged(ctx, skill, 0.41),
        st.completed(ctx, 0.75, mastered=[skill], flagged=[]),
        st.assistant_asked(ctx, "Why is 2/4 the same as 1/2?", event_id="q-1", item=item),
        st.assistant_asked(ctx, "What do I do next?", event_id="q-2"),
    ]
    for n, it in enumerate(module.items):
        answer = {ItemType.SINGLE_CHOICE: lambda i: i.choices[0].id,
                  ItemType.MULTIPLE_CHOICE: lambda i: [c.id for c in i.choices[:2]],
                  ItemType.ORDERING: lambda i: [c.id for c in i.choices],
                  ItemType.NUMERIC: lambda i: 0.5,
                  ItemType.SHORT_TEXT: lambda i: "an answer"}[it.type](it)
        out.append(st.answered(ctx, it, 10 + n, answer=answer, correct=n % 2 == 0,
                               phase="practice", hints_used=n % 3, seconds=3.25,
                               mastery_before={it.skills[0]: 0.3},
                               mastery_after={it.skills[0]: 0.5},
                               misconception="add-same-number" if n % 2 else None))
    return [s for s in out if s is not None]


@pytest.mark.parametrize("sample", sample_ids())
def test_every_statement_is_valid_xapi(sample):
    module = load_module(sample_path(sample))
    statements = _every_statement(module)
    assert len(statements) > len(module.items)
    for statement in statements:
        validate_with_ralph(statement)


def test_ralph_rejects_a_broken_statement():
    # The validator used above really checks: a statement without an actor is refused.
    statement = _every_statement(load_module(sample_path("fractions")))[0]
    broken = {k: v for k, v in statement.items() if k != "actor"}
    with pytest.raises(ValueError):
        validate_with_ralph(broken)


def test_statement_ids_are_stable_per_event():
    module = load_module(sample_path("fractions"))
    item = module.items[0]
    one = st.hint_requested(_ctx(module), item, 3, 1)
    again = st.hint_requested(_ctx(module), item, 3, 1)
    other = st.hint_requested(_ctx(module), item, 3, 2)
    assert one["id"] == again["id"] != other["id"]
    uuid.UUID(one["id"])


def test_answer_carries_result_and_the_skills_it_evidences():
    module = load_module(sample_path("fractions"))
    item = next(i for i in module.items if i.type == ItemType.MULTIPLE_CHOICE)
    statement = st.answered(_ctx(module), item, 5, answer=["a", "c"], correct=True,
                            phase="diagnostic", hints_used=1, seconds=4.0,
                            mastery_before={item.skills[0]: 0.3},
                            mastery_after={item.skills[0]: 0.62})
    result = statement["result"]
    assert result["success"] is True and result["response"] == "a[,]c"
    assert result["duration"] == "PT4S"
    assert result["extensions"][st.EXT["skills"]] == list(item.skills)
    assert result["extensions"][st.EXT["mastery"]] == {item.skills[0]: 0.62}
    assert statement["object"]["definition"]["interactionType"] == "choice"
    others = statement["context"]["contextActivities"]["other"]
    assert [a["id"].rsplit("/", 1)[-1] for a in others] == list(item.skills)
    assert statement["actor"] == {"objectType": "Agent", "account": {
        "homePage": "https://lms.example", "name": "learner-7"}}
