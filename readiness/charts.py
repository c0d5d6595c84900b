"""Readiness charts as server-side SVG: plain data in, an SVG string out.

Three pictures: the dimension profile (horizontal bars on the 1–5 scale), the spread
between organizations (one dot per organization on a 1–5 line per dimension) and the
change over rounds (one line per dimension). The same strings are inlined in the pages
and embedded in the PDF report as ``data:`` URIs, so they carry presentation attributes
only (the pages' CSP forbids ``style=""``): no <style>, no script, no external fonts.

Every piece of user text goes through ``_text`` / ``_attr`` (``toolkit.text.xml_safe``, then XML
escaping), so rows stored before the text normaliser still draw; scores are shown through
``scoring.truncate``, never rounded. The result is well-formed XML, safe to ``mark_safe``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from readiness.scoring import BAND_LABELS, BORDERLINE_AT, STRENGTH_AT, band, truncate
from toolkit.palette import needs_outline
from toolkit.svg import FONT, GRID, INK, MUTED, SERIES_COLOURS  # noqa: F401 (re-exported)
from toolkit.svg import attr as _attr
from toolkit.svg import num as _num
from toolkit.svg import shorten as _shorten
from toolkit.svg import svg_open as _open
from toolkit.svg import text as _text

SCALE_MIN, SCALE_MAX = 1, 5

# Okabe–Ito: distinguishable with the common forms of colour blindness. Bars and zones also
# carry their band in words, so colour is never the only cue.
BAND_COLOURS = {"concern": "#D55E00", "borderline": "#E69F00", "strength": "#009E73"}
ZONE_FILLS = {"concern": "#FBE4D8", "borderline": "#FDF1D6", "strength": "#DDF2EA"}
ZONES = (
    ("concern", SCALE_MIN, float(BORDERLINE_AT), "Concern <3"),
    ("borderline", float(BORDERLINE_AT), float(STRENGTH_AT), "Borderline 3–3.9"),
    ("strength", float(STRENGTH_AT), SCALE_MAX, "Strength ≥4"),
)
MARKERS = ("circle", "square", "diamond", "triangle", "triangle-down", "plus", "cross", "star")


@dataclass(frozen=True)
class ProfileBar:
    key: str
    name: str
    score: Fraction | None


@dataclass(frozen=True)
class SpreadRow:
    key: str
    name: str
    by_group: dict[str, Fraction] = field(default_factory=dict)  # organization -> score


@dataclass(frozen=True)
class TrendLine:
    key: str
    name: str
    scores: list[Fraction | None]  # one per round, oldest first










def score_label(score: Fraction | None) -> str:
    """A score as every screen shows it: cut to one decimal, never rounded; a dash when there is none."""
    shown = truncate(score)
    return "—" if shown is None else str(shown)


def band_label(score: Fraction | None) -> str:
    key = band(score)
    return BAND_LABELS[key] if key else "No answers"




@dataclass(frozen=True)
class _Scale:
    """Maps a score on the 1–5 scale to a pixel between two ends (either direction)."""

    start: float
    end: float

    def __call__(self, value: float | Fraction) -> float:
        return self.start + (float(value) - SCALE_MIN) / (SCALE_MAX - SCALE_MIN) * (self.end - self.start)


def _zones_across(x: _Scale, top: float, bottom: float, *, labels: bool) -> list[str]:
    """The three band zones as vertical strips (scores run across), with their names above."""
    out = []
    for key, low, high, label in ZONES:
        out.append(
            f'<rect x="{_num(x(low))}" y="{_num(top)}" width="{_num(x(high) - x(low))}" '
            f'height="{_num(bottom - top)}" fill="{ZONE_FILLS[key]}" data-zone="{key}"/>'
        )
        if labels:
            out.append(
                f'<text x="{_num((x(low) + x(high)) / 2)}" y="{_num(top - 6)}" font-size="11" text-anchor="middle" '
                f'fill="{MUTED}">{_text(label)}</text>'
            )
    for value in range(SCALE_MIN, SCALE_MAX + 1):
        out.append(
            f'<line x1="{_num(x(value))}" y1="{_num(top)}" x2="{_num(x(value))}" y2="{_num(bottom)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{_num(x(value))}" y="{_num(bottom + 17)}" font-size="12" text-anchor="middle" '
            f'fill="{MUTED}">{value}</text>'
        )
    return out


def _edge(colour: str) -> str:
    """A dark edge round a mark too pale to show on white or the band zones (WCAG 1.4.11 asks 3:1), white
    round the others so that neighbouring dots stay apart."""
    return INK if needs_outline(colour, *ZONE_FILLS.values()) else "#FFFFFF"


def _polygon(x: float, y: float, corners: Sequence[tuple[float, float]], size: float) -> str:
    """Polygon points around (x, y), the corners given for a unit size."""
    return " ".join(f"{_num(x + dx * size)},{_num(y + dy * size)}" for dx, dy in corners)


# Corners of the marker shapes drawn as polygons, for a size of 1 (y runs down).
_PLUS = ((-0.35, -1), (0.35, -1), (0.35, -0.35), (1, -0.35), (1, 0.35), (0.35, 0.35), (0.35, 1), (-0.35, 1),
         (-0.35, 0.35), (-1, 0.35), (-1, -0.35), (-0.35, -0.35))
_SHAPES = {
    "diamond": ((0, -1.25), (1.25, 0), (0, 1.25), (-1.25, 0)),
    "triangle": ((0, -1.2), (1.2, 0.96), (-1.2, 0.96)),
    "triangle-down": ((0, 1.2), (1.2, -0.96), (-1.2, -0.96)),
    "plus": tuple((dx * 1.15, dy * 1.15) for dx, dy in _PLUS),
    "cross": tuple(((dx - dy) * 0.85, (dx + dy) * 0.85) for dx, dy in _PLUS),
    "star": tuple(
        (r * math.sin(math.pi * k / 5), -r * math.cos(math.pi * k / 5))
        for k, r in zip(range(10), (1.4, 0.6) * 5, strict=True)
    ),
}


def _marker(shape: str, x: float, y: float, size: float, colour: str, extra: str = "") -> str:
    """A dot of one of eight shapes, so series stay apart without relying on colour."""
    at = f'fill="{colour}" stroke="{_edge(colour)}" stroke-width="1.5"{extra}'
    if shape == "square":
        s = size * 0.9
        return f'<rect x="{_num(x - s)}" y="{_num(y - s)}" width="{_num(2 * s)}" height="{_num(2 * s)}" {at}/>'
    if shape in _SHAPES:
        return f'<polygon points="{_polygon(x, y, _SHAPES[shape], size)}" {at}/>'
    return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(size)}" {at}/>'


def _series_style(index: int) -> tuple[str, str]:
    """The first eight series differ in shape as well as colour; after that the pairs stay unique."""
    colours = len(SERIES_COLOURS)
    return SERIES_COLOURS[index % colours], MARKERS[(index + index // colours) % len(MARKERS)]


def _legend(entries: list[tuple[str, str, str]], *, top: float, width: float) -> tuple[list[str], float]:
    """(colour, shape, name) entries in columns under a chart; returns the markup and its height."""
    if not entries:
        return [], 0
    # Three columns while the names fit; two when they are long.
    columns = 3 if width >= 600 and max(len(name) for _, _, name in entries) <= 27 else 2
    left = 16
    column_width = (width - 2 * left) / columns
    chars = int(column_width / 7.6) - 3
    rows = math.ceil(len(entries) / columns)
    out = []
    for index, (colour, shape, name) in enumerate(entries):
        column, row = index % columns, index // columns
        x = left + column * column_width
        y = top + row * 22
        out.append(
            f'<g data-role="legend">{_marker(shape, x + 7, y - 4, 5.5, colour)}'
            f'<text x="{_num(x + 18)}" y="{_num(y)}" font-size="13" fill="{INK}">{_text(_shorten(name, chars))}'
            f"</text></g>"
        )
    return out, rows * 22


# --- Dimension profile ------------------------------------------------------------------------


def profile_svg(
    bars: Sequence[ProfileBar], *, title: str = "Readiness profile by dimension", width: int = 760, css_class: str = ""
) -> str:
    """One horizontal bar per dimension from 1 to its score, over the concern/borderline/strength zones."""
    row, label_width = 34, 262
    top = 62
    height = top + max(len(bars), 1) * row + 42
    x = _Scale(label_width, width - 112)
    description = "; ".join(f"{b.name}: {score_label(b.score)} ({band_label(b.score)})" for b in bars) or (
        "No scores yet."
    )
    out = _open(width, height, title, f"Dimension scores on the 1–5 scale. {description}.", css_class)
    bottom = top + max(len(bars), 1) * row
    out.extend(_zones_across(x, top, bottom, labels=True))
    for index, bar in enumerate(bars):
        y = top + index * row
        middle = y + row / 2
        out.append(
            f'<text x="{label_width - 10}" y="{_num(middle + 4)}" font-size="13" text-anchor="end" fill="{INK}">'
            f"{_text(_shorten(bar.name, 36))}</text>"
        )
        if bar.score is None:
            out.append(
                f'<text x="{_num(x(SCALE_MIN) + 6)}" y="{_num(middle + 4)}" font-size="11" fill="{MUTED}">'
                "no scored answers</text>"
            )
            continue
        end = x(bar.score)
        colour = BAND_COLOURS[band(bar.score)]
        tooltip = f"{bar.name}: {score_label(bar.score)} ({band_label(bar.score)})"
        out.append(
            f'<g><title>{_text(tooltip)}</title><rect x="{_num(x(SCALE_MIN))}" y="{_num(y + 7)}" '
            f'width="{_num(max(end - x(SCALE_MIN), 2))}" height="{_num(row - 14)}" fill="{colour}" '
            f'stroke="{INK}" stroke-width="1" data-role="bar" data-dimension={_attr(bar.key)}/></g>'
        )
        out.append(
            f'<text x="{_num(end + 6)}" y="{_num(middle + 4.5)}" font-size="13" font-weight="bold" fill="{INK}">'
            f"{score_label(bar.score)}"
            f'<tspan font-weight="normal" fill="{MUTED}"> {band_label(bar.score)}</tspan></text>'
        )
    if not bars:
        out.append(f'<text x="{_num(x(3))}" y="{top + 20}" font-size="12" text-anchor="middle" fill="{MUTED}">'
                   "No scores yet.</text>")
    out.append(
        f'<text x="{_num((x(SCALE_MIN) + x(SCALE_MAX)) / 2)}" y="{_num(bottom + 36)}" font-size="12" '
        f'text-anchor="middle" fill="{MUTED}">Score (1 low – 5 high), cut to one decimal, never rounded up</text>'
    )
    out.append("</svg>")
    return "\n".join(out)


# --- Spread between organizations -------------------------------------------------------------


def spread_svg(
    rows: Sequence[SpreadRow], *, title: str = "Spread between organizations", width: int = 760, css_class: str = ""
) -> str:
    """Per dimension a 1–5 line with a dot per organization and the low–high range between them."""
    groups = sorted({name for r in rows for name in r.by_group})
    styles = {name: _series_style(index) for index, name in enumerate(groups)}
    row, label_width = 38, 262
    top = 62
    x = _Scale(label_width, width - 82)
    bottom = top + max(len(rows), 1) * row
    legend, legend_height = _legend(
        [(styles[name][0], styles[name][1], name) for name in groups], top=bottom + 52, width=width
    )
    height = bottom + 36 + (legend_height + 24 if legend else 0)
    summary = "; ".join(
        f"{r.name}: " + ", ".join(f"{g} {score_label(s)}" for g, s in sorted(r.by_group.items())) for r in rows
    )
    out = _open(width, height, title, f"Each organization's score per dimension, before averaging. {summary}.",
                css_class)
    out.extend(_zones_across(x, top, bottom, labels=True))
    for index, spread in enumerate(rows):
        y = top + index * row + row / 2
        out.append(
            f'<text x="{label_width - 10}" y="{_num(y + 4)}" font-size="13" text-anchor="end" fill="{INK}">'
            f"{_text(_shorten(spread.name, 36))}</text>"
        )
        out.append(
            f'<line x1="{_num(x(SCALE_MIN))}" y1="{_num(y)}" x2="{_num(x(SCALE_MAX))}" y2="{_num(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        values = list(spread.by_group.values())
        if not values:
            out.append(f'<text x="{_num(x(SCALE_MIN) + 6)}" y="{_num(y + 4)}" font-size="11" fill="{MUTED}">'
                       "no scored answers</text>")
            continue
        low, high = min(values), max(values)
        out.append(
            f'<line x1="{_num(x(low))}" y1="{_num(y)}" x2="{_num(x(high))}" y2="{_num(y)}" stroke="{MUTED}" '
            f'stroke-width="4" stroke-linecap="round" data-role="range"/>'
        )
        # Organizations at the same spot are nudged up and down so each dot stays visible.
        seen: dict[str, int] = {}
        for name, score in sorted(spread.by_group.items()):
            spot = _num(x(score))
            nth = seen.get(spot, 0)
            seen[spot] = nth + 1
            dy = 0 if nth == 0 else (6 * math.ceil(nth / 2)) * (1 if nth % 2 else -1)
            colour, shape = styles[name]
            tooltip = f"{name} — {spread.name}: {score_label(score)}"
            out.append(
                f"<g><title>{_text(tooltip)}</title>"
                + _marker(shape, x(score), y + dy, 6, colour,
                          f' data-role="dot" data-organization={_attr(name)} data-dimension={_attr(spread.key)}')
                + "</g>"
            )
        out.append(
            f'<text x="{_num(x(SCALE_MAX) + 10)}" y="{_num(y + 4)}" font-size="12" fill="{MUTED}">'
            f"{'range ' + score_label(high - low) if len(values) > 1 else 'one only'}</text>"
        )
    if not rows:
        out.append(f'<text x="{_num(x(3))}" y="{top + 24}" font-size="12" text-anchor="middle" fill="{MUTED}">'
                   "No scores yet.</text>")
    if legend:
        out.append(f'<text x="16" y="{_num(bottom + 34)}" font-size="12" font-weight="bold" fill="{INK}">'
                   "Organizations</text>")
        out.extend(legend)
    out.append("</svg>")
    return "\n".join(out)


# --- Change over rounds -----------------------------------------------------------------------


def comparison_svg(
    round_labels: Sequence[str],
    lines: Sequence[TrendLine],
    *,
    title: str = "Dimension scores over time",
    width: int = 760,
    css_class: str = "",
) -> str:
    """x = rounds in date order, y = 1–5 with the band zones; one line per dimension."""
    left, right, top, plot_height = 56, width - 24, 48, 300
    bottom = top + plot_height
    y = _Scale(bottom, top)
    count = max(len(round_labels), 1)
    step = (right - left) / count

    def x(index: int) -> float:
        return left + step * (index + 0.5)

    legend, legend_height = _legend(
        [(*_series_style(i), line.name) for i, line in enumerate(lines)], top=bottom + 70, width=width
    )
    height = bottom + 50 + (legend_height + 24 if legend else 0)
    summary = "; ".join(
        f"{line.name}: " + " → ".join(score_label(s) for s in line.scores) for line in lines
    )
    out = _open(width, height, title, f"Rounds oldest first: {', '.join(round_labels)}. {summary}.", css_class)
    for key, low, high, label in ZONES:
        out.append(
            f'<rect x="{left}" y="{_num(y(high))}" width="{_num(right - left)}" height="{_num(y(low) - y(high))}" '
            f'fill="{ZONE_FILLS[key]}" data-zone="{key}"/>'
        )
        out.append(
            f'<text x="{_num(right - 6)}" y="{_num(y(high) + 14)}" font-size="11" text-anchor="end" '
            f'fill="{MUTED}">{_text(label)}</text>'
        )
    for value in range(SCALE_MIN, SCALE_MAX + 1):
        out.append(f'<line x1="{left}" y1="{_num(y(value))}" x2="{right}" y2="{_num(y(value))}" stroke="{GRID}"/>')
        out.append(f'<text x="{left - 8}" y="{_num(y(value) + 4)}" font-size="12" text-anchor="end" '
                   f'fill="{MUTED}">{value}</text>')
    chars = max(int(step / 7.2), 8)
    for index, label in enumerate(round_labels):
        out.append(
            f'<text x="{_num(x(index))}" y="{bottom + 19}" font-size="12" text-anchor="middle" fill="{INK}" '
            f'data-role="round">{_text(_shorten(label, chars))}</text>'
        )
    for index, line in enumerate(lines):
        colour, shape = _series_style(index)
        present = [(x(i), y(s), s, i) for i, s in enumerate(line.scores) if s is not None]
        parts = [f"<title>{_text(line.name)}</title>"]
        if len(present) > 1:
            points = " ".join(f"{_num(px)},{_num(py)}" for px, py, _, _ in present)
            if needs_outline(colour, *ZONE_FILLS.values()):  # a dark casing under a pale line
                parts.append(f'<polyline points="{points}" fill="none" stroke="{INK}" stroke-width="4.5" '
                             f'stroke-linejoin="round"/>')
            parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5" '
                         f'stroke-linejoin="round"/>')
        for px, py, score, i in present:
            tip = f"{line.name} — {round_labels[i] if i < len(round_labels) else ''}: {score_label(score)}"
            parts.append(f"<g><title>{_text(tip)}</title>{_marker(shape, px, py, 5, colour)}</g>")
        out.append(f'<g data-role="line" data-dimension={_attr(line.key)}>{"".join(parts)}</g>')
    out.append(
        f'<text x="14" y="{_num((top + bottom) / 2)}" font-size="11" text-anchor="middle" fill="{MUTED}" '
        f'transform="rotate(-90 14 {_num((top + bottom) / 2)})">Score (1–5)</text>'
    )
    if legend:
        out.append(f'<text x="16" y="{_num(bottom + 48)}" font-size="12" font-weight="bold" fill="{INK}">'
                   "Dimensions</text>")
        out.extend(legend)
    out.append("</svg>")
    return "\n".join(out)

