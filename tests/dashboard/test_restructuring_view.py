"""The dashboard's "How to change the module" section on a class with planted flaws.

The planted-flaw module (adaptive.simulation.classroom) is saved as a teacher's module,
300 simulated learners' answers are written as the runner writes them, and the teacher
gets the suggestions, the list as CSV and the module with the edits applied, which the
authoring service accepts.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import yaml
from sqlalchemy import insert, select

from adaptive.modules.loader import module_to_dict, parse_module
from adaptive.simulation.classroom import PLANTED, planted_flaw_module, simulate_class
from lti_tool.deep_linking.authoring import save_module
from lti_tool.extensions import db
from lti_tool.models import AnswerEvent, Attempt, PageEvent, User
from lti_tool.protocol import claims
from tests.dashboard.conftest import link_row, platform_a, token_of


def write_class(link, platform_id: int, log, module_id: str) -> None:
    """The simulated class as users, attempts, answer and page events."""
    users = {who: User(platform_id=platform_id, sub=who, name=f"Learner {who}")
             for who in log.learners}
    db.session.add_all(users.values())
    db.session.flush()
    attempts = {who: Attempt(user_pk=users[who].id, resource_link_pk=link.id,
                             module_id=module_id, state=log.engine_states[who])
                for who in log.learners}
    db.session.add_all(attempts.values())
    db.session.flush()
    db.session.execute(insert(AnswerEvent), [dict(
        attempt_pk=attempts[a.learner].id, user_pk=users[a.learner].id,
        resource_link_pk=link.id, module_id=module_id, item_id=a.item_id,
        skill_ids=list(a.skill_ids), phase=a.phase, seq=a.seq,
        response={"answer": a.answer_text}, correct=a.correct, group_index=a.group_index,
        misconception=a.misconception, hints_used=0, seconds=a.seconds,
        mastery_before={}, mastery_after=dict(a.mastery_after)) for a in log.answers])
    db.session.execute(insert(PageEvent), [dict(
        attempt_pk=attempts[p.learner].id, page_id=p.page_id, reason=p.reason, seq=p.seq,
        seconds=p.seconds) for p in log.pages])
    db.session.commit()


def planted_class(client, lms, *, seed: int = 1, learners: int = 300, class_seed: int = 1001):
    """The planted-flaw module ``seed`` saved, a teacher's launch of it, ``learners``
    learners' answers written: (module, the simulated log, the teacher's token)."""
    module, truth = planted_flaw_module(seed)
    text = yaml.safe_dump(module_to_dict(module), sort_keys=False, allow_unicode=True)
    assert save_module(text, owner_user_pk=None).saved is not None
    resp = lms.launch(client, roles=[
        "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
        **{claims.CUSTOM: {"module": "planted"}, "sub": "teacher-1"})
    token = token_of(resp)
    log = simulate_class(module, truth, learners, np.random.default_rng(class_seed))
    write_class(link_row("course-1", "rl-1"), platform_a().id, log, "planted")
    return module, log, token


def test_planted_flaws_on_the_dashboard_and_the_module_diff(client, lms):
    module, log, token = planted_class(client, lms)
    assert db.session.scalar(select(db.func.count()).select_from(AnswerEvent)) == \
        len(log.answers)

    page = client.get("/dashboard", query_string={"t": token}).get_data(as_text=True)
    assert "How to change the module" in page
    assert "The answer key looks wrong" in page and "A missing prerequisite" in page
    assert "Make “Skill 4” a prerequisite of “Skill 2”." in page
    rows = list(csv.DictReader(io.StringIO(client.get(
        "/dashboard/export/restructuring.csv", query_string={"t": token})
        .get_data(as_text=True))))
    kinds = {(r["kind"], r["target"]) for r in rows}
    assert {("mis_keyed", "s1-i20"), ("add_prerequisite", "s4>s2"),
            ("remove_prerequisite", "s3>s5")} <= kinds
    assert all(0.8 <= float(r["confidence"]) <= 1 and r["evidence"] for r in rows)

    diff = client.get("/dashboard/export/module.diff", query_string={"t": token})
    assert diff.status_code == 200 and "attachment" in diff.headers["Content-Disposition"]
    patch = diff.get_data(as_text=True)
    assert "+  - s4" in patch and "-  - s3" in patch  # only the edits, in the module's layout
    assert len([ln for ln in patch.splitlines() if ln[:1] in "+-"]) <= 14
    edited = client.get("/dashboard/export/module.yaml", query_string={"t": token})
    after, problems = parse_module(edited.get_data(as_text=True), "planted.yaml")
    assert after is not None, problems
    assert after.skill("s2").prerequisites == ("s4",)
    assert after.skill("s5").prerequisites == ()
    key = [g.match.choice for g in after.item("s1-i20").answer_groups if g.correct]
    assert key == ["c"]
    # the teacher uploads it on the authoring page: validated and saved as a new version
    assert save_module(edited.get_data(as_text=True), owner_user_pk=None).saved is not None


def test_no_module_change_without_an_applicable_edit(client, lms):
    from tests.dashboard.conftest import class_of_four, launch

    token = launch(client, lms)
    class_of_four(link_row(), platform_a().id)
    assert client.get("/dashboard/export/module.yaml",
                      query_string={"t": token}).status_code == 404
    assert client.get("/dashboard/export/module.txt",
                      query_string={"t": token}).status_code == 404


def test_a_class_of_30_sees_the_flat_item_in_words(client, lms):
    """The small-class rules on the dashboard: 30 learners (a tuning seed of
    bench/planted_flaws.py), the flat item found by the first-answer split, named by the
    question learners saw, its evidence in counts of learners."""
    module, _log, token = planted_class(client, lms, seed=104, learners=30, class_seed=1104)

    page = client.get("/dashboard", query_string={"t": token}).get_data(as_text=True)
    assert "An item that does not tell who knows" in page
    rows = {(r["kind"], r["target"]): r for r in csv.DictReader(io.StringIO(client.get(
        "/dashboard/export/restructuring.csv", query_string={"t": token})
        .get_data(as_text=True)))}
    flat = rows[("non_discriminating", "s6-i20")]
    question = module.item("s6-i20").prompt
    assert f"Learners who got “{question}” right as their first answer" in flat["evidence"]
    assert "does not tell who knows the skill" in flat["evidence"]
    assert " learners)" in flat["evidence"] and "s6-i20" not in flat["evidence"]
    assert f"“{question}”" in page or question in page
    # nothing else invented on this class
    assert set(rows) <= set(PLANTED)
