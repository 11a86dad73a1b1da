"""The launch record — user, course, resource link, launch session — in Core statements.

A launch POST wrote these through the ORM: three ``select(Model)`` look-ups building
mapped objects, a unit-of-work flush, a commit that expired every object and a reload
of the launch session to read its role afterwards. Profiled over serial launches
(``bench/launch.py``'s set-up) that ORM work was the largest part of the tool's time
(issue 20 item 4). Here each statement is built once with bind parameters (its compiled
form is cached; on PostgreSQL it is prepared by the server) and rows are plain tuples:

* the common launch (a learner seen before, a known course and link) reads the user and
  the course with its link — two SELECTs — and writes only the launch session;
* a row that is missing is inserted with ``INSERT … ON CONFLICT DO NOTHING RETURNING id``
  (SQLite and PostgreSQL), so two first launches of one learner or one course at the same
  moment both succeed instead of one failing on the unique constraint; the loser reads
  the winner's row;
* a row whose values changed (a new name, a renamed course, new AGS URLs) gets one UPDATE
  of what changed. An unconditional upsert would write — and on PostgreSQL lock until the
  commit — the course's row at every learner's launch, serialising an exam's launches.

The caller commits (with the state and nonce consumption: one transaction per launch).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from lti_tool.extensions import db
from lti_tool.link_settings import settings_from_custom
from lti_tool.models import Context, LaunchSession, Platform, ResourceLink, User
from lti_tool.models.base import utcnow
from lti_tool.protocol import claims
from lti_tool.protocol.roles import map_roles
from lti_tool.registration import hosts

__all__ = ["LinkRow", "RecordedLaunch", "record_launch"]

_USERS: Table = User.__table__  # type: ignore[assignment]
_CONTEXTS: Table = Context.__table__  # type: ignore[assignment]
_LINKS: Table = ResourceLink.__table__  # type: ignore[assignment]
_LAUNCHES: Table = LaunchSession.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class LinkRow:
    """A resource link as plain data: as this launch left it, and as the runner reads it
    on every step (``runner.launches``)."""

    id: int
    module_id: str | None
    settings: dict[str, Any] | None
    lineitem_url: str | None
    lineitems_url: str | None
    #: The line item's scoreMaximum as read from the LMS (``ags.lineitem``), and when.
    lineitem_max: float | None = None
    lineitem_checked_at: datetime | None = None

    @property
    def has_lineitem(self) -> bool:
        """Grades go to a gradebook column (the launch named one, or where to make one)."""
        return bool(self.lineitem_url or self.lineitems_url)


@dataclass(frozen=True)
class RecordedLaunch:
    """A stored launch session, as written (no ORM object to reload after the commit)."""

    id: str
    platform_id: int
    user_pk: int
    context_pk: int | None
    resource_link_pk: int | None
    message_type: str
    role: str
    locale: str | None
    return_url: str | None
    confirmed: bool
    resource_link: LinkRow | None


_SELECT_USER = select(_USERS.c.id, _USERS.c.name, _USERS.c.email, _USERS.c.locale).where(
    _USERS.c.platform_id == bindparam("platform_id"), _USERS.c.sub == bindparam("sub"))
_SELECT_COURSE = (
    select(_CONTEXTS.c.id, _CONTEXTS.c.title, _CONTEXTS.c.label, _CONTEXTS.c.memberships_url,
           _LINKS.c.id.label("link_id"), _LINKS.c.title.label("link_title"),
           _LINKS.c.module_id, _LINKS.c.settings, _LINKS.c.lineitem_url,
           _LINKS.c.lineitems_url, _LINKS.c.ags_scopes, _LINKS.c.lineitem_max,
           _LINKS.c.lineitem_checked_at)
    .select_from(_CONTEXTS.outerjoin(
        _LINKS, (_LINKS.c.context_pk == _CONTEXTS.c.id)
        & (_LINKS.c.resource_link_id == bindparam("resource_link_id"))))
    .where(_CONTEXTS.c.platform_id == bindparam("platform_id"),
           _CONTEXTS.c.context_id == bindparam("context_id"))
)
_SELECT_LINK = select(_LINKS.c.id, _LINKS.c.title, _LINKS.c.module_id, _LINKS.c.settings,
                      _LINKS.c.lineitem_url, _LINKS.c.lineitems_url, _LINKS.c.ags_scopes,
                      _LINKS.c.lineitem_max, _LINKS.c.lineitem_checked_at).where(
    _LINKS.c.context_pk == bindparam("context_pk"),
    _LINKS.c.resource_link_id == bindparam("resource_link_id"))
_INSERT_LAUNCH = insert(_LAUNCHES)

# (table, its unique key) -> dialect name -> INSERT … ON CONFLICT (key) DO NOTHING RETURNING id
_KEYS = {"users": ("platform_id", "sub"), "contexts": ("platform_id", "context_id"),
         "resource_links": ("context_pk", "resource_link_id")}
_INSERT_NEW = {
    table.name: {
        "sqlite": sqlite.insert(table).on_conflict_do_nothing(
            index_elements=list(_KEYS[table.name])).returning(table.c.id),
        "postgresql": postgresql.insert(table).on_conflict_do_nothing(
            index_elements=list(_KEYS[table.name])).returning(table.c.id),
    }
    for table in (_USERS, _CONTEXTS, _LINKS)
}


def _insert_new(table: Table, values: dict[str, Any]) -> int | None:
    """Insert a row unless its unique key exists; its id, or None when another request
    inserted it first (the caller reads that row)."""
    stmt = _INSERT_NEW[table.name].get(db.session.get_bind().dialect.name)
    if stmt is None:  # another database: a plain INSERT (a race fails on the constraint)
        stmt = insert(table).returning(table.c.id)
    return db.session.execute(stmt, values).scalar_one_or_none()


def _update_changed(table: Table, row_id: int, current: Mapping[str, Any],
                    wanted: Mapping[str, Any]) -> None:
    changed = {k: v for k, v in wanted.items() if current.get(k) != v}
    if changed:
        db.session.execute(update(table).where(table.c.id == row_id).values(**changed))


def _user(platform: Platform, body: Mapping[str, Any]) -> tuple[int, str | None]:
    """The learner's row (created or updated from the claims): (id, locale)."""
    presentation = body.get(claims.LAUNCH_PRESENTATION) or {}
    name = body.get("name") or " ".join(
        p for p in (body.get("given_name"), body.get("family_name")) if p)
    email = body.get("email") or ""
    locale = presentation.get("locale") or body.get("locale")
    key = {"platform_id": platform.id, "sub": body["sub"]}
    row = db.session.execute(_SELECT_USER, key).one_or_none()
    if row is None:
        new_id = _insert_new(_USERS, {**key, "name": name or "", "email": email,
                                      "locale": locale})
        if new_id is not None:
            return new_id, locale
        row = db.session.execute(_SELECT_USER, key).one()
    current = row._asdict()
    # A claim the LMS left out keeps what an earlier launch said.
    wanted = {"name": name or current["name"] or "", "email": email or current["email"] or "",
              "locale": locale or current["locale"]}
    _update_changed(_USERS, row.id, current, wanted)
    return row.id, wanted["locale"]


def _course(platform: Platform, deployment_pk: int, body: Mapping[str, Any]
            ) -> tuple[int | None, LinkRow | None]:
    """The course (context) and resource link rows, created or updated: (context id, link)."""
    ctx_claim = body.get(claims.CONTEXT) or {}
    if not ctx_claim.get("id"):
        return None, None
    rl_claim = body.get(claims.RESOURCE_LINK) or {}
    rl_id = rl_claim.get("id") or ""
    nrps = body.get(claims.NRPS) or {}
    memberships = hosts.service_url(nrps.get("context_memberships_url"), platform, "nrps")
    key = {"platform_id": platform.id, "context_id": ctx_claim["id"]}
    row = db.session.execute(_SELECT_COURSE, {**key, "resource_link_id": rl_id}).one_or_none()
    if row is None:
        new_pk = _insert_new(_CONTEXTS, {
            **key, "deployment_pk": deployment_pk, "title": ctx_claim.get("title") or "",
            "label": ctx_claim.get("label") or "", "memberships_url": memberships})
        if new_pk is not None:
            return new_pk, (_link(platform, new_pk, rl_id, rl_claim, None, body)
                            if rl_id else None)
        # Another launch created the course a moment ago.
        row = db.session.execute(_SELECT_COURSE, {**key, "resource_link_id": rl_id}).one()
    current = row._asdict()
    _update_changed(_CONTEXTS, row.id, current, {
        "title": ctx_claim.get("title") or current["title"] or "",
        "label": ctx_claim.get("label") or current["label"] or "",
        "memberships_url": memberships or current["memberships_url"]})
    if not rl_id:
        return row.id, None
    link_row = ({"id": row.link_id, "title": row.link_title, "module_id": row.module_id,
                 "settings": row.settings, "lineitem_url": row.lineitem_url,
                 "lineitems_url": row.lineitems_url, "ags_scopes": row.ags_scopes,
                 "lineitem_max": row.lineitem_max, "lineitem_checked_at": row.lineitem_checked_at}
                if row.link_id is not None else None)
    return row.id, _link(platform, row.id, rl_id, rl_claim, link_row, body)


def _link(platform: Platform, context_pk: int, rl_id: str, rl_claim: Mapping[str, Any],
          current: Mapping[str, Any] | None, body: Mapping[str, Any]) -> LinkRow:
    ags = body.get(claims.AGS_ENDPOINT) or {}
    custom = body.get(claims.CUSTOM) or {}
    # Service URLs only on the platform's own hosts (registration.hosts).
    lineitem = hosts.service_url(ags.get("lineitem"), platform, "ags lineitem") if ags else None
    lineitems = (hosts.service_url(ags.get("lineitems"), platform, "ags lineitems")
                 if ags else None)
    settings = settings_from_custom(custom)
    module_id = str(custom["module"]) if custom.get("module") else None
    if current is None:
        values = {"context_pk": context_pk, "resource_link_id": rl_id,
                  "title": rl_claim.get("title") or "", "module_id": module_id,
                  "settings": settings, "lineitem_url": lineitem, "lineitems_url": lineitems,
                  "ags_scopes": list(ags.get("scope") or [])}
        new_id = _insert_new(_LINKS, values)
        if new_id is not None:
            return LinkRow(new_id, module_id, settings, lineitem, lineitems, None, None)
        current = db.session.execute(_SELECT_LINK, {"context_pk": context_pk,
                                                    "resource_link_id": rl_id}).one()._asdict()
    wanted: dict[str, Any] = {
        "title": rl_claim.get("title") or current["title"] or "",
        # The module a link was first launched with stays (an instructor may have changed
        # it in the tool since).
        "module_id": current["module_id"] or module_id,
        "settings": settings or current["settings"],
    }
    if ags:
        wanted.update(lineitem_url=lineitem or current["lineitem_url"],
                      lineitems_url=lineitems or current["lineitems_url"],
                      ags_scopes=list(ags.get("scope") or []))
    _update_changed(_LINKS, current["id"], current, wanted)
    merged = {**current, **wanted}
    return LinkRow(current["id"], merged["module_id"], merged["settings"],
                     merged["lineitem_url"], merged["lineitems_url"], current["lineitem_max"],
                     current["lineitem_checked_at"])


def record_launch(body: Mapping[str, Any], platform: Platform, deployment_pk: int, *,
                  confirmed: bool, state: str, session_max_age: int,
                  return_url: str | None) -> RecordedLaunch:
    """Upsert the user, course and resource link of a validated launch and store the
    launch session (not committed)."""
    user_pk, locale = _user(platform, body)
    context_pk, link = _course(platform, deployment_pk, body)
    roles = list(body.get(claims.ROLES) or [])
    now = utcnow()
    launch = RecordedLaunch(
        id=uuid.uuid4().hex, platform_id=platform.id, user_pk=user_pk, context_pk=context_pk,
        resource_link_pk=link.id if link else None, message_type=body[claims.MESSAGE_TYPE],
        role=map_roles(roles), locale=locale, return_url=return_url, confirmed=confirmed,
        resource_link=link)
    db.session.execute(_INSERT_LAUNCH, {
        "id": launch.id, "platform_id": platform.id, "deployment_pk": deployment_pk,
        "user_pk": user_pk, "context_pk": context_pk, "resource_link_pk": launch.resource_link_pk,
        "message_type": launch.message_type, "roles": roles, "role": launch.role,
        "claims": dict(body), "locale": locale, "return_url": return_url,
        "confirmed": confirmed, "state": state, "created_at": now,
        "expires_at": now + timedelta(seconds=session_max_age)})
    return launch
