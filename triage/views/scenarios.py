"""Scenario tests (answers → expected risk level and route) and the decision-point matrix of a version."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from toolkit.forms import add_service_errors as _add_errors
from toolkit.permissions import Action, can, get_object_for_user, workgroup_view
from triage import engine, selectors, services
from triage.models import NodeKind, ProtocolVersion, Route, Scenario

ANSWER_PREFIX = "answer__"
NO_ANSWER = "—"


class ScenarioForm(forms.Form):
    """A scenario without JSON: one select per question of the version, and the expected outcome."""

    name = forms.CharField(max_length=200, help_text="Describe the call in a few words, e.g. “Parent worried, "
                                                     "son escalating at home”.")
    expected_risk_level = forms.ChoiceField(label="Expected risk level")
    expected_route = forms.ChoiceField(label="Expected route", choices=Route.choices)

    def __init__(self, *args, version: ProtocolVersion, submit_label: str = "Save scenario", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_risk_level"].choices = list(version.risk_levels.values_list("key", "name"))
        self.question_keys = []
        questions = version.nodes.filter(kind=NodeKind.QUESTION).prefetch_related("options").order_by("order", "pk")
        for node in questions:
            name = ANSWER_PREFIX + node.key
            self.question_keys.append((name, node.key))
            labels = [option.label for option in node.options.all()]
            self.fields[name] = forms.ChoiceField(
                label=node.text, required=False, choices=[("", NO_ANSWER)] + [(label, label) for label in labels],
                widget=forms.Select(attrs={"class": "form-select"}),
            )
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", submit_label))

    @classmethod
    def initial_for(cls, scenario: Scenario) -> dict:
        initial = {"name": scenario.name, "expected_risk_level": scenario.expected_risk_level,
                   "expected_route": scenario.expected_route}
        initial.update({ANSWER_PREFIX + key: label for key, label in scenario.answers.items()})
        return initial

    def answer_fields(self):
        return [self[name] for name, _key in self.question_keys]

    def clean(self):
        cleaned = super().clean()
        answers = {key: cleaned[name] for name, key in self.question_keys if cleaned.get(name)}
        if not answers:
            raise ValidationError("Choose at least one answer: start with the first question and follow the path.")
        cleaned["answers"] = answers
        return cleaned

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {"name": data["name"].strip(), "answers": data["answers"],
                "expected_risk_level": data["expected_risk_level"], "expected_route": data["expected_route"]}



def _version(request: HttpRequest, pk: int, action: Action) -> ProtocolVersion:
    queryset = ProtocolVersion.objects.select_related("protocol", "workgroup")
    return get_object_for_user(request.user, request.workgroup, queryset, pk, action)


def _scenario(request: HttpRequest, pk: int) -> Scenario:
    queryset = Scenario.objects.select_related("version", "version__protocol", "version__workgroup")
    return get_object_for_user(request.user, request.workgroup, queryset, pk, Action.EDIT_TRIAGE)


def _refuse_unless_draft(request: HttpRequest, version: ProtocolVersion) -> HttpResponse | None:
    if version.is_editable:
        return None
    messages.error(request, services.MSG_NOT_DRAFT.format(number=version.number,
                                                          status=version.get_status_display().lower()))
    return redirect("triage:scenario-list", slug=request.workgroup.slug, pk=version.pk)


def _result_message(version: ProtocolVersion, scenario: Scenario) -> str:
    result = next(r for r in selectors.scenario_results(version=version) if r.scenario.pk == scenario.pk)
    levels = {level.key: level for level in version.risk_levels.all()}
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
def scenario_list(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk, Action.VIEW_WORKGROUP)
    levels = {level.key: level for level in version.risk_levels.all()}
    results = selectors.scenario_results(version=version)
    rows = [
        {"result": r, "scenario": r.scenario, "message": _failure(levels, r),
         "steps": r.evaluation.steps, "stopped_at": r.evaluation.stopped_at,
         "expected_level": _level_name(levels, r.scenario.expected_risk_level),
         "expected_route": _route_label(r.scenario.expected_route),
         "outcome": r.evaluation.outcome,
         "actual_level": _level_name(levels, r.evaluation.outcome.risk_level) if r.evaluation.outcome else "",
         "actual_route": _route_label(r.evaluation.outcome.route) if r.evaluation.outcome else ""}
        for r in results
    ]
    context = {
        "version": version,
        "rows": rows,
        "passed": sum(1 for r in results if r.passed),
        "total": len(results),
        "can_edit": version.is_editable and can(request.user, request.workgroup, Action.EDIT_TRIAGE),
    }
    return render(request, "triage/scenario_list.html", context)


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def scenario_create(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk, Action.EDIT_TRIAGE)
    if refused := _refuse_unless_draft(request, version):
        return refused
    form = ScenarioForm(request.POST or None, version=version, submit_label="Add scenario")
    if request.method == "POST" and form.is_valid():
        try:
            scenario = services.scenario_save(actor=request.user, version=version, **form.service_fields())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _result_message(version, scenario))
            return redirect("triage:scenario-list", slug=request.workgroup.slug, pk=version.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "triage/scenario_form.html", {"form": form, "version": version, "scenario": None},
                  status=status)


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def scenario_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario(request, pk)
    version = scenario.version
    if refused := _refuse_unless_draft(request, version):
        return refused
    form = ScenarioForm(request.POST or None, initial=ScenarioForm.initial_for(scenario), version=version)
    if request.method == "POST" and form.is_valid():
        try:
            services.scenario_save(actor=request.user, version=version, scenario=scenario, **form.service_fields())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _result_message(version, scenario))
            return redirect("triage:scenario-list", slug=request.workgroup.slug, pk=version.pk)
    original = Scenario.objects.get(pk=scenario.pk)  # the heading shows the saved name, not the one being typed
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "triage/scenario_form.html", {"form": form, "version": version, "scenario": original},
                  status=status)


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def scenario_delete(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario(request, pk)
    version = scenario.version
    if refused := _refuse_unless_draft(request, version):
        return refused
    if request.method == "POST":
        try:
            services.scenario_delete(actor=request.user, scenario=scenario)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Scenario “{scenario.name}” deleted.")
        return redirect("triage:scenario-list", slug=request.workgroup.slug, pk=version.pk)
    return render(request, "triage/scenario_confirm_delete.html", {"scenario": scenario, "version": version})


def _matrix_rows(tree: engine.Tree, rows: list[engine.MatrixRow]) -> list[dict]:
    """Paths that settle the criteria alike and end in the same outcome share one line, sorted by route then level.

    Row numbers are the engine's (contradictions cite them); a line lists the numbers of the paths it stands for.
    """
    route_order = {value: index for index, value in enumerate(Route.values)}
    level_order = {level.key: index for index, level in enumerate(tree.risk_levels)}
    level_names = {level.key: level.name for level in tree.risk_levels}
    lines: dict[tuple, dict] = {}
    for index, row in enumerate(rows):
        cells = tuple(row.values.get(key) for key in tree.criteria)
        line = lines.setdefault((cells, row.route, row.risk_level, row.outcome), {
            "cells": cells, "route": _route_label(row.route), "level": level_names.get(row.risk_level, "—"),
            "outcome": row.outcome, "numbers": [], "paths": [],
            "sort": (route_order.get(row.route, len(route_order)), level_order.get(row.risk_level, len(level_order))),
        })
        line["numbers"].append(index + 1)
        line["paths"].append(" → ".join(row.path))
    return sorted(lines.values(), key=lambda line: (line["sort"], line["numbers"][0]))


@workgroup_view(Action.VIEW_WORKGROUP)
def matrix(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk, Action.VIEW_WORKGROUP)
    tree = selectors.tree_for_version(version)
    rows, contradictions = engine.decision_matrix(tree)
    contradiction_rows = [
        {"message": c.message, "numbers": [n + 1 for n in c.rows],
         "paths": [" / ".join(rows[n].path) for n in c.rows if n < len(rows)]}
        for c in contradictions
    ]
    flagged = {n + 1 for c in contradictions for n in c.rows}
    lines = _matrix_rows(tree, rows)
    for line in lines:
        line["flagged"] = bool(flagged.intersection(line["numbers"]))
    context = {
        "version": version,
        "criteria": list(tree.criteria.values()),
        "lines": lines,
        "path_count": len(rows),
        "contradictions": contradiction_rows,
        "truncated": len(rows) >= engine.MAX_PATHS,
    }
    return render(request, "triage/matrix.html", context)
