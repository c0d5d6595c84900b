"""The routing directory: who answers transfers, on which numbers, when and where, and when each line was tested."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from partners import routing
from partners.forms_routing import LineTestForm, RoutingFilterForm, RoutingProfileForm, TransferLineForm
from partners.models import Organization, RoutingProfile, TransferLine
from toolkit.forms import form_data
from toolkit.pagination import paginate
from toolkit.permissions import Action, can, get_object_for_user, workgroup_view
from toolkit.views.shortcuts import form_response

PAGE_SIZE = 20


@workgroup_view(Action.VIEW_WORKGROUP)
@vary_on_headers("HX-Request")  # the same URL answers with the page or the results partial
@require_safe
def directory(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    filters = RoutingFilterForm(request.GET or None)
    rows = routing.routing_directory(membership=request.membership, today=today, **filters.criteria())
    page = paginate(request, rows, per_page=PAGE_SIZE)
    context = {
        "filters": filters, "page_obj": page, "today": today,
        "overdue_total": routing.overdue_count(workgroup=request.workgroup, today=today),
        "can_edit": can(request.user, request.workgroup, Action.EDIT_PARTNERS),
    }
    template = "partners/routing/_results.html" if request.htmx else "partners/routing/directory.html"
    return render(request, template, context)


def _organization(request: HttpRequest, organization_id: int) -> Organization:
    return get_object_for_user(request.user, request.workgroup, Organization.objects, organization_id,
                               Action.EDIT_PARTNERS)


def _line(request: HttpRequest, transfer_line_id: int) -> TransferLine:
    return get_object_for_user(request.user, request.workgroup, TransferLine.objects.select_related("organization"),
                               transfer_line_id, Action.EDIT_PARTNERS)


def _edit_url(request: HttpRequest, organization_id: int) -> str:
    return reverse("partners:routing-edit", kwargs={"slug": request.workgroup.slug, "organization_id": organization_id})


@workgroup_view(Action.EDIT_PARTNERS)
@require_http_methods(["GET", "POST"])
def routing_edit(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = _organization(request, organization_id)
    profile = RoutingProfile.objects.filter(organization=organization).first()
    today = timezone.localdate()
    lines = paginate(request, routing.organization_lines(organization=organization, today=today), per_page=PAGE_SIZE)
    return form_response(
        request, RoutingProfileForm(form_data(request), instance=profile),
        save=partial(routing.routing_profile_save, actor=request.user, organization=organization),
        success_message=f"Hours and coverage of {organization.name} saved.",
        redirect_to=_edit_url(request, organization.pk),
        template="partners/routing/edit.html",
        context={"organization": organization, "lines": lines, "today": today},
    )


@workgroup_view(Action.EDIT_PARTNERS)
@require_http_methods(["GET", "POST"])
def line_create(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = _organization(request, organization_id)
    return form_response(
        request, TransferLineForm(form_data(request), submit_label="Add line"),
        save=partial(routing.transfer_line_create, actor=request.user, organization=organization),
        success_message=lambda line: f"{line.name} added. Record a test call once it has been tried.",
        redirect_to=_edit_url(request, organization.pk),
        template="partners/routing/line_form.html", context={"organization": organization, "line": None},
    )


@workgroup_view(Action.EDIT_PARTNERS)
@require_http_methods(["GET", "POST"])
def line_edit(request: HttpRequest, transfer_line_id: int) -> HttpResponse:
    line = _line(request, transfer_line_id)
    saved_name = line.name
    return form_response(
        request, TransferLineForm(form_data(request), instance=line),
        save=partial(routing.transfer_line_update, actor=request.user, line=line),
        success_message=lambda saved: f"{saved.name} saved.",
        redirect_to=_edit_url(request, line.organization_id),
        template="partners/routing/line_form.html",
        context={"organization": line.organization, "line": line, "saved_name": saved_name},
    )


@workgroup_view(Action.EDIT_PARTNERS)
@require_http_methods(["GET", "POST"])
def line_test(request: HttpRequest, transfer_line_id: int) -> HttpResponse:
    line = _line(request, transfer_line_id)
    return form_response(
        request, LineTestForm(form_data(request)),
        save=partial(routing.transfer_line_record_test, actor=request.user, line=line),
        success_message=lambda test: f"Test of {line.name} recorded: {test.get_result_display().lower()}.",
        redirect_to=_edit_url(request, line.organization_id),
        template="partners/routing/line_test.html",
        context={"organization": line.organization, "line": line, "recent_tests": line.tests.all()[:5]},
    )


@workgroup_view(Action.EDIT_PARTNERS)
@require_http_methods(["GET", "POST"])
def line_delete(request: HttpRequest, transfer_line_id: int) -> HttpResponse:
    line = _line(request, transfer_line_id)
    if request.method == "POST":
        routing.transfer_line_delete(actor=request.user, line=line)
        messages.success(request, f"{line.name} was removed from {line.organization.name}.")
        return redirect(_edit_url(request, line.organization_id))
    context = {"line": line, "organization": line.organization,
               "transfer_count": routing.line_transfer_count(line=line)}
    return render(request, "partners/routing/line_confirm_delete.html", context)


urlpatterns = [
    path("routing/", directory, name="routing"),
    path("organizations/<int:organization_id>/routing/", routing_edit, name="routing-edit"),
    path("organizations/<int:organization_id>/lines/new/", line_create, name="line-create"),
    path("lines/<int:transfer_line_id>/edit/", line_edit, name="line-edit"),
    path("lines/<int:transfer_line_id>/test/", line_test, name="line-test"),
    path("lines/<int:transfer_line_id>/delete/", line_delete, name="line-delete"),
]
