"""The learner's activity over HTTP (Flask test client): resume, answers, hints, finish."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import AnswerEvent, Attempt, PageEvent, ResourceLink, ScoreSubmission
from lti_tool.modules.library import get_module
from lti_tool.protocol import claims
from lti_tool.runner.answers import correct_form

from .conftest import INSTRUCTOR, Learner, launch_token

AGS = {claims.AGS_ENDPOINT: {
    "scope": [claims.SCOPE_SCORE, claims.SCOPE_LINEITEM],
    "lineitem": "https://lms.test/lineitems/1",
    "lineitems": "https://lms.test/lineitems",
}}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _wrong_form(item) -> dict:
    """Any readable answer that is not the first correct one (may still be correct)."""
    form = correct_form(item)
    if item.type.value == "single_choice":
        others = [c.id for c in item.choices if c.id != form["answer"][0]]
        return {"answer": others[:1]}
    if item.type.value in ("numeric", "short_text"):
        return {"answer": ["987654"]}
    return form


def _to_item(learner: Learner) -> Learner:
    while learner.kind in ("page", "feedback"):
        if learner.kind == "feedback":
            learner.next()
        else:
            learner.continue_page()
    return learner


def test_first_launch_creates_attempt_and_announces_start(client, lms):
    """A learner lands on the first step; the attempt exists and 'Started' is queued for the LMS."""
    learner = Learner(client, launch_token(client, lms, **AGS)).open()
    assert learner.status == 200
    assert learner.kind in ("item", "page")
    assert "Return to course" in learner.html and "lti.frameResize" not in learner.html
    attempt = db.session.scalars(select(Attempt)).one()
    assert attempt.seq == 0 and attempt.module_id == "fractions"
    started = db.session.scalars(select(ScoreSubmission)).one()
    assert started.activity_progress == "Started" and started.score_given is None


def test_relaunch_resumes_exactly_where_left(client, lms):
    """Closing the frame and launching again shows the same step, with the same seq."""
    learner = Learner(client, launch_token(client, lms)).open()
    _to_item(learner)
    module = get_module("fractions")
    learner.answer_correctly(module)
    learner.next()
    seq, html_step = learner.seq, learner.kind
    again = Learner(client, launch_token(client, lms)).open()
    assert again.seq == seq and again.kind == html_step
    if html_step == "item":
        assert again.item_id == learner.item_id
    assert _count(Attempt) == 1


def test_answer_is_an_event_with_time_and_mastery(client, lms):
    """Every answer: item, response, correctness, group, hints, server-side time, mastery."""
    learner = _to_item(Learner(client, launch_token(client, lms, **AGS)).open())
    module = get_module("fractions")
    item_id, seq = learner.item_id, learner.seq
    learner.answer_correctly(module)
    assert learner.status == 200
    assert "Correct!" in learner.html
    event = db.session.scalars(select(AnswerEvent)).one()
    assert (event.item_id, event.seq, event.correct) == (item_id, seq, True)
    assert event.group_index is not None and event.seconds is not None and event.seconds >= 0
    assert event.mastery_before and event.mastery_after
    for skill, before in event.mastery_before.items():
        assert event.mastery_after[skill] > before
    assert event.response == {"answer": module.item(item_id) and event.response["answer"]}
    progress = db.session.scalars(
        select(ScoreSubmission).order_by(ScoreSubmission.id)).all()[-1]
    assert progress.activity_progress == "InProgress" and progress.score_given is not None


def test_double_submit_counts_once_and_shows_feedback_again(client, lms):
    """The same form posted twice: one event; the second response explains and shows feedback."""
    learner = _to_item(Learner(client, launch_token(client, lms)).open())
    module = get_module("fractions")
    item_id, seq, token = learner.item_id, learner.seq, learner.token
    form = correct_form(module.item(item_id))
    learner.answer(form)
    second = Learner(client, token)
    second.post("/activity/answer", {"item": item_id, **form}, seq=seq)
    assert second.status == 200
    assert "already recorded" in second.html and "Correct!" in second.html
    assert _count(AnswerEvent) == 1
    assert db.session.scalars(select(Attempt)).one().seq == seq + 1


def test_stale_tab_gets_a_clear_message(client, lms):
    """A tab still showing an older step cannot change the state."""
    learner = _to_item(Learner(client, launch_token(client, lms)).open())
    module = get_module("fractions")
    old_seq, old_item, token = learner.seq, learner.item_id, learner.token
    learner.answer_correctly(module)
    _to_item(learner)
    learner.answer_correctly(module)  # the attempt is now two steps further
    state_before = db.session.scalars(select(Attempt)).one().state
    stale = Learner(client, token)
    stale.post("/activity/answer", {"item": old_item, **_wrong_form(module.item(old_item))},
               seq=old_seq)
    assert stale.status == 409
    assert "out of date" in stale.html
    db.session.expire_all()
    assert db.session.scalars(select(Attempt)).one().state == state_before
    assert _count(AnswerEvent) == 2


def test_concurrent_answers_from_two_tabs_record_one(app, client, lms):
    """Two requests answering the same step at the same time: exactly one wins."""
    learner = _to_item(Learner(client, launch_token(client, lms)).open())
    module = get_module("fractions")
    form = {"t": learner.token, "seq": str(learner.seq), "item": learner.item_id,
            **correct_form(module.item(learner.item_id))}
    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def post() -> None:
        c = app.test_client()
        barrier.wait()
        statuses.append(c.post("/activity/answer", data=form).status_code)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 200, 200, 200]  # the losers see "already recorded"
    db.session.expire_all()
    assert _count(AnswerEvent) == 1
    assert db.session.scalars(select(Attempt)).one().seq == learner.seq + 1


def test_unreadable_answer_records_nothing(client, lms):
    """No choice made: the same item comes back with an error; the state does not move."""
    learner = _to_item(Learner(client, launch_token(client, lms)).open())
    seq, item = learner.seq, learner.item_id
    learner.answer({})
    assert learner.status == 200 and learner.seq == seq and learner.item_id == item
    assert 'aria-invalid="true"' in learner.html or "error-text" in learner.html
    assert _count(AnswerEvent) == 0


def test_a_hostile_answer_gets_a_clear_error_not_a_crash_or_markup(client, lms):
    """A crafted answer with markup and % signs (the error sentence quotes it) comes back
    as the same item with the error shown as text: before, the page %-formatted it (500)
    or would have rendered it as HTML."""
    learner = _to_item(Learner(client, launch_token(client, lms)).open())
    seq, item = learner.seq, learner.item_id
    learner.answer({"answer": ["<b>x</b> 50% off %(n)s"]})
    assert learner.status == 200 and learner.seq == seq and learner.item_id == item
    assert "<b>x</b>" not in learner.html and "&lt;b&gt;x&lt;/b&gt; 50% off %(n)s" in learner.html
    assert _count(AnswerEvent) == 0


def test_hint_is_recorded_and_marks_the_answer(client, lms):
    """A hint keeps the draft, is shown, and the answer event records hints_used."""
    learner = _to_item(Learner(client, launch_token(client, lms)).open())
    module = get_module("fractions")
    item = module.item(learner.item_id)
    assert item.hints, "fractions items have hints"
    seq = learner.seq
    learner.hint()
    assert learner.seq == seq and item.hints[0].split()[0] in learner.html
    learner.answer(correct_form(item))
    event = db.session.scalars(select(AnswerEvent)).one()
    assert event.hints_used == 1 and event.correct
    assert "counts as practice" in learner.html


def test_page_views_are_events(client, lms, app):
    """Reading a lesson page records a PageEvent with its reason."""
    learner = Learner(client, launch_token(client, lms)).open()
    module = get_module("fractions")
    for _ in range(40):
        if learner.kind == "page":
            break
        learner.answer(_wrong_form(module.item(learner.item_id))).next()
    assert learner.kind == "page"
    learner.continue_page()
    event = db.session.scalars(select(PageEvent)).one()
    assert event.reason in ("lesson", "remediation", "review") and event.seconds is not None


def test_complete_module_finish_page_and_grade(client, lms):
    """An always-correct learner finishes: summary, grade, completed attempt, final score."""
    learner = Learner(client, launch_token(client, lms, **AGS)).open()
    module = get_module("fractions")
    steps = learner.run_to_finish(module)
    assert steps > 3
    assert "You have finished this activity" in learner.html
    assert "What you mastered" in learner.html and "gradebook" in learner.html
    attempt = db.session.scalars(select(Attempt)).one()
    assert attempt.status == "completed" and attempt.completed_at is not None
    assert attempt.score is not None and attempt.score > 0.5
    final = db.session.scalars(select(ScoreSubmission).order_by(ScoreSubmission.id)).all()[-1]
    assert final.activity_progress == "Completed" and final.grading_progress == "FullyGraded"
    # Launching again shows the summary, not a new attempt.
    again = Learner(client, launch_token(client, lms)).open()
    assert "You have finished this activity" in again.html
    # The progress view lists every skill.
    progress = client.get("/activity/progress", query_string={"t": again.token})
    for skill in module.skills:
        assert skill.title in progress.get_data(as_text=True)


def test_link_without_module(client, lms):
    """No module chosen: learners are told to wait, teachers how to choose one."""
    learner = Learner(client, launch_token(client, lms, module=None)).open()
    assert learner.status == 200 and "not set up yet" in learner.html
    assert _count(Attempt) == 0
    teacher = Learner(client, launch_token(
        client, lms, module=None, sub="teacher-1", **{claims.ROLES: [INSTRUCTOR]})).open()
    assert "Deep Linking" in teacher.html


def test_teacher_preview_is_not_graded_or_logged(client, lms):
    """An instructor sees a preview; answers are neither events nor grades."""
    token = launch_token(client, lms, sub="teacher-1", **{claims.ROLES: [INSTRUCTOR]}, **AGS)
    teacher = _to_item(Learner(client, token).open())
    assert "Preview" in teacher.html
    teacher.answer_correctly(get_module("fractions"))
    assert _count(AnswerEvent) == 0 and _count(ScoreSubmission) == 0


def test_spanish_launch_locale(client, lms):
    """launch_presentation.locale es-ES gives the Spanish interface."""
    presentation = {"locale": "es-ES", "return_url": "https://lms.test/course"}
    learner = Learner(client, launch_token(
        client, lms, **{claims.LAUNCH_PRESENTATION: presentation})).open()
    assert 'lang="es"' in learner.html
    assert "Volver al curso" in learner.html


def test_teacher_settings_override_module(client, lms):
    """ResourceLink.settings (deep linking) reach the engine state."""
    token = launch_token(client, lms)
    link = db.session.scalars(select(ResourceLink)).one()
    link.settings = {"practice_cap": 3, "max_score": 10, "bogus": 1}
    # The launch answered with the first page, so it made the attempt: start it afresh.
    db.session.delete(db.session.scalars(select(Attempt)).one())
    db.session.commit()
    Learner(client, token).open()
    state = db.session.scalars(select(Attempt)).one().state
    assert state["settings"]["practice_cap"] == 3 and state["settings"]["max_score"] == 10


def test_expired_token_is_a_4xx_page(client):
    resp = client.get("/activity", query_string={"t": "nonsense"})
    assert 400 <= resp.status_code < 500
