"""Fitted parameters belong to the course that produced the data (issue 12, item 5): two
platforms, same module and even the same context id — neither changes the other's engine."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select

from lti_tool.cli import main
from lti_tool.dashboard.fitting import fit_module
from lti_tool.extensions import db
from lti_tool.models import Context, Deployment, FittedSkillParams, ItemStats, ResourceLink
from lti_tool.modules.library import fitted_params, fitted_params_for_link, forget_lookups
from lti_tool.registration.services import PlatformInput, add_platform
from tests.dashboard.conftest import add_learner, launch, link_row, platform_a


def _platform_b_link() -> ResourceLink:
    b = add_platform(PlatformInput(
        issuer="https://other.test", client_id="b-client", deployment_ids=("b-dep",),
        auth_login_url="https://other.test/auth", token_url="https://other.test/token",
        jwks_url="https://other.test/jwks"))
    db.session.commit()
    dep = db.session.scalars(select(Deployment).where(Deployment.platform_id == b.id)).one()
    # the same context id as on platform A: only the platform tells the courses apart
    ctx = Context(platform_id=b.id, deployment_pk=dep.id, context_id="course-1", title="B")
    db.session.add(ctx)
    db.session.flush()
    link = ResourceLink(context_pk=ctx.id, resource_link_id="rl-1", module_id="fractions")
    db.session.add(link)
    db.session.commit()
    return link


def _class(link: ResourceLink, platform_id: int, prefix: str, wrong_first: int) -> None:
    """25 learners x 6 answers: ``wrong_first`` (+ k % 2) wrong answers, then right ones."""
    for k in range(25):
        add_learner(link, platform_id, f"{prefix}{k}", f"{prefix} {k}", {},
                    [{"item": f"eq-{j % 3}", "correct": j >= wrong_first + k % 2}
                     for j in range(6)])


def _params(context_pk: int) -> dict:
    rows = db.session.scalars(select(FittedSkillParams).where(
        FittedSkillParams.context_pk == context_pk)).all()
    return {r.skill_id: (r.params, r.accepted, r.platform_id) for r in rows}


def test_one_tenants_learners_never_change_another_tenants_engine(app, client, lms):
    launch(client, lms)  # platform A, its course and link
    link_a = link_row()
    a_id = platform_a().id
    _class(link_a, a_id, "a", wrong_first=0)
    link_b = _platform_b_link()
    b_id = db.session.get(Context, link_b.context_pk).platform_id
    assert b_id != a_id

    # Fitting A's course reads only A's answers; B has no fit at all.
    report = fit_module("fractions", link_a.context_pk)
    assert report.n_rows == 150
    forget_lookups()
    fitted_a = fitted_params_for_link("fractions", link_a.id)
    assert set(fitted_a) == {"equivalent"}
    assert fitted_params_for_link("fractions", link_b.id) == {}
    assert fitted_params("fractions") == {}  # no course, no fit
    # what the activity runner hands the engine on each link
    from lti_tool.runner.services import _bkt

    assert _bkt("fractions", link_a.id) == fitted_a and _bkt("fractions", link_b.id) == {}
    before = _params(link_a.context_pk)

    # B's learners answer very differently; fitting every course keeps A's result unchanged.
    _class(link_b, b_id, "b", wrong_first=3)
    result = CliRunner().invoke(main, ["model", "fit"])
    assert result.exit_code == 0, result.output
    assert f"course {link_a.context_pk}: fractions: 150 answers read" in result.output
    assert f"course {link_b.context_pk}: fractions: 150 answers read" in result.output
    db.session.expire_all()
    after = _params(link_a.context_pk)
    assert after == before
    assert after["equivalent"][2] == a_id
    fitted_b = _params(link_b.context_pk)
    assert fitted_b["equivalent"][2] == b_id
    assert fitted_b["equivalent"][0] != after["equivalent"][0]
    forget_lookups()
    assert fitted_params_for_link("fractions", link_a.id) == fitted_a
    b_engine = fitted_params_for_link("fractions", link_b.id)
    assert not b_engine or b_engine["equivalent"] != fitted_a["equivalent"]


def test_rejected_fits_are_shown_with_their_reason_and_not_used(app, client, lms):
    from tests.dashboard.test_views import open_dashboard

    token = open_dashboard(client, lms)
    link = link_row()
    for k in range(6):  # too few learners for a fit
        add_learner(link, platform_a().id, f"s{k}", f"S {k}", {},
                    [{"item": f"eq-{j % 3}", "correct": j > 1} for j in range(6)])
    fit_module("fractions", link.context_pk)
    row = db.session.scalars(select(FittedSkillParams)).one()
    assert row.accepted is False
    assert row.reasons[0].startswith("Not enough data yet: 6 learners and 36 answers")
    forget_lookups()
    assert fitted_params_for_link("fractions", link.id) == {}
    html = client.get("/dashboard", query_string={"t": token}).get_data(as_text=True)
    assert "In use" in html and "no: Not enough data yet: 6 learners and 36 answers" in html


def _item_stats(context_pk: int) -> dict:
    rows = db.session.scalars(select(ItemStats).where(ItemStats.context_pk == context_pk)).all()
    return {r.item_id: (r.difficulty, r.first_attempts, r.first_correct, r.platform_id)
            for r in rows}


def test_one_courses_answers_never_change_another_courses_item_stats(app, client, lms):
    """Item difficulties are scoped like the fits: platform B's class, answering the same
    items of the same module (same context id) very differently, leaves A's numbers alone,
    and A's dashboard shows A's difficulty, not B's."""
    from tests.dashboard.test_views import open_dashboard

    token = open_dashboard(client, lms)  # platform A, its course and link, as the teacher
    link_a = link_row()
    a_id = platform_a().id
    _class(link_a, a_id, "a", wrong_first=0)  # A: most first attempts right
    fit_module("fractions", link_a.context_pk)
    before = _item_stats(link_a.context_pk)
    assert set(before) == {"eq-0", "eq-1", "eq-2"}
    assert {v[3] for v in before.values()} == {a_id}

    link_b = _platform_b_link()
    b_id = db.session.get(Context, link_b.context_pk).platform_id
    _class(link_b, b_id, "b", wrong_first=3)  # B: every first attempt wrong
    result = CliRunner().invoke(main, ["model", "fit"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert _item_stats(link_a.context_pk) == before
    of_b = _item_stats(link_b.context_pk)
    assert set(of_b) == set(before) and {v[3] for v in of_b.values()} == {b_id}
    for item_id, (difficulty, attempts, right, _p) in of_b.items():
        assert attempts == 25 and right == 0
        assert difficulty > before[item_id][0]  # B found them harder

    html = client.get("/dashboard", query_string={"t": token}).get_data(as_text=True)
    shown = f'(last fit of this course: {before["eq-0"][0]:.2f})'
    assert shown in html
    assert f'(last fit of this course: {of_b["eq-0"][0]:.2f})' not in html
