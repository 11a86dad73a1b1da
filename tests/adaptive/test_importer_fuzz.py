"""Importers on input nobody wrote on purpose: a teacher's half-edited GIFT file, a Moodle
export cut short, a zip that is not one.

``import_source`` promises a result or an ``ImportError_`` with a plain-words message,
never another exception (an unexpected one is a 500 on the import page and the teacher's
file is lost). And what it returns as ``ok`` must be a module the engine can run: a learner
who answers everything right gets to the end.

Hypothesis mutates the hand-written fixtures of ``test_importers.py`` (every question type
of GIFT and Moodle XML) and draws GIFT-like text from the format's own tokens.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adaptive.importers import ImportError_, import_source
from adaptive.modules.loader import parse_module
from adaptive.simulation.runner import correct_answer
from tests.support.engine_driver import play

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"
GIFT = (FIXTURES / "every-type.gift").read_bytes()
MOODLE = (FIXTURES / "every-type.moodle.xml").read_bytes()

#: GIFT's syntax, and text around it, as drawing material.
GIFT_TOKENS = ["::", "{", "}", "=", "~", "#", "####", "%50%", "%-100%", "->", ":", "\\",
               "\\{", "\\=", "[html]", "[markdown]", "$CATEGORY: ", "$CATEGORY: a/b\n",
               "TRUE", "F", "#3:1", "#1..5", "\n", "\n\n", " ", "//", "Q?", "é", "½", "0",
               "1.5", "-", "<b>", "&amp;", "\t", "\u00a0"]

SETTINGS = settings(deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def _mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Apply (position, delete, insert) edits, positions modulo the current length."""
    out = bytearray(data)
    for pos, delete, insert in edits:
        at = pos % (len(out) + 1)
        out[at:at + delete] = insert
    return bytes(out)


EDITS = st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 40),
                           st.binary(max_size=12) | st.sampled_from(
                               [b"<", b">", b"</", b"\"", b"&", b"{", b"}", b"=", b"~",
                                b"<![CDATA[", b"]]>", b"\xff", b"\x00"])),
                 min_size=1, max_size=6)


def _check(data: bytes, filename: str) -> None:
    try:
        result = import_source(data, filename)
    except ImportError_ as exc:
        assert str(exc).strip(), "an import error must say what is wrong"
        return
    if not result.ok:
        assert result.problems, "a draft that is not ok must say why"
        return
    module, problems = parse_module(result.yaml_text, "draft.yaml")
    assert module is not None, [str(p) for p in problems if p.is_error]
    # An all-right learner reaches the end (play fails the test otherwise).
    play(module, correct_answer, max_steps=2000)


@SETTINGS
@given(edits=EDITS)
def test_a_damaged_gift_file_is_read_or_refused_in_words(edits) -> None:
    _check(_mutate(GIFT, edits), "questions.gift")


@SETTINGS
@given(edits=EDITS)
def test_a_damaged_moodle_export_is_read_or_refused_in_words(edits) -> None:
    _check(_mutate(MOODLE, edits), "quiz.moodle.xml")


@SETTINGS
@given(parts=st.lists(st.sampled_from(GIFT_TOKENS) | st.text(max_size=6), max_size=40))
def test_gift_like_text_is_read_or_refused_in_words(parts) -> None:
    _check("".join(parts).encode("utf-8"), "drawn.gift")


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, body in members.items():
            z.writestr(name, body)
    return buf.getvalue()


@settings(deadline=None, derandomize=True, max_examples=60,
          suppress_health_check=[HealthCheck.too_slow])
@given(manifest=st.sampled_from([b"", b"<manifest/>", b"<manifest><resources><resource "
                                 b"href='q.xml' type='imsqti_item_xmlv2p1'/></resources>"
                                 b"</manifest>", b"not xml"]),
       body=st.sampled_from([MOODLE, GIFT, b"<assessmentItem/>", b"<questestinterop/>", b""]),
       edits=EDITS, cut=st.integers(0, 400))
def test_a_damaged_package_is_read_or_refused_in_words(manifest, body, edits, cut) -> None:
    package = _zip({"imsmanifest.xml": manifest, "q.xml": _mutate(body, edits)})
    _check(package, "export.zip")
    # and the same package cut short (an upload that stopped part-way)
    _check(package[: max(4, len(package) - cut)], "export.zip")
