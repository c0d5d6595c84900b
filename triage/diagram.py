"""The decision tree as a diagram: a Tree in, DOT source out; DOT in, an SVG string out.

The SVG is inlined in the protocol page, served as ``diagram.svg`` and embedded in PDFs as a
``data:`` URI (WeasyPrint loads nothing else), so nothing here touches the disk or the network.

User text never reaches DOT unescaped: every label is a quoted ``label="..."`` string (never an
HTML-like ``<...>`` label) built by ``_label``; node ids are generated (``n0``, ``n1``…), not taken
from user keys. Label text is scrubbed with ``toolkit.text.xml_safe`` first: rows stored before the
normaliser existed may hold control characters (invalid in the SVG's XML) or a lone surrogate
(which cannot even be encoded for Graphviz). Rendering never raises: without Graphviz, on a timeout
or on an error the result is a small SVG that says what went wrong, so the pages that show it still work.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import textwrap
from xml.sax.saxutils import escape

from toolkit.palette import text_on
from toolkit.svg import text as svg_text
from toolkit.text import xml_safe
from triage import engine
from triage.models import Route

logger = logging.getLogger(__name__)

WRAP = 28
FONT = "DejaVu Sans"
INK = "#1f2328"
QUESTION_FILL = "#f6f8fa"
DEFAULT_COLOUR = "#6c757d"
MAX_SVG_BYTES = 5_000_000  # a protocol's diagram is tens of kilobytes; more means something went wrong

MISSING_DOT = "Graphviz is not installed; the diagram cannot be drawn."
TIMED_OUT = "Drawing the diagram took too long; it was stopped."
FAILED = "Graphviz could not draw this diagram."

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


# --- DOT ---------------------------------------------------------------------------------


def _escape_line(text: str) -> str:
    """One line of label text, safe inside a DOT double-quoted string.

    Backslashes are doubled (so ``\\N``, ``\\G``, ``\\l``… stay literal), quotes become ``\\"``, and
    ``&`` becomes ``&amp;`` because Graphviz passes entities such as ``&lt;`` through to the SVG.
    ``<`` and ``>`` need nothing inside a quoted string: only an unquoted ``<...>`` is an HTML label,
    and Graphviz escapes them in the SVG it writes.
    """
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")


def _label(*parts: str, width: int = WRAP) -> str:
    """A quoted DOT label: each part wrapped at ``width`` characters, lines joined by DOT's ``\\n``."""
    lines: list[str] = []
    for part in parts:
        # Line breaks in user text become spaces (wrapping decides the lines); what XML cannot hold is dropped.
        clean = " ".join(xml_safe(part).split())
        if clean:
            lines.extend(textwrap.wrap(clean, width=width, break_long_words=True, break_on_hyphens=False))
    return '"' + "\\n".join(_escape_line(line) for line in lines) + '"'


def colour_or_default(value: str) -> str:
    """A ``#rrggbb`` colour as stored, or the default grey for anything else (it goes into CSS and DOT)."""
    return value if _COLOUR.match(value or "") else DEFAULT_COLOUR


def _font_colour(fill: str) -> str:
    """Black or white text, whichever reads better on the fill (lower case, as the rest of the DOT source)."""
    return text_on(fill).lower()


def route_label(route: str) -> str:
    return Route(route).label if route in Route.values else route


def tree_to_dot(tree: engine.Tree, *, title: str) -> str:
    """DOT source for the tree: questions as boxes, outcomes as rounded boxes in their risk colour."""
    ids = {key: f"n{index}" for index, key in enumerate(tree.nodes)}
    levels = {level.key: level for level in tree.risk_levels}
    lines = [
        "digraph protocol {",
        f"  graph [label={_label(title, width=80)}, labelloc=t, fontsize=16, fontname=\"{FONT}\", "
        "rankdir=TB, nodesep=0.25, ranksep=0.35, newrank=true, bgcolor=white, pad=0.2];",
        f"  node [fontname=\"{FONT}\", fontsize=10, color=\"{INK}\", fontcolor=\"{INK}\", margin=\"0.12,0.06\"];",
        f"  edge [fontname=\"{FONT}\", fontsize=9, color=\"#57606a\", fontcolor=\"{INK}\", arrowsize=0.7];",
    ]
    if any(not node.line for node in tree.roots) or not tree.roots:
        lines.append(f"  start [label=\"Start\", shape=oval, style=filled, fillcolor=\"{INK}\", "
                     "fontcolor=\"#ffffff\"];")
    for key, node in tree.nodes.items():
        if node.kind == engine.OUTCOME:
            level = levels.get(node.risk_level)
            fill = colour_or_default(level.colour if level else "")
            level_name = level.name if level else ("none (outside the protocol)" if node.route == engine.OUT_OF_SCOPE
                                                   else "No risk level")
            label = _label(node.text, f"Risk: {level_name}", f"Route: {route_label(node.route) or 'none yet'}")
            lines.append(f"  {ids[key]} [label={label}, shape=box, style=\"rounded,filled\", "
                         f"fillcolor=\"{fill}\", fontcolor=\"{_font_colour(fill)}\"];")
        else:
            extra = ", penwidth=2.5" if node.root else ""
            lines.append(f"  {ids[key]} [label={_label(node.text)}, shape=box, style=filled, "
                         f"fillcolor=\"{QUESTION_FILL}\"{extra}];")
    for node in tree.roots:
        if node.line:  # one start per line the call can arrive on
            start = f"start_{node.line}"
            lines.append(f"  {start} [label={_label(f'Call arrives on {node.line}')}, shape=oval, style=filled, "
                         f"fillcolor=\"{INK}\", fontcolor=\"#ffffff\"];")
            lines.append(f"  {start} -> {ids[node.key]};")
        else:
            lines.append(f"  start -> {ids[node.key]};")
    for key, node in tree.nodes.items():
        for index, option in enumerate(node.options):
            if option.next in ids:
                lines.append(f"  {ids[key]} -> {ids[option.next]} [label={_label(option.label, width=20)}];")
            else:  # a draft answer that leads nowhere yet: show it, dashed, to a small marker
                dangling = f"{ids[key]}_open{index}"
                lines.append(f"  {dangling} [label=\"?\", shape=circle, style=dashed, width=0.3, fixedsize=true];")
                lines.append(f"  {ids[key]} -> {dangling} [label={_label(option.label, width=20)}, style=dashed];")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- SVG ---------------------------------------------------------------------------------


def fallback_svg(message: str) -> str:
    """A small, valid SVG that explains why there is no diagram."""
    text = escape(message)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="520" height="60" viewBox="0 0 520 60" role="img" '
        f'aria-label="{text}"><rect x="0.5" y="0.5" width="519" height="59" fill="#fff8e1" stroke="#bf8700"/>'
        f'<text x="260" y="35" text-anchor="middle" font-family="{FONT}, sans-serif" font-size="14" '
        f'fill="{INK}">{text}</text></svg>'
    )


def _inlineable(svg: str) -> str:
    """Drop the XML prolog, doctype and comments (comments repeat node ids; nothing needs them)."""
    return _COMMENT.sub("", _PROLOG.sub("", svg, count=1)).strip() + "\n"


class DiagramError(Exception):
    """Graphviz could not draw the diagram; the message says why, in words people can read."""


def draw_svg(dot_source: str, *, timeout: float = 10) -> str:
    """Run ``dot -Tsvg`` (no shell, source on stdin); ``DiagramError`` when it cannot (documents that need it)."""
    binary = shutil.which("dot")
    if binary is None:
        raise DiagramError(MISSING_DOT)
    try:
        completed = subprocess.run(  # noqa: S603 (fixed argv, no shell; the source goes to stdin)
            [binary, "-Tsvg"], input=dot_source.encode("utf-8", "replace"), capture_output=True, timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise DiagramError(MISSING_DOT) from None
    except subprocess.TimeoutExpired:
        logger.warning("Graphviz timed out after %s s", timeout)
        raise DiagramError(TIMED_OUT) from None
    except OSError:
        logger.exception("Graphviz could not be run")
        raise DiagramError(FAILED) from None
    if completed.returncode != 0 or b"<svg" not in completed.stdout or len(completed.stdout) > MAX_SVG_BYTES:
        logger.warning("Graphviz failed (exit %s): %s", completed.returncode,
                       completed.stderr.decode("utf-8", "replace")[:500])
        raise DiagramError(FAILED)
    return _inlineable(completed.stdout.decode("utf-8", "replace"))


def render_svg(dot_source: str, *, timeout: float = 10) -> str:
    """``draw_svg`` for pages: never raises; a small SVG explains a failure, so the pages that show it still work."""
    try:
        return draw_svg(dot_source, timeout=timeout)
    except DiagramError as exc:
        return fallback_svg(str(exc))


def describe(tree: engine.Tree) -> str:
    """What the diagram shows, in words, for its <desc> (screen readers and the file on its own)."""
    questions = sum(1 for node in tree.nodes.values() if node.kind != engine.OUTCOME)
    outcomes = len(tree.nodes) - questions
    lines = sorted({node.line for node in tree.roots if node.line})
    starts = f"one start for calls on each of {', '.join(lines)}" if lines else "one start"
    return (
        f"The decision tree drawn top to bottom: {starts}, {questions} question{'s' if questions != 1 else ''} "
        f"(boxes, each answer on an arrow) and {outcomes} outcome{'s' if outcomes != 1 else ''} (rounded boxes "
        "naming their risk level and route in words). The protocol version's page lists the same questions, "
        "answers and outcomes as text, and the decision-point matrix tabulates them."
    )


def draw_tree_svg(tree: engine.Tree, *, title: str, timeout: float = 10) -> str:
    """The tree drawn, with a title and description for screen readers; ``DiagramError`` when it cannot be."""
    svg = draw_svg(tree_to_dot(tree, title=title), timeout=timeout)
    heading = f"<title>{svg_text(title)}</title><desc>{svg_text(describe(tree))}</desc>"
    return re.sub(r"^<svg\b[^>]*>", lambda match: match.group(0) + heading, svg, count=1)


def render_tree_svg(tree: engine.Tree, *, title: str) -> str:
    """``draw_tree_svg`` for pages: never raises (a small SVG says what went wrong)."""
    try:
        return draw_tree_svg(tree, title=title)
    except DiagramError as exc:
        return fallback_svg(str(exc))


def with_css_class(svg: str, css_class: str) -> str:
    """The SVG with a class on its root element, e.g. ``"w-100 h-auto"`` to scale it with the page."""
    if not re.fullmatch(r"[\w -]*", css_class):
        raise ValueError("CSS classes are letters, digits, dashes and spaces.")
    return re.sub(r"^<svg\b", f'<svg class="{css_class}"', svg, count=1)
