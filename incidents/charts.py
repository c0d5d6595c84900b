"""Incident trend charts as server-side SVG: plain counts in, an SVG string out.

Two pictures: horizontal bars (counts by category, class, harm, organization) and columns by month. The
same strings are inlined in the trends page and embedded in the quarterly report as ``data:`` URIs, so, like
readiness's and partners' charts, they use presentation attributes only (no <style>, script or external
font) and draw with the core's SVG pieces (``toolkit.svg``: the SVG head with its <title>
and <desc>, text escaping through ``xml_safe``, the Okabe–Ito colours).

Colour never carries meaning alone: every bar has its count written at its end and its name beside it, and
catch-all bars ("others", "not yet agreed") are grey, dashed and named so in words. The page shows the
same numbers in a table next to each chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from incidents.trends import CountRow, Trends
from toolkit.svg import GRID, INK, MUTED, SERIES_COLOURS
from toolkit.svg import num as _num
from toolkit.svg import shorten as _shorten
from toolkit.svg import svg_open as _open
from toolkit.svg import text as _text

BAR = SERIES_COLOURS[0]  # Okabe–Ito blue
CATCH_ALL = "#848D97"  # a grey that still shows on white (3.4:1, WCAG 1.4.11); dashed and named in words too


def _description(intro: str, rows: Sequence[CountRow], unit: str) -> str:
    listed = "; ".join(f"{row.label}: {row.count}" for row in rows)
    return f"{intro} {listed}." if rows else f"{intro} No {unit}s."


def _no_data(out: list[str], x: float, y: float, message: str) -> None:
    out.append(f'<text x="{_num(x)}" y="{_num(y)}" font-size="13" text-anchor="middle" fill="{MUTED}">'
               f"{_text(message)}</text>")


def bar_chart_svg(rows: Sequence[CountRow], *, title: str, intro: str, unit: str = "incident", width: int = 640,
                  css_class: str = "") -> str:
    """One horizontal bar per row, its length in proportion to its count, the count written at its end."""
    row_height, label_width, top = 28, 232, 46
    count_room = 56
    height = top + max(len(rows), 1) * row_height + 34
    out = _open(width, height, title, _description(intro, rows, unit), css_class)
    biggest = max((row.count for row in rows), default=0)
    left, right = label_width, width - count_room
    bottom = top + max(len(rows), 1) * row_height
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="{GRID}" stroke-width="1"/>')
    for index, row in enumerate(rows):
        y = top + index * row_height
        middle = y + row_height / 2
        length = 0 if not biggest else (right - left) * row.count / biggest
        out.append(
            f'<text x="{label_width - 8}" y="{_num(middle + 4)}" font-size="12.5" text-anchor="end" fill="{INK}"'
            + (' font-style="italic"' if row.muted else "") + f">{_text(_shorten(row.label, 34))}</text>"
        )
        if row.count:
            fill, edge = (CATCH_ALL, f' stroke="{INK}" stroke-width="1" stroke-dasharray="3 2"') if row.muted \
                else (BAR, "")
            out.append(
                f'<g><title>{_text(f"{row.label}: {row.count}")}</title><rect x="{left}" y="{_num(y + 6)}" '
                f'width="{_num(max(length, 2))}" height="{row_height - 12}" fill="{fill}"{edge} data-role="bar" '
                f'data-count="{row.count}"/></g>'
            )
        out.append(f'<text x="{_num(left + max(length, 2) + 6)}" y="{_num(middle + 4.5)}" font-size="12.5" '
                   f'font-weight="bold" fill="{INK}">{row.count}</text>')
    if not rows:
        _no_data(out, (left + right) / 2, top + 18, f"No {unit}s.")
    out.append(f'<text x="{_num((left + right) / 2)}" y="{_num(bottom + 22)}" font-size="11.5" text-anchor="middle" '
               f'fill="{MUTED}">Number of {_text(unit)}s</text>')
    out.append("</svg>")
    return "\n".join(out)


def _tick_step(biggest: int) -> int:
    """Whole-number gridlines 1, 2 or 5 × 10ⁿ apart, at most five above zero."""
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if biggest <= 5 * step:
                return step
        magnitude *= 10


def month_chart_svg(rows: Sequence[CountRow], *, title: str, intro: str, unit: str = "incident", width: int = 760,
                    css_class: str = "") -> str:
    """One column per month, oldest first, its count written above it; y from zero."""
    left, right, top, plot_height = 44, width - 16, 52, 190
    bottom = top + plot_height
    height = bottom + 48
    out = _open(width, height, title, _description(intro, rows, unit), css_class)
    step = _tick_step(max((row.count for row in rows), default=0))
    scale_top = step * max(1, math.ceil(max((row.count for row in rows), default=0) / step))
    ticks = list(range(0, scale_top + 1, step))
    for tick in ticks:
        y = bottom - plot_height * tick / scale_top
        out.append(f'<line x1="{left}" y1="{_num(y)}" x2="{right}" y2="{_num(y)}" stroke="{GRID}" stroke-width="1"/>')
        out.append(f'<text x="{left - 6}" y="{_num(y + 4)}" font-size="11" text-anchor="end" fill="{MUTED}">'
                   f"{tick}</text>")
    count = max(len(rows), 1)
    step = (right - left) / count
    bar_width = max(min(step * 0.64, 44), 3)
    for index, row in enumerate(rows):
        centre = left + step * (index + 0.5)
        bar_height = plot_height * row.count / scale_top
        if row.count:
            out.append(
                f'<g><title>{_text(f"{row.label}: {row.count}")}</title><rect x="{_num(centre - bar_width / 2)}" '
                f'y="{_num(bottom - bar_height)}" width="{_num(bar_width)}" height="{_num(bar_height)}" '
                f'fill="{BAR}" data-role="bar" data-month="{_text(row.key)}" data-count="{row.count}"/></g>'
            )
        out.append(f'<text x="{_num(centre)}" y="{_num(bottom - bar_height - 5)}" font-size="11" font-weight="bold" '
                   f'text-anchor="middle" fill="{INK}">{row.count}</text>')
        # Month names below; the year under January and under the first column.
        month, _, year = row.label.partition(" ")
        show_year = index == 0 or month == "Jan"
        if step >= 18 or index % 2 == 0 or show_year:
            out.append(f'<text x="{_num(centre)}" y="{bottom + 16}" font-size="11" text-anchor="middle" '
                       f'fill="{INK}">{_text(month[:3])}</text>')
        if show_year:
            out.append(f'<text x="{_num(centre)}" y="{bottom + 31}" font-size="11" text-anchor="middle" '
                       f'fill="{MUTED}">{_text(year)}</text>')
    if not rows:
        _no_data(out, (left + right) / 2, top + plot_height / 2, f"No {unit}s.")
    out.append(f'<text x="14" y="{_num((top + bottom) / 2)}" font-size="11" text-anchor="middle" fill="{MUTED}" '
               f'transform="rotate(-90 14 {_num((top + bottom) / 2)})">{_text(unit.capitalize())}s</text>')
    out.append("</svg>")
    return "\n".join(out)


def trend_charts(trends: Trends, *, period: str, css_class: str = "", width: int = 640) -> dict[str, str]:
    """The SVG of each breakdown the trends page and the quarterly report show, keyed as in their templates."""
    if trends.is_empty:
        return {}
    note = f"Incidents {period}, {trends.total} in all."
    months = trends.by_month
    return {
        "category": bar_chart_svg(trends.by_category, title="Incidents by category", intro=note,
                                  css_class=css_class, width=width),
        "class": bar_chart_svg(trends.by_class, title="Incidents by class", intro=note, css_class=css_class,
                               width=width),
        "harm": bar_chart_svg(trends.by_harm, title="Incidents by harm agreed by reviewers", intro=note,
                              css_class=css_class, width=width),
        "organization": bar_chart_svg(
            trends.by_organization, title="Organizations involved",
            intro=f"{note} An incident may involve several organizations, so these add up to more.",
            css_class=css_class, width=width),
        "month": month_chart_svg(
            months, title="Incidents by month",
            intro=f"Incidents by the month they happened, {months[0].label if months else ''} to "
                  f"{months[-1].label if months else ''}.", width=max(520, min(760, 120 + 48 * len(months))),
            css_class=css_class),
    }
