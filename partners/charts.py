"""The power–interest grid as server-side SVG: plain data in, an SVG string out.

The same string is inlined in the grid page, served as ``grid.svg`` and embedded in
PDFs as a ``data:`` URI (WeasyPrint fetches nothing else), so it uses presentation
attributes only: no <style>, no script, no external fonts or images.

Every piece of user text goes through ``_text`` / ``_attr``: ``toolkit.text.xml_safe`` (rows saved
before the text normaliser existed may hold control characters or broken UTF-16 that XML cannot
hold), then XML escaping. The result is well-formed and safe to ``mark_safe`` in a template.

Beyond ``MAX_DRAWN_POINTS`` organizations single points would only pile up into an unreadable
blot, so the chart summarises instead: one circle per score square, sized by how many are on it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from partners.models import ENGAGEMENT_ORDER, HIGH_SCORE, Engagement, Quadrant, quadrant_for
from toolkit.palette import text_on
from toolkit.text import xml_safe

# Okabe–Ito colours: distinguishable with the common forms of colour blindness.
ENGAGEMENT_COLOURS: dict[str, str] = {
    Engagement.UNAWARE: "#999999",  # grey: no position yet
    Engagement.RESISTANT: "#D55E00",  # vermillion
    Engagement.NEUTRAL: "#F0E442",  # yellow
    Engagement.SUPPORTIVE: "#009E73",  # bluish green
    Engagement.LEADING: "#0072B2",  # blue
}
UNKNOWN_COLOUR = "#FFFFFF"

# Where each strategy label sits in the plot.
QUADRANT_CORNERS: dict[str, tuple[str, str]] = {
    Quadrant.MANAGE_CLOSELY: ("top", "right"),
    Quadrant.KEEP_SATISFIED: ("top", "left"),
    Quadrant.KEEP_INFORMED: ("bottom", "right"),
    Quadrant.MONITOR: ("bottom", "left"),
}
QUADRANT_FILLS: dict[str, str] = {
    Quadrant.MANAGE_CLOSELY: "#EAF2FB",
    Quadrant.KEEP_SATISFIED: "#F4F4F6",
    Quadrant.KEEP_INFORMED: "#F4F4F6",
    Quadrant.MONITOR: "#FFFFFF",
}

FONT = "DejaVu Sans, Liberation Sans, Helvetica, Arial, sans-serif"
INK = "#1F2328"
MUTED = "#57606A"
SCALE_MIN, SCALE_MAX = 1, 5
BOUNDARY = HIGH_SCORE - 0.5  # 3 counts as high, so the line runs between 2 and 3
KEY_COLUMNS = 3
KEY_ROW = 16
KEY_NAME_CHARS = 33
MAX_DRAWN_POINTS = 150  # more than this and the chart counts organizations per square instead of drawing each
SUMMARY_FILL = "#9ECAE1"
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


@dataclass(frozen=True)
class GridPoint:
    organization_id: int
    name: str
    influence: int
    interest: int
    impact: int
    current_engagement: str
    desired_engagement: str
    url: str = ""

    @property
    def quadrant(self) -> str:
        return quadrant_for(self.influence, self.interest)

    @property
    def engagement_gap(self) -> int:
        """Steps from current to desired engagement (positive: to raise)."""
        return ENGAGEMENT_ORDER.get(self.desired_engagement, 0) - ENGAGEMENT_ORDER.get(self.current_engagement, 0)

    @property
    def quadrant_label(self) -> str:
        return Quadrant(self.quadrant).label

    @property
    def current_label(self) -> str:
        return _engagement_label(self.current_engagement)

    @property
    def desired_label(self) -> str:
        return _engagement_label(self.desired_engagement)


def _engagement_label(value: str) -> str:
    return Engagement(value).label if value in Engagement.values else value


def _text(value: object) -> str:
    return escape(xml_safe(value))


def _attr(value: object) -> str:
    return quoteattr(xml_safe(value))


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _clamp(value: int) -> int:
    return max(SCALE_MIN, min(SCALE_MAX, int(value)))


def point_radius(impact: int) -> float:
    """Area grows in proportion to impact (1–5), so a 4 looks twice as big as a 2."""
    return 7.5 * math.sqrt(_clamp(impact))


def engagement_colour(engagement: str) -> str:
    return ENGAGEMENT_COLOURS.get(engagement, UNKNOWN_COLOUR)


def _shorten(name: str, limit: int) -> str:
    name = " ".join(name.split())
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class _Frame:
    """Where the plot sits in the picture; maps scores (1–5) to pixels."""

    left: float
    top: float
    right: float
    bottom: float
    band: float = 26  # strips at the top and bottom of the plot, kept free for the strategy labels

    def x(self, value: float) -> float:
        return self.left + (value - SCALE_MIN + 0.5) / (SCALE_MAX - SCALE_MIN + 1) * (self.right - self.left)

    def y(self, value: float) -> float:
        span = self.bottom - self.top - 2 * self.band
        return self.bottom - self.band - (value - SCALE_MIN + 0.5) / (SCALE_MAX - SCALE_MIN + 1) * span


def _footprint(point: GridPoint) -> float:
    """Radius a point takes up on the chart, its ring included."""
    return point_radius(point.impact) + (6 if point.engagement_gap else 1)


def _spread(points: list[GridPoint]) -> list[tuple[float, float]]:
    """Offsets (in px) that fan out points sharing a square around a small circle, deterministically.

    Points keep their order within the square, so the same data always draws the same picture.
    Two points sit side by side (the same height reads as the same influence).
    """
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, point in enumerate(points):
        cells[(_clamp(point.interest), _clamp(point.influence))].append(index)
    offsets = [(0.0, 0.0)] * len(points)
    for members in cells.values():
        k = len(members)
        if k == 1:
            continue
        biggest = max(_footprint(points[i]) for i in members)
        if k <= 6:
            # Neighbours on a circle sit one chord apart; keep the chord wider than two points.
            spread = min((biggest + 1) / math.sin(math.pi / k), 40.0)
            for position, index in enumerate(members):
                angle = math.pi + 2 * math.pi * position / k
                offsets[index] = (spread * math.cos(angle), spread * math.sin(angle))
        else:
            # Many on one square (new organizations all start at 3/3): a sunflower spiral packs them evenly.
            for position, index in enumerate(members):
                radius = biggest * 1.3 * math.sqrt(position + 0.5)
                angle = position * GOLDEN_ANGLE
                offsets[index] = (radius * math.cos(angle), radius * math.sin(angle))
    return offsets


def quadrant_counts(points: list[GridPoint]) -> dict[str, int]:
    counts = Counter(point.quadrant for point in points)
    return {quadrant: counts.get(quadrant, 0) for quadrant in Quadrant.values}


def square_counts(points: list[GridPoint]) -> list[tuple[int, list[int]]]:
    """Organizations per score square, laid out as the chart: influence from 5 down, interest 1 to 5 across."""
    counts = Counter((_clamp(point.influence), _clamp(point.interest)) for point in points)
    scale = range(SCALE_MIN, SCALE_MAX + 1)
    return [(influence, [counts[(influence, interest)] for interest in scale]) for influence in reversed(scale)]


def _point_title(number: int, point: GridPoint) -> str:
    gap = point.engagement_gap
    if gap > 0:
        change = f"raise by {gap} step{'s' if gap != 1 else ''}"
    elif gap < 0:
        change = f"above what is needed by {-gap}"
    else:
        change = "where needed"
    return (
        f"{number}. {point.name}: influence {point.influence}, interest {point.interest}, impact {point.impact}; "
        f"engagement {point.current_label} → {point.desired_label} ({change}); "
        f"{Quadrant(point.quadrant).label.lower()}"
    )


def _haloed_text(
    x: float, y: float, content: str, *, size: int = 11, anchor: str = "start", weight: str = "bold", fill: str = INK
) -> str:
    """Text with a white outline drawn underneath (WeasyPrint ignores paint-order, so two elements)."""
    common = f'x="{_num(x)}" y="{_num(y)}" font-size="{size}" font-weight="{weight}" text-anchor="{anchor}"'
    return (
        f'<text {common} fill="#FFFFFF" stroke="#FFFFFF" stroke-width="3" stroke-linejoin="round" '
        f'aria-hidden="true">{content}</text><text {common} fill="{fill}">{content}</text>'
    )


def _gap_marker(x: float, y: float, gap: int, *, label: str = "") -> str:
    """A small drawn triangle (not a font glyph, so every renderer shows it) and the number of steps
    (or ``label``: in the summary, how many organizations need raising)."""
    tip, base = (y - 9, y - 1) if gap > 0 else (y - 1, y - 9)
    triangle = f"M{_num(x)},{_num(base)} L{_num(x + 9)},{_num(base)} L{_num(x + 4.5)},{_num(tip)} Z"
    return (
        f'<path d="{triangle}" fill="{INK}" stroke="#FFFFFF" stroke-width="1.5" stroke-linejoin="round"/>'
        + _haloed_text(x + 10.5, y, label or str(abs(gap)))
    )


def power_interest_svg(
    points: list[GridPoint],
    *,
    width: int = 720,
    height: int = 560,
    title: str = "Power–interest grid",
    css_class: str = "",
    link_class: str = "",
    key: bool = True,
    max_points: int = MAX_DRAWN_POINTS,
) -> str:
    """Draw the grid: influence up, interest across, size = impact, fill = current engagement.

    Points are numbered in the order given (the grid selector sorts by quadrant, then name)
    and a numbered key under the chart names them, so the chart also reads on paper (``key=False``
    leaves it out, for a page that lists the organizations itself).
    ``height`` is the chart itself; the key adds one line per three organizations.
    ``css_class`` goes on the <svg> and ``link_class`` on each point's link (for a page's stylesheet:
    e.g. to keep its link underline off the point numbers).
    With more than ``max_points`` points the chart is a summary: a circle per score square sized by
    the number of organizations on it, and no key.
    """
    summarised = len(points) > max_points
    key = key and bool(points) and not summarised
    frame = _Frame(left=64, top=48, right=width - 222, bottom=height - 60)
    key_rows = math.ceil(len(points) / KEY_COLUMNS)
    total_height = height + (key_rows * KEY_ROW + 30 if key else 0)
    counts = quadrant_counts(points)
    # A picture with links in it is a group: "img" would hide its links from screen readers (axe: nested-interactive).
    role = "group" if any(point.url for point in points) else "img"
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total_height}" '
        f'viewBox="0 0 {width} {total_height}" role={_attr(role)} aria-labelledby="pig-title pig-desc" '
        f"font-family={_attr(FONT)}" + (f" class={_attr(css_class)}" if css_class else "") + ">",
        f'<title id="pig-title">{_text(title)}</title>',
        f'<desc id="pig-desc">{_text(_description(points, counts, summarised=summarised))}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{total_height}" fill="#FFFFFF"/>',
        f'<text x="{frame.left}" y="28" font-size="17" font-weight="bold" fill="{INK}">'
        f"{_text(_shorten(title, int((width - frame.left) / 10.5)))}</text>",
    ]
    out.extend(_axes(frame, counts))
    if summarised:
        out.extend(_squares(frame, points))
    elif points:
        out.extend(_points(frame, points, link_class))
    else:
        mx, my = (frame.left + frame.right) / 2, (frame.top + frame.bottom) / 2
        out.append(
            f'<rect x="{_num(mx - 120)}" y="{_num(my - 20)}" width="240" height="30" rx="4" fill="#FFFFFF" '
            'stroke="#D8DEE4"/>'
        )
        out.append(
            f'<text x="{_num(mx)}" y="{_num(my)}" font-size="14" text-anchor="middle" fill="{MUTED}">'
            "No organizations to place yet.</text>"
        )
    out.extend(_summary_legend(frame.right + 20, frame.top) if summarised else _legend(frame.right + 20, frame.top))
    if key:
        out.extend(_key(points, top=height, width=width))
    out.append("</svg>")
    return "\n".join(out)


def _squares(frame: _Frame, points: list[GridPoint]) -> list[str]:
    """The summary: one circle per score square, its area in proportion to the organizations on it."""
    cells: dict[tuple[int, int], list[GridPoint]] = defaultdict(list)
    for point in points:
        cells[(_clamp(point.interest), _clamp(point.influence))].append(point)
    biggest = max(len(members) for members in cells.values())
    room = min(abs(frame.x(2) - frame.x(1)), abs(frame.y(1) - frame.y(2))) / 2 - 3
    out = []
    for (interest, influence), members in sorted(cells.items()):
        n = len(members)
        to_raise = sum(1 for p in members if p.engagement_gap > 0)
        r = max(9.0, room * math.sqrt(n / biggest))
        x, y = frame.x(interest), frame.y(influence)
        label = (
            f"{n} organization{'s' if n != 1 else ''} at influence {influence}, interest {interest} "
            f"({Quadrant(quadrant_for(influence, interest)).label.lower()}); "
            f"{to_raise} need{'s' if to_raise == 1 else ''} more engagement than now"
        )
        parts = [
            f"<title>{_text(label)}</title>",
            f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}" fill="{SUMMARY_FILL}" stroke="{INK}" '
            f'stroke-width="1" data-role="square" data-count="{n}"/>',
            _haloed_text(x, y + 4, str(n), size=12, anchor="middle"),
        ]
        if to_raise:
            parts.append(_gap_marker(x + r * 0.7 + 3, y - r * 0.7 - 1, 1, label=str(to_raise)))
        out.append(f"<g>{''.join(parts)}</g>")
    return out


def _summary_legend(x: float, y: float) -> list[str]:
    def note(at: float, label: str, dx: float = 0, colour: str = INK) -> str:
        return f'<text x="{_num(x + dx)}" y="{_num(at)}" font-size="11" fill="{colour}">{_text(label)}</text>'

    out = [f'<text x="{_num(x)}" y="{_num(y + 4)}" font-size="12" font-weight="bold" fill="{INK}">'
           "Organizations per square</text>"]
    row = y + 30
    out.append(f'<circle cx="{_num(x + 12)}" cy="{_num(row)}" r="12" fill="{SUMMARY_FILL}" stroke="{INK}" '
               'stroke-width="1"/>')
    out.append(_haloed_text(x + 12, row + 4, "n", size=12, anchor="middle"))
    out.append(note(row - 3, "Too many to draw one by", dx=30))
    out.append(note(row + 11, "one: the size and number", dx=30))
    out.append(note(row + 25, "say how many share it.", dx=30))
    row += 50
    out.append(_gap_marker(x + 4, row + 4, 1, label="k"))
    out.append(note(row + 3, "of them need more", dx=30))
    out.append(note(row + 17, "engagement than now", dx=30))
    row += 44
    for offset, line in enumerate(
        (f"Dashed lines: {HIGH_SCORE} or more", "counts as high. The list", "under the chart names them.")
    ):
        out.append(note(row + offset * 15, line, colour=MUTED))
    return out


def _description(points: list[GridPoint], counts: dict[str, int], *, summarised: bool = False) -> str:
    summary = "; ".join(f"{Quadrant(q).label}: {counts[q]}" for q in Quadrant.values)
    to_raise = sum(1 for p in points if p.engagement_gap > 0)
    placed = "counted per square" if summarised else "placed"
    return (
        f"{len(points)} organization{'s' if len(points) != 1 else ''} {placed} by influence (up, 1–5) and "
        f"interest (across, 1–5); {HIGH_SCORE} or more counts as high. {summary}. "
        f"{to_raise} need{'s' if to_raise == 1 else ''} more engagement than now."
    )


def _axes(frame: _Frame, counts: dict[str, int]) -> list[str]:
    """Quadrant backgrounds and labels, grid lines, the high/low boundary, ticks and axis titles."""
    left, top, right, bottom = frame.left, frame.top, frame.right, frame.bottom
    mid_x, mid_y = frame.x(BOUNDARY), frame.y(BOUNDARY)
    boxes = {
        Quadrant.MANAGE_CLOSELY: (mid_x, top, right, mid_y),
        Quadrant.KEEP_SATISFIED: (left, top, mid_x, mid_y),
        Quadrant.KEEP_INFORMED: (mid_x, mid_y, right, bottom),
        Quadrant.MONITOR: (left, mid_y, mid_x, bottom),
    }
    out = []
    for quadrant, (x0, y0, x1, y1) in boxes.items():
        out.append(
            f'<rect x="{_num(x0)}" y="{_num(y0)}" width="{_num(x1 - x0)}" height="{_num(y1 - y0)}" '
            f'fill="{QUADRANT_FILLS[quadrant]}"/>'
        )
    grid = 'stroke="#D8DEE4" stroke-width="1"'
    for value in range(SCALE_MIN, SCALE_MAX + 1):
        x, y = frame.x(value), frame.y(value)
        out.append(f'<line x1="{_num(x)}" y1="{top}" x2="{_num(x)}" y2="{bottom}" {grid}/>')
        out.append(f'<line x1="{left}" y1="{_num(y)}" x2="{right}" y2="{_num(y)}" {grid}/>')
        out.append(
            f'<text x="{_num(x)}" y="{bottom + 18}" font-size="12" text-anchor="middle" fill="{MUTED}">{value}</text>'
        )
        out.append(
            f'<text x="{left - 10}" y="{_num(y + 4)}" font-size="12" text-anchor="end" fill="{MUTED}">{value}</text>'
        )
    out.append(
        f'<rect x="{left}" y="{top}" width="{_num(right - left)}" height="{_num(bottom - top)}" '
        'fill="none" stroke="#8C959F" stroke-width="1"/>'
    )
    dash = 'stroke="#57606A" stroke-width="1.5" stroke-dasharray="6 4"'
    out.append(f'<line x1="{_num(mid_x)}" y1="{top}" x2="{_num(mid_x)}" y2="{bottom}" {dash}/>')
    out.append(f'<line x1="{left}" y1="{_num(mid_y)}" x2="{right}" y2="{_num(mid_y)}" {dash}/>')
    for quadrant, (vertical, horizontal) in QUADRANT_CORNERS.items():
        x0, y0, x1, y1 = boxes[quadrant]
        x, anchor = (x1 - 8, "end") if horizontal == "right" else (x0 + 8, "start")
        y = y0 + 18 if vertical == "top" else y1 - 9
        out.append(
            f'<text x="{_num(x)}" y="{_num(y)}" font-size="13" font-weight="bold" text-anchor="{anchor}" '
            f'fill="{MUTED}" data-quadrant="{quadrant}">{_text(Quadrant(quadrant).label)} ({counts[quadrant]})</text>'
        )
    middle_x, middle_y = (left + right) / 2, (top + bottom) / 2
    out.append(
        f'<text x="{_num(middle_x)}" y="{bottom + 42}" font-size="13" text-anchor="middle" fill="{INK}">'
        "Interest in the outcome (1 low – 5 high) →</text>"
    )
    out.append(
        f'<text x="20" y="{_num(middle_y)}" font-size="13" text-anchor="middle" fill="{INK}" '
        f'transform="rotate(-90 20 {_num(middle_y)})">Influence over the outcome (1 low – 5 high) →</text>'
    )
    return out


def _quadrant_box(frame: _Frame, point: GridPoint) -> tuple[float, float, float, float]:
    """The area a point may be drawn in: its own quadrant, minus the label strips."""
    mid_x, mid_y = frame.x(BOUNDARY), frame.y(BOUNDARY)
    high_interest, high_influence = point.interest >= HIGH_SCORE, point.influence >= HIGH_SCORE
    x0, x1 = (mid_x, frame.right) if high_interest else (frame.left, mid_x)
    y0, y1 = (frame.top + frame.band, mid_y) if high_influence else (mid_y, frame.bottom - frame.band)
    return x0, y0, x1, y1


def _place(frame: _Frame, points: list[GridPoint]) -> list[tuple[float, float, float, float]]:
    """(x, y, score x, score y) per point: fanned out, each shared square's fan moved as a whole so that
    it stays inside its quadrant (a point never appears across a boundary it does not cross)."""
    offsets = _spread(points)
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, point in enumerate(points):
        cells[(_clamp(point.interest), _clamp(point.influence))].append(index)
    placed: list[tuple[float, float, float, float]] = [(0.0, 0.0, 0.0, 0.0)] * len(points)
    for (interest, influence), members in cells.items():
        cx, cy = frame.x(interest), frame.y(influence)
        x0, y0, x1, y1 = _quadrant_box(frame, points[members[0]])
        low_x = min(cx + offsets[i][0] - _footprint(points[i]) for i in members)
        high_x = max(cx + offsets[i][0] + _footprint(points[i]) for i in members)
        low_y = min(cy + offsets[i][1] - _footprint(points[i]) for i in members)
        high_y = max(cy + offsets[i][1] + _footprint(points[i]) for i in members)
        shift_x = max(0.0, x0 + 2 - low_x) - max(0.0, high_x - (x1 - 2))
        shift_y = max(0.0, y0 + 2 - low_y) - max(0.0, high_y - (y1 - 2))
        for i in members:
            placed[i] = (cx + offsets[i][0] + shift_x, cy + offsets[i][1] + shift_y, cx, cy)
    return placed


def _points(frame: _Frame, points: list[GridPoint], link_class: str) -> list[str]:
    """Spokes to shared squares, then each point (ring = needed engagement, fill, number), then gap markers
    on top of everything so no neighbour hides them."""
    out = []
    placed = _place(frame, points)
    for x, y, cx, cy in placed:
        if (x, y) != (cx, cy):
            out.append(
                f'<line x1="{_num(cx)}" y1="{_num(cy)}" x2="{_num(x)}" y2="{_num(y)}" '
                f'stroke="{MUTED}" stroke-width="1"/>'
            )
    for x, y, cx, cy in placed:
        if (x, y) != (cx, cy):
            out.append(f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="2.5" fill="{MUTED}"/>')
    markers = []
    for number, (point, (x, y, _, _)) in enumerate(zip(points, placed, strict=True), start=1):
        r = point_radius(point.impact)
        fill = engagement_colour(point.current_engagement)
        at = f'cx="{_num(x)}" cy="{_num(y)}"'
        parts = [f"<title>{_text(_point_title(number, point))}</title>"]
        gap = point.engagement_gap
        if gap:
            # A coloured ring with a thin dark edge on both sides, so even yellow shows on white.
            parts.append(f'<circle {at} r="{_num(r + 3.5)}" fill="#FFFFFF" stroke="{INK}" stroke-width="5.5"/>')
            parts.append(
                f'<circle {at} r="{_num(r + 3.5)}" fill="none" '
                f'stroke="{engagement_colour(point.desired_engagement)}" stroke-width="3.5" data-role="desired"/>'
            )
            markers.append(_gap_marker(x + r * 0.7 + 3, y - r * 0.7 - 1, gap))
        parts.append(
            f'<circle {at} r="{_num(r)}" fill="{fill}" stroke="{INK}" stroke-width="1" data-role="point" '
            f'data-organization="{point.organization_id}" data-engagement={_attr(point.current_engagement)}/>'
        )
        parts.append(
            f'<text x="{_num(x)}" y="{_num(y + 3.5)}" font-size="10" font-weight="bold" text-anchor="middle" '
            f'fill="{text_on(fill)}">{number}</text>'
        )
        body = "".join(parts)
        if point.url:
            css = f" class={_attr(link_class)}" if link_class else ""
            out.append(f"<a href={_attr(point.url)}{css}>{body}</a>")
        else:
            out.append(f"<g>{body}</g>")
    out.append(f'<g aria-hidden="true">{"".join(markers)}</g>')
    return out


def _legend(x: float, y: float) -> list[str]:
    def heading(at: float, label: str) -> str:
        return f'<text x="{_num(x)}" y="{_num(at)}" font-size="12" font-weight="bold" fill="{INK}">{label}</text>'

    def note(at: float, label: str, dx: float = 0, colour: str = INK) -> str:
        return f'<text x="{_num(x + dx)}" y="{_num(at)}" font-size="11" fill="{colour}">{_text(label)}</text>'

    out = [heading(y + 4, "Engagement now (fill)")]
    row = y + 22
    for engagement in Engagement:
        out.append(
            f'<circle cx="{_num(x + 8)}" cy="{_num(row)}" r="7" fill="{ENGAGEMENT_COLOURS[engagement]}" '
            f'stroke="{INK}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{_num(x + 22)}" y="{_num(row + 4)}" font-size="12" fill="{INK}">{_text(engagement.label)}</text>'
        )
        row += 20
    row += 10
    out.append(heading(row, "Engagement needed (ring)"))
    row += 24
    at = f'cx="{_num(x + 11)}" cy="{_num(row)}"'
    out.append(f'<circle {at} r="10.5" fill="#FFFFFF" stroke="{INK}" stroke-width="5.5"/>')
    out.append(
        f'<circle {at} r="10.5" fill="none" stroke="{ENGAGEMENT_COLOURS[Engagement.SUPPORTIVE]}" stroke-width="3.5"/>'
    )
    out.append(f'<circle {at} r="7" fill="{ENGAGEMENT_COLOURS[Engagement.NEUTRAL]}" stroke="{INK}" stroke-width="1"/>')
    out.append(note(row - 3, "Shown only where the", dx=30))
    out.append(note(row + 11, "level needed differs.", dx=30))
    row += 30
    out.append(_gap_marker(x + 4, row + 4, 2))
    out.append(note(row + 3, "steps to raise", dx=30))
    row += 16
    out.append(_gap_marker(x + 4, row + 4, -1))
    out.append(note(row + 3, "steps to lower", dx=30))
    row += 30
    out.append(heading(row, "Impact on their work (size)"))
    row += 26
    cx = x + 4
    for impact in (1, 3, 5):
        r = point_radius(impact)
        out.append(
            f'<circle cx="{_num(cx + r)}" cy="{_num(row)}" r="{_num(r)}" fill="#FFFFFF" '
            f'stroke="{INK}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{_num(cx + r)}" y="{_num(row + 31)}" font-size="11" text-anchor="middle" '
            f'fill="{MUTED}">{impact}</text>'
        )
        cx += 2 * r + 14
    row += 60
    for offset, line in enumerate(
        (
            f"Dashed lines: {HIGH_SCORE} or more",
            "counts as high. A dot marks",
            "a shared score; points on it",
            "are fanned out around it.",
        )
    ):
        out.append(note(row + offset * 15, line, colour=MUTED))
    return out


def _key(points: list[GridPoint], *, top: float, width: int) -> list[str]:
    """The numbered names, in columns; numbers run down each column."""
    left = 20
    out = [f'<text x="{left}" y="{_num(top + 2)}" font-size="12" font-weight="bold" fill="{INK}">Key</text>']
    column_width = (width - 2 * left) / KEY_COLUMNS
    rows = math.ceil(len(points) / KEY_COLUMNS)
    for index, point in enumerate(points):
        column, row = divmod(index, rows)
        x = left + column * column_width
        y = top + 22 + row * KEY_ROW
        text = (
            f"<title>{_text(point.name)}</title>"
            f'<text x="{_num(x + 20)}" y="{_num(y)}" font-size="11" font-weight="bold" text-anchor="end" '
            f'fill="{INK}">{index + 1}</text>'
            f'<text x="{_num(x + 25)}" y="{_num(y)}" font-size="11" fill="{INK}" data-role="key">'
            f"{_text(_shorten(point.name, KEY_NAME_CHARS))}</text>"
        )
        out.append(f"<a href={_attr(point.url)}>{text}</a>" if point.url else f"<g>{text}</g>")
    return out

