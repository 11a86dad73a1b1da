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


def test_a_refused_link_shows_the_form_again_with_the_note(console):
    """Hours out of range, or not a number: the form comes back (400) with the note and the
    hours typed and the reason, and no link is made. It used to redirect to an empty form."""
    client = console.client
    csrf = csrf_from(client.get("/admin/registration-links").data)
    for hours, reason in (("100000", "a registration link lasts between"),
                          ("soon", "hours must be a number")):
        refused = client.post("/admin/registration-links",
                              data={"csrf_token": csrf, "hours": hours,
                                    "note": "Moodle <prod>"})
        body = refused.get_data(as_text=True)
        assert refused.status_code == 400
        assert reason in body
        assert 'name="note" maxlength="200" value="Moodle &lt;prod&gt;"' in body
        assert f'value="{hours}"' in body
        assert 'id="new-link-url"' not in body
    assert db.session.query(RegistrationLink).count() == 0
