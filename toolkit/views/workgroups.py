from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from toolkit import selectors, services
from toolkit.dashboard import cards_for
from toolkit.filters import AuditEventFilter
from toolkit.forms import WorkgroupForm, WorkgroupTwoStepForm, form_data
from toolkit.pagination import keyset_page
from toolkit.permissions import Action, passed_two_step, workgroup_view
from toolkit.services import mfa
from toolkit.views.shortcuts import form_response, refuse_with_message

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
    archived = selectors.archived_workgroup_list_for_user(user=request.user)
    return render(request, "toolkit/home.html", {"workgroups": workgroups, "archived": archived})


@login_required
@require_http_methods(["GET", "POST"])
def workgroup_create(request: HttpRequest) -> HttpResponse:
    form = WorkgroupForm(form_data(request), submit_label="Create workgroup")
    return form_response(
        request, form,
        save=lambda **data: services.workgroup_create(actor=request.user, **data),
        success_message=lambda workgroup: f"{workgroup.name} is ready. You are its coordinator.",
        redirect_to=lambda workgroup: workgroup,
        template="toolkit/workgroup_form.html", context={"creating": True},
    )


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    request.session[LAST_WORKGROUP_SESSION_KEY] = request.workgroup.slug
    cards = cards_for(workgroup=request.workgroup, membership=request.membership)
    return render(request, "toolkit/dashboard.html", {"cards": cards})


@workgroup_view(Action.EDIT_WORKGROUP)
@require_http_methods(["GET", "POST"])
def workgroup_settings(request: HttpRequest) -> HttpResponse:
    workgroup = request.workgroup
    form = WorkgroupForm(form_data(request), instance=workgroup, submit_label="Save changes")
    return form_response(
        request, form,
        save=lambda **data: services.workgroup_update(actor=request.user, workgroup=workgroup, **data),
        success_message="Workgroup details saved.",
        redirect_to=reverse("toolkit:workgroup-settings", args=[workgroup.slug]),
        template="toolkit/workgroup_form.html", context={"creating": False},
    )


TWO_STEP_NAMES_SHOWN = 20


@workgroup_view(Action.EDIT_WORKGROUP)
@require_http_methods(["GET", "POST"])
def workgroup_two_step(request: HttpRequest) -> HttpResponse:
    """Whether coordinators, legal and QA reviewers must use two-step sign-in here, and who has not set it up."""
    workgroup = request.workgroup
    form = WorkgroupTwoStepForm(form_data(request), initial={"mfa_required": workgroup.mfa_required})
    without = selectors.members_without_two_step(workgroup=workgroup)
    return form_response(
        request, form,
        save=lambda **data: mfa.workgroup_require_two_step(
            actor=request.user, workgroup=workgroup, required=data["mfa_required"],
            actor_verified=passed_two_step(request.user)),
        success_message=lambda wg: ("Two-step sign-in is now required for coordinators, legal reviewers and QA "
                                    "reviewers." if wg.mfa_required else "Two-step sign-in is no longer required."),
        redirect_to=reverse("toolkit:workgroup-two-step", args=[workgroup.slug]),
        template="toolkit/workgroup_two_step.html",
        context={"without": without[:TWO_STEP_NAMES_SHOWN], "without_count": without.count(),
                 "you_are_on": passed_two_step(request.user)},
    )


AUDIT_PAGE_SIZE = 50


@workgroup_view(Action.ARCHIVE_WORKGROUP)
@require_http_methods(["GET", "POST"])
def workgroup_archive(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            services.workgroup_archive(actor=request.user, workgroup=request.workgroup)
        except ValidationError as exc:
            return refuse_with_message(request, exc, request.workgroup)
        messages.success(request, f"{request.workgroup.name} is archived. A coordinator can restore it from its "
                                  "dashboard.")
        return redirect("toolkit:home")
    return render(request, "toolkit/workgroup_confirm_archive.html")


@workgroup_view(Action.ARCHIVE_WORKGROUP)
@require_POST
def workgroup_restore(request: HttpRequest) -> HttpResponse:
    try:
        services.workgroup_restore(actor=request.user, workgroup=request.workgroup)
    except ValidationError as exc:
        return refuse_with_message(request, exc, request.workgroup)
    messages.success(request, f"{request.workgroup.name} is restored: it can be changed again.")
    return redirect(request.workgroup)


@workgroup_view(Action.VIEW_AUDIT)
@require_safe
def audit_log(request: HttpRequest) -> HttpResponse:
    events = AuditEventFilter(
        request.GET, queryset=selectors.audit_events(membership=request.membership), workgroup=request.workgroup
    )
    page = keyset_page(events.qs, after=request.GET.get("after"), before=request.GET.get("before"),
                       size=AUDIT_PAGE_SIZE)
    return render(request, "toolkit/audit_log.html", {"filter": events, "page": page})


def area_page(template_name: str):
    """An area's landing page (feature apps start from this and grow their own views)."""

    @workgroup_view(Action.VIEW_WORKGROUP)
    @require_safe
    def view(request: HttpRequest) -> HttpResponse:
        return render(request, template_name, {"area": template_name.split("/", 1)[0]})

    return view
