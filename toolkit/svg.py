"""The pieces every server-side SVG chart shares (readiness, incidents): palette, escaping, the opening.

Charts carry presentation attributes only (the pages' CSP forbids ``style=""``), and every piece of user text
goes through ``text``/``attr`` (``toolkit.text.xml_safe``, then XML escaping), so the result is well-formed.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from toolkit.text import xml_safe

FONT = "DejaVu Sans, Liberation Sans, Helvetica, Arial, sans-serif"
INK = "#1F2328"
MUTED = "#57606A"
GRID = "#D0D7DE"
# Series colours: the Okabe–Ito set (distinguishable with the common forms of colour blindness), yellow last.
SERIES_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#E69F00", "#56B4E9", "#F0E442")


def text(value: object) -> str:
    # xml_safe first: names stored before the text normaliser existed may hold characters XML cannot.
    return escape(xml_safe(value))


def attr(value: object) -> str:
    return quoteattr(" ".join(xml_safe(value).split()))


def num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def shorten(name: str, limit: int) -> str:
    name = " ".join(str(name).split())
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def svg_open(width: float, height: float, title: str, description: str, css_class: str) -> list[str]:
    """The opening of a chart: size, role, title and description (read by screen readers), white ground, heading."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{num(width)}" height="{num(height)}" '
        f'viewBox="0 0 {num(width)} {num(height)}" role="img" aria-label={attr(title)} '
        f"font-family={attr(FONT)}" + (f" class={attr(css_class)}" if css_class else "") + ">",
        f"<title>{text(title)}</title>",
        f"<desc>{text(description)}</desc>",
        f'<rect x="0" y="0" width="{num(width)}" height="{num(height)}" fill="#FFFFFF"/>',
        f'<text x="16" y="24" font-size="16" font-weight="bold" fill="{INK}">{text(shorten(title, 80))}</text>',
    ]
