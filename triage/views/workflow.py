"""A version's way from draft to in force: submit, approvals by partner organizations, approve, put in force, retire.

Every view resolves the version through the permission layer and calls one service; a refusal shows the
service's message on the version page and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import dateformat
from django.views.decorators.http import require_http_methods, require_POST

from toolkit.forms import form_data
from toolkit.permissions import Action, workgroup_view
from toolkit.views.shortcuts import form_response
from triage import services
from triage.forms import ApprovalForm, NewDraftForm
from triage.models import Approval, ProtocolVersion, VersionStatus
from triage.views.lookups import get_version


def _run(request: HttpRequest, version: ProtocolVersion, service: Callable, success: str) -> HttpResponse:
    try:
        service(actor=request.user, version=version)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect(version)


@workgroup_view(Action.EDIT_TRIAGE)
@require_POST
def submit(request: HttpRequest, protocol_version_id: int) -> HttpResponse:
    version = get_version(request, protocol_version_id, Action.EDIT_TRIAGE)
    return _run(request, version, services.version_submit,
                f"Version {version.number} is in review. Record each partner organization's approval as it comes in.")


@workgroup_view(Action.APPROVE_TRIAGE)
@require_POST
def return_to_draft(request: HttpRequest, protocol_version_id: int) -> HttpResponse:
    version = get_version(request, protocol_version_id, Action.APPROVE_TRIAGE)
    return _run(request, version, services.version_return_to_draft,
                f"Version {version.number} is a draft again; the approvals given so far were withdrawn "
                "(the audit trail keeps them) and partners approve the revised version afresh.")


def _approval_recorded(approval: Approval) -> str:
    approved_on = dateformat.format(approval.approved_on, "M j, Y")
    return f"{approval.organization_name}'s approval of {approved_on} is recorded."


@workgroup_view(Action.APPROVE_TRIAGE)
@require_http_methods(["GET", "POST"])
def approval_create(request: HttpRequest, protocol_version_id: int) -> HttpResponse:
    version = get_version(request, protocol_version_id, Action.APPROVE_TRIAGE)
    if version.status != VersionStatus.IN_REVIEW:
        messages.error(request, services.MSG_NOT_IN_REVIEW)
        return redirect(version)
    form = ApprovalForm(form_data(request), workgroup=request.workgroup, version=version)
    return form_response(
        request, form, save=partial(services.approval_record, actor=request.user, version=version),
        success_message=_approval_recorded, redirect_to=version,
        template="triage/approval_form.html", context={"version": version, "approvals": version.approvals.all()},
    )


@workgroup_view(Action.APPROVE_TRIAGE)
@require_POST
def approve(request: HttpRequest, protocol_version_id: int) -> HttpResponse:
    version = get_version(request, protocol_version_id, Action.APPROVE_TRIAGE)
    return _run(request, version, services.version_approve,
                f"Version {version.number} is approved and can no longer change. Put it in force when partners "
                "are ready to use it.")


@workgroup_view(Action.APPROVE_TRIAGE)
@require_POST
def put_in_force(request: HttpRequest, protocol_version_id: int) -> HttpResponse:
    version = get_version(request, protocol_version_id, Action.APPROVE_TRIAGE)
    return _run(request, version, services.version_put_in_force,
                f"Version {version.number} is now in force for {version.protocol.name}.")


@workgroup_view(Action.APPROVE_TRIAGE)
@require_http_methods(["GET", "POST"])
def retire(request: HttpRequest, protocol_version_id: int) -> HttpResponse:
    version = get_version(request, protocol_version_id, Action.APPROVE_TRIAGE)
    if request.method == "POST":
        return _run(request, version, services.version_retire, f"Version {version.number} is retired.")
    in_force = version.in_force_periods.filter(ended_at__isnull=True).exists()
    return render(request, "triage/version_confirm_retire.html", {"version": version, "in_force": in_force})


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def new_draft(request: HttpRequest, protocol_version_id: int) -> HttpResponse:
    """The version page posts here; the page itself shows the form again when the summary cannot be kept (400)."""
    version = get_version(request, protocol_version_id, Action.EDIT_TRIAGE)
    form = NewDraftForm(form_data(request))
    return form_response(
        request, form, save=partial(services.version_new_draft, actor=request.user, from_version=version),
        success_message=lambda draft: f"Version {draft.number} is a new draft copied from version {version.number}. "
                                      "Edit it, check its scenarios, then submit it for review.",
        redirect_to=lambda draft: draft, template="triage/version_new_draft.html", context={"version": version},
    )
