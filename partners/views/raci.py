"""The roles-and-responsibilities (RACI) matrix: functions × organizations, edited one cell at a time.

With JavaScript, each cell is a <select> that posts to ``cell`` with htmx and swaps its row (the row's
problems change with it) plus, out of band, the summary. Without JavaScript, one small "set a role"
form (shown in <noscript>) posts the same three fields to the same view, which then redirects back.
"""

from __future__ import annotations

from dataclasses import dataclass

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from partners import selectors, services
from partners.models import EngagementStatus, InteropFunction, Organization, RaciRole
from toolkit.forms import WorkgroupScopedFormMixin
from toolkit.forms import add_service_errors as _add_errors
from toolkit.permissions import Action, can, get_object_for_user, workgroup_view

# Forms live here rather than in partners/forms.py because only this screen uses them.


class RaciCellForm(WorkgroupScopedFormMixin, forms.Form):
    """One cell: which function, which organization, which role (blank clears the cell)."""

    function = forms.ModelChoiceField(
        queryset=InteropFunction.objects.all(),
        empty_label="Choose a function…",
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "That function is not in this workgroup's matrix."},
    )
    organization = forms.ModelChoiceField(
        # Columns are the organizations that are not inactive; the choices are the same.
        queryset=Organization.objects.exclude(engagement_status=EngagementStatus.INACTIVE),
        empty_label="Choose an organization…",
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "That organization is not an active partner of this workgroup."},
    )
    role = forms.ChoiceField(
        choices=[("", "— none —"), *RaciRole.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Choose R, A, C or I, or leave the cell blank."},
    )


class FunctionForm(forms.Form):
    name = forms.CharField(label="New function", max_length=200)
    description = forms.CharField(label="What it involves (optional)", max_length=300, required=False)

    def __init__(self, *args, action: str, submit_label: str = "Add function", **kwargs):
        super().__init__(*args, **kwargs)
        if submit_label != "Add function":
            self.fields["name"].label = "Function"
        self.helper = FormHelper()
        self.helper.form_action = f"{action}#raci-add"  # a refused name shows the form, not the top of the page
        self.helper.form_id = "raci-function-form"
        self.helper.layout = Layout(
            Row(
                Column("name", css_class="col-md-4"),
                Column("description", css_class="col-md-6"),
                Column(Submit("submit", submit_label, css_class="w-100"), css_class="col-md-2 pt-md-4 mb-3"),
            )
        )


@dataclass
class MatrixRow:
    """A selectors.RaciRow laid out for the template: one (organization, role) pair per column."""

    function: InteropFunction
    cells: list[tuple[Organization, str, str]]  # (column, role letter or "", role name or "")
    problems: list[str]
    error: str = ""


def _cell(role: str, organization: Organization) -> tuple[Organization, str, str]:
    return organization, role, RaciRole(role).label if role else ""


def _layout(rows: list[selectors.RaciRow], organizations: list[Organization]) -> list[MatrixRow]:
    return [
        MatrixRow(row.function, [_cell(row.cells.get(org.pk, ""), org) for org in organizations], row.problems)
        for row in rows
    ]


def _summary(rows: list[MatrixRow]) -> dict[str, int]:
    return {"with_problems": sum(1 for row in rows if row.problems), "total": len(rows)}


def _matrix_page(
    request: HttpRequest,
    *,
    function_form: FunctionForm | None = None,
    cell_form: RaciCellForm | None = None,
    status: int = 200,
) -> HttpResponse:
    workgroup = request.workgroup
    rows, organizations = selectors.raci_matrix(workgroup=workgroup)
    layout = _layout(rows, organizations)
    can_edit = can(request.user, workgroup, Action.EDIT_PARTNERS)
    if can_edit:
        action = reverse("partners:raci-function-create", kwargs={"slug": workgroup.slug})
        function_form = function_form or FunctionForm(action=action)
        cell_form = cell_form or RaciCellForm(workgroup=workgroup)
    context = {
        "rows": layout,
        "organizations": organizations,
        "summary": _summary(layout),
        "role_choices": RaciRole.choices,
        "can_edit": can_edit,
        "function_form": function_form,
        "cell_form": cell_form,
    }
    return render(request, "partners/raci.html", context, status=status)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def matrix(request: HttpRequest) -> HttpResponse:
    services.partner_map_ensure_defaults(workgroup=request.workgroup)  # created by "System"
    return _matrix_page(request)


def _row_response(request: HttpRequest, form: RaciCellForm, saved: str) -> HttpResponse:
    """htmx: the function's row re-rendered from the database, with the error if any, and the summary."""
    error = " ".join(message for errors in form.errors.values() for message in errors)
    function = form.cleaned_data.get("function")  # None when the function itself was refused
    rows, organizations = selectors.raci_matrix(workgroup=request.workgroup)
    layout = _layout(rows, organizations)
    row = next((r for r in layout if function is not None and r.function.pk == function.pk), None)
    if row is not None:
        row.error = error
    context = {
        "row": row,
        "summary": _summary(layout),
        "oob": True,
        # A refused cell shows its error in its row; a refused function has no row, so the line says it.
        "feedback": saved if row is not None else error,
        "feedback_is_error": row is None,
        "role_choices": RaciRole.choices,
        "can_edit": True,
    }
    response = render(request, "partners/_raci_row.html", context)
    if row is None:
        # Not a function of this workgroup: there is no row to replace; only the feedback area changes.
        response["HX-Reswap"] = "none"
    return response


@workgroup_view(Action.EDIT_PARTNERS)
@require_POST
def cell(request: HttpRequest) -> HttpResponse:
    form = RaciCellForm(request.POST, workgroup=request.workgroup)
    saved = ""
    if form.is_valid():
        function, organization, role = (form.cleaned_data[k] for k in ("function", "organization", "role"))
        try:
            services.raci_set(actor=request.user, function=function, organization=organization, role=role)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            saved = (
                f"{organization.name} is now {RaciRole(role).label.lower()} for “{function.name}”."
                if role
                else f"{organization.name} no longer has a role in “{function.name}”."
            )
    if request.htmx:
        # htmx 2 does not swap 4xx responses, so errors travel as 200 inside the re-rendered row.
        return _row_response(request, form, saved)
    if form.errors:
        return _matrix_page(request, cell_form=form, status=400)
    messages.success(request, saved)
    return redirect("partners:raci", slug=request.workgroup.slug)


@workgroup_view(Action.EDIT_PARTNERS)
@require_POST
def function_create(request: HttpRequest) -> HttpResponse:
    action = reverse("partners:raci-function-create", kwargs={"slug": request.workgroup.slug})
    form = FunctionForm(request.POST, action=action)
    if form.is_valid():
        try:
            function = services.function_create(actor=request.user, workgroup=request.workgroup, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"“{function.name}” added to the matrix. Now give it one A and at least one R.")
            url = reverse("partners:raci", kwargs={"slug": request.workgroup.slug})
            return redirect(f"{url}#raci-row-{function.pk}")
    return _matrix_page(request, function_form=form, status=400)


@workgroup_view(Action.EDIT_PARTNERS)
@require_http_methods(["GET", "POST"])
def function_edit(request: HttpRequest, pk: int) -> HttpResponse:
    function = get_object_for_user(request.user, request.workgroup, InteropFunction.objects, pk, Action.EDIT_PARTNERS)
    initial = {"name": function.name, "description": function.description}
    form = FunctionForm(request.POST or None, initial=initial, action=request.path, submit_label="Save function")
    if request.method == "POST" and form.is_valid():
        try:
            services.function_update(actor=request.user, function=function, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"“{function.name}” saved.")
            return redirect(reverse("partners:raci", kwargs={"slug": request.workgroup.slug}) + f"#raci-row-{pk}")
    status = 400 if form.errors else 200
    return render(request, "partners/function_form.html", {"form": form, "function": function}, status=status)


@workgroup_view(Action.EDIT_PARTNERS)
@require_http_methods(["GET", "POST"])
def function_delete(request: HttpRequest, pk: int) -> HttpResponse:
    function = get_object_for_user(request.user, request.workgroup, InteropFunction.objects, pk, Action.EDIT_PARTNERS)
    if request.method == "POST":
        services.function_delete(actor=request.user, function=function)
        messages.success(request, f"“{function.name}” was removed from the matrix.")
        return redirect("partners:raci", slug=request.workgroup.slug)
    cells = function.assignments.count()
    return render(request, "partners/function_confirm_delete.html", {"function": function, "cells": cells})
