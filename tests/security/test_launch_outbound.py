"""Launch-side outbound rules: JWKS through the guard, service URLs on the platform's hosts."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import Context, ResourceLink
from lti_tool.protocol import claims
from tests.conftest import clean_tables, make_app
from tests.support.fake_platform import TestPlatform

AGS = {"scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
       "lineitem": "https://lms.test/api/lti/courses/1/line_items/7",
       "lineitems": "https://lms.test/api/lti/courses/1/line_items"}


def test_jwks_on_a_private_address_is_refused_by_default(database_url, tmp_path, key_server,
                                                         platform_key):
    """With the default setting the platform's JWKS on 127.0.0.1 is never fetched."""
    app = make_app(database_url, tmp_path / "strict", outbound_allow_private=False)
    with app.app_context():
        clean_tables()
        lms = TestPlatform(key_server, platform_key)
        lms.register()
        hits = key_server.hits
        resp = lms.launch(app.test_client())
        assert resp.status_code == 502
        assert "<code>jwks_unavailable</code>" in resp.get_data(as_text=True)
        assert key_server.hits == hits
        db.session.remove()
    with app.app_context():
        db.engine.dispose()


def test_service_urls_on_the_platform_hosts_are_kept(client, lms):
    nrps = {"context_memberships_url": "https://lms.test/api/lti/courses/1/names_and_roles",
            "service_versions": ["2.0"]}
    assert lms.launch(client, **{claims.AGS_ENDPOINT: AGS, claims.NRPS: nrps}).status_code == 200
    link = db.session.scalars(select(ResourceLink)).one()
    assert link.lineitem_url == AGS["lineitem"]
    assert link.lineitems_url == AGS["lineitems"]
    assert db.session.scalars(select(Context)).one().memberships_url == \
        nrps["context_memberships_url"]


def test_service_urls_elsewhere_are_refused_and_logged(client, lms, caplog):
    ags = {**AGS, "lineitem": "https://collector.example/steal",
           "lineitems": "http://169.254.169.254/latest/meta-data"}
    nrps = {"context_memberships_url": "https://lms.test.evil.example/roster",
            "service_versions": ["2.0"]}
    with caplog.at_level(logging.WARNING, logger="branchwise.outbound"):
        resp = lms.launch(client, **{claims.AGS_ENDPOINT: ags, claims.NRPS: nrps})
    assert resp.status_code == 200  # the activity still opens; grades and roster do not leak
    link = db.session.scalars(select(ResourceLink)).one()
    assert link.lineitem_url is None and link.lineitems_url is None
    assert db.session.scalars(select(Context)).one().memberships_url is None
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(refused) == 3
    assert any("collector.example" in m for m in refused)


def test_roster_fetch_refuses_a_foreign_url(app, lms, monkeypatch):
    """A next-page link (or a stored URL) off the platform's hosts never gets the token."""
    from lti_tool.dashboard import nrps
    from lti_tool.registration.services import find_platform

    monkeypatch.setattr(nrps, "_token", lambda platform, timeout: "token")
    platform = find_platform("https://lms.test", "client-1")
    with pytest.raises(nrps.RosterUnavailable, match="outside"):
        nrps.fetch_members(platform, "https://elsewhere.example/roster", 1)


class _CreatingClient:
    """An AGS client whose platform answers a new line item with the given id."""

    def __init__(self, line_item_id: str) -> None:
        from lti_tool.ags import client as ags

        self.scopes = [ags.SCOPE_LINEITEM, ags.SCOPE_SCORE]
        self.line_item_id = line_item_id

    def find_line_items(self, url, resource_link_id=None):
        return []

    def create_line_item(self, url, item):
        return {"id": self.line_item_id, **item}


@pytest.mark.parametrize("line_item_id, kept", [
    ("https://lms.test/api/lti/courses/1/line_items/9", True),
    ("https://collector.example/steal", False),
])
def test_a_created_line_item_must_be_on_the_platform_hosts(client, lms, app, line_item_id,
                                                           kept):
    from lti_tool.ags import client as ags
    from lti_tool.ags.delivery import ensure_line_item
    from lti_tool.models import Platform

    ags_claim = {"scope": AGS["scope"] + ["https://purl.imsglobal.org/spec/lti-ags/scope/"
                                          "lineitem"], "lineitems": AGS["lineitems"]}
    assert lms.launch(client, **{claims.AGS_ENDPOINT: ags_claim}).status_code == 200
    link = db.session.scalars(select(ResourceLink)).one()
    platform = db.session.scalars(select(Platform)).one()
    settings = app.config["BRANCHWISE"]
    if kept:
        assert ensure_line_item(link, _CreatingClient(line_item_id), 1.0, settings,
                                platform) == line_item_id
    else:
        with pytest.raises(ags.AgsError, match="off its hosts"):
            ensure_line_item(link, _CreatingClient(line_item_id), 1.0, settings, platform)
        db.session.refresh(link)
        assert link.lineitem_url is None  # never stored, so never called with a token
