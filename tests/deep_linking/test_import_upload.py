"""The authoring page's import: a question bank becomes a draft shown with what was not
mapped and the validator's problems, and is saved only when the teacher submits it."""

from __future__ import annotations

import html
import os
import re
import zipfile
from io import BytesIO
from pathlib import Path

from lti_tool.modules import library

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"


def _text2qti_zip() -> bytes:
    from text2qti.config import Config
    from text2qti.qti import QTI
    from text2qti.quiz import Quiz

    source = (FIXTURES / "text2qti-quiz.md").read_text(encoding="utf-8")
    return QTI(Quiz(source, config=Config(), source_name="quiz.md")).zip_bytes()


def _textarea(page: str) -> str:
    found = re.search(r'<textarea id="module-source"[^>]*>(.*?)</textarea>', page, re.S)
    assert found
    return html.unescape(found.group(1))


def test_import_shows_a_draft_then_saves_it(client, dl):
    token = dl.launch()
    # An image makes the zip larger than the app-wide 256 KB request limit, as in real exports.
    buf = BytesIO(_text2qti_zip())
    with zipfile.ZipFile(buf, "a") as zf:
        zf.writestr("images/photo.jpg", os.urandom(300_000))
    page = client.post("/lti/deep-link/author", content_type="multipart/form-data",
                       data={"t": token, "import_file": (BytesIO(buf.getvalue()),
                                                         "canvas-quiz.zip")})
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    text = page.get_data(as_text=True)
    assert "Draft imported from qti-1.2" in text
    assert "essay question" in text and "file upload question" in text
    draft = _textarea(text)
    assert draft.startswith("schema_version: 1") and "id: fractions-check" in draft
    assert "fractions-check" not in {s.id for s in library.list_modules()}
    saved = client.post("/lti/deep-link/author", data={"t": token, "source": draft})
    assert saved.status_code == 303 and "saved=fractions-check" in saved.headers["Location"]
    assert "fractions-check" in {s.id for s in library.list_modules()}


def test_import_with_validator_errors_lists_them_before_saving(client, dl):
    token = dl.launch()
    page = client.post("/lti/deep-link/author", content_type="multipart/form-data",
                       data={"t": token, "import_file": (BytesIO(b"::Q:: Pick {~a ~b}\n"),
                                                         "broken.gift")})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "error(s) to fix" in text and "answer_groups" in text
    assert "broken" not in {s.id for s in library.list_modules()}


def test_import_of_an_unknown_file_is_a_clear_error(client, dl):
    token = dl.launch()
    page = client.post("/lti/deep-link/author", content_type="multipart/form-data",
                       data={"t": token, "import_file": (BytesIO(b"<html/>"), "page.xml")})
    assert page.status_code == 400
    assert "not a Moodle XML export or a QTI document" in page.get_data(as_text=True)
