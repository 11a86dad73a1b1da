"""Custom parameters ↔ activity settings, and the launch storing them on the link."""

from __future__ import annotations

from sqlalchemy import select

from adaptive.engine import ActivitySettings
from lti_tool.extensions import db
from lti_tool.link_settings import PickedSettings, parse_picked, settings_from_custom
from lti_tool.models import ResourceLink
from lti_tool.protocol import claims

from .conftest import INSTRUCTOR


def test_settings_from_custom_parses_strings():
    got = settings_from_custom({"module": "fractions", "mastery_threshold": "0.9",
                                "practice_cap": "8", "graded_skills": " a, b ,",
                                "max_score": "100"})
    assert got == {"mastery_threshold": 0.9, "practice_cap": 8, "graded_skills": ["a", "b"],
                   "max_score": 100.0}
    # What the runner does with it: the engine accepts every key.
    engine = ActivitySettings.from_dict(got)
    assert engine.graded_skills == ("a", "b") and engine.max_score == 100.0


def test_settings_from_custom_drops_bad_values():
    """Admins can edit custom parameters by hand: bad values fall back to defaults."""
    assert settings_from_custom({"mastery_threshold": "1", "practice_cap": "2.5",
                                 "max_score": "nan", "graded_skills": ""}) == {}
    assert settings_from_custom({"mastery_threshold": "abc", "practice_cap": "0",
                                 "max_score": "-3"}) == {}
    assert settings_from_custom(None) == {} and settings_from_custom({"module": "x"}) == {}


def test_picked_settings_round_trip_through_custom():
    picked = PickedSettings(0.85, 10, ("x", "y"), 100.0)
    custom = picked.to_custom("m1")
    assert custom == {"module": "m1", "mastery_threshold": "0.85", "practice_cap": "10",
                      "graded_skills": "x,y", "max_score": "100"}
    assert all(isinstance(v, str) for v in custom.values())
    assert settings_from_custom(custom) == {"mastery_threshold": 0.85, "practice_cap": 10,
                                            "graded_skills": ["x", "y"], "max_score": 100.0}


def test_parse_picked_keeps_module_order_and_reports_every_problem():
    ok, problems = parse_picked({"mastery_threshold": "0.9", "practice_cap": "5",
                                 "max_score": "10", "graded_skills": ["b", "a"]}, ["a", "b", "c"])
    assert problems == [] and ok is not None and ok.graded_skills == ("a", "b")
    bad, problems = parse_picked({"mastery_threshold": "0.2", "practice_cap": "x",
                                  "max_score": "0", "graded_skills": []}, ["a"])
    assert bad is None and len(problems) == 4


def test_resource_launch_stores_module_and_settings(client, lms):
    custom = {"module": "fractions", "mastery_threshold": "0.9", "practice_cap": "8",
              "graded_skills": "equivalent", "max_score": "50"}
    resp = lms.launch(client, roles=[INSTRUCTOR], **{claims.CUSTOM: custom})
    assert resp.status_code == 303
    link = db.session.scalars(select(ResourceLink)).one()
    assert link.module_id == "fractions"
    assert link.settings == {"mastery_threshold": 0.9, "practice_cap": 8,
                             "graded_skills": ["equivalent"], "max_score": 50.0}


def test_launch_without_settings_keeps_stored_ones(client, lms):
    lms.launch(client, **{claims.CUSTOM: {"module": "fractions", "practice_cap": "4"}})
    lms.launch(client, **{claims.CUSTOM: {"module": "fractions"}})
    db.session.expire_all()
    link = db.session.scalars(select(ResourceLink)).one()
    assert link.settings == {"practice_cap": 4}
