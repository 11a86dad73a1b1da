"""dashboard.nrps.members_of_page on any JSON an LMS might answer with: never an exception,
always plain text fields (Hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from lti_tool.dashboard.nrps import Member, members_of_page

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["members", "user_id", "name", "given_name", "family_name", "roles",
                         "status", "x"]), inner, max_size=5),
    max_leaves=20)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(body=JSON | st.fixed_dictionaries({"members": st.lists(JSON, max_size=5)}))
def test_any_page_gives_members_with_text_fields(body) -> None:
    for m in members_of_page(body):
        assert isinstance(m, Member) and m.sub
        assert isinstance(m.name, str) and isinstance(m.status, str)
        assert all(isinstance(r, str) for r in m.roles)


def test_one_role_sent_as_a_string_is_one_role() -> None:
    (m,) = members_of_page({"members": [{"user_id": 7, "roles": "Learner"}]})
    assert m.sub == "7" and m.roles == ("Learner",) and m.is_learner
