"""Checks of a module's figures (images stored with it) and of the Markdown that shows them.

A figure is served by the tool as an image (``<img>``), never inlined into the page, so a
script in an SVG could not run; still, the validator refuses what has no place in a
teaching figure — scripts, event handlers, external references (nothing is fetched while
a learner works), entity declarations — and a figure without a text alternative.
"""

from __future__ import annotations

import base64
import binascii
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator

from adaptive.modules.format import Module

__all__ = ["FIGURE_REF", "MAX_FIGURE_BYTES", "check_figures", "figure_problems", "figure_refs"]

MAX_FIGURE_BYTES = 256 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# ![alt](figure:ID) in any Markdown text of the module.
FIGURE_REF = re.compile(r"!\[([^\]]*)\]\(figure:([A-Za-z0-9][A-Za-z0-9_.-]*)\)")
_EXTERNAL = re.compile(r"^\s*(https?:|//|file:|ftp:)", re.IGNORECASE)

Report = Callable[..., None]


def _texts(module: Module) -> Iterator[tuple[str, str]]:
    """(path, Markdown) for every authored text that may show a figure."""
    for i, page in enumerate(module.pages):
        yield f"pages[{i}].body", page.body
    for i, item in enumerate(module.items):
        yield f"items[{i}].prompt", item.prompt
        yield f"items[{i}].solution", item.solution
        yield f"items[{i}].default_feedback", item.default_feedback
        for j, hint in enumerate(item.hints):
            yield f"items[{i}].hints[{j}]", hint
        for j, group in enumerate(item.answer_groups):
            yield f"items[{i}].answer_groups[{j}].feedback", group.feedback


def figure_refs(text: str) -> list[tuple[str, str]]:
    """(alt, figure id) of every figure the Markdown shows."""
    return [(m.group(1), m.group(2)) for m in FIGURE_REF.finditer(text or "")]


def _svg_problems(svg: str) -> list[str]:
    if len(svg.encode()) > MAX_FIGURE_BYTES:
        return [f"the SVG is larger than {MAX_FIGURE_BYTES // 1024} KB"]
    if re.search(r"<!(DOCTYPE|ENTITY)", svg, re.IGNORECASE):
        return ["an SVG figure may not declare a DOCTYPE or entities"]
    try:
        root = ET.fromstring(svg)
    except ET.ParseError as exc:
        return [f"the SVG is not well-formed XML ({exc})"]
    if root.tag.rsplit("}", 1)[-1] != "svg":
        return ["the document's root element is not <svg>"]
    problems = []
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "script":
            problems.append("an SVG figure may not contain <script>")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            if local.lower().startswith("on"):
                problems.append(f"an SVG figure may not have event handlers ({local})")
            elif local == "href" and (_EXTERNAL.match(value)
                                      or value.strip().lower().startswith("javascript:")):
                problems.append(f"an SVG figure may not refer to {value!r}: everything "
                                "it shows must be inside it")
    return sorted(set(problems))


def _png_problems(data: str) -> list[str]:
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return ["the PNG is not valid base64"]
    if len(raw) > MAX_FIGURE_BYTES:
        return [f"the PNG is larger than {MAX_FIGURE_BYTES // 1024} KB"]
    if not raw.startswith(PNG_SIGNATURE):
        return ["the data is not a PNG file"]
    return []


def figure_problems(media_type: str, data: str) -> list[str]:
    """What is wrong with one figure's data (SVG text, or PNG as base64); [] when nothing."""
    return _svg_problems(data) if media_type == "image/svg+xml" else _png_problems(data)


def check_figures(module: Module, report: Report) -> None:
    """Report every problem of the figures and of the references to them."""
    ids = {f.id for f in module.figures}
    seen: set[str] = set()
    for index, figure in enumerate(module.figures):
        path = f"figures[{index}]"
        if figure.id in seen:
            report(f"{path}.id", "duplicate-figure", f"figure id {figure.id!r} is used twice")
        seen.add(figure.id)
        if not figure.alt.strip():
            report(f"{path}.alt", "figure-alt-missing",
                   f"figure {figure.id!r} needs alt text (what a screen reader says instead)")
        for message in figure_problems(figure.media_type, figure.data):
            report(f"{path}", "figure-invalid", f"figure {figure.id!r}: {message}")
    for path, text in _texts(module):
        for _alt, figure_id in figure_refs(text):
            if figure_id not in ids:
                report(path, "unknown-figure", f"no figure with id {figure_id!r}")
