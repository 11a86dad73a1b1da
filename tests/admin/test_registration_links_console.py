"""The console's registration links page and re-registration approval."""

from __future__ import annotations

import re

from lti_tool.extensions import db
from lti_tool.models import RegistrationLink

from .conftest import csrf_from


def test_console_creates_shows_once_and_revokes_a_link(console):
    client = console.client
    page = client.get("/admin/registration-links")
    assert page.status_code == 200
    csrf = csrf_from(page.data)
    created = client.post("/admin/registration-links",
                          data={"csrf_token": csrf, "hours": "2", "note": "Moodle test"})
    body = created.get_data(as_text=True)
    assert created.status_code == 200
    url = re.search(r'id="new-link-url" readonly value="([^"]+)"', body).group(1)
    assert "/lti/register/" in url
    listing = client.get("/admin/registration-links").get_data(as_text=True)
    assert "Moodle test" in listing and url not in listing  # shown only once
    link = db.session.query(RegistrationLink).one()
    revoked = client.post(f"/admin/registration-links/{link.id}/revoke",
                          data={"csrf_token": csrf})
    assert revoked.status_code == 302
    db.session.refresh(link)
    assert link.revoked
