"""The teacher's goal settings in deep linking (issue 16 item 1)."""

from __future__ import annotations

import jwt

from lti_tool.keys import services as keys
from lti_tool.link_settings import parse_picked, settings_from_custom
from lti_tool.protocol import claims
from tests.support.fake_platform import CLIENT_ID, ISSUER

SKILLS = ["phishing", "passwords-mfa"]
GOALS = ["sales", "manager"]
BASE = {"mastery_threshold": "0.9", "practice_cap": "8", "max_score": "10",
        "graded_skills": SKILLS}


def test_fixed_goal_and_learner_choice_become_custom_parameters():
    fixed, problems = parse_picked({**BASE, "goal": "sales"}, SKILLS, GOALS)
    assert problems == [] and fixed is not None
    assert fixed.to_custom("m")["goal"] == "sales"
    choice, _ = parse_picked({**BASE, "goal_choice": "learner", "goals": ["manager"]},
                             SKILLS, GOALS)
    custom = choice.to_custom("m")
    assert custom["goal_choice"] == "learner" and custom["goals"] == "manager"
    assert "goal" not in custom
    # The launch brings them back; the goal itself is never stored on the link.
    assert settings_from_custom({**custom, "goal": "sales"}) == {
        "mastery_threshold": 0.9, "practice_cap": 8, "graded_skills": SKILLS,
        "max_score": 10.0, "goal_choice": "learner", "goals": ["manager"]}


def test_bad_goal_settings_are_refused():
    _, problems = parse_picked({**BASE, "goal": "astronaut"}, SKILLS, GOALS)
    assert any("Unknown goal" in p for p in problems)
    _, problems = parse_picked({**BASE, "goal_choice": "learner"}, SKILLS, [])
    assert any("needs a module with goals" in p for p in problems)
    _, problems = parse_picked({**BASE, "goal": "sales", "goal_choice": "learner"},
                               SKILLS, GOALS)
    assert any("not both" in p for p in problems)


def _decode(token: str) -> dict:
    header = jwt.get_unverified_header(token)
    jwk = next(k for k in keys.jwks()["keys"] if k["kid"] == header["kid"])
    return jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=["RS256"], audience=ISSUER,
                      issuer=CLIENT_ID)


def test_picker_offers_goals_and_signs_them_into_the_link(client, dl):
    import html
    import re

    token = dl.launch()
    page = client.get("/lti/deep-link/picker", query_string={"t": token}).get_data(True)
    assert 'name="s.security-awareness.goal"' in page
    assert 'name="s.fractions.goal"' not in page  # a module without goals: no goal field
    m = "security-awareness"
    data = {"t": token, "module": m, "action": "add", f"s.{m}.mastery_threshold": "0.9",
            f"s.{m}.practice_cap": "8", f"s.{m}.max_score": "10",
            f"s.{m}.graded_skills": ["phishing"], f"s.{m}.goal": "engineering"}
    resp = client.post("/lti/deep-link/respond", data=data)
    assert resp.status_code == 200, resp.get_data(True)
    fields = {k: html.unescape(v) for k, v in
              re.findall(r'name="([^"]+)" value="([^"]*)"', resp.get_data(True))}
    [item] = _decode(fields["JWT"])[claims.DL_CONTENT_ITEMS]
    assert item["custom"]["goal"] == "engineering"
    data[f"s.{m}.goal"] = "astronaut"
    bad = client.post("/lti/deep-link/respond", data=data)
    assert bad.status_code == 400 and "Unknown goal" in bad.get_data(True)
