"""The per-skill progress table at 320 px breaks lines between words, never inside one
(Spanish read "Denominador|es comunes", "Domi|nada", "Esta|do"), and fits the page."""

from __future__ import annotations

import pytest

from .test_activity_browser import tool_frame

pytestmark = pytest.mark.browser

# Every word of the table's cells drawn on more than one line (a word split across lines).
SPLIT_WORDS = """() => {
  const split = [];
  const range = document.createRange();
  for (const cell of document.querySelectorAll('.progress-table th, .progress-table td')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/\\S+/g)) {
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        if (range.getClientRects().length > 1) split.push(m[0]);
      }
    }
  }
  return split;
}"""


def test_spanish_progress_table_at_320_keeps_words_whole(context, demo):
    page = context.new_page()
    page.goto(f"{demo.platform_url}/?as=bob&link=rl-1")
    frame = tool_frame(page, demo)
    small = context.new_page()
    small.set_viewport_size({"width": 320, "height": 700})
    small.goto(frame.url)
    with small.expect_navigation():
        small.get_by_role("link", name="Tu progreso").click()
    small.locator("table.progress-table").wait_for()
    assert "Denominadores comunes" in small.locator("table.progress-table").inner_text()
    assert small.evaluate(SPLIT_WORDS) == []
    assert small.evaluate("document.documentElement.scrollWidth") <= 320
    wrap = small.locator(".progress-table-wrap")
    assert wrap.get_attribute("tabindex") is None  # it fits: no extra tab stop
    # A word longer than any column scrolls inside the table's wrapper, not the page, and
    # the wrapper then takes keyboard focus (a named region) so it can be scrolled.
    small.evaluate("() => { document.querySelector('.progress-table tbody th').textContent ="
                   " 'https://example.edu/a-skill-title-pasted-as-one-long-word'; }")
    assert small.evaluate("document.documentElement.scrollWidth") <= 320
    small.wait_for_function(
        "document.querySelector('.progress-table-wrap').getAttribute('tabindex') === '0'")
    assert wrap.get_attribute("role") == "region"
    assert wrap.get_attribute("aria-label") == "Progreso por habilidad"


def test_in_a_phone_sized_lms_frame_every_column_stays_in_view(context, demo):
    """Inside the LMS frame of a 320 px phone (about 240 px) not every word fits whole:
    they break rather than push the mastery column out of sight behind a scrollbar."""
    page = context.new_page()
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{demo.platform_url}/?as=bob&link=rl-1")
    frame = tool_frame(page, demo)
    with frame.expect_navigation():
        frame.get_by_role("link", name="Tu progreso").click()
    frame = next(f for f in page.frames if f.url.startswith(demo.tool_url))
    frame.locator("table.progress-table").wait_for()
    assert frame.evaluate("window.innerWidth") < 320
    assert frame.evaluate("(() => { const w = document.querySelector('.progress-table-wrap');"
                          " return w.scrollWidth <= w.clientWidth; })()")
