"""render_markdown: authored Markdown is safe HTML, math is MathML, results are cached."""

from __future__ import annotations

import pytest

from lti_tool import filters as render
from lti_tool.filters import plain_text, render_inline, render_markdown


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    "Hi <script src='x.js'></script> there",
    "<SCRIPT>alert(1)</SCRIPT>",
])
def test_script_tags_stripped(source):
    assert "<script" not in render_markdown(source).lower()


def test_event_handler_attributes_stripped():
    html = render_markdown('<img src="a.png" onerror="alert(1)" alt="a"> <b onclick="x()">b</b>')
    assert "onerror" not in html and "onclick" not in html
    assert 'src="a.png"' in html


@pytest.mark.parametrize("source", [
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    '<iframe src="javascript:alert(1)"></iframe>',
])
def test_javascript_urls_stripped(source):
    html = render_markdown(source)
    assert "javascript:" not in html.lower().replace("](javascript:", "")
    assert "<iframe" not in html and "href=\"javascript" not in html.lower()


def test_remote_images_are_not_loaded():
    html = render_markdown('![x](https://example.com/a.png) <img src="//cdn.example/b.png">')
    assert "example.com" not in html and "cdn.example" not in html


def test_links_are_safe_and_kept():
    html = render_markdown("[docs](https://example.org/)")
    assert 'href="https://example.org/"' in html and "noopener" in html


def test_inline_and_display_math_become_mathml():
    html = render_markdown(r"Half is $\frac{1}{2}$." + "\n\n" + r"$$x^2 + 1$$")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in html
    assert "<mfrac>" in html and 'display="block"' in html and "<msup>" in html
    assert "<p>Half is <math" in html  # the inline formula stays in its paragraph


def test_a_decimal_comma_and_digit_groups_in_math_make_one_number():
    """"$7{,}4$" (how the Spanish and French texts write a decimal) was drawn "7, 4": the
    braced comma came out as a separator between two numbers; digit groups were two
    numbers to a screen reader."""
    assert "<mn>7,4</mn>" in render_inline(r"$\bar{x} = 7{,}4$")
    assert "<mo>\u2212</mo><mn>0,95</mn>" in render_inline(r"$r = -0{,}95$")
    assert "<mn>12\u202f000,5</mn>" in render_inline(r"$x = 12\,000{,}5$")
    assert "<mn>1\u202f234\u202f567</mn>" in render_inline(r"$1\,234\,567$")
    # A bare comma is a separator still, and a thin space before a unit stays one.
    pair = render_inline("$(1, 2)$")
    assert "<mn>1</mn><mo>,</mo><mn>2</mn>" in pair
    assert "<mspace" in render_inline(r"$5\,\text{cm}$")


def test_a_formulas_plain_reading_names_each_command_whole():
    """The accessible name of a choice that is only a formula (plain_text): "\\leq" was read
    "≤q", "\\left(" "≤ft(", and "\\approx" vanished."""
    assert plain_text(r"$x \leq 3$") == "x ≤ 3" and plain_text(r"$x \geq 3$") == "x ≥ 3"
    assert plain_text(r"$\frac{3}{4} \approx 0{,}75$") == "3/4 ≈ 0,75"
    assert plain_text(r"$\left(\frac{1}{2}\right)$") == "(1/2)"
    assert plain_text(r"$x \le 2$, $50\%$, $5\,\text{cm}$") == "x ≤ 2, 50%, 5 cm"


def test_dollar_amounts_and_escapes_stay_text():
    html = render_markdown(r"It costs $5 and $6, or \$7.")
    assert "<math" not in html and "$5" in html and "$7" in html


def test_math_cannot_smuggle_markup():
    html = render_markdown(r"$\text{<script>alert(1)</script>}$")
    assert "<script" not in html


def test_bad_latex_falls_back_to_code():
    html = render_markdown(r"$\frac{1}{$")
    assert "<script" not in html


def test_inline_has_no_paragraph():
    html = render_inline("**bold** $x$")
    assert not html.startswith("<p>") and "<strong>bold</strong>" in html and "<math" in html


def test_results_are_cached():
    text = "Cache me $y$ please"
    render_markdown(text)
    before = render.cache_info().hits
    assert render_markdown(text) == render_markdown(text)
    assert render.cache_info().hits == before + 2
