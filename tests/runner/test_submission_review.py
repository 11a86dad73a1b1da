"""Submission review (issue 14): the LMS's "view submission" (LtiSubmissionReviewRequest,
Moodle's grade analysis) opens the learner's attempt report for the teacher."""

from __future__ import annotations

from lti_tool.modules.library import get_module
from lti_tool.protocol import claims

from .conftest import INSTRUCTOR, Learner, launch_token

AGS = {claims.AGS_ENDPOINT: {"scope": [claims.SCOPE_SCORE, claims.SCOPE_LINEITEM],
                             "lineitem": "https://lms.test/lineitems/1"}}


def _review(client, lms, *, role: str, for_user: str, sub: str):
    login = lms.login(client)
    body = lms.claims(login.nonce, message_type=claims.SUBMISSION_REVIEW_REQUEST,
                      roles=[role], sub=sub, **AGS,
                      **{claims.FOR_USER: {"user_id": for_user, "name": "Alice A"},
                         claims.CUSTOM: {"module": "fractions"}})
    resp = lms.post_launch(client, login, lms.sign(body))
    assert resp.status_code == 303, resp.get_data(as_text=True)[:400]
    landing = client.get(resp.headers["Location"])
    assert landing.status_code == 303
    return client.get(landing.headers["Location"]), landing.headers["Location"]


def _alice_answers(client, lms, n: int = 3) -> None:
    module = get_module("fractions")
    learner = Learner(client, launch_token(client, lms, sub="alice", name="Alice A",
                                           **AGS)).open()
    answered = 0
    while answered < n:
        if learner.kind == "feedback":
            learner.next()
        elif learner.kind == "page":
            learner.continue_page()
        else:
            learner.answer_correctly(module)
            answered += 1


def test_teacher_review_opens_the_learners_attempt_report(client, lms):
    _alice_answers(client, lms)
    page, where = _review(client, lms, role=INSTRUCTOR, for_user="alice", sub="teacher-1")
    assert "/dashboard/learner" in where and "id=alice" in where
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Alice A" in html
    for skill in get_module("fractions").skills[:1]:
        assert skill.title in html
    assert "answer" in html.lower()


def test_review_of_someone_not_in_the_activity_is_a_404(client, lms):
    _alice_answers(client, lms, 1)
    page, _ = _review(client, lms, role=INSTRUCTOR, for_user="nobody", sub="teacher-1")
    assert page.status_code == 404


def test_learner_reviewing_their_own_submission_sees_their_progress(client, lms):
    _alice_answers(client, lms, 1)
    page, where = _review(client, lms,
                          role="http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",
                          for_user="alice", sub="alice")
    assert "/activity/progress" in where and page.status_code == 200


def test_review_is_refused_at_the_deep_link_endpoint(client, lms):
    login = lms.login(client, target=lms.base_url + "/lti/deep-link")
    body = lms.claims(login.nonce, message_type=claims.SUBMISSION_REVIEW_REQUEST,
                      roles=[INSTRUCTOR], **AGS, **{claims.FOR_USER: {"user_id": "alice"}})
    body[claims.TARGET_LINK_URI] = lms.base_url + "/lti/deep-link"
    resp = lms.post_launch(client, login, lms.sign(body), path="/lti/deep-link")
    assert resp.status_code in (400, 401)
