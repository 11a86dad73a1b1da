"""launch.claim_shapes: the claims of a signed launch in LTI's shapes before anything reads
them (the cases test_launch_claims_fuzz.py found, named)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.launch.claim_shapes import normalised
from lti_tool.models import LaunchSession
from lti_tool.protocol import claims
from lti_tool.protocol.errors import MalformedClaims

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def test_canvas_style_numbers_in_custom_become_text() -> None:
    body = normalised({claims.CUSTOM: {"canvas_course_id": 12345, "practice_cap": 8,
                                       "mastery_threshold": 0.9, "graded": True,
                                       "nested": {"a": 1}, "list": [1], "none": None}})
    assert body[claims.CUSTOM] == {"canvas_course_id": "12345", "practice_cap": "8",
                                   "mastery_threshold": "0.9", "graded": "true"}


@pytest.mark.parametrize(("body", "fragment"), [
    ({"sub": 42}, "sub is not a string"),
    ({"sub": "x" * 256}, "longer than 255"),
    ({claims.CONTEXT: True}, "context claim is not an object"),
    ({claims.CONTEXT: {"id": ["c1"]}}, "context.id is not a string"),
    ({claims.RESOURCE_LINK: "rl-1"}, "resource_link claim is not an object"),
    ({claims.AGS_ENDPOINT: 1}, "endpoint claim is not an object"),
    ({"extra": {"deep": [float("nan")]}}, "NaN or infinity) in extra.deep"),
    ({claims.CUSTOM: {"x": float("inf")}}, "NaN or infinity"),
])
def test_what_the_tool_cannot_key_or_store_is_refused_by_name(body, fragment) -> None:
    with pytest.raises(MalformedClaims) as caught:
        normalised(body)
    assert fragment in str(caught.value)
    assert caught.value.code == "bad_claim" and caught.value.status == 400


def test_display_texts_locales_and_lists_are_kept_in_shape() -> None:
    body = normalised({
        "name": 7, "email": "e" * 300, "locale": "not a locale!",
        claims.ROLES: LEARNER,
        claims.CONTEXT: {"id": "c1", "title": "T" * 1000, "label": None},
        claims.LAUNCH_PRESENTATION: {"locale": "es-419", "return_url": 5},
        claims.AGS_ENDPOINT: {"lineitem": ["x"], "scope": "score"},
        claims.NRPS: None,
    })
    assert "name" not in body and len(body["email"]) == 255 and "locale" not in body
    assert body[claims.ROLES] == [LEARNER]  # one role sent as a string
    assert body[claims.CONTEXT] == {"id": "c1", "title": "T" * 255}
    assert body[claims.LAUNCH_PRESENTATION] == {"locale": "es-419"}
    assert body[claims.AGS_ENDPOINT] == {"scope": ["score"]}
    assert claims.NRPS not in body


def test_a_launch_with_canvas_numbers_and_a_long_title_lands(client, lms) -> None:
    """Through the whole launch (on PostgreSQL too, where a 1,000-character title did not fit
    its column): the numeric practice cap is read, the title is cut, the role understood."""
    resp = lms.launch(client, **{
        claims.CUSTOM: {"module": "fractions", "practice_cap": 8},
        claims.CONTEXT: {"id": "course-1", "title": "M" * 1000},
        claims.ROLES: LEARNER,
    })
    assert resp.status_code == 200, resp.get_data(as_text=True)[:400]
    session = db.session.scalars(select(LaunchSession)).one()
    assert session.role == "learner"
    assert session.context.title == "M" * 255
    assert session.resource_link.settings.get("practice_cap") == 8


def test_a_malformed_launch_is_refused_with_its_code(client, lms) -> None:
    resp = lms.launch(client, **{claims.CONTEXT: "course-1"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "<code>bad_claim</code>" in page and "context claim is not an object" in page
