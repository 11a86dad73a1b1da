"""Teachers' own modules: validation with line numbers, ownership, the library."""

from __future__ import annotations

from pathlib import Path

from lti_tool.deep_linking import authoring
from lti_tool.modules import library

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "modules"
GOOD = (FIXTURES / "good.yaml").read_text()
BROKEN = (FIXTURES / "broken.yaml").read_text()


def test_save_valid_module_appears_in_library(app):
    result = authoring.save_module(GOOD, owner_user_pk=None)
    assert result.saved is not None and result.error is None
    summary = next(s for s in library.list_modules() if s.id == "fractions-mini")
    assert summary.source == "custom"


def test_invalid_module_lists_every_problem(app):
    result = authoring.save_module(BROKEN, owner_user_pk=None)
    assert result.saved is None
    assert len(result.problems) > 10 and all(p.line for p in result.problems)


def test_sample_ids_and_other_owners_are_refused(app):
    sample = GOOD.replace("id: fractions-mini", "id: fractions", 1)
    assert "built-in sample" in authoring.save_module(sample, owner_user_pk=None).error
    assert authoring.save_module(GOOD, owner_user_pk=None).saved is not None
    taken = authoring.save_module(GOOD, owner_user_pk=12345)
    assert taken.saved is None and "another teacher" in taken.error


def test_empty_and_oversized_text(app):
    assert authoring.save_module("  ", owner_user_pk=None).error
    big = "# " + "x" * (app.config["BRANCHWISE"].max_module_bytes + 1)
    assert "KB" in authoring.save_module(big, owner_user_pk=None).error


def test_author_page_upload_and_errors(client, dl):
    token = dl.launch()
    page = client.get("/lti/deep-link/author", query_string={"t": token})
    assert page.status_code == 200 and 'name="source"' in page.get_data(True)
    bad = client.post("/lti/deep-link/author", data={"t": token, "source": BROKEN})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Line 7" in text and "mastery_threshold" in text
    from io import BytesIO

    ok = client.post("/lti/deep-link/author", content_type="multipart/form-data",
                     data={"t": token, "file": (BytesIO(GOOD.encode()), "mini.yaml")})
    assert ok.status_code == 303 and "saved=fractions-mini" in ok.headers["Location"]
    picker = client.get(ok.headers["Location"]).get_data(as_text=True)
    assert "Saved module &#39;Fractions (mini)&#39;" in picker
    assert 'value="fractions-mini"' in picker and "teacher's module" in picker
