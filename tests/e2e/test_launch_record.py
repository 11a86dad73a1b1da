"""The launch record written in Core statements (``lti_tool.launch.record``, issue 20 item 4).

Real launches through the demo LMS over HTTP, on SQLite and PostgreSQL:

* first launches arriving at the same moment — two new learners, each in two tabs, in a
  course and link the tool has never seen — all succeed, and leave one row per learner,
  one course and one link (a missing row is inserted with ON CONFLICT DO NOTHING; a
  launch that loses the race reads the winner's row instead of failing on the unique key);
* what the LMS says in a later launch (the learner's name, the course's and link's titles)
  updates the rows; what the tool owns (the link's module) stays.
"""

from __future__ import annotations

import threading
from urllib.parse import urljoin

import requests
from sqlalchemy import func, select

from lti_tool.demo_platform import get_platform
from lti_tool.extensions import db
from lti_tool.models import Context, LaunchSession, ResourceLink, User
from tests.ags.conftest import launch, make_stack  # noqa: F401  (the fixture)
from tests.support.lms_client import parse_form


def _prepared_post(platform_url: str, user: str, link: str):
    """Login and platform auth done; returns (cookies, form) for the id_token POST."""
    http = requests.Session()
    url = requests.get(f"{platform_url}/_test/launch_url",
                       params={"user": user, "link": link}, timeout=10).json()["url"]
    login = http.get(url, allow_redirects=False, timeout=10)
    assert login.status_code == 302, login.text[:300]
    auth = http.get(urljoin(login.url, login.headers["Location"]), timeout=10)
    form = parse_form(auth.text, auth.url)
    assert form is not None and "id_token" in form.fields
    return http.cookies, form


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_simultaneous_first_launches_share_one_learner_course_and_link(make_stack):  # noqa: F811
    stack = make_stack()
    store = get_platform(stack.platform_app).store
    learners = store.add_learners(2, prefix="racer")
    link = store.add_resource_link("Raced link", f"{stack.tool_url}/lti/launch",
                                   custom={"module": "fractions"}, link_id="rl-race").id
    posts = [_prepared_post(stack.platform_url, user, link) for user in learners * 2]
    barrier = threading.Barrier(len(posts))
    codes: list[int] = []

    def post(cookies, form) -> None:
        client = requests.Session()
        client.cookies.update(cookies)
        barrier.wait()
        resp = client.post(form.action, data=form.fields, allow_redirects=False, timeout=60)
        codes.append(resp.status_code)

    threads = [threading.Thread(target=post, args=p) for p in posts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [200] * len(posts), codes
    with stack.tool_app.app_context():
        assert _count(User, User.sub.in_(learners)) == 2
        assert _count(Context) == 1
        assert _count(ResourceLink, ResourceLink.resource_link_id == "rl-race") == 1
        assert _count(LaunchSession) == len(posts)
        rl = db.session.scalars(select(ResourceLink).where(
            ResourceLink.resource_link_id == "rl-race")).one()
        assert rl.module_id == "fractions" and rl.title == "Raced link"
        # Every launch points at the one row of its learner, course and link.
        sessions = db.session.scalars(select(LaunchSession)).all()
        assert {s.resource_link_pk for s in sessions} == {rl.id}
        assert {s.context_pk for s in sessions} == {rl.context_pk}


def test_a_later_launch_updates_what_the_lms_says_and_keeps_the_links_module(make_stack):  # noqa: F811
    stack = make_stack()
    store = get_platform(stack.platform_app).store
    link = store.add_resource_link("Old title", f"{stack.tool_url}/lti/launch",
                                   custom={"module": "fractions"}, link_id="rl-upd")
    launch(stack, "alice", "rl-upd")
    with stack.tool_app.app_context():
        user = db.session.scalars(select(User).where(User.sub == "alice")).one()
        assert (user.name, user.email) == ("Alice Anders", "alice@example.edu")
        first_course = db.session.scalars(select(Context)).one()
        assert first_course.title == "Course 101"
        db.session.remove()

    store.users["alice"].name = "Alice Renamed"
    store.users["alice"].locale = "es"
    store.course.title = "Course 101, spring"
    link.title = "New title"
    link.custom["module"] = "statistics-basics"  # the tool keeps the link's first module
    launch(stack, "alice", "rl-upd")
    with stack.tool_app.app_context():
        user = db.session.scalars(select(User).where(User.sub == "alice")).one()
        assert (user.name, user.email, user.locale) == ("Alice Renamed", "alice@example.edu",
                                                        "es")
        course = db.session.scalars(select(Context)).one()
        assert course.id == first_course.id and course.title == "Course 101, spring"
        rl = db.session.scalars(select(ResourceLink).where(
            ResourceLink.resource_link_id == "rl-upd")).one()
        assert (rl.title, rl.module_id) == ("New title", "fractions")
        newest = db.session.scalars(select(LaunchSession).order_by(
            LaunchSession.created_at.desc())).first()
        assert newest.locale == "es" and newest.user_pk == user.id
