"""The dashboard over HTTP: content, roster, CSV, fit, and who may see what."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from lti_tool.dashboard.views import FIT_TASK_KEY
from lti_tool.extensions import db
from lti_tool.models import Context, Deployment, FittedSkillParams, ItemStats, ResourceLink
from lti_tool.registration.services import PlatformInput, add_platform
from tests.conftest import make_app
from tests.dashboard.conftest import (
    LEARNER,
    add_learner,
    class_of_four,
    launch,
    link_row,
    platform_a,
    use_token_url,
)


def open_dashboard(client, lms, **kw):
    token = launch(client, lms, **kw)
    landing = client.get("/lti/landing", query_string={"t": token})
    assert landing.status_code == 303 and "/dashboard" in landing.headers["Location"]
    return token


def test_instructor_launch_lands_on_the_dashboard_with_suggestions(client, lms):
    token = open_dashboard(client, lms)
    class_of_four(link_row(), platform_a().id)
    resp = client.get("/dashboard", query_string={"t": token})
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-store"
    html = resp.get_data(as_text=True)
    assert "2 learners are stuck on “Equivalent fractions” after the practice cap" in html
    assert "Both share the misconception “add-same-number”" in html
    assert 'role="img"' in html and "<title id=\"heat-title\">" in html
    assert "Alice Adams" in html and "Chen Chu" in html
    # the roster fell back to learners seen (no NRPS claim), and says so
    assert "Only learners who have opened the activity are shown" in html
    # "revise eq-bad" counted wrong answers given before the learners mastered the skill:
    # it is gone (the restructuring analysis judges items by what learners knew then)
    assert "Item “eq-bad” is answered correctly" not in html
    assert "<code>1/2</code> ×4" in html  # what learners typed, grouped
    # items are shown by their question (math as text), with the id for reference;
    # one no longer in the module keeps its id
    assert ('Which fraction is equal to <math xmlns="http://www.w3.org/1998/Math/MathML" '
            'display="inline"><mrow><mfrac><mrow><mn>2</mn></mrow><mrow><mn>3</mn></mrow>'
            '</mfrac></mrow></math>? <span class="muted">(eq-1)</span>') in html
    assert 'eq-bad <span class="muted">(eq-bad)</span>' in html


def test_learner_drill_down_and_csv(client, lms):
    token = open_dashboard(client, lms)
    class_of_four(link_row(), platform_a().id)
    resp = client.get("/dashboard/learner", query_string={"t": token, "id": "alice"})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "Alice Adams" in html and "equivalent-intro" in html and "3/4" in html
    assert "misconception add-same-number" in html
    out = client.get("/dashboard/export/learner.csv", query_string={"t": token, "id": "alice"})
    rows = list(csv.DictReader(io.StringIO(out.get_data(as_text=True))))
    assert [r["kind"] for r in rows] == ["page", "answer", "answer", "answer"]
    assert rows[1]["answer"] == "'=SUM(A1)"  # CSV injection defused
    for view in ("heatmap", "skills", "items", "misconceptions"):
        resp = client.get(f"/dashboard/export/{view}.csv", query_string={"t": token})
        assert resp.status_code == 200 and resp.mimetype == "text/csv", view
        assert "attachment" in resp.headers["Content-Disposition"]
    heat = list(csv.DictReader(io.StringIO(
        client.get("/dashboard/export/heatmap.csv", query_string={"t": token})
        .get_data(as_text=True))))
    assert {r["learner_id"] for r in heat} == {"alice", "bob", "chen", "dora", "eli"}
    assert len(heat) == 5 * 5  # every learner x every skill of the module


def test_roster_from_nrps_includes_learners_who_never_started(client, lms, nrps_server):
    nrps_server.members = [
        {"user_id": "alice", "name": "Alice Adams", "roles": [LEARNER], "status": "Active"},
        {"user_id": "erin", "name": "Erin Evans", "roles": [LEARNER], "status": "Active"},
        {"user_id": "teacher-1", "name": "Tess", "roles": [
            "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]},
        {"user_id": "fay", "name": "Fay Fox", "roles": [LEARNER], "status": "Active"},
    ]
    token = open_dashboard(client, lms, nrps_url=nrps_server.url + "/memberships")
    use_token_url(nrps_server.url)
    class_of_four(link_row(), platform_a().id)
    html = client.get("/dashboard", query_string={"t": token}).get_data(as_text=True)
    assert "course roster from the LMS" in html
    assert "Erin Evans" in html and "Fay Fox" in html and "Tess" not in html
    assert "2 learners have not started the activity yet." in html
    assert len(nrps_server.hits) == 2 and nrps_server.hits[1].endswith("Page=2")
    # cached: a second page view does not call the LMS again
    client.get("/dashboard", query_string={"t": token})
    assert len(nrps_server.hits) == 2
    # a roster learner who never launched can be opened (empty path)
    resp = client.get("/dashboard/learner", query_string={"t": token, "id": "erin"})
    assert resp.status_code == 200 and "Has not started" in resp.get_data(as_text=True)


def test_nrps_failure_falls_back_to_learners_seen(client, lms, nrps_server):
    nrps_server.fail = 500
    token = open_dashboard(client, lms, nrps_url=nrps_server.url + "/memberships")
    use_token_url(nrps_server.url)
    class_of_four(link_row(), platform_a().id)
    html = client.get("/dashboard", query_string={"t": token}).get_data(as_text=True)
    assert "The course roster is not available: the LMS answered 500. Only learners" in html
    assert "Dora Diaz" in html


def test_fit_button_stores_parameters_and_difficulties(app, client, lms, monkeypatch):
    monkeypatch.delitem(app.extensions, FIT_TASK_KEY, raising=False)  # no queue: inline
    token = open_dashboard(client, lms)
    link = link_row()
    for k in range(25):  # a fit needs at least 20 learners and 100 answers
        add_learner(link, platform_a().id, f"s{k}", f"S {k}",
                    {"equivalent": ("mastered", 0.96, 6)},
                    [{"item": f"eq-{j % 3}", "correct": j >= k % 3} for j in range(6)])
    # the token must be in the body: a query-string token is not accepted on POST
    assert client.post("/dashboard/fit", query_string={"t": token}).status_code >= 400
    assert db.session.scalars(select(FittedSkillParams)).first() is None
    resp = client.post("/dashboard/fit", data={"t": token})
    assert resp.status_code == 303
    row = db.session.scalars(select(FittedSkillParams)).one()
    assert row.module_id == "fractions" and row.skill_id == "equivalent"
    assert row.n_learners == 25 and row.n_answers == 150
    assert row.context_pk == link.context_pk and row.platform_id == platform_a().id
    assert {s.item_id for s in db.session.scalars(select(ItemStats))} == {"eq-0", "eq-1", "eq-2"}
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "BKT fitted for 1 skill(s)" in html and "Prior" in html


def test_fit_button_runs_on_the_job_queue(client, lms, database_url, tmp_path):
    token = open_dashboard(client, lms)
    link = link_row()
    for k in range(6):
        add_learner(link, platform_a().id, f"s{k}", f"S {k}", {},
                    [{"item": "eq-1", "correct": bool(j % 2)} for j in range(6)])
    # the same database, an app whose queue runs jobs at once (as the worker would)
    queued_app = make_app(database_url, tmp_path / "queued", queue_immediate=True)
    assert FIT_TASK_KEY in queued_app.extensions
    resp = queued_app.test_client().post("/dashboard/fit", data={"t": token})
    with queued_app.app_context():  # close its pool: the test database outlives this app
        db.session.remove()
        db.engine.dispose()
    assert resp.status_code == 303 and "fit=queued" in resp.headers["Location"]
    db.session.expire_all()
    row = db.session.scalars(select(FittedSkillParams)).one()
    assert row.n_answers == 36
    # too little data: stored with the reason, and not used by the engine
    assert row.accepted is False and "Not enough data yet: 6 learners" in row.reasons[0]


def test_cli_model_fit(app, lms, client):
    """``branchwise model fit`` (run inside the test app's context, so on its database)."""
    from click.testing import CliRunner

    from lti_tool.cli import main

    launch(client, lms)
    link = link_row()
    for k in range(6):
        add_learner(link, platform_a().id, f"s{k}", f"S {k}", {},
                    [{"item": "eq-1", "correct": bool(j % 2)} for j in range(6)])
    result = CliRunner().invoke(main, ["model", "fit", "--module", "fractions"])
    assert result.exit_code == 0, result.output
    assert "fractions: 36 answers read; BKT fitted for 0 skill(s)" in result.output
    assert "equivalent: Not enough data yet: 6 learners and 36 answers" in result.output
    from lti_tool.modules.library import fitted_params

    assert fitted_params("fractions", link.context_pk) == {}  # rejected: not used
    # "the newest -5 answers" means nothing: refused before anything is read
    negative = CliRunner().invoke(main, ["model", "fit", "--row-limit", "-5"])
    assert negative.exit_code == 2 and "--row-limit" in negative.output


# ----------------------------------------------------------------------------- privacy

LEARNER_URLS = [
    ("get", "/dashboard", {}),
    ("get", "/dashboard/learner", {"id": "alice"}),
    ("get", "/dashboard/export/heatmap.csv", {}),
    ("get", "/dashboard/export/skills.csv", {}),
    ("get", "/dashboard/export/items.csv", {}),
    ("get", "/dashboard/export/misconceptions.csv", {}),
    ("get", "/dashboard/export/learner.csv", {"id": "alice"}),
    ("get", "/dashboard/export/restructuring.csv", {}),
    ("get", "/dashboard/export/module.yaml", {}),
    ("get", "/dashboard/export/module.diff", {}),
    ("post", "/dashboard/fit", {}),
]


@pytest.mark.parametrize(("method", "path", "params"), LEARNER_URLS)
def test_learners_get_403_everywhere(client, lms, method, path, params):
    launch(client, lms)  # the course exists, with data
    class_of_four(link_row(), platform_a().id)
    token = launch(client, lms, role=LEARNER, sub="alice")
    if method == "get":
        resp = client.get(path, query_string={"t": token, **params})
    else:
        resp = client.post(path, data={"t": token, **params})
    assert resp.status_code == 403
    assert "Bob" not in resp.get_data(as_text=True)


def _platform_b_learner(sub: str, name: str) -> None:
    """Platform B with its own course, link and a learner (same sub as on A, other person)."""
    b = add_platform(PlatformInput(
        issuer="https://other.test", client_id="b-client", deployment_ids=("b-dep",),
        auth_login_url="https://other.test/auth", token_url="https://other.test/token",
        jwks_url="https://other.test/jwks"))
    db.session.commit()
    dep = db.session.scalars(select(Deployment).where(Deployment.platform_id == b.id)).one()
    ctx = Context(platform_id=b.id, deployment_pk=dep.id, context_id="course-1", title="B")
    db.session.add(ctx)
    db.session.flush()
    link = ResourceLink(context_pk=ctx.id, resource_link_id="rl-1", module_id="fractions")
    db.session.add(link)
    db.session.commit()
    add_learner(link, b.id, sub, name, {"equivalent": ("flagged", 0.3, 12)},
                [{"item": "eq-1", "correct": False, "answer": "secret-b"}])


def test_instructor_sees_only_their_own_link_course_and_platform(client, lms):
    token_a = open_dashboard(client, lms)
    class_of_four(link_row(), platform_a().id)
    # same platform, another course (and another link in course 1): other learners
    launch(client, lms, context="course-2", link="rl-2")
    add_learner(link_row("course-2", "rl-2"), platform_a().id, "gus", "Gus Green",
                {"equivalent": ("flagged", 0.2, 12)},
                [{"item": "eq-1", "correct": False, "answer": "secret-course-2"}])
    launch(client, lms, context="course-1", link="rl-other")
    add_learner(link_row("course-1", "rl-other"), platform_a().id, "hal", "Hal Hill", {})
    # another platform: "zed" and also a different person with the sub "alice"
    _platform_b_learner("zed", "Zed Zorn")
    html = client.get("/dashboard", query_string={"t": token_a}).get_data(as_text=True)
    for other in ("Gus Green", "Hal Hill", "Zed Zorn", "secret"):
        assert other not in html
    for path in ("/dashboard/learner", "/dashboard/export/learner.csv"):
        for sub in ("gus", "hal", "zed", "nobody"):
            resp = client.get(path, query_string={"t": token_a, "id": sub})
            assert resp.status_code == 404, (path, sub)
    # alice exists on B too, but A's dashboard shows A's alice, never B's answers
    resp = client.get("/dashboard/learner", query_string={"t": token_a, "id": "alice"})
    assert resp.status_code == 200 and "secret-b" not in resp.get_data(as_text=True)
    # ids of other links in the URL are ignored: the scope is the session's link
    resp = client.get("/dashboard", query_string={"t": token_a, "resource_link_id": "rl-2",
                                                  "context": "course-2"})
    assert "Gus Green" not in resp.get_data(as_text=True)


def test_instructor_of_b_cannot_read_a(client, lms):
    launch(client, lms)
    class_of_four(link_row(), platform_a().id)
    token_2 = open_dashboard(client, lms, context="course-2", link="rl-2", sub="teacher-2")
    html = client.get("/dashboard", query_string={"t": token_2}).get_data(as_text=True)
    assert "Alice Adams" not in html
    resp = client.get("/dashboard/learner", query_string={"t": token_2, "id": "alice"})
    assert resp.status_code == 404
    csv_text = client.get("/dashboard/export/items.csv",
                          query_string={"t": token_2}).get_data(as_text=True)
    assert "eq-bad" not in csv_text


def test_missing_or_forged_token_is_refused(client, lms):
    for token in ("", "forged.token.value"):
        resp = client.get("/dashboard", query_string={"t": token})
        assert 400 <= resp.status_code < 500


def test_an_odd_roster_is_read_for_what_it_says(client, lms, nrps_server):
    """Entries LMSs send that the NRPS text does not: a number as user_id, one role as a
    string, names that are not text, an entry that is not an object. Before, the dashboard
    answered 500 (or took the string "Learner" for seven roles, one per letter)."""
    nrps_server.members = [
        {"user_id": 1042, "given_name": "Gil", "family_name": None, "roles": LEARNER},
        {"user_id": "hana", "name": ["Hana"], "roles": [LEARNER, 7], "status": None},
        "not a member", None, {"user_id": None, "roles": [LEARNER]},
        {"user_id": "alice", "name": "Alice Adams", "roles": [LEARNER]},
    ]
    token = open_dashboard(client, lms, nrps_url=nrps_server.url + "/memberships")
    use_token_url(nrps_server.url)
    class_of_four(link_row(), platform_a().id)
    resp = client.get("/dashboard", query_string={"t": token})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, html[:400]
    assert "course roster from the LMS" in html
    assert "Gil" in html  # learner 1042, by the name the LMS gave
    assert "2 learners have not started the activity yet." in html  # 1042 and hana
