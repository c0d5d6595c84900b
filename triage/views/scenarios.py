"""Scenario tests (answers → expected risk level and route) and the decision-point matrix of a version."""

from __future__ import annotations

import copy
from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from toolkit.forms import form_data
from toolkit.pagination import paginate
from toolkit.permissions import Action, membership_allows, workgroup_view
from toolkit.views.shortcuts import form_response, refuse_with_message
from triage import engine, selectors, services
from triage.forms import ScenarioForm
from triage.models import ProtocolVersion, Route, Scenario
from triage.views.lookups import get_scenario, get_version

SCENARIOS_PER_PAGE = 50


def _list_url(version: ProtocolVersion) -> str:
    return reverse("triage:scenario-list", kwargs={"slug": version.workgroup.slug, "protocol_version_id": version.pk})


def _refuse_unless_draft(request: HttpRequest, version: ProtocolVersion) -> HttpResponse | None:
    if version.is_editable:
        return None
    messages.error(request, services.MSG_NOT_DRAFT.format(number=version.number,
                                                          status=version.get_status_display().lower()))
    return redirect(_list_url(version))


def _result_message(version: ProtocolVersion, scenario: Scenario) -> str:
    tree = selectors.tree_for_version(version)
    result = selectors.scenario_result(scenario=scenario, tree=tree)
    levels = {level.key: level for level in tree.risk_levels}
    return f"Scenario “{scenario.name}” saved: {'PASS' if result.passed else 'FAIL'} — {_failure(levels, result)}"


def _failure(levels: dict, result: selectors.ScenarioResult) -> str:
    """The selector's message names keys (988_remote); people read names (988 remote support)."""
    outcome, scenario = result.evaluation.outcome, result.scenario
    if result.passed or outcome is None:
        return result.message
    wrong = []
    if outcome.risk_level != scenario.expected_risk_level:
        wrong.append(f"risk level {_level_name(levels, outcome.risk_level)} instead of "
                     f"{_level_name(levels, scenario.expected_risk_level)}")
    if outcome.route != scenario.expected_route:
        wrong.append(f"{_route_label(outcome.route)} instead of {_route_label(scenario.expected_route)}")
    return f"Ends at “{outcome.text}”: " + "; ".join(wrong)


def _level_name(levels: dict, key: str) -> str:
    return levels[key].name if key in levels else key or "—"


def _route_label(value: str) -> str:
    return Route(value).label if value in Route.values else value or "—"


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def scenario_list(request: HttpRequest, protocol_version_id: int) -> HttpResponse:
    version = get_version(request, protocol_version_id, Action.VIEW_WORKGROUP)
    tree = selectors.tree_for_version(version)
    levels = {level.key: level for level in tree.risk_levels}
    results = selectors.scenario_results(version=version, tree=tree)  # all of them: the totals count every one
    page = paginate(request, results, per_page=SCENARIOS_PER_PAGE)
    rows = [
        {"result": r, "scenario": r.scenario, "message": _failure(levels, r),
         "steps": r.evaluation.steps, "stopped_at": r.evaluation.stopped_at,
         "expected_level": _level_name(levels, r.scenario.expected_risk_level),
         "expected_route": _route_label(r.scenario.expected_route),
         "outcome": r.evaluation.outcome,
         "actual_level": _level_name(levels, r.evaluation.outcome.risk_level) if r.evaluation.outcome else "",
         "actual_route": _route_label(r.evaluation.outcome.route) if r.evaluation.outcome else ""}
        for r in page
    ]
    context = {
        "version": version,
        "rows": rows,
        "page_obj": page,
        "passed": sum(1 for r in results if r.passed),
        "total": len(results),
        "can_edit": version.is_editable and membership_allows(request.membership, Action.EDIT_TRIAGE),
    }
    return render(request, "triage/scenario_list.html", context)


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def scenario_create(request: HttpRequest, protocol_version_id: int) -> HttpResponse:
    version = get_version(request, protocol_version_id, Action.EDIT_TRIAGE)
    if refused := _refuse_unless_draft(request, version):
        return refused
    form = ScenarioForm(form_data(request), version=version, submit_label="Add scenario")
    return form_response(
        request, form, save=partial(services.scenario_save, actor=request.user, version=version),
        success_message=lambda scenario: _result_message(version, scenario), redirect_to=_list_url(version),
        template="triage/scenario_form.html", context={"version": version, "scenario": None},
    )


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def scenario_edit(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = get_scenario(request, scenario_id)
    version = scenario.version
    if refused := _refuse_unless_draft(request, version):
        return refused
    saved = copy.copy(scenario)  # the heading shows the saved name, not the one being typed
    form = ScenarioForm(form_data(request), initial=ScenarioForm.initial_for(scenario), version=version)
    return form_response(
        request, form, save=partial(services.scenario_save, actor=request.user, version=version, scenario=scenario),
        success_message=lambda scenario: _result_message(version, scenario), redirect_to=_list_url(version),
        template="triage/scenario_form.html", context={"version": version, "scenario": saved},
    )


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def scenario_delete(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = get_scenario(request, scenario_id)
    version = scenario.version
    if refused := _refuse_unless_draft(request, version):
        return refused
    if request.method == "POST":
        try:
            services.scenario_delete(actor=request.user, scenario=scenario)
        except ValidationError as exc:
            return refuse_with_message(request, exc, _list_url(version))
        messages.success(request, f"Scenario “{scenario.name}” deleted.")
        return redirect(_list_url(version))
    return render(request, "triage/scenario_confirm_delete.html", {"scenario": scenario, "version": version})


def _code_systems(rows: list[engine.MatrixRow]) -> list[str]:
    """The partner systems outcomes carry codes for, in the order they first appear: one column each."""
    systems: list[str] = []
    for row in rows:
        for system, _ in row.codes:
            if system not in systems:
                systems.append(system)
    return systems


def _matrix_rows(tree: engine.Tree, rows: list[engine.MatrixRow], systems: list[str]) -> list[dict]:
    """Paths that settle the criteria alike and end in the same outcome share one line, sorted by the line the call
    arrived on, then route, then level.

    Row numbers are the engine's (contradictions cite them); a line lists the numbers of the paths it stands for.
    """
    line_order = {value: index for index, value in enumerate(engine.LINES)}
    route_order = {value: index for index, value in enumerate(Route.values)}
    level_order = {level.key: index for index, level in enumerate(tree.risk_levels)}
    level_names = {level.key: level.name for level in tree.risk_levels}
    lines: dict[tuple, dict] = {}
    for index, row in enumerate(rows):
        cells = tuple(row.values.get(key) for key in tree.criteria)
        codes = {}
        for system, code in row.codes:
            codes.setdefault(system, []).append(code)
        line = lines.setdefault((row.line, cells, row.route, row.risk_level, row.outcome), {
            "line": engine.line_label(row.line), "cells": cells, "route": _route_label(row.route),
            "level": level_names.get(row.risk_level, "—"), "outcome": row.outcome, "numbers": [], "paths": [],
            "codes": [", ".join(codes.get(system, ())) for system in systems], "broken_rules": [],
            "sort": (line_order.get(row.line, len(line_order)), route_order.get(row.route, len(route_order)),
                     level_order.get(row.risk_level, len(level_order))),
        })
        line["numbers"].append(index + 1)
        line["paths"].append(" → ".join(row.path))
        for name in row.broken_rules:
            if name not in line["broken_rules"]:
                line["broken_rules"].append(name)
    return sorted(lines.values(), key=lambda line: (line["sort"], line["numbers"][0]))


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def matrix(request: HttpRequest, protocol_version_id: int) -> HttpResponse:
    version = get_version(request, protocol_version_id, Action.VIEW_WORKGROUP)
    tree = selectors.tree_for_version(version)
    found = engine.paths(tree)
    rows, contradictions = engine.decision_matrix(tree, found)
    contradiction_rows = [
        {"message": c.message, "numbers": [n + 1 for n in c.rows],
         "paths": [" / ".join(rows[n].path) for n in c.rows if n < len(rows)]}
        for c in contradictions
    ]
    flagged = {n + 1 for c in contradictions for n in c.rows}
    systems = _code_systems(rows)
    lines = _matrix_rows(tree, rows, systems)
    for line in lines:
        line["flagged"] = bool(flagged.intersection(line["numbers"])) or bool(line["broken_rules"])
    context = {
        "version": version,
        "criteria": list(tree.criteria.values()),
        "systems": systems,
        "colspan": len(tree.criteria) + 4 + len(systems),  # group headings span the whole table
        "rule_flags": sum(1 for line in lines if line["broken_rules"]),
        "lines": lines,
        "path_count": len(rows),
        "contradictions": contradiction_rows,
        "truncated": engine.paths_truncated(tree, found),
    }
    return render(request, "triage/matrix.html", context)
