"""The workgroup's action plan: list (everyone), add (coordinators), keep current (coordinators and members)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from readiness import selectors, services
from readiness.forms.actions import ActionFilterForm, ActionItemEditForm, ActionItemForm
from readiness.models import ActionItem
from toolkit.forms import add_service_errors
from toolkit.permissions import Action, can, get_object_for_user, workgroup_view

PAGE_SIZE = 25


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    form = ActionFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    plan = selectors.action_plan(workgroup=request.workgroup, status=status or None)
    page = Paginator(plan, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "status": status,
        "page_obj": page,
        "overdue_count": selectors.overdue_actions(workgroup=request.workgroup).count(),
        "can_manage": can(request.user, request.workgroup, Action.MANAGE_READINESS),
        "can_edit": can(request.user, request.workgroup, Action.EDIT_READINESS),
    }
    return render(request, "readiness/actions/list.html", context)


@workgroup_view(Action.MANAGE_READINESS)
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest) -> HttpResponse:
    form = ActionItemForm(request.POST or None, workgroup=request.workgroup, submit_label="Add action item")
    if request.method == "POST" and form.is_valid():
        try:
            item = services.action_create(actor=request.user, workgroup=request.workgroup, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{item.title}” is in the action plan.")
            return redirect("readiness:action-list", slug=request.workgroup.slug)
    return render(request, "readiness/actions/form.html", {"form": form, "action": None},
                  status=400 if form.errors else 200)


@workgroup_view(Action.EDIT_READINESS)
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_for_user(request.user, request.workgroup, ActionItem.objects.select_related("round"), pk,
                               Action.EDIT_READINESS)
    initial = {"title": item.title, "description": item.description, "owner_organization": item.owner_organization_id,
               "due_date": item.due_date, "status": item.status}
    form = ActionItemEditForm(request.POST or None, initial=initial, workgroup=request.workgroup)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.action_update(actor=request.user, action=item, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{item.title}” is updated ({item.get_status_display().lower()}).")
            return redirect("readiness:action-list", slug=request.workgroup.slug)
    return render(request, "readiness/actions/form.html", {"form": form, "action": item},
                  status=400 if form.errors else 200)
