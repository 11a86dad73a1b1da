"""Question text from LMS exports (HTML) as the module format's Markdown.

LMS editors produce small HTML: paragraphs, line breaks, emphasis, lists, links,
code, sometimes tables and images. The common part becomes Markdown; what has no
Markdown form here (images and other media, tables, scripts) is dropped from the
text and reported, so the teacher knows which prompts to look at.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_markdown", "looks_like_html"]

_BLOCK = {"p", "div", "section", "article", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
          "tr", "table", "pre"}
_DROPPED = {"img": "an image", "video": "a video", "audio": "an audio clip",
            "object": "embedded media", "iframe": "an embedded page", "math": "MathML",
            "table": "a table", "script": "a script", "svg": "an SVG drawing"}
_SKIP_CONTENT = {"script", "style", "svg", "math"}


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.dropped: list[str] = []
        self.skip_depth = 0
        self.href: list[str | None] = []
        self.lists: list[list[int]] = []  # [counter] per open list, -1 for bullets

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED and _DROPPED[tag] not in self.dropped:
            self.dropped.append(_DROPPED[tag])
        if tag in _SKIP_CONTENT:
            self.skip_depth += 1
            return
        if tag in _BLOCK:
            self.out.append("\n\n")
        elif tag == "br":
            self.out.append("\n")
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag in ("em", "i"):
            self.out.append("*")
        elif tag == "code":
            self.out.append("`")
        elif tag == "a":
            href = dict(attrs).get("href")
            self.href.append(href)
            if href:  # an anchor without a link is its text (no "[...]" left in sight)
                self.out.append("[")
        elif tag in ("ul", "ol"):
            self.lists.append([0 if tag == "ol" else -1])
            self.out.append("\n\n")
        elif tag == "li":
            marker = "-"
            if self.lists and self.lists[-1][0] >= 0:
                self.lists[-1][0] += 1
                marker = f"{self.lists[-1][0]}."
            self.out.append(f"\n{marker} ")
        elif tag in ("td", "th"):
            self.out.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_CONTENT:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if tag in _BLOCK:
            self.out.append("\n\n")
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag in ("em", "i"):
            self.out.append("*")
        elif tag == "code":
            self.out.append("`")
        elif tag == "a":
            href = self.href.pop() if self.href else None
            if href:
                self.out.append(f"]({href})")
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.out.append(re.sub(r"\s+", " ", data))


def looks_like_html(text: str) -> bool:
    """True when ``text`` holds HTML tags or entities (LMS fields mix plain text and HTML)."""
    return bool(re.search(r"</?[a-zA-Z][^>]*>|&[a-zA-Z#0-9]+;", text))


def html_to_markdown(text: str) -> tuple[str, list[str]]:
    """``(markdown, dropped)``: the text as Markdown and what kinds of content were left out."""
    if not looks_like_html(text):
        return text.strip(), []
    parser = _Converter()
    parser.feed(text)
    parser.close()
    md = "".join(parser.out)
    md = "\n".join(line.strip() for line in md.split("\n"))
    md = re.sub(r"\n{3,}", "\n\n", md)
    return md.strip(), parser.dropped
