"""The repository's ``docs/`` served by the tool itself, so the root page can link them.

Only files that exist are served, and only through a table built by listing the folder:
a requested name is a key into that table, never joined onto a path, so ``..`` or an
absolute path cannot reach anything outside ``docs/``. Markdown is rendered with
markdown-it-py and sanitised with nh3 (the docs are ours, but a page served from the
tool's origin must not become a way to run script there). Links between docs
(``grades.md#x``) become links to the served pages; images under ``docs/img`` are
served as files.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import nh3
from markdown_it import MarkdownIt

from lti_tool.settings import ASSETS

__all__ = ["DOCS_DIR", "Doc", "doc_image", "docs_index", "find_doc", "render_doc"]

# A symlink to the top-level docs/ in a checkout; a copy inside the wheel.
DOCS_DIR = ASSETS / "docs"
_IMAGE_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg"}

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.enable(["table", "strikethrough"])
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"},
               "th": {"align"}, "td": {"align"}, "code": {"class"}}


@dataclass(frozen=True)
class Doc:
    """One Markdown file of ``docs/``: ``name`` is its path without ``.md`` ("lms/canvas")."""

    name: str
    path: Path
    title: str


def _title_of(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem


@lru_cache(maxsize=4)
def _table(root: str) -> dict[str, Doc]:
    base = Path(root)
    if not base.is_dir():
        return {}
    docs = {}
    for path in sorted(base.rglob("*.md")):
        name = path.relative_to(base).with_suffix("").as_posix()
        docs[name] = Doc(name, path, _title_of(path))
    return docs


def docs_index(root: Path = DOCS_DIR) -> list[Doc]:
    """Every doc that exists, in path order (empty when the docs were not installed)."""
    return list(_table(str(root)).values())


def find_doc(name: str, root: Path = DOCS_DIR) -> Doc | None:
    """The doc called ``name`` (with or without ``.md``), or None."""
    key = name[:-3] if name.endswith(".md") else name
    return _table(str(root)).get(key)


@lru_cache(maxsize=4)
def _images(root: str) -> dict[str, Path]:
    base = Path(root) / "img"
    if not base.is_dir():
        return {}
    return {p.name: p for p in base.iterdir() if p.suffix.lower() in _IMAGE_TYPES}


def doc_image(filename: str, root: Path = DOCS_DIR) -> tuple[Path, str] | None:
    """A file of ``docs/img`` and its content type, or None when there is no such image."""
    path = _images(str(root)).get(filename)
    if path is None:
        return None
    return path, _IMAGE_TYPES[path.suffix.lower()]


def _link(href: str, doc: Doc, known: dict[str, Doc], prefix: str) -> str:
    """A relative link of ``doc`` rewritten to the served page or image it names."""
    if not href or "://" in href or href.startswith(("#", "/", "mailto:")):
        return href
    target, _, fragment = href.partition("#")
    folder = posixpath.dirname(doc.name)
    resolved = posixpath.normpath(posixpath.join(folder, target))
    suffix = f"#{fragment}" if fragment else ""
    if resolved.endswith(".md") and resolved[:-3] in known:
        return f"{prefix}/{resolved[:-3]}{suffix}"
    if resolved.startswith("img/"):
        return f"{prefix}/img/{resolved[4:]}"
    return href


def render_doc(doc: Doc, prefix: str, root: Path = DOCS_DIR) -> str:
    """The doc as safe HTML, links between docs pointing under ``prefix`` ("/docs")."""
    known = _table(str(root))
    tokens = _md.parse(doc.path.read_text(encoding="utf-8"))
    for token in tokens:
        for child in token.children or ():
            if child.type == "link_open":
                child.attrSet("href", _link(str(child.attrGet("href") or ""), doc, known,
                                            prefix))
            elif child.type == "image":
                child.attrSet("src", _link(str(child.attrGet("src") or ""), doc, known,
                                           prefix))
    html = _md.renderer.render(tokens, _md.options, {})
    return nh3.clean(html, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer")
