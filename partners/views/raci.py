"""The roles-and-responsibilities (RACI) matrix: functions × organizations, edited one cell at a time.

A large map has thousands of organizations, so the page shows them as columns a dozen at a time
(optionally one sector's), while each row's "Check" counts and names who holds each letter across
the whole map. The same ``?sector=&page=`` travels with every cell's POST, so a saved cell
re-renders its row with the columns the person is looking at.

With JavaScript, each cell is a <select> that posts to ``cell`` with htmx and swaps its row (the row's
problems change with it) plus, out of band, the summary. Without JavaScript, one small "set a role"
form (shown in <noscript>) posts the same three fields to the same view, which then redirects back.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from partners import selectors, services
from partners.filters import RaciColumnFilter
from partners.forms import FunctionForm, RaciCellForm
from partners.models import InteropFunction, Organization, RaciRole
from toolkit.forms import INVALID_FORM_STATUS, add_service_errors, form_data
from toolkit.pagination import paginate
from toolkit.permissions import Action, can, get_object_for_user, workgroup_view
from toolkit.svg import shorten
from toolkit.views.shortcuts import form_response

COLUMNS_PER_PAGE = 12
COLUMN_LABEL_LENGTH = 22


def column_labels(names: list[str], limit: int = COLUMN_LABEL_LENGTH) -> list[str]:
    """Short column headings that tell the page's organizations apart.

    Names are cut at the end; where two cuts would read the same (“Riverbend County Em…” for the county's 911 center
    and its emergency management), those keep their start and their end instead. The column key under the matrix
    gives every full name.
    """
    names = [" ".join(name.split()) for name in names]
    short = [shorten(name, limit) for name in names]
    clashing = {label for label in short if short.count(label) > 1}
    head = (limit - 1) // 2
    return [
        name[:head].rstrip() + "…" + name[-(limit - 1 - head):].lstrip() if label in clashing else label
        for name, label in zip(names, short, strict=True)
    ]


@dataclass
class MatrixRow:
    """A selectors.RaciRow laid out for the template: one (organization, role) pair per column shown."""

    function: InteropFunction
    cells: list[tuple[Organization, str, str]]  # (column, role letter or "", role name or "")
    problems: list[str]
    summary: list[tuple[str, str, list[str], int]]  # (letter, role name, first names, how many more)
    error: str = ""


def _layout(rows: list[selectors.RaciRow], organizations: list[Organization]) -> list[MatrixRow]:
    def cell(row: selectors.RaciRow, organization: Organization) -> tuple[Organization, str, str]:
        role = row.cells.get(organization.pk, "")
        return organization, role, RaciRole(role).label if role else ""

    return [
        MatrixRow(
            function=row.function,
            cells=[cell(row, organization) for organization in organizations],
            problems=row.problems,
            summary=[(role.value, role.label, row.holders.get(role.value, []), row.more(role.value))
                     for role in RaciRole if row.counts.get(role.value)],
        )
        for row in rows
    ]


def _summary(rows: list[MatrixRow]) -> dict[str, int]:
    return {"with_problems": sum(1 for row in rows if row.problems), "total": len(rows)}


def _columns(request: HttpRequest) -> tuple[RaciColumnFilter, Page]:
    """The organizations shown as columns: ``?sector=`` (an unknown sector is ignored) and ``?page=``."""
    columns = RaciColumnFilter(request.GET or None, queryset=selectors.raci_columns(workgroup=request.workgroup),
                               workgroup=request.workgroup)
    return columns, paginate(request, columns.qs, per_page=COLUMNS_PER_PAGE)


def _matrix(request: HttpRequest) -> tuple[RaciColumnFilter, Page, list[MatrixRow]]:
    columns, page = _columns(request)
    organizations = list(page)
    rows = selectors.raci_rows(workgroup=request.workgroup, organization_ids=[org.pk for org in organizations])
    return columns, page, _layout(rows, organizations)


def _matrix_page(
    request: HttpRequest, *, function_form: FunctionForm | None = None, cell_form: RaciCellForm | None = None
) -> HttpResponse:
    workgroup = request.workgroup
    columns, page, layout = _matrix(request)
    can_edit = can(request.user, workgroup, Action.EDIT_PARTNERS)
    if can_edit:
        action = reverse("partners:raci-function-create", kwargs={"slug": workgroup.slug})
        function_form = function_form or FunctionForm(action=action)
        cell_form = cell_form or RaciCellForm(workgroup=workgroup)
        cell_form.offer_only(page)  # the no-JavaScript form offers this page's columns, not the whole map
    organizations = list(page)
    labels = column_labels([organization.name for organization in organizations])
    context = {
        "rows": layout,
        "organizations": organizations,
        # (column number, organization, heading): the numbers run on across pages, as the key lists them
        "columns_shown": [(page.start_index() + i, organization, label)
                          for i, (organization, label) in enumerate(zip(organizations, labels, strict=True))],
        "page_obj": page,
        "columns": columns,
        "summary": _summary(layout),
        "role_choices": RaciRole.choices,
        "can_edit": can_edit,
        "function_form": function_form,
        "cell_form": cell_form,
    }
    invalid = (function_form is not None and function_form.is_bound and function_form.errors) or (
        cell_form is not None and cell_form.is_bound and cell_form.errors
    )
    return render(request, "partners/raci.html", context, status=INVALID_FORM_STATUS if invalid else 200)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def matrix(request: HttpRequest) -> HttpResponse:
    return _matrix_page(request)


def _row_response(request: HttpRequest, form: RaciCellForm, saved: str) -> HttpResponse:
    """htmx: the function's row re-rendered from the database, with the error if any, and the summary."""
    error = " ".join(message for errors in form.errors.values() for message in errors)
    function = form.cleaned_data.get("function")  # None when the function itself was refused
    _, _, layout = _matrix(request)
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
            add_service_errors(form, exc)
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
        return _matrix_page(request, cell_form=form)
    messages.success(request, saved)
    # Back to the columns the person was looking at (the form posted with the page's ?sector=&page=).
    url = reverse("partners:raci", kwargs={"slug": request.workgroup.slug})
    return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)


def _function_saved_url(request: HttpRequest, function: InteropFunction) -> str:
    return reverse("partners:raci", kwargs={"slug": request.workgroup.slug}) + f"#raci-row-{function.pk}"


@workgroup_view(Action.EDIT_PARTNERS)
@require_POST
def function_create(request: HttpRequest) -> HttpResponse:
    action = reverse("partners:raci-function-create", kwargs={"slug": request.workgroup.slug})
    form = FunctionForm(request.POST, action=action)
    if form.is_valid():
        try:
            function = services.function_create(actor=request.user, workgroup=request.workgroup, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{function.name}” added to the matrix. Now give it one A and at least one R.")
            return redirect(_function_saved_url(request, function))
    return _matrix_page(request, function_form=form)


@workgroup_view(Action.EDIT_PARTNERS)
@require_http_methods(["GET", "POST"])
def function_edit(request: HttpRequest, function_id: int) -> HttpResponse:
    function = get_object_for_user(
        request.user, request.workgroup, InteropFunction.objects, function_id, Action.EDIT_PARTNERS
    )
    initial = {"name": function.name, "description": function.description}
    form = FunctionForm(form_data(request), initial=initial, action=request.path, submit_label="Save function")
    return form_response(
        request, form,
        save=partial(services.function_update, actor=request.user, function=function),
        success_message=lambda saved: f"“{saved.name}” saved.",
        redirect_to=lambda saved: _function_saved_url(request, saved),
        template="partners/function_form.html", context={"function": function, "saved_name": function.name},
    )


@workgroup_view(Action.EDIT_PARTNERS)
@require_http_methods(["GET", "POST"])
def function_delete(request: HttpRequest, function_id: int) -> HttpResponse:
    function = get_object_for_user(
        request.user, request.workgroup, InteropFunction.objects, function_id, Action.EDIT_PARTNERS
    )
    if request.method == "POST":
        services.function_delete(actor=request.user, function=function)
        messages.success(request, f"“{function.name}” was removed from the matrix.")
        return redirect("partners:raci", slug=request.workgroup.slug)
    context = {"function": function, "cells": function.assignments.count()}
    return render(request, "partners/function_confirm_delete.html", context)
