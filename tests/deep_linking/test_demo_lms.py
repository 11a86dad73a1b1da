"""End to end over real HTTP against the independent demo LMS (lti1p3platform based).

Deep link as the teacher → the LMS verifies our JWT against our JWKS and creates the
resource link and its line item → a learner's launch of that link lands with the module
and settings recorded on the tool's ResourceLink.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from lti_tool.demo import DemoStack, start_demo
from lti_tool.extensions import db
from lti_tool.models import ResourceLink
from tests.support import demo_lms_hooks
from tests.support.lms_client import LmsBrowser


@pytest.fixture
def demo(tmp_path) -> Iterator[DemoStack]:
    stack = start_demo(0, instance_path=str(tmp_path / "instance"), tool_host="127.0.0.1",
                       platform_extensions=(demo_lms_hooks.install,))
    yield stack
    stack.stop()
    with stack.tool_app.app_context():
        db.engine.dispose()


def test_deep_link_creates_graded_link_that_launches_the_module(demo: DemoStack) -> None:
    with LmsBrowser(demo.platform_url) as browser:
        picker = browser.deep_link("tess")
        assert picker.status_code == 200, picker.text[:500]
        assert "/lti/deep-link/respond" in picker.text
        response_page = browser.submit_form(picker, {
            "module": "statistics-basics",
            "s.statistics-basics.mastery_threshold": "0.9",
            "s.statistics-basics.practice_cap": "6",
            "s.statistics-basics.max_score": "20",
        })
        assert response_page.status_code == 200, response_page.text[:500]
        assert "/deep_link_return" in response_page.text
        course = browser.submit_form(response_page)
        assert course.status_code == 200, course.text[:1000]
        assert "Added 1 Branchwise activity" in course.text

    with LmsBrowser(demo.platform_url) as teacher:
        state = teacher.state_json()
    link = next(li for li in state["resource_links"] if li["created_by"] == "deep_link")
    assert link["title"] == "Statistics basics"
    assert link["custom"]["module"] == "statistics-basics"
    assert link["custom"]["max_score"] == "20" and link["custom"]["practice_cap"] == "6"
    item = next(i for i in state["line_items"] if i["resource_link_id"] == link["id"])
    assert item["score_maximum"] == 20 and item["tag"] == "mastery"
    assert item["resource_id"] == "statistics-basics" and item["label"] == "Statistics basics"

    with LmsBrowser(demo.platform_url) as learner:
        landed = learner.launch("alice", link["id"])
        assert landed.status_code == 200, landed.text[:500]
    with demo.tool_app.app_context():
        row = db.session.scalars(
            select(ResourceLink).where(ResourceLink.resource_link_id == link["id"])
        ).one()
        assert row.module_id == "statistics-basics"
        assert row.settings["practice_cap"] == 6 and row.settings["max_score"] == 20.0
        assert row.settings["mastery_threshold"] == 0.9
        assert row.lineitem_url and row.lineitem_url.endswith(f"/lineitems/{item['id']}")
