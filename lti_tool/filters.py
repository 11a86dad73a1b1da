"""The app's template filters: authored Markdown + math → safe HTML (a pure, cached function).

App-wide (the runner, the dashboard, the picker and the assistant all show module text),
so it sits beside the factory, not in a feature; ``init_app`` registers the filters
``markdown``, ``md_inline`` and ``plain_text``.

Module text (pages, prompts, choices, feedback, hints, solutions) is written by
teachers, so it is untrusted: it is rendered with markdown-it-py (raw HTML
allowed, then sanitised with nh3 so no script, event handler or ``javascript:``
URL survives). Math in ``$...$`` / ``$$...$$`` becomes MathML on the server with
latex2mathml: browsers render MathML natively, so no math library or CDN is
loaded at run time. Images must be relative or ``data:`` URLs for the same
reason (nothing is fetched from the internet while a learner works).

The result depends only on the text, so it is cached per process: the same
prompt is rendered for every learner.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

import nh3
from flask import Flask
from jinja2 import pass_context
from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from adaptive.modules.choice_refs import cites_choices
from adaptive.modules.figures import FIGURE_REF
from adaptive.modules.math_spans import DISPLAY_MATH, INLINE_MATH

__all__ = ["MATH_TAGS", "FigureLinks", "inline_filter", "markdown_filter", "plain_text",
           "render_inline", "render_markdown"]

# MathML elements latex2mathml emits (presentation MathML only).
MATH_TAGS = frozenset({
    "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace",
    "mfrac", "msqrt", "mroot", "msub", "msup", "msubsup", "munder", "mover", "munderover",
    "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom", "menclose", "merror",
    "mmultiscripts", "mprescripts", "none",
})
_MATH_ATTRS = {"display", "xmlns", "mathvariant", "stretchy", "fence", "separator",
               "lspace", "rspace", "accent", "accentunder", "columnalign", "rowalign",
               "columnspacing", "rowspacing", "width", "height", "depth", "linethickness",
               "notation", "displaystyle", "scriptlevel", "minsize", "maxsize", "movablelimits",
               "encoding", "form", "largeop", "symmetric"}

_TAGS = (set(nh3.ALLOWED_TAGS) - {"map", "area"}) | MATH_TAGS
_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start"},
    "code": {"class"},
    "abbr": {"title"},
    **{tag: set(_MATH_ATTRS) for tag in MATH_TAGS},
}

# Display math first so "$$x$$" is not read as two empty inline spans (the rules live with
# the engine: item variants write numbers differently inside math, adaptive.modules.math_spans).
_DISPLAY = DISPLAY_MATH
_INLINE = INLINE_MATH
_PLACEHOLDER = "BWMATH{}X"
_PLACEHOLDER_RE = re.compile(r"BWMATH(\d+)X")

_md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
_md.enable(["table", "strikethrough"])


# A number written the LaTeX way with a decimal comma, "7{,}4", and digit groups, "12\,000"
# (the Spanish and French texts and the numbers drawn for them write it so), is one number:
# latex2mathml gives <mn>7</mn><mrow><mo>,</mo></mrow><mn>4</mn>, which browsers set as a
# list, "7, 4", and <mn>12</mn><mspace/><mn>000</mn>, which a screen reader reads as two
# numbers. Each becomes one <mn> ("12 000,5", the thin space kept as a narrow no-break space).
# A bare comma, "(1, 2)", has no braces and stays a separator.
_DIGIT_GROUPS = re.compile(r'<mn>(\d{1,3})</mn>((?:<mspace width="0\.167em" /><mn>\d{3}</mn>)+)')
_BRACED_COMMA = re.compile(r"<mn>([\d\u202f]+)</mn><mrow><mo>&#x0002C;</mo></mrow><mn>(\d+)</mn>")


def _one_number(groups: re.Match[str]) -> str:
    rest = re.findall(r"<mn>(\d{3})</mn>", groups.group(2))
    return "<mn>" + "\u202f".join([groups.group(1), *rest]) + "</mn>"


def _numbers_joined(mathml: str) -> str:
    if "<mspace" in mathml:
        mathml = _DIGIT_GROUPS.sub(_one_number, mathml)
    if "&#x0002C;" in mathml:
        mathml = _BRACED_COMMA.sub(r"<mn>\1,\2</mn>", mathml)
    return mathml


def _math_html(latex: str, display: bool) -> str:
    try:
        mathml = latex_to_mathml(latex.strip(), display="block" if display else "inline")
    except Exception:  # an author's typo must not break the page: show the source instead
        return f'<code class="math-error">{html.escape(latex)}</code>'
    return _numbers_joined(mathml)


def _keep_url(tag: str, attr: str, value: str) -> str | None:
    """nh3 attribute filter: images only from this site (or inline data)."""
    if tag == "img" and attr == "src":
        lowered = value.strip().lower()
        if lowered.startswith(("http:", "https:", "//")):
            return None
    return value


@dataclass(frozen=True)
class FigureLinks:
    """Where the figures of one module are served: ``((figure id, url, alt), ...)``.

    Hashable, so a text rendered with its module's figures is cached like any other."""

    links: tuple[tuple[str, str, str], ...] = ()

    def resolve(self, text: str) -> str:
        """``![alt](figure:ID)`` → ``![alt](url)``; the figure's own alt when none is given."""
        by_id = {fid: (url, alt) for fid, url, alt in self.links}

        def repl(match: re.Match[str]) -> str:
            found = by_id.get(match.group(2))
            if found is None:
                return match.group(0)  # unknown: "figure:" is not a kept URL scheme
            alt = match.group(1).strip() or found[1]
            return f"![{_md_escape(alt)}]({found[0]})"

        return FIGURE_REF.sub(repl, text)


def _md_escape(text: str) -> str:
    """Escape what would end a Markdown image's alt text early."""
    return re.sub(r"([\\\[\]])", r"\\\1", text)


def _render(text: str, inline: bool, figures: FigureLinks | None = None) -> str:
    pieces: list[str] = []
    if figures is not None and "figure:" in text:
        text = figures.resolve(text)

    def stash(display: bool):
        def repl(match: re.Match[str]) -> str:
            pieces.append(_math_html(match.group(1), display))
            token = _PLACEHOLDER.format(len(pieces) - 1)
            # A display formula stands in its own paragraph.
            return f"\n\n{token}\n\n" if display and not inline else token
        return repl

    source = _DISPLAY.sub(stash(True), text or "")
    source = _INLINE.sub(stash(False), source)
    source = source.replace(r"\$", "$")
    rendered = _md.renderInline(source) if inline else _md.render(source)

    def unstash(match: re.Match[str]) -> str:
        index = int(match.group(1))
        return pieces[index] if index < len(pieces) else match.group(0)

    rendered = _PLACEHOLDER_RE.sub(unstash, rendered)
    # A display formula alone in a paragraph: drop the <p> so the block math is not nested.
    rendered = re.sub(r"<p>(<math [^>]*display=\"block\".*?</math>)</p>", r"\1", rendered,
                      flags=re.DOTALL)
    return nh3.clean(
        rendered, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer", attribute_filter=_keep_url, strip_comments=True,
    )


@lru_cache(maxsize=8192)
def _cached(text: str, inline: bool, figures: FigureLinks | None = None) -> str:
    return _render(text, inline, figures)


def render_markdown(text: str | None, figures: FigureLinks | None = None, *,
                    cached: bool = True) -> Markup:
    """Block Markdown (paragraphs, lists, tables, display math) as safe HTML;
    ``figures``: where this module's ``figure:ID`` images are served. ``cached=False``
    for text that is rendered once (the editor's live preview, every keystroke a new
    text), so it does not push the learners' texts out of the cache."""
    if not cached:
        return Markup(_render(text or "", False, figures))
    return Markup(_cached(text or "", False, figures))


def render_inline(text: str | None, figures: FigureLinks | None = None) -> Markup:
    """Inline Markdown (a choice, a short label) as safe HTML without a wrapping <p>."""
    return Markup(_cached(text or "", True, figures))


def _other_language(context, text: str | None = None) -> str | None:
    # Module text in another language than the page (an English-only module in the Spanish
    # interface) is marked with its own lang, so screen readers pronounce it right (WCAG
    # 3.1.2, language of parts). So is one string of a translated module that fell back to
    # the default language (its translation is missing): ``fallback_texts`` holds the
    # module's (default language, texts) from adaptive.modules.translations.fallback_texts.
    content, page = context.get("content_lang"), context.get("page_lang")
    fallback = context.get("fallback_texts")
    if fallback and text and text in fallback[1]:
        content = fallback[0]
    if content and page and content.split("-")[0].lower() != page.split("-")[0].lower():
        return str(content)
    return None


@pass_context
def markdown_filter(context, text: str | None) -> Markup:
    """The ``markdown`` template filter: figures resolved for the page's module."""
    out = render_markdown(text, context.get("figure_links"))
    lang = _other_language(context, text)
    return Markup(f'<div lang="{escape(lang)}">{out}</div>') if lang and out else out


@pass_context
def inline_filter(context, text: str | None) -> Markup:
    """The ``md_inline`` template filter: figures resolved for the page's module."""
    out = render_inline(text, context.get("figure_links"))
    lang = _other_language(context, text)
    return Markup(f'<span lang="{escape(lang)}">{out}</span>') if lang and out else out


_LATEX_WORDS = {r"\times": "×", r"\div": "÷", r"\cdot": "·", r"\le": "≤", r"\ge": "≥",
                r"\leq": "≤", r"\geq": "≥", r"\approx": "≈", r"\ne": "≠", r"\neq": "≠",
                r"\lt": "<", r"\gt": ">", r"\pm": "±", r"\%": "%", r"\,": " ", r"\;": " ",
                r"\quad": " "}
# A whole command at a time: replacing "\le" as text made "\leq" "≤q" and "\left" "≤ft".
_LATEX_COMMAND = re.compile(r"\\(?:[A-Za-z]+|[,;%])")


def _latex_words(latex: str) -> str:
    text = latex
    for _ in range(5):  # nested fractions
        text = re.sub(r"\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}", r"\1/\2", text)
    text = re.sub(r"\\sqrt\{([^{}]*)\}", r"√(\1)", text)
    text = _LATEX_COMMAND.sub(lambda m: _LATEX_WORDS.get(m.group(0), m.group(0)), text)
    text = re.sub(r"\\(text|mathrm|mathbf|operatorname)\{([^{}]*)\}", r"\2", text)
    text = re.sub(r"\\[a-zA-Z]+", "", text).replace("{", "").replace("}", "")
    return " ".join(text.split())


@lru_cache(maxsize=4096)
def plain_text(text: str | None) -> str:
    """A short plain-text reading of inline Markdown with math ("$\\frac{3}{5}$" → "3/5").

    Used as the accessible name of a control whose label is only a formula: accessibility
    checkers (and some screen readers) do not read a name out of MathML.
    """
    source = _DISPLAY.sub(lambda m: _latex_words(m.group(1)), text or "")
    source = _INLINE.sub(lambda m: _latex_words(m.group(1)), source).replace(r"\$", "$")
    stripped = nh3.clean(_md.renderInline(source), tags=set())
    return " ".join(html.unescape(stripped).split())


def cache_info():
    """Hit/miss counters of the render cache (for tests and the benchmark)."""
    return _cached.cache_info()


def init_app(app: Flask) -> None:
    """Register the Markdown filters the templates use (they resolve ``figure:ID`` images
    for the page's module through the template variable ``figure_links``)."""
    app.jinja_env.filters.setdefault("markdown", markdown_filter)
    app.jinja_env.filters.setdefault("md_inline", inline_filter)
    app.jinja_env.filters.setdefault("plain_text", plain_text)
    # An item whose explanations cite "(a)" shows each choice's id (adaptive.modules.choice_refs)
    app.jinja_env.filters.setdefault("cites_choices", cites_choices)
