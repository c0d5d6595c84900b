"""The app's own colours on screen, and the WCAG 2.1 contrast arithmetic they are checked with.

Bootstrap's primary blue (#0d6efd) reaches 4.5:1 on white only; on the tinted navbar, on warning rows and on
light cards it falls to 3.9–4.3:1, under what WCAG 2.1 AA asks of text (1.4.3). ``static/css/app.css``
darkens links and outline buttons to the colours below; ``toolkit/tests/test_palette.py`` checks every
pair here and that app.css uses no colour not listed.
"""

from __future__ import annotations

WHITE = "#FFFFFF"
NAVBAR = "#E7F0FB"  # .app-navbar
LIGHT = "#F8F9FA"  # Bootstrap's bg-light, card headers
WARNING_ROW = "#FFF3CD"  # Bootstrap's table-warning and alert-warning
SELECTED_ROW = "#CFE2FF"  # Bootstrap's table-primary
DANGER_ROW = "#F8D7DA"  # table-danger (overdue actions)
INFO_ALERT = "#CFF4FC"  # alert-info

LINK = "#0A58CA"  # links, btn-link, outline-primary buttons
LINK_HOVER = "#084298"
WARNING_TEXT = "#664D03"  # outline-warning buttons ("Request changes")
INFO_TEXT = "#055160"  # outline-info buttons
DANGER = "#B02A37"  # text-danger, link-danger, outline-danger buttons ("Remove")

BACKGROUNDS = (WHITE, NAVBAR, LIGHT, WARNING_ROW, SELECTED_ROW, DANGER_ROW, INFO_ALERT)
TEXT_ON_ANY_BACKGROUND = (LINK, LINK_HOVER, WARNING_TEXT, INFO_TEXT, DANGER)
CSS_COLOURS = frozenset({NAVBAR, LINK, LINK_HOVER, WARNING_TEXT, INFO_TEXT, DANGER})  # every colour app.css may name

TEXT_MINIMUM = 4.5  # WCAG 2.1 SC 1.4.3, text under 18 pt (14 pt bold)
LARGE_TEXT_MINIMUM = 3.0  # 1.4.3 for large text
GRAPHICS_MINIMUM = 3.0  # 1.4.11: chart marks, and the parts of controls, against what is next to them


def relative_luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of an sRGB colour written #RRGGBB."""
    red, green, blue = (int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4))

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast_ratio(foreground: str, background: str) -> float:
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_on(fill: str) -> str:
    """Black or white, whichever reads better on the fill."""
    return "#000000" if contrast_ratio("#000000", fill) >= contrast_ratio("#FFFFFF", fill) else "#FFFFFF"


def needs_outline(fill: str, *backgrounds: str) -> bool:
    """True when a chart mark of this colour falls under 3:1 against white or any of ``backgrounds`` it sits on:
    the chart must then draw it with a dark edge (1.4.11 counts the edge as the mark's boundary)."""
    return any(contrast_ratio(fill, ground) < GRAPHICS_MINIMUM for ground in (WHITE, *backgrounds))
