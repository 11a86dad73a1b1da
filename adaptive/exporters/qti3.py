"""A module as a QTI 3.0 content package (zip bytes), readable by ``adaptive.importers``.

Layout: ``imsmanifest.xml`` (QTI 3.0 content packaging), ``test.xml`` (one
``qti-assessment-section`` per skill, its identifier the skill id; an item
reference's ``category`` lists the item's secondary skills) and
``items/<item id>.xml``. Each answer group is one ``qti-response-if`` /
``qti-response-else-if`` branch, in order, setting SCORE (1 right, 0 wrong) and
FEEDBACK (``G1``, ``G2``, ...), so a QTI player grades and gives feedback the
way the runner does; ``qti-modal-feedback`` carries the feedback texts, the
default feedback (``DEFAULT``), hints (outcome ``HINT``) and the solution
(outcome ``SOLUTION``).

Text is written as its Markdown source, a ``<p>`` per paragraph and ``<br/>``
per line, so it reads back unchanged (other players show it as plain text; math
stays TeX). What QTI has no place for is listed in ``not_carried``.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement, tostring

from adaptive.modules.format import AnswerGroup, Item, ItemType, Match, Module

__all__ = ["QtiPackage", "export_qti3"]

_ASI = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
_CP = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
_MD = "http://ltsc.ieee.org/xsd/LOM"
_RESPONSE = "RESPONSE"


@dataclass(frozen=True)
class QtiPackage:
    """The zip bytes and what the package does not carry (pages, misconceptions, ...)."""

    data: bytes
    not_carried: tuple[str, ...]



def _xml_bytes(root: Element) -> bytes:
    """The document as UTF-8 bytes after an explicit XML declaration."""
    body: bytes = tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body

def _text_into(parent: Element, markdown: str) -> None:
    """Markdown source as ``<p>`` paragraphs with ``<br/>`` line breaks."""
    for para in (p for p in markdown.split("\n\n") if p.strip()):
        p = SubElement(parent, "p")
        lines = para.split("\n")
        p.text = lines[0]
        for line in lines[1:]:
            br = SubElement(p, "br")
            br.tail = line


def _var() -> Element:
    el = Element("qti-variable")
    el.set("identifier", _RESPONSE)
    return el


def _base(value: object, base_type: str) -> Element:
    el = Element("qti-base-value")
    el.set("base-type", base_type)
    el.text = _num(value) if isinstance(value, float) else str(value)
    return el


def _num(value: float) -> str:
    return repr(float(value))


def _condition(item: Item, match: Match) -> Element | None:
    t = item.type
    if t == ItemType.SINGLE_CHOICE:
        el = Element("qti-match")
        el.extend([_var(), _base(match.choice, "identifier")])
        return el
    if t in (ItemType.MULTIPLE_CHOICE, ItemType.ORDERING):
        el = Element("qti-match")
        container = Element("qti-multiple" if t == ItemType.MULTIPLE_CHOICE else "qti-ordered")
        values = match.choices if t == ItemType.MULTIPLE_CHOICE else match.order
        container.extend(_base(v, "identifier") for v in values)
        el.extend([_var(), container])
        return el
    if t == ItemType.NUMERIC:
        if match.value is not None:
            el = Element("qti-equal")
            if match.tolerance:
                el.set("tolerance-mode", "absolute")
                el.set("tolerance", f"{_num(match.tolerance)} {_num(match.tolerance)}")
            else:
                el.set("tolerance-mode", "exact")
            el.extend([_var(), _base(float(match.value), "float")])
            return el
        parts = []
        if match.low is not None:
            gte = Element("qti-gte")
            gte.extend([_var(), _base(float(match.low), "float")])
            parts.append(gte)
        if match.high is not None:
            lte = Element("qti-lte")
            lte.extend([_var(), _base(float(match.high), "float")])
            parts.append(lte)
        if len(parts) == 1:
            return parts[0]
        el = Element("qti-and")
        el.extend(parts)
        return el
    if t == ItemType.SHORT_TEXT:
        if match.mode == "regex":
            el = Element("qti-pattern-match")
            el.set("pattern", match.pattern or "")
            el.append(_var())
            return el
        el = Element("qti-string-match")
        el.set("case-sensitive", "true" if match.mode == "exact" else "false")
        el.extend([_var(), _base(match.text or "", "string")])
        return el
    return None


def _set(parent: Element, outcome: str, value: object, base_type: str) -> None:
    sov = SubElement(parent, "qti-set-outcome-value")
    sov.set("identifier", outcome)
    sov.append(_base(value, base_type))


def _correct_values(item: Item, group: AnswerGroup) -> list[str]:
    m = group.match
    if item.type == ItemType.SINGLE_CHOICE:
        return [m.choice] if m.choice else []
    if item.type == ItemType.MULTIPLE_CHOICE:
        return list(m.choices)
    if item.type == ItemType.ORDERING:
        return list(m.order)
    if item.type == ItemType.NUMERIC and m.value is not None:
        return [_num(m.value)]
    if item.type == ItemType.SHORT_TEXT and m.mode != "regex" and m.text is not None:
        return [m.text]
    return []


def _declaration(root: Element, item: Item) -> None:
    decl = SubElement(root, "qti-response-declaration")
    decl.set("identifier", _RESPONSE)
    decl.set("cardinality", {ItemType.MULTIPLE_CHOICE: "multiple",
                             ItemType.ORDERING: "ordered"}.get(item.type, "single"))
    decl.set("base-type", {ItemType.NUMERIC: "float",
                           ItemType.SHORT_TEXT: "string"}.get(item.type, "identifier"))
    first = next((g for g in item.answer_groups if g.correct), None)
    values = _correct_values(item, first) if first is not None else []
    if values:
        correct = SubElement(decl, "qti-correct-response")
        for v in values:
            SubElement(correct, "qti-value").text = v
    for ident, base_type in (("SCORE", "float"), ("FEEDBACK", "identifier"),
                             ("HINT", "identifier"), ("SOLUTION", "identifier")):
        out = SubElement(root, "qti-outcome-declaration")
        out.set("identifier", ident)
        out.set("cardinality", "single")
        out.set("base-type", base_type)
        if ident == "SCORE":
            SubElement(SubElement(out, "qti-default-value"), "qti-value").text = "0"


def _body(root: Element, item: Item) -> None:
    body = SubElement(root, "qti-item-body")
    _text_into(body, item.prompt)
    if item.type in (ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE, ItemType.ORDERING):
        tag = "qti-order-interaction" if item.type == ItemType.ORDERING \
            else "qti-choice-interaction"
        inter = SubElement(body, tag)
        inter.set("response-identifier", _RESPONSE)
        inter.set("shuffle", "true" if item.shuffle or item.type == ItemType.ORDERING
                  else "false")
        if item.type == ItemType.SINGLE_CHOICE:
            inter.set("max-choices", "1")
        elif item.type == ItemType.MULTIPLE_CHOICE:
            inter.set("max-choices", "0")
        for c in item.choices:
            choice = SubElement(inter, "qti-simple-choice")
            choice.set("identifier", c.id)
            choice.text = c.text
    else:
        inter = SubElement(SubElement(body, "div"), "qti-text-entry-interaction")
        inter.set("response-identifier", _RESPONSE)


def _processing(root: Element, item: Item) -> None:
    rp = SubElement(root, "qti-response-processing")
    cond = SubElement(rp, "qti-response-condition")
    first = True
    for n, group in enumerate(item.answer_groups, start=1):
        test = _condition(item, group.match)
        if test is None:
            continue
        branch = SubElement(cond, "qti-response-if" if first else "qti-response-else-if")
        first = False
        branch.append(test)
        _set(branch, "SCORE", 1.0 if group.correct else 0.0, "float")
        if group.feedback:
            _set(branch, "FEEDBACK", f"G{n}", "identifier")
    otherwise = SubElement(cond, "qti-response-else")
    _set(otherwise, "SCORE", 0.0, "float")
    if item.default_feedback:
        _set(otherwise, "FEEDBACK", "DEFAULT", "identifier")


def _feedback(root: Element, item: Item) -> None:
    def modal(outcome: str, ident: str, text: str) -> None:
        fb = SubElement(root, "qti-modal-feedback")
        fb.set("outcome-identifier", outcome)
        fb.set("identifier", ident)
        fb.set("show-hide", "show")
        _text_into(fb, text)

    for n, group in enumerate(item.answer_groups, start=1):
        if group.feedback:
            modal("FEEDBACK", f"G{n}", group.feedback)
    if item.default_feedback:
        modal("FEEDBACK", "DEFAULT", item.default_feedback)
    for n, hint in enumerate(item.hints, start=1):
        modal("HINT", f"HINT{n}", hint)
    if item.solution:
        modal("SOLUTION", "SOLUTION", item.solution)


def item_xml(item: Item) -> bytes:
    """One ``qti-assessment-item`` document."""
    root = Element("qti-assessment-item")
    root.set("xmlns", _ASI)
    root.set("identifier", item.id)
    root.set("title", item.id)
    root.set("adaptive", "false")
    root.set("time-dependent", "false")
    _declaration(root, item)
    _body(root, item)
    _processing(root, item)
    _feedback(root, item)
    return _xml_bytes(root)


def _test_xml(module: Module, hrefs: dict[str, str]) -> bytes:
    root = Element("qti-assessment-test")
    root.set("xmlns", _ASI)
    root.set("identifier", module.id)
    root.set("title", module.title)
    part = SubElement(root, "qti-test-part")
    part.set("identifier", "part1")
    part.set("navigation-mode", "linear")
    part.set("submission-mode", "individual")
    for skill in module.skills:
        section = SubElement(part, "qti-assessment-section")
        section.set("identifier", skill.id)
        section.set("title", skill.title)
        section.set("visible", "true")
        for item in module.items_for(skill.id):
            ref = SubElement(section, "qti-assessment-item-ref")
            ref.set("identifier", item.id)
            ref.set("href", hrefs[item.id])
            if len(item.skills) > 1:
                ref.set("category", " ".join(item.skills[1:]))
    return _xml_bytes(root)


def _manifest(module: Module, hrefs: dict[str, str]) -> bytes:
    root = Element("manifest")
    root.set("xmlns", _CP)
    root.set("xmlns:imsmd", _MD)
    root.set("identifier", f"{module.id}-package")
    meta = SubElement(root, "metadata")
    SubElement(meta, "schema").text = "QTI Package"
    SubElement(meta, "schemaversion").text = "3.0.0"
    general = SubElement(SubElement(meta, "imsmd:lom"), "imsmd:general")
    SubElement(SubElement(general, "imsmd:title"), "imsmd:string").text = module.title
    if module.description:
        SubElement(SubElement(general, "imsmd:description"),
                   "imsmd:string").text = module.description
    SubElement(root, "organizations")
    resources = SubElement(root, "resources")
    test = SubElement(resources, "resource")
    test.set("identifier", "test")
    test.set("type", "imsqti_test_xmlv3p0")
    test.set("href", "test.xml")
    SubElement(test, "file").set("href", "test.xml")
    for item_id in hrefs:
        SubElement(test, "dependency").set("identifierref", f"item-{item_id}")
    for item_id, href in hrefs.items():
        res = SubElement(resources, "resource")
        res.set("identifier", f"item-{item_id}")
        res.set("type", "imsqti_item_xmlv3p0")
        res.set("href", href)
        SubElement(res, "file").set("href", href)
    return _xml_bytes(root)


def _not_carried(module: Module) -> list[str]:
    notes = []
    if module.pages:
        notes.append(f"{len(module.pages)} page(s) (QTI items only)")
    groups = [g for i in module.items for g in i.answer_groups]
    if any(g.misconception for g in groups):
        notes.append("misconception tags of answer groups")
    if any(g.destination.kind != "next" for g in groups) or any(
            i.default_destination.kind != "next" for i in module.items):
        notes.append("branching destinations")
    if any(s.prerequisites for s in module.skills):
        notes.append("skill prerequisites")
    variant_items = [i.id for i in module.items if i.variants is not None]
    if variant_items:
        # QTI template processing could draw numbers, but no importer we know of maps it
        # back; the package holds the author's own numbers, which are a complete item.
        notes.append(f"item variants of {len(variant_items)} item(s), exported with the "
                     "author's numbers")
    if module.figures:
        notes.append(f"{len(module.figures)} figure(s)")
    notes.append("difficulty and diagnostic flags, module settings and BKT parameters")
    return notes


def export_qti3(module: Module) -> QtiPackage:
    """The module as QTI 3.0 package bytes (deterministic: same module, same bytes)."""
    hrefs = {item.id: f"items/{item.id}.xml" for item in module.items}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        def add(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)

        add("imsmanifest.xml", _manifest(module, hrefs))
        add("test.xml", _test_xml(module, hrefs))
        for item in module.items:
            add(hrefs[item.id], item_xml(item))
    return QtiPackage(buf.getvalue(), tuple(_not_carried(module)))
