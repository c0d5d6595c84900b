"""Transfer records: the list, one record, recording and correcting one, its follow-up, the incident it led to."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from toolkit.forms import add_service_errors, form_data
from toolkit.pagination import keyset_page
from toolkit.permissions import Action, can, get_object_for_user, workgroup_view
from toolkit.views.shortcuts import form_response, render_form_page
from triage.models import Transfer
from triage.transfers import selectors, services
from triage.transfers.filters import TransferFilter
from triage.transfers.forms import FollowUpForm, TransferForm, TransferSettingsForm

PAGE_SIZE = 50


def _transfer(request: HttpRequest, transfer_id: int, action: Action = Action.VIEW_WORKGROUP) -> Transfer:
    return get_object_for_user(request.user, request.workgroup, selectors.transfer_detail(
        membership=request.membership), transfer_id, action)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    workgroup = request.workgroup
    found = TransferFilter(request.GET, queryset=selectors.transfer_list(membership=request.membership),
                           workgroup=workgroup)
    page = keyset_page(found.qs, keys=("-initiated_at", "-id"), after=request.GET.get("after"),
                       before=request.GET.get("before"), size=PAGE_SIZE)
    return render_form_page(request, "triage/transfers/index.html", {
        "filter": found, "page": page,
        "can_record": can(request.user, workgroup, Action.RECORD_TRANSFERS),
        "can_configure": can(request.user, workgroup, Action.EDIT_WORKGROUP),
        "can_manage_api": can(request.user, workgroup, Action.MANAGE_API),
        "import_url": reverse("transfers:import-upload", kwargs={"slug": workgroup.slug}),
        "metrics_url": reverse("transfers:metrics", kwargs={"slug": workgroup.slug}),
    })


def _detail_context(request: HttpRequest, transfer: Transfer, follow_up_form: FollowUpForm | None = None) -> dict:
    workgroup = request.workgroup
    return {
        "transfer": transfer,
        "follow_up_form": follow_up_form or FollowUpForm(),
        "can_record": can(request.user, workgroup, Action.RECORD_TRANSFERS),
        "can_report": can(request.user, workgroup, Action.REPORT_INCIDENTS),
        "metrics_url": reverse("transfers:metrics", kwargs={"slug": workgroup.slug}),
    }


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def detail(request: HttpRequest, transfer_id: int) -> HttpResponse:
    transfer = _transfer(request, transfer_id)
    return render_form_page(request, "triage/transfers/detail.html", _detail_context(request, transfer))


@workgroup_view(Action.RECORD_TRANSFERS)
@require_http_methods(["GET", "HEAD", "POST"])
def record(request: HttpRequest) -> HttpResponse:
    form = TransferForm(form_data(request), workgroup=request.workgroup)
    return form_response(
        request, form, save=partial(services.transfer_create, actor=request.user, workgroup=request.workgroup),
        success_message="The transfer is recorded.", redirect_to=lambda transfer: transfer,
        template="triage/transfers/form.html", context={"transfer": None})


@workgroup_view(Action.RECORD_TRANSFERS)
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, transfer_id: int) -> HttpResponse:
    transfer = _transfer(request, transfer_id, Action.RECORD_TRANSFERS)
    form = TransferForm(form_data(request), workgroup=request.workgroup, initial=TransferForm.initial_from(transfer))
    return form_response(
        request, form, save=partial(services.transfer_update, actor=request.user, transfer=transfer),
        success_message="The transfer record is corrected.", redirect_to=lambda saved: saved,
        template="triage/transfers/form.html", context={"transfer": transfer})


@workgroup_view(Action.RECORD_TRANSFERS)
@require_POST
def follow_up(request: HttpRequest, transfer_id: int) -> HttpResponse:
    transfer = _transfer(request, transfer_id, Action.RECORD_TRANSFERS)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.transfer_record_follow_up(actor=request.user, transfer=transfer,
                                               done_at=form.cleaned_data["done_at"],
                                               outcome=form.cleaned_data["outcome"])
        except ValidationError as exc:
            add_service_errors(form, _follow_up_errors(exc))
        else:
            messages.success(request, "The follow-up is recorded.")
            return redirect(transfer)
    return render_form_page(request, "triage/transfers/detail.html", _detail_context(request, transfer, form),
                            form=form)


def _follow_up_errors(exc: ValidationError) -> ValidationError:
    """The service names the model's fields; the small form names them ``done_at`` and ``outcome``."""
    if not hasattr(exc, "error_dict"):
        return exc
    names = {"follow_up_done_at": "done_at", "follow_up_outcome": "outcome"}
    return ValidationError({names.get(field, "__all__"): errors for field, errors in exc.error_dict.items()})


@workgroup_view(Action.REPORT_INCIDENTS)
@require_POST
def create_incident(request: HttpRequest, transfer_id: int) -> HttpResponse:
    transfer = _transfer(request, transfer_id, Action.REPORT_INCIDENTS)
    try:
        incident = services.transfer_create_incident(actor=request.user, transfer=transfer)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(transfer)
    messages.success(request, f"Incident report {incident.reference} is started from the transfer. Complete what "
                              "happened and what was done at once.")
    return redirect(incident)


@workgroup_view(Action.EDIT_WORKGROUP)
@require_http_methods(["GET", "HEAD", "POST"])
def settings(request: HttpRequest) -> HttpResponse:
    current = services.transfer_settings(workgroup=request.workgroup)
    form = TransferSettingsForm(form_data(request), initial={"follow_up_hours": current.follow_up_hours})
    return form_response(
        request, form, save=partial(services.transfer_settings_update, actor=request.user,
                                    workgroup=request.workgroup),
        success_message="Transfer settings saved.", redirect_to=reverse("transfers:index",
                                                                        kwargs={"slug": request.workgroup.slug}),
        template="triage/transfers/settings.html")


urlpatterns = [
    path("", index, name="index"),
    path("new/", record, name="record"),
    path("settings/", settings, name="settings"),
    path("<int:transfer_id>/", detail, name="detail"),
    path("<int:transfer_id>/edit/", edit, name="edit"),
    path("<int:transfer_id>/follow-up/", follow_up, name="follow-up"),
    path("<int:transfer_id>/incident/", create_incident, name="create-incident"),
]
