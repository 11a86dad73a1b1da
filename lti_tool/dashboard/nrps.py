"""The course roster from Names and Role Provisioning Services 2.0, cached.

The dashboard must show learners who have not opened the activity yet, and only
the LMS knows them. A roster is fetched with the platform's access token (the
grade client's shared token cache when present), paged by ``Link: rel="next"``
ourselves (PyLTI1p3 lower-cases the Link header, which breaks case-sensitive
page URLs), through the outbound guard and only on the platform's own hosts,
and cached per course for ``ROSTER_TTL`` seconds, so opening the
dashboard does not call the LMS every time. When NRPS is missing or fails, the
caller falls back to the learners seen and says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import requests

from lti_tool import outbound
from lti_tool.extensions import cache
from lti_tool.models import Context, Platform
from lti_tool.protocol.claims import SCOPE_NRPS
from lti_tool.protocol.errors import UpstreamUnavailable
from lti_tool.registration.hosts import on_platform_hosts

log = logging.getLogger("branchwise.dashboard")

MT_MEMBERSHIPS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
ROSTER_TTL = 600
MAX_PAGES = 50  # a loop guard: a platform that always answers "next" must not hang us


class RosterUnavailable(UpstreamUnavailable):
    """NRPS is not offered for this course, or the call failed (message says which)."""

    code = "roster_unavailable"


@dataclass(frozen=True)
class Member:
    """One course member as NRPS reports them."""

    sub: str
    name: str
    roles: tuple[str, ...]
    status: str = "Active"

    @property
    def is_learner(self) -> bool:
        """Learners only: teaching assistants and instructors are not on the heatmap."""
        tails = {r.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for r in self.roles}
        return "Learner" in tails and not tails & {"Instructor", "Administrator",
                                                   "ContentDeveloper", "TeachingAssistant"}


def _cache_key(context: Context) -> str:
    return f"dashboard-roster:{context.id}"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _member(raw: Any) -> Member | None:
    """One entry of a membership page; None for an entry that names nobody. LMSs differ (and
    some err): an entry that is not an object, a user_id given as a number, one role sent
    as a string, names that are not text, are read for what they say, not crashed on."""
    if not isinstance(raw, dict):
        return None
    sub = raw.get("user_id")
    if isinstance(sub, bool) or not isinstance(sub, str | int) or sub == "":
        return None
    name = _text(raw.get("name")) or " ".join(
        p for p in (_text(raw.get("given_name")), _text(raw.get("family_name"))) if p)
    roles = raw.get("roles")
    if isinstance(roles, str):
        roles = [roles]
    return Member(sub=str(sub), name=name,
                  roles=tuple(r for r in roles if isinstance(r, str))
                  if isinstance(roles, list) else (),
                  status=_text(raw.get("status")) or "Active")


def members_of_page(body: Any) -> list[Member]:
    """The members a membership container page lists (NRPS 2.0 §2.2): ``{"members": [...]}``;
    anything else lists nobody."""
    listed = body.get("members") if isinstance(body, dict) else None
    return [m for raw in listed if (m := _member(raw))] if isinstance(listed, list) else []


def _token(platform: Platform, timeout: float) -> str:
    """An NRPS access token; the grade client's cache is shared when it exists."""
    from lti_tool.keys.services import signing_key

    key = signing_key()
    try:
        from lti_tool.ags import client as ags
    except ImportError:  # pragma: no cover - the grade feature is always present today
        from pylti1p3.service_connector import ServiceConnector

        from lti_tool.registration.tool_config import registration_for

        return ServiceConnector(registration_for(platform)).get_access_token([SCOPE_NRPS])
    creds = ags.ToolCredentials(client_id=platform.client_id, token_url=platform.auth_token_url,
                                private_key_pem=key.private_pem, kid=key.kid,
                                audience=platform.token_audience or None)
    with outbound.service_session() as http:
        return ags.get_token(creds, [SCOPE_NRPS], cache=cache, http=http, timeout=timeout)


def fetch_members(platform: Platform, memberships_url: str, timeout: float) -> list[Member]:
    """Every member of the course, all pages; raises RosterUnavailable on any failure."""
    try:
        token = _token(platform, timeout)
    except Exception as exc:  # token errors come from several libraries; all mean "no roster"
        raise RosterUnavailable(f"the LMS refused an access token ({exc})") from exc
    members: list[Member] = []
    url: str | None = memberships_url
    pages = 0
    with outbound.service_session() as http:
        while url and pages < MAX_PAGES:
            pages += 1
            if not on_platform_hosts(url, platform):
                # A launch (or a next-page link) pointing elsewhere would get our token.
                log.warning("nrps url refused (not on the platform's hosts) iss=%s url=%r",
                            platform.issuer, url[:300])
                raise RosterUnavailable("the LMS named a roster address outside its own "
                                        "site")
            try:
                resp = http.get(url, timeout=timeout, headers={
                    "Authorization": f"Bearer {token}", "Accept": MT_MEMBERSHIPS})
            except requests.RequestException as exc:
                raise RosterUnavailable(f"the LMS did not answer ({exc.__class__.__name__})"
                                        ) from exc
            if resp.status_code != 200:
                raise RosterUnavailable(f"the LMS answered {resp.status_code}")
            try:
                body = resp.json()
            except ValueError as exc:
                raise RosterUnavailable("the LMS answered with something other than JSON"
                                        ) from exc
            members += members_of_page(body)
            url = resp.links.get("next", {}).get("url")
    return members


def roster(context: Context, platform: Platform, timeout: float,
           refresh: bool = False) -> list[Member]:
    """The course's members, from the cache or NRPS; RosterUnavailable if it cannot be had."""
    if not context.memberships_url:
        raise RosterUnavailable("the LMS does not offer the course roster (no NRPS claim)")
    key = _cache_key(context)
    if not refresh:
        cached = cache.get(key)
        if cached is not None:
            return [Member(sub=m["sub"], name=m["name"], roles=tuple(m["roles"]),
                           status=m["status"]) for m in cached]
    members = fetch_members(platform, context.memberships_url, timeout)
    cache.set(key, [{"sub": m.sub, "name": m.name, "roles": list(m.roles), "status": m.status}
                    for m in members], timeout=ROSTER_TTL)
    log.info("nrps roster context=%s members=%d", context.id, len(members))
    return members
