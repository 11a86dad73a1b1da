"""Question banks from other tools as module drafts: QTI 1.2/2.1/3.0, GIFT, Moodle XML.

``import_source(data, filename)`` takes the bytes of an upload and returns an
``ImportResult``: the draft as data and YAML, what could not be mapped (with its
location) and the module validator's problems. It reads nothing from disk and
never runs anything from the source. See docs/import.md.
"""

from __future__ import annotations

import posixpath

from adaptive.importers.draft import Draft, ImportError_, ImportResult, Unmapped
from adaptive.importers.gift import parse_gift
from adaptive.importers.moodle_xml import parse_moodle_xml
from adaptive.importers.package import read_package
from adaptive.importers.qti2 import read_assessment_item
from adaptive.importers.qti12 import read_questestinterop
from adaptive.importers.xml import QTI3_MARK, parse_xml

__all__ = ["MAX_SOURCE_BYTES", "ImportError_", "ImportResult", "Unmapped", "import_source"]

MAX_SOURCE_BYTES = 32 * 1024 * 1024  # a large Canvas export with images is a few MB


def _title(filename: str) -> str:
    stem = posixpath.basename(filename.replace("\\", "/"))
    for suffix in (".zip", ".xml", ".gift", ".txt", ".qti", ".moodle"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    return stem.replace("_", " ").replace("-", " ").strip() or "Imported questions"


def import_source(data: bytes, filename: str = "questions") -> ImportResult:
    """Detect the format of ``data`` and read it into a module draft.

    Raises ``ImportError_`` (a ``ValueError``) with a plain-words message when the
    bytes are not a format this reads; anything readable gives a result, whose
    ``unmapped`` and ``problems`` say what needs the teacher's attention.
    """
    if len(data) > MAX_SOURCE_BYTES:
        raise ImportError_(f"the file is larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MB")
    title = _title(filename)
    if data[:4] == b"PK\x03\x04":
        draft = read_package(data, filename)
        return draft.finish(filename)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportError_("the file is neither a zip package nor UTF-8 text") from exc
    if text.lstrip().startswith("<"):
        root = parse_xml(data, posixpath.basename(filename))
        if root.tag == "quiz":
            return parse_moodle_xml(data, title)
        if root.tag == "questestinterop":
            draft = Draft("qti-1.2", title)
            read_questestinterop(root, draft, posixpath.basename(filename))
            return draft.finish(filename)
        if root.tag == "assessmentItem":
            draft = Draft("qti-3.0" if root.get(QTI3_MARK) else "qti-2.1", title)
            read_assessment_item(root, draft, posixpath.basename(filename), None)
            return draft.finish(filename)
        raise ImportError_(f"XML with root element <{root.tag}> is not a Moodle XML export "
                           "or a QTI document")
    return parse_gift(text, title)
