"""The training simulator and the tree diagram; both read-only, so viewers may use them.

The simulator keeps no state: the line the call arrived on and the answers so far are the querystring
``?line=988&path=0.1.1`` (the index of the answer chosen at each question from that line's first one),
so every step is a plain link that works with and without htmx, can be bookmarked, and the browser's
back button just works. A tree with one first question for either line needs no ``line``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from toolkit.permissions import Action, workgroup_view
from triage import diagram, engine
from triage.models import ProtocolVersion, VersionStatus
from triage.selectors import tree_for_version
from triage.views.lookups import get_version

_PATH = re.compile(r"^\d{1,4}(?:\.\d{1,4}){0,199}$")
MSG_BAD_PATH = "That link does not match a path through this protocol, so the simulation starts again from the top."
MSG_NO_ROOT = "This version has no single first question yet, so it cannot be simulated. Fix the tree first."
MSG_NO_ENTRY = ("This version's first questions do not say which line each serves, so it cannot be simulated. "
                "Fix the tree first.")
MSG_DEAD_END = "The answer “{label}” does not lead anywhere yet in this draft. Go back and choose another answer."


@dataclass
class Answered:
    question: engine.NodeSpec
    answer: engine.OptionSpec
    path_before: str  # the path that shows this question again


@dataclass
class Walk:
    steps: list[Answered] = field(default_factory=list)
    node: engine.NodeSpec | None = None  # the current question or the outcome reached
    path: str = ""
    message: str = ""
    restarted: bool = False
    line: str = ""  # the line the call arrived on ("" for a tree with one start for either line)
    choose_line: tuple[str, ...] = ()  # the lines to choose from before the first question


def walk(tree: engine.Tree, raw_path: str, line: str = "") -> Walk:
    """Follow ``raw_path`` from the first question of ``line``; restart with a message when it does not fit."""
    entries = dict(tree.entries)
    if not entries:
        return Walk(message=MSG_NO_ROOT if len(tree.roots) != 1 else MSG_NO_ENTRY)
    if "" in entries:
        line = ""
    elif line not in entries:  # first ask which line the call arrived on
        return Walk(choose_line=tuple(entries))
    root = entries[line]
    if raw_path and not _PATH.match(raw_path):
        return Walk(node=root, message=MSG_BAD_PATH, restarted=True, line=line)
    result = Walk(node=root, line=line)
    roots = [root]
    indices = [int(part) for part in raw_path.split(".")] if raw_path else []
    for position, index in enumerate(indices):
        node = result.node
        if node.kind != engine.QUESTION or index >= len(node.options):
            return Walk(node=roots[0], message=MSG_BAD_PATH, restarted=True, line=line)
        option = node.options[index]
        result.steps.append(Answered(node, option, ".".join(map(str, indices[:position]))))
        result.path = ".".join(map(str, indices[: position + 1]))
        result.node = tree.nodes.get(option.next)
        if result.node is None:
            if position != len(indices) - 1:
                return Walk(node=roots[0], message=MSG_BAD_PATH, restarted=True, line=line)
            result.message = MSG_DEAD_END.format(label=option.label)
    return result


def _status_label(version: ProtocolVersion) -> str:
    if version.status == VersionStatus.APPROVED:
        return ""
    return f"{version.get_status_display().lower()} — not approved"


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
@vary_on_headers("HX-Request")  # the same URL answers with a page or a partial
def simulate(request: HttpRequest, protocol_version_id: int) -> HttpResponse:
    version = get_version(request, protocol_version_id, Action.VIEW_WORKGROUP)
    tree = tree_for_version(version)
    state = walk(tree, request.GET.get("path", "").strip(), request.GET.get("line", "").strip())
    node = state.node
    base_url = reverse("triage:simulate", kwargs={"slug": request.workgroup.slug, "protocol_version_id": version.pk})
    start_url = f"{base_url}?line={state.line}" if state.line else base_url
    outcome = node if node is not None and node.kind == engine.OUTCOME else None
    context = {
        "version": version,
        "status_label": _status_label(version),
        "state": state,
        "question": node if node is not None and node.kind == engine.QUESTION else None,
        "outcome": outcome,
        "level": next((lvl for lvl in tree.risk_levels if outcome and lvl.key == outcome.risk_level), None),
        "route": diagram.route_label(outcome.route) if outcome else "",
        "back_path": ".".join(state.path.split(".")[:-1]) if state.steps else None,
        "reassessment": tree.reassessment_guidance,
        "base_url": base_url,  # Restart: choose the line again
        "start_url": start_url,  # this line's first question
        "step_prefix": start_url + ("&" if state.line else "?") + "path=",
        "line_label": engine.line_label(state.line) if state.line else "",
    }
    template = "triage/_simulator.html" if request.htmx else "triage/simulate.html"
    return render(request, template, context)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def diagram_svg(request: HttpRequest, protocol_version_id: int) -> HttpResponse:
    version = get_version(request, protocol_version_id, Action.VIEW_WORKGROUP)
    title = f"{version.protocol.name} · version {version.number} ({version.get_status_display().lower()})"
    svg = diagram.render_tree_svg(tree_for_version(version), title=title)
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    disposition = "attachment" if request.GET.get("download") == "1" else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="triage-protocol-{version.pk}-v{version.number}.svg"'
    return response
