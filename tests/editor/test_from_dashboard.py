"""From evidence to edit: a restructuring suggestion opens the editor at the place to change,
on a draft with the suggested edits applied (the planted-flaw class of the dashboard tests)."""

from __future__ import annotations

import re

from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import ModuleDraft
from tests.dashboard.test_restructuring_view import planted_class
from tests.editor.html_form import form_fields


def test_a_suggestion_opens_the_editor_at_its_place(client, lms):
    module, _log, token = planted_class(client, lms)

    page = client.get("/dashboard", query_string={"t": token}).get_data(as_text=True)
    targets = re.findall(r'name="target" value="([^"]+)"', page)
    assert "s4&gt;s2" in targets and "s1-i20" in targets

    opened = client.post("/lti/editor/from-dashboard", data={"t": token, "target": "s4>s2"})
    assert opened.status_code == 303
    location = opened.headers["Location"]
    draft = db.session.scalars(select(ModuleDraft)).one()
    s2 = next(n for n, s in enumerate(draft.data["skills"]) if s["id"] == "s2")
    assert location.endswith(f"#f-skills_{s2}__prerequisites")
    assert draft.data["skills"][s2]["prerequisites"] == ["s4"]  # the edit, applied
    html = client.get(location.split("#")[0]).get_data(as_text=True)
    assert form_fields(html).getlist(f"skills[{s2}].prerequisites") == ["s4"]
    assert f'id="f-skills_{s2}__prerequisites"' in html  # the place the link points to

    item = client.post("/lti/editor/from-dashboard", data={"t": token, "target": "s1-i20"})
    n = next(n for n, i in enumerate(module.items) if i.id == "s1-i20")
    assert item.headers["Location"].endswith(f"#f-items_{n}")
