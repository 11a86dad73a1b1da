"""Safe XML parsing for the importers: no entities, no DTD tricks, namespaces dropped.

Uploads are hostile until proven otherwise, so every document goes through
``defusedxml`` (refuses entity expansion and external references). Tags and
attributes lose their namespaces, because LMS exports disagree on them (Canvas,
Blackboard and text2qti each use different or no namespace for the same QTI 1.2
elements). QTI 3.0's kebab-case names (``qti-choice-interaction``,
``response-identifier``) are turned into QTI 2.x's camelCase, so one parser reads both.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from adaptive.importers.draft import ImportError_

__all__ = ["QTI3_MARK", "element_text", "local", "parse_xml"]

QTI3_MARK = "_qti3"  # set on a root element whose names were QTI 3.0's


def local(name: str) -> str:
    """``{ns}tag`` -> ``tag``."""
    return name.rsplit("}", 1)[-1]


def _camel(name: str) -> str:
    return re.sub(r"-([a-z0-9])", lambda m: m.group(1).upper(), name)


def parse_xml(data: bytes | str, where: str = "document", *, qti3: bool | None = None) -> Element:
    """Parse ``data`` safely and normalise names; ``ImportError_`` with ``where`` if broken."""
    try:
        root = SafeET.fromstring(data)
    except (SafeET.ParseError, DefusedXmlException, ValueError) as exc:
        raise ImportError_(f"{where}: not readable XML ({exc})") from exc
    if qti3 is None:
        qti3 = local(root.tag).startswith("qti-") or local(root.tag) == "manifest" and any(
            "qtiv3" in (v or "") for v in root.attrib.values()) or "qtiv3" in root.tag
    for el in root.iter():
        tag = local(el.tag) if isinstance(el.tag, str) else el.tag
        if qti3 and isinstance(tag, str) and tag.startswith("qti-"):
            tag = _camel(tag[4:])
        el.tag = tag
        if el.attrib:
            el.attrib = {(_camel(local(k)) if qti3 else local(k)): v for k, v in el.attrib.items()}
    if qti3:
        root.set(QTI3_MARK, "1")
    return root


def element_text(el: Element | None) -> str:
    """All the text inside ``el`` (tags dropped)."""
    if el is None:
        return ""
    return "".join(el.itertext())
