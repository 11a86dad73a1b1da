"""The OIDC login initiation with odd parameters (Hypothesis): an LMS's bug or anyone on the
network can send them. The answer is the redirect to the LMS, or a 4xx page that names the
problem; never a 5xx (a long storage target or target_link_uri overflowed its column on
PostgreSQL)."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.fake_platform import CLIENT_ID, DEPLOYMENT_ID, ISSUER

PARAMS = ["iss", "login_hint", "client_id", "target_link_uri", "lti_deployment_id",
          "lti_message_hint", "lti_storage_target"]


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(odd=st.dictionaries(st.sampled_from(PARAMS), st.one_of(
           st.text(max_size=30), st.just("x" * 3000), st.just("_parent" + "p" * 200),
           st.just("http://localhost/lti/launch?" + "q" * 2000),
           st.just("<script>alert(1)</script>")), min_size=1, max_size=3),
       post=st.booleans())
def test_a_login_with_odd_parameters_is_answered_in_words(client, lms, odd, post):
    app = client.application
    app.config["BRANCHWISE"] = dataclasses.replace(app.config["BRANCHWISE"],
                                                   login_rate_limit=10**9)
    params = {"iss": ISSUER, "login_hint": "u1", "client_id": CLIENT_ID,
              "target_link_uri": lms.base_url + "/lti/launch",
              "lti_deployment_id": DEPLOYMENT_ID, **odd}
    resp = (client.post("/lti/login", data=params) if post
            else client.get("/lti/login", query_string=params))
    text = resp.get_data(as_text=True)
    assert resp.status_code < 500, (odd, text[:500])
    assert "Traceback" not in text and "<script>alert(1)</script>" not in text
    if resp.status_code >= 400:
        assert "<code>" in text, (odd, text[:500])
