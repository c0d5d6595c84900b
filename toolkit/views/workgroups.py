from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from toolkit import selectors, services
from toolkit.dashboard import cards_for
from toolkit.forms import WorkgroupForm
from toolkit.permissions import Action, workgroup_view

LAST_WORKGROUP_SESSION_KEY = "last_workgroup"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send people to the workgroup they used last, or let them pick one."""
    workgroups = selectors.workgroup_list_for_user(user=request.user)
    last = request.session.get(LAST_WORKGROUP_SESSION_KEY)
    chosen = workgroups.filter(slug=last).first() if last else None
    if chosen is None and len(workgroups) == 1:
        chosen = workgroups[0]
    if chosen is not None:
        return redirect(chosen)
    return render(request, "toolkit/home.html", {"workgroups": workgroups})


@login_required
@require_http_methods(["GET", "POST"])
def workgroup_create(request: HttpRequest) -> HttpResponse:
    form = WorkgroupForm(request.POST or None, submit_label="Create workgroup")
    if request.method == "POST" and form.is_valid():
        try:
            workgroup = services.workgroup_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{workgroup.name} is ready. You are its coordinator.")
            return redirect(workgroup)
    return render(request, "toolkit/workgroup_form.html", {"form": form, "creating": True})


@workgroup_view(Action.VIEW_WORKGROUP)
def dashboard(request: HttpRequest) -> HttpResponse:
    request.session[LAST_WORKGROUP_SESSION_KEY] = request.workgroup.slug
    cards = cards_for(workgroup=request.workgroup, membership=request.membership)
    return render(request, "toolkit/dashboard.html", {"cards": cards})


@workgroup_view(Action.EDIT_WORKGROUP)
@require_http_methods(["GET", "POST"])
def workgroup_settings(request: HttpRequest) -> HttpResponse:
    workgroup = request.workgroup
    form = WorkgroupForm(request.POST or None, instance=workgroup, submit_label="Save changes")
    if request.method == "POST" and form.is_valid():
        try:
            services.workgroup_update(actor=request.user, workgroup=workgroup, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Workgroup details saved.")
            return redirect("toolkit:workgroup-settings", slug=workgroup.slug)
    return render(request, "toolkit/workgroup_form.html", {"form": form, "creating": False})


@workgroup_view(Action.VIEW_AUDIT)
def audit_log(request: HttpRequest) -> HttpResponse:
    before = selectors.AuditCursor.parse(request.GET.get("before", ""))
    page_size = 50
    entries = selectors.audit_entries(workgroup=request.workgroup, before=before, limit=page_size)
    older = entries[-1].cursor if len(entries) == page_size else None
    return render(request, "toolkit/audit_log.html", {"entries": entries, "older": older, "paged": bool(before)})


def area_page(template_name: str):
    """An area's landing page (feature apps start from this and grow their own views)."""

    @workgroup_view(Action.VIEW_WORKGROUP)
    def view(request: HttpRequest) -> HttpResponse:
        return render(request, template_name, {"area": template_name.split("/", 1)[0]})

    return view
