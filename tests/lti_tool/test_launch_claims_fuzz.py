"""A correctly signed launch from an LMS that fills its claims oddly.

``test_launch_security.py`` lists the bad launches one knows of. LMSs also send claims of
unexpected shapes: a custom parameter as a number or a list, a context without an id, a
title of 10,000 characters, roles as one string, a locale nobody speaks, NaN (which JSON
parsers accept), an AGS endpoint that is not a URL. Hypothesis draws such claims into a
launch signed with the platform's own key. Whatever comes, the tool answers with the
activity (or the teacher's page) or with a 4xx page that names the problem, never a 5xx or
a traceback, and the learner's page does not echo markup from the claims.
"""

from __future__ import annotations

import copy
import dataclasses
import math

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lti_tool.protocol import claims

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
TEACHER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
MARKUP = "<script>alert(1)</script>"

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.just("x" * 10_000),
    st.just(MARKUP),
    st.just("../../etc/passwd"),
    st.lists(st.text(max_size=10), max_size=3),
    st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3),
)

#: Where the odd values go: a top-level claim, or (claim, key) inside an object claim.
PLACES = [
    ("sub",), ("name",), ("given_name",), ("email",), ("locale",),
    (claims.ROLES,), (claims.CONTEXT,), (claims.CONTEXT, "id"), (claims.CONTEXT, "title"),
    (claims.CONTEXT, "label"), (claims.RESOURCE_LINK,), (claims.RESOURCE_LINK, "id"),
    (claims.RESOURCE_LINK, "title"), (claims.LAUNCH_PRESENTATION,),
    (claims.LAUNCH_PRESENTATION, "locale"), (claims.LAUNCH_PRESENTATION, "return_url"),
    (claims.LAUNCH_PRESENTATION, "document_target"), (claims.CUSTOM,),
    (claims.CUSTOM, "module"), (claims.CUSTOM, "mastery_threshold"),
    (claims.CUSTOM, "practice_cap"), (claims.CUSTOM, "graded_skills"), (claims.CUSTOM, "goal"),
    (claims.CUSTOM, "language"), (claims.CUSTOM, "policy"), (claims.AGS_ENDPOINT,),
    (claims.AGS_ENDPOINT, "lineitem"), (claims.AGS_ENDPOINT, "lineitems"),
    (claims.AGS_ENDPOINT, "scope"), (claims.NRPS,), (claims.NRPS, "context_memberships_url"),
    (claims.TOOL_PLATFORM,), ("https://purl.imsglobal.org/spec/lti/claim/lis",),
]


def _place(body: dict, place: tuple[str, ...], value: object) -> None:
    if len(place) == 1:
        body[place[0]] = value
        return
    outer = body.get(place[0])
    outer = copy.deepcopy(outer) if isinstance(outer, dict) else {}
    outer[place[1]] = value
    body[place[0]] = outer


def _has_nan(value: object) -> bool:
    if isinstance(value, float):
        return math.isnan(value) or math.isinf(value)
    if isinstance(value, list):
        return any(_has_nan(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nan(v) for v in value.values())
    return False


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(odd=st.lists(st.tuples(st.sampled_from(PLACES), JUNK), min_size=1, max_size=4),
       teacher=st.booleans())
# NaN where the tool would otherwise read it without complaint (a custom setting, a name).
@example(odd=[((claims.CUSTOM, "mastery_threshold"), float("nan"))], teacher=False)
@example(odd=[(("name",), float("inf"))], teacher=True)
def test_a_signed_launch_with_odd_claims_is_answered_in_words(client, lms, odd, teacher):
    app = client.application
    # Hypothesis logs in far more often than one address may per minute.
    app.config["BRANCHWISE"] = dataclasses.replace(app.config["BRANCHWISE"],
                                                   login_rate_limit=10**9)
    login = lms.login(client)
    body = lms.claims(login.nonce, roles=[TEACHER if teacher else LEARNER])
    body[claims.CUSTOM] = {"module": "fractions"}
    for place, value in odd:
        _place(body, place, value)
    resp = lms.post_launch(client, login, lms.sign(body))
    text = resp.get_data(as_text=True)
    assert resp.status_code < 500, (odd, text[:600])
    assert "Traceback" not in text
    assert MARKUP not in text, "markup from a claim reached the page unescaped"
    if resp.status_code >= 400:
        assert "<code>" in text, (odd, text[:600])  # the refusal names its code
    # NaN and infinity are not JSON (RFC 8259) but Python's parser reads them, and no column
    # keeps them: a token that still carries one is refused, by name.
    if _has_nan(body):
        assert resp.status_code == 400 and "<code>bad_claim</code>" in text, (odd, text[:600])


DL_PLACES = [
    (claims.DL_SETTINGS,), (claims.DL_SETTINGS, "deep_link_return_url"),
    (claims.DL_SETTINGS, "accept_types"),
    (claims.DL_SETTINGS, "accept_presentation_document_targets"),
    (claims.DL_SETTINGS, "accept_multiple"), (claims.DL_SETTINGS, "data"),
    (claims.DL_SETTINGS, "title"), (claims.CONTEXT,), (claims.CONTEXT, "id"), ("sub",),
    (claims.ROLES,), (claims.CUSTOM,),
]


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(odd=st.lists(st.tuples(st.sampled_from(DL_PLACES), JUNK), min_size=1, max_size=3))
def test_a_deep_linking_request_with_odd_claims_is_answered_in_words(client, lms, odd):
    app = client.application
    app.config["BRANCHWISE"] = dataclasses.replace(app.config["BRANCHWISE"],
                                                   login_rate_limit=10**9)
    login = lms.login(client, target=lms.base_url + "/lti/deep-link")
    body = lms.claims(login.nonce, message_type=claims.DEEP_LINKING_REQUEST, roles=[TEACHER])
    for place, value in odd:
        _place(body, place, value)
    resp = lms.post_launch(client, login, lms.sign(body), "/lti/deep-link")
    text = resp.get_data(as_text=True)
    assert resp.status_code < 500, (odd, text[:600])
    assert "Traceback" not in text and MARKUP not in text
    if resp.status_code >= 400:
        assert "<code>" in text, (odd, text[:600])
