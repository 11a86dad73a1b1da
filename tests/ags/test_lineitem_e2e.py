"""The LMS's line item, end to end against the demo LMS over real HTTP (jobs inline):

* a column made by hand in the LMS (out of 40) is read back, and the finish page shows
  the grade on that scale (issue 14: "the grade on the LMS's scale");
* a column we create advertises submission review, and the demo LMS's gradebook
  "View submission" launches an LtiSubmissionReviewRequest that opens the learner's
  attempt report for the teacher.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urljoin

import pytest
from sqlalchemy import select

from lti_tool.ags import lineitem
from lti_tool.demo_platform import get_platform
from lti_tool.extensions import cache, db
from lti_tool.models import ResourceLink
from lti_tool.modules.library import get_module
from tests.runner.conftest import Learner, canonical_token
from tests.support import demo_lms_hooks
from tests.support.lms_client import LmsBrowser


@pytest.fixture(autouse=True)
def _fresh_read_memo():
    """The per-process "already queued" memo is keyed by link pk, which each test reuses."""
    lineitem._asked.clear()
    yield
    lineitem._asked.clear()


def _link(app, link_id: str) -> ResourceLink:
    with app.app_context():
        row = db.session.scalars(select(ResourceLink).where(
            ResourceLink.resource_link_id == link_id)).one()
        db.session.expunge(row)
        return row


def _learner(stack, user: str, link: str) -> Learner:
    with LmsBrowser(stack.platform_url) as browser:
        first = browser.launch(user, link)
    assert first.status_code == 200, first.text[:500]
    learner = Learner(stack.tool_app.test_client(), canonical_token(first.text))
    return learner.open()


def _hand_made_link(stack, maximum: float) -> None:
    """A teacher adds the activity by hand and makes its gradebook column themselves."""
    p = get_platform(stack.platform_app)
    p.store.add_resource_link("Fractions (added by hand)", p.settings.tool.launch_url,
                              custom={"module": "fractions"}, link_id="rl-hand")
    p.store.create_line_item({"label": "Fractions quiz", "scoreMaximum": maximum,
                              "resourceLinkId": "rl-hand"}, context_id=p.store.course.id)


def test_finish_page_shows_the_grade_on_a_hand_made_columns_scale(make_stack):
    stack = make_stack(queue_immediate=True)
    _hand_made_link(stack, 40)
    learner = _learner(stack, "alice", "rl-hand")
    link = _link(stack.tool_app, "rl-hand")
    assert link.lineitem_max == 40.0 and link.lineitem_checked_at is not None
    learner.run_to_finish(get_module("fractions"))
    page = learner.html
    assert "You have finished" in page
    match = re.search(r"<strong>(\d+)&nbsp;%</strong>\s*\(([\d.]+) of 40 points\)", page)
    assert match, re.search(r'<p class="grade">.*?</p>', page, re.DOTALL).group(0)
    assert abs(float(match.group(2)) - 40 * int(match.group(1)) / 100) <= 0.5
    # The gradebook shows the same number on its own scale.
    state = stack.state()
    final = [s for s in state["scores"] if s["user_id"] == "alice"][-1]["score"]
    item = next(i for i in state["line_items"] if i["resource_link_id"] == "rl-hand")
    shown = final["scoreGiven"] / final["scoreMaximum"] * item["score_maximum"]
    assert abs(shown - float(match.group(2))) < 0.01


def test_a_changed_column_is_read_again_and_a_failing_lms_changes_nothing(make_stack):
    from datetime import timedelta

    from lti_tool.ags.lineitem import LINEITEM_MAX_TTL, read_line_item_max

    stack = make_stack(queue_immediate=True)
    _hand_made_link(stack, 40)
    _learner(stack, "alice", "rl-hand")
    p = get_platform(stack.platform_app)
    item = next(i for i in p.store.line_items.values() if i.resource_link_id == "rl-hand")
    p.store.update_line_item(item.id, {"label": item.label, "scoreMaximum": 25,
                                       "resourceLinkId": "rl-hand"})
    app = stack.tool_app
    with app.app_context():
        link = db.session.scalars(select(ResourceLink).where(
            ResourceLink.resource_link_id == "rl-hand")).one()
        link.lineitem_checked_at -= LINEITEM_MAX_TTL + timedelta(minutes=1)  # due again
        db.session.commit()
        # The 60 s queueing lock has run out (the file cache keeps its file: an expired
        # key must still be taken, not read as held).
        cache.set(f"ags-lineitem-read:{link.id}", 1, timeout=-5)
        lineitem._asked.clear()
    _learner(stack, "bob", "rl-hand")  # a page of the activity queues the read
    assert _link(app, "rl-hand").lineitem_max == 25.0
    hits = demo_lms_hooks.fault_plan(stack.platform_app).hits.get("lineitems", 0)
    # The LMS answers 500 to the line item: the known maximum stays, nothing breaks.
    with LmsBrowser(stack.platform_url) as browser:
        browser.set_faults({"lineitems": {"status": 500, "count": 5}})
    with app.app_context():
        link_pk = _link(app, "rl-hand").id
        assert read_line_item_max(link_pk, app.config["BRANCHWISE"]) == 25.0
    # the LMS was asked and failed
    assert demo_lms_hooks.fault_plan(stack.platform_app).hits.get("lineitems", 0) > hits
    # A column whose maximum reads as infinity (JSON "Infinity", or 1e999) or one that
    # is not positive changes nothing either: a grade scaled by it would be no grade.
    with LmsBrowser(stack.platform_url) as browser:
        browser.set_faults({})
    for odd in (float("inf"), "1e999", -5):
        p.store.update_line_item(item.id, {"label": item.label, "scoreMaximum": odd,
                                           "resourceLinkId": "rl-hand"})
        with app.app_context():
            assert read_line_item_max(link_pk, app.config["BRANCHWISE"]) == 25.0, odd
            assert _link(app, "rl-hand").lineitem_max == 25.0


def test_view_submission_in_the_lms_opens_the_learners_attempt_report(make_stack):
    stack = make_stack(queue_immediate=True)
    p = get_platform(stack.platform_app)
    # No line item in the launch: the tool creates it (with submissionReview) on the first score.
    p.store.add_resource_link("Fractions practice", p.settings.tool.launch_url,
                              custom={"module": "fractions"}, link_id="rl-2")
    learner = _learner(stack, "alice", "rl-2")
    learner.answer_correctly(get_module("fractions"))
    item = next(i for i in p.store.line_items.values() if i.resource_link_id == "rl-2")
    review = item.extra["submissionReview"]
    assert review["url"] == p.settings.tool.launch_url
    assert set(review["reviewableStatus"]) >= {"InProgress", "Completed"}

    with LmsBrowser(stack.platform_url) as browser:
        book = browser.get(f"{stack.platform_url}/gradebook", params={"as": "tess"})
        assert book.status_code == 200
        links = re.findall(r'class="view-submission" href="([^"]+)"', book.text)
        assert len(links) == 1 and "for=alice" in unescape(links[0])
        course = browser.get(urljoin(book.url, unescape(links[0])))
        iframe = re.search(r'<iframe[^>]*src="([^"]+)"', course.text)
        assert iframe, course.text[:500]
        answer = browser.launch(url=unescape(iframe.group(1)))
        assert browser.id_token is not None
        report = answer
        for _ in range(3):  # the tool's landing redirects to the report
            if report.status_code in (302, 303):
                report = browser.get(urljoin(report.url, report.headers["Location"]))
        launched = [x for x in stack.state()["launches"] if x["user"] == "tess"][-1]
        assert launched["message_type"] == "LtiSubmissionReviewRequest"
        assert launched["claims"]["https://purl.imsglobal.org/spec/lti/claim/for_user"][
            "user_id"] == "alice"
    assert report.status_code == 200, report.text[:500]
    assert "/dashboard/learner" in report.url
    assert "<h1>Alice" in report.text  # the learner's attempt report ...
    assert "✓ correct" in report.text and "<h2>Skills</h2>" in report.text  # ... with the answer
