"""The workgroup's action plan: list (everyone), add (coordinators), keep current (coordinators and members)."""

from __future__ import annotations

from functools import partial

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from readiness import selectors, services
from readiness.forms.actions import ActionFilterForm, ActionItemEditForm, ActionItemForm
from readiness.models import ActionItem
from readiness.text import stored_initial
from toolkit.forms import form_data
from toolkit.pagination import paginate
from toolkit.permissions import Action, can, get_object_for_user, workgroup_view
from toolkit.views.shortcuts import form_response

PAGE_SIZE = 25


def _plan_url(request: HttpRequest) -> str:
    return reverse("readiness:action-list", kwargs={"slug": request.workgroup.slug})


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    form = ActionFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    plan = selectors.action_plan(workgroup=request.workgroup, status=status or None)
    context = {
        "form": form,
        "status": status,
        "page_obj": paginate(request, plan, per_page=PAGE_SIZE),
        "overdue_count": selectors.overdue_actions(workgroup=request.workgroup).count(),
        "can_manage": can(request.user, request.workgroup, Action.MANAGE_READINESS),
        "can_edit": can(request.user, request.workgroup, Action.EDIT_READINESS),
    }
    return render(request, "readiness/actions/list.html", context)


@workgroup_view(Action.MANAGE_READINESS)
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest) -> HttpResponse:
    form = ActionItemForm(form_data(request), workgroup=request.workgroup,
                          submit_label="Add action item")
    return form_response(
        request, form,
        save=partial(services.action_create, actor=request.user, workgroup=request.workgroup),
        success_message=lambda item: f"“{item.title}” is in the action plan.",
        redirect_to=_plan_url(request),
        template="readiness/actions/form.html", context={"action": None},
    )


@workgroup_view(Action.EDIT_READINESS)
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, action_item_id: int) -> HttpResponse:
    item = get_object_for_user(request.user, request.workgroup, ActionItem.objects.select_related("round"),
                               action_item_id, Action.EDIT_READINESS)
    initial = stored_initial({"title": item.title, "description": item.description,
                              "owner_organization": item.owner_organization_id, "due_date": item.due_date,
                              "status": item.status})
    form = ActionItemEditForm(form_data(request), initial=initial,
                              workgroup=request.workgroup)
    return form_response(
        request, form,
        save=partial(services.action_update, actor=request.user, action=item),
        success_message=lambda saved: f"“{saved.title}” is updated ({saved.get_status_display().lower()}).",
        redirect_to=_plan_url(request),
        template="readiness/actions/form.html", context={"action": item},
    )
