"""Small server-side SVG charts that work for everyone.

Each chart is an inline ``<svg role="img">`` with ``<title>`` and ``<desc>``
(named by ``aria-labelledby``), so a screen reader announces one sentence that
sums it up; the page shows the same numbers in a table next to it. Colours are
the Okabe-Ito palette (distinguishable with the common colour-vision
deficiencies), every coloured mark also carries a text label, and states that
matter most (flagged, known) get a pattern as well, so nothing is said by colour
alone. Text is near-black on light fills (contrast ≥ 4.5:1).

Builders take plain numbers and labels (no models) and return ``Markup``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from adaptive.defaults import MASTERY_THRESHOLD

INK = "#1b1f24"
GRID = "#6e7781"  # 4.6:1 on white: axis lines are readable graphics (WCAG 1.4.11)
FONT = 'font-family="system-ui, sans-serif"'

#: status -> (fill, short label, long label); Okabe-Ito colours, labels carry the meaning too.
STATUS_STYLE: dict[str, tuple[str, str, str]] = {
    "mastered": ("#009E73", "M", "mastered"),
    "known": ("#56B4E9", "K", "already known"),
    "practising": ("#E69F00", "P", "practising"),
    "flagged": ("#D55E00", "!", "needs the teacher"),
    "not_reached": ("#E8E8E8", "·", "not reached"),
    "not_started": ("#FFFFFF", "–", "not started"),
}
STATUS_ORDER = ("mastered", "known", "practising", "flagged", "not_reached", "not_started")
PATTERNED = {"flagged": "hatch", "known": "dots"}


def _defs(prefix: str) -> str:
    """Patterns, one set per chart (ids are unique within the page)."""
    return (
        f'<defs><pattern id="{prefix}-hatch" width="6" height="6" patternUnits="userSpaceOnUse"'
        f' patternTransform="rotate(45)"><rect width="6" height="6" fill="#D55E00"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern>'
        f'<pattern id="{prefix}-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="#56B4E9"/>'
        f'<circle cx="3" cy="3" r="1.2" fill="#ffffff"/></pattern></defs>'
    )


def _fill(status: str, prefix: str) -> str:
    if status in PATTERNED:
        return f"url(#{prefix}-{PATTERNED[status]})"
    return STATUS_STYLE.get(status, STATUS_STYLE["practising"])[0]


def _open(prefix: str, width: float, height: float, title: str, desc: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" {FONT}>'
        f'<title id="{prefix}-title">{escape(title)}</title>'
        f'<desc id="{prefix}-desc">{escape(desc)}</desc>{_defs(prefix)}'
    )


def _text(x: float, y: float, label: str, *, size: int = 12, anchor: str = "start",
          weight: str = "normal", fill: str = INK) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'font-weight="{weight}" fill="{fill}">{escape(label)}</text>')


def _clip(label: str, n: int) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


def _wrap(label: str, width: int, lines: int) -> list[str]:
    """Word-wrapped lines, the last one clipped with an ellipsis if the label is longer."""
    out = textwrap.wrap(label, width) or [""]
    if len(out) > lines:
        out = out[: lines - 1] + [_clip(" ".join(out[lines - 1:]), width)]
    return out


LEGEND_ROW = 20


def _legend_lines(statuses: Sequence[str], width: float) -> list[list[tuple[str, float]]]:
    """Swatches (status, x) laid out in rows that fit ``width``."""
    lines: list[list[tuple[str, float]]] = [[]]
    cx = 8.0
    for status in statuses:
        step = 24 + 7 * len(STATUS_STYLE[status][2]) + 14
        if lines[-1] and cx + step > width:
            lines.append([])
            cx = 8.0
        lines[-1].append((status, cx))
        cx += step
    return lines


def legend_height(statuses: Sequence[str], width: float) -> int:
    """Extra height the legend needs beyond its first row."""
    return LEGEND_ROW * (len(_legend_lines(statuses, width)) - 1)


def legend(prefix: str, y: float, width: float, statuses: Sequence[str] = STATUS_ORDER) -> str:
    """Swatches with their words, wrapped onto as many rows as ``width`` needs."""
    out = []
    for row, line in enumerate(_legend_lines(statuses, width)):
        ly = y + LEGEND_ROW * row
        for status, cx in line:
            short, long = STATUS_STYLE[status][1:]
            out.append(f'<rect x="{cx:.0f}" y="{ly - 11:.0f}" width="14" height="14" '
                       f'fill="{_fill(status, prefix)}" stroke="{GRID}"/>')
            out.append(_text(cx + 18, ly, f"{short} {long}", size=11))
    return "".join(out)


def _shown(present: set[str]) -> tuple[str, ...]:
    """Legend entries: the states that occur, in the usual order (at least one)."""
    return tuple(s for s in STATUS_ORDER if s in present) or ("not_started",)


@dataclass(frozen=True)
class HeatCell:
    """A learner × skill cell: status and P(mastery) (None when not started)."""

    status: str
    p: float | None


def heatmap(prefix: str, skills: Sequence[str], rows: Sequence[tuple[str, Sequence[HeatCell]]],
            *, title: str) -> Markup:
    """Learners (rows) × skills (columns); each cell shows its state letter and P(mastery)."""
    label_w, cell_w, cell_h, head_h = 150, 104, 26, 44
    width = label_w + cell_w * max(len(skills), 1) + 10
    counts = {s: 0 for s in STATUS_ORDER}
    for _, cells in rows:
        for c in cells:
            counts[c.status if c.status in counts else "practising"] += 1
    shown = _shown({s for s, n in counts.items() if n})
    body_h = head_h + cell_h * max(len(rows), 1) + 40
    height = body_h + legend_height(shown, width)
    summary = ", ".join(f"{counts[s]} {STATUS_STYLE[s][2]}" for s in STATUS_ORDER if counts[s])
    desc = (f"{len(rows)} learners by {len(skills)} skills. Cells: {summary or 'none'}. "
            "The table below lists the same values.")
    out = [_open(prefix, width, height, title, desc)]
    for j, skill in enumerate(skills):
        x = label_w + j * cell_w + cell_w / 2
        for k, line in enumerate(_wrap(skill, 15, 2)):
            out.append(_text(x, 16 + 14 * k, line, size=11, anchor="middle", weight="bold"))
    for i, (name, cells) in enumerate(rows):
        y = head_h + i * cell_h
        out.append(_text(label_w - 8, y + 17, _clip(name, 20), anchor="end"))
        for j, cell in enumerate(cells):
            x = label_w + j * cell_w
            fill = _fill(cell.status, prefix)
            dash = ' stroke-dasharray="3 2"' if cell.status == "not_started" else ""
            out.append(f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}"'
                       f' fill="{fill}" stroke="{GRID}"{dash}/>')
            short = STATUS_STYLE.get(cell.status, STATUS_STYLE["practising"])[1]
            label = short if cell.p is None else f"{short} {cell.p:.2f}"
            # A white plate under the label keeps it readable on patterns.
            if cell.status != "not_started":
                out.append(f'<rect x="{x + cell_w / 2 - 24}" y="{y + 6}" width="48" height="15"'
                           f' rx="3" fill="#ffffff" opacity="0.9"/>')
            out.append(_text(x + cell_w / 2, y + 17, label, anchor="middle"))
    out.append(legend(prefix, body_h - 12, width, shown))
    out.append("</svg>")
    return Markup("".join(out))


def status_bars(prefix: str, rows: Sequence[tuple[str, dict[str, int]]], *,
                title: str) -> Markup:
    """One stacked bar per skill: how many learners are in each state (counts labelled)."""
    label_w, bar_w, bar_h, gap = 190, 420, 24, 10
    width = label_w + bar_w + 20
    shown = _shown({st for _, counts in rows for st, n in counts.items() if n})
    body_h = 20 + len(rows) * (bar_h + gap) + 40
    height = body_h + legend_height(shown, width)
    parts = []
    for name, counts in rows:
        shares = ", ".join(f"{counts.get(s, 0)} {STATUS_STYLE[s][2]}" for s in STATUS_ORDER
                           if counts.get(s))
        parts.append(f"{name}: {shares or 'no learners'}")
    desc = "Learners per state, for each skill. " + "; ".join(parts) + "."
    out = [_open(prefix, width, height, title, desc)]
    for i, (name, counts) in enumerate(rows):
        y = 12 + i * (bar_h + gap)
        out.append(_text(label_w - 8, y + 16, _clip(name, 28), anchor="end"))
        total = sum(counts.values())
        x = float(label_w)
        for status in STATUS_ORDER:
            n = counts.get(status, 0)
            if not n or not total:
                continue
            w = bar_w * n / total
            dash = ' stroke-dasharray="3 2"' if status == "not_started" else ""
            out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                       f'fill="{_fill(status, prefix)}" stroke="{GRID}"{dash}/>')
            label = f"{STATUS_STYLE[status][1]} {n}"
            if w >= 34:
                out.append(f'<rect x="{x + w / 2 - 16:.1f}" y="{y + 5}" width="32" height="15" '
                           f'rx="3" fill="#ffffff" opacity="0.9"/>')
                out.append(_text(x + w / 2, y + 16, label, anchor="middle", size=11))
            x += w
    out.append(legend(prefix, body_h - 12, width, shown))
    out.append("</svg>")
    return Markup("".join(out))


def percent_bars(prefix: str, rows: Sequence[tuple[str, float | None, str]], *, title: str,
                 reference: float | None = 0.5, reference_label: str = "50 %") -> Markup:
    """Horizontal bars of a share (0..1), each labelled with its own text (e.g. "20 % (1/5)")."""
    label_w, bar_w, bar_h, gap = 330, 360, 20, 8
    height = 24 + len(rows) * (bar_h + gap) + 24
    width = label_w + bar_w + 120
    desc = "; ".join(f"{name}: {label}" for name, _, label in rows) or "No data yet."
    out = [_open(prefix, width, height, title, desc)]
    for i, (name, share, label) in enumerate(rows):
        y = 16 + i * (bar_h + gap)
        out.append(_text(label_w - 8, y + 14, _clip(name, 46), anchor="end"))
        out.append(f'<rect x="{label_w}" y="{y}" width="{bar_w}" height="{bar_h}" '
                   f'fill="#ffffff" stroke="{GRID}"/>')
        if share is not None:
            # Blue for the bar: one hue only, the value is in the label.
            out.append(f'<rect x="{label_w}" y="{y}" width="{bar_w * share:.1f}" '
                       f'height="{bar_h}" fill="#0072B2"/>')
        out.append(_text(label_w + bar_w + 6, y + 14, label, size=11))
    if reference is not None:
        rx = label_w + bar_w * reference
        bottom = 16 + len(rows) * (bar_h + gap)
        out.append(f'<line x1="{rx:.1f}" y1="10" x2="{rx:.1f}" y2="{bottom}" stroke="{INK}" '
                   f'stroke-dasharray="4 3" stroke-width="1.5"/>')
        out.append(_text(rx, bottom + 14, reference_label, size=11, anchor="middle"))
    out.append("</svg>")
    return Markup("".join(out))


def mastery_line(prefix: str, points: Sequence[tuple[str, float, bool]], *, title: str,
                 threshold: float = MASTERY_THRESHOLD) -> Markup:
    """P(mastery) of the practised skill after each answer; ✓ / ✗ marks show the outcome."""
    left, top, plot_w, plot_h = 44, 14, max(60 * len(points), 300), 160
    plot_w = min(plot_w, 840)
    width, height = left + plot_w + 20, top + plot_h + 50
    n_ok = sum(1 for _, _, ok in points if ok)
    desc = (f"{len(points)} answers, {n_ok} correct. "
            + "; ".join(f"{i + 1}: {'correct' if ok else 'wrong'}, P={p:.2f} ({skill})"
                        for i, (skill, p, ok) in enumerate(points[:40])))
    out = [_open(prefix, width, height, title, desc)]
    for v in (0.0, 0.5, 1.0):
        y = top + plot_h * (1 - v)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
                   f'stroke="#d0d7de"/>')
        out.append(_text(left - 6, y + 4, f"{v:.1f}", size=11, anchor="end"))
    ty = top + plot_h * (1 - threshold)
    out.append(f'<line x1="{left}" y1="{ty:.1f}" x2="{left + plot_w}" y2="{ty:.1f}" '
               f'stroke="#009E73" stroke-dasharray="5 3" stroke-width="1.5"/>')
    out.append(_text(left + plot_w, ty - 4, f"mastery {threshold:.2f}", size=11, anchor="end"))
    step = plot_w / max(len(points), 1)
    coords = [(left + step * (i + 0.5), top + plot_h * (1 - p))
              for i, (_, p, _) in enumerate(points)]
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        out.append(f'<polyline points="{path}" fill="none" stroke="#0072B2" stroke-width="2"/>')
    for (x, y), (_, _, ok) in zip(coords, points, strict=True):
        if ok:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="#009E73" '
                       f'stroke="{INK}"/>')
        else:
            out.append(f'<path d="M{x - 5:.1f},{y - 5:.1f} l10,10 m0,-10 l-10,10" '
                       f'stroke="#D55E00" stroke-width="3"/>')
    out.append(_text(left, height - 10, "● correct   ✕ wrong   (x: answers in order)", size=11))
    out.append("</svg>")
    return Markup("".join(out))
