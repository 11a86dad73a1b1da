"""Figures stored with a module (issue 14): validated (alt text required, no script, no
external fetch), rendered as <img> with their alt, served with the right type and a CSP."""

from __future__ import annotations

import base64
import re
import textwrap

import pytest

from adaptive.modules.loader import module_to_dict, parse_module
from adaptive.samples import sample_text
from lti_tool.filters import render_markdown
from lti_tool.runner.figures import figure_key, links_for

from .conftest import Learner, launch_token

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
       '<rect width="5" height="5"/></svg>')
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16).decode()


def _module(figures_yaml: str, body: str = "See ![](figure:f1)") -> str:
    return textwrap.dedent(f"""\
        schema_version: 1
        id: figs
        title: Figures
        skills:
          - id: s
            title: S
        pages:
          - id: p
            title: P
            skill: s
            body: "{body}"
        items:
          - id: i1
            type: numeric
            skills: [s]
            diagnostic: true
            prompt: "1+1?"
            answer_groups:
              - match: {{value: 2}}
                correct: true
          - id: i2
            type: numeric
            skills: [s]
            diagnostic: true
            prompt: "2+2?"
            answer_groups:
              - match: {{value: 4}}
                correct: true
        """) + figures_yaml


def _codes(text: str) -> set[str]:
    _, problems = parse_module(text, "figs.yaml")
    return {p.code for p in problems if p.is_error}


def _fig(svg: str = SVG, alt: str = "A square") -> str:
    return f"figures:\n  - id: f1\n    alt: {alt!r}\n    svg: {svg!r}\n"


def test_a_valid_svg_and_png_figure_load_and_round_trip():
    text = _module(_fig() + f"  - id: f2\n    alt: 'Dot'\n    png: {PNG}\n")
    module, problems = parse_module(text, "figs.yaml")
    assert module is not None, problems
    assert [f.media_type for f in module.figures] == ["image/svg+xml", "image/png"]
    import json
    again, _ = parse_module(json.dumps(module_to_dict(module)), "again.json")
    assert again == module


@pytest.mark.parametrize("figure,code", [
    (_fig(alt=""), "schema-min-length"),  # the schema's minLength says it first
    (_fig(alt="  "), "figure-alt-missing"),
    ("figures:\n  - id: f1\n    svg: '<svg xmlns=\"http://www.w3.org/2000/svg\"/>'\n",
     "schema-required"),
    (_fig('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
     "figure-invalid"),
    (_fig('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), "figure-invalid"),
    (_fig('<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
          '<image x:href="https://evil.example/a.png"/></svg>'), "figure-invalid"),
    (_fig('<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'),
     "figure-invalid"),
    (_fig("<svg><rect></svg>"), "figure-invalid"),
    (_fig("<html/>"), "figure-invalid"),
    ("figures:\n  - id: f1\n    alt: Dot\n    png: 'bm90IGEgcG5n'\n", "figure-invalid"),
])
def test_the_validator_refuses_bad_figures(figure, code):
    codes = _codes(_module(figure))
    assert code in codes, codes


def test_a_reference_to_an_unknown_figure_is_an_error():
    assert "unknown-figure" in _codes(_module(_fig(), body="![x](figure:nope)"))


def test_figures_render_as_img_with_their_alt_and_a_keyed_url():
    module, _ = parse_module(_module(_fig()), "figs.yaml")
    links = links_for(module, "secret")
    html = str(render_markdown("See ![](figure:f1) and ![Own words](figure:f1)", links))
    key = figure_key("secret", "figs", module.figure("f1"))
    assert f'src="/modules/figs/figures/f1?k={key}"' in html
    assert 'alt="A square"' in html and 'alt="Own words"' in html
    # Without the module's links a figure reference is dropped, not fetched.
    assert "figure:" not in str(render_markdown("![](figure:f1)"))


def test_samples_have_figures_with_alt_text():
    for name, count in (("fractions", 1), ("statistics-basics", 2)):
        module, problems = parse_module(sample_text(name), name)
        assert module is not None and len(module.figures) == count, problems
        assert all(len(f.alt) > 40 for f in module.figures)


def test_the_lesson_page_shows_the_figure_and_the_tool_serves_it(client, lms):
    learner = Learner(client, launch_token(client, lms)).open()
    from lti_tool.modules.library import get_module
    module = get_module("fractions")
    for _ in range(200):
        if learner.kind == "page" and "figures/" in learner.html:
            break
        if learner.kind == "feedback":
            learner.next()
        elif learner.kind == "page":
            learner.continue_page()
        elif learner.kind == "item":
            learner.answer({"answer": ["987654"]} if module.item(learner.item_id).type.value
                           in ("numeric", "short_text") else {"answer": [
                               module.item(learner.item_id).choices[-1].id]})
        else:
            break
    img = re.search(r'<img src="(/modules/fractions/figures/[^"]+)" alt="([^"]+)"',
                    learner.html)
    assert img, "the equivalent-fractions lesson shows its fraction bars"
    assert img.group(2).startswith("Two bars of the same length")
    url = img.group(1).replace("&amp;", "&")
    resp = client.get(url)
    assert resp.status_code == 200 and resp.mimetype == "image/svg+xml"
    assert resp.data.startswith(b"<svg") and b"<script" not in resp.data
    assert "sandbox" in resp.headers["Content-Security-Policy"]
    assert "default-src 'none'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(url.split("?")[0] + "?k=guess").status_code == 404
    assert client.get("/modules/fractions/figures/nope?k=x").status_code == 404
