"""A version's way from draft to in force: the partners who sign it, submit, each partner's decision, approve,
put in force, retire.

Every view resolves the version through the permission layer and calls one service; a refusal shows the
service's message on the version page and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import dateformat
from django.views.decorators.http import require_http_methods, require_POST

from toolkit.forms import form_data
from toolkit.permissions import Action, membership_allows, workgroup_view
from toolkit.views.shortcuts import form_response, refuse_with_message
from triage import selectors, services
from triage.forms import ApprovalForm, NewDraftForm, SignatoryForm
from triage.models import Approval, Decision, ProtocolVersion, Signatory, VersionStatus
from triage.views.lookups import get_version


def signoff_context(request: HttpRequest, version: ProtocolVersion) -> dict:
    """What the version page's sign-off section reads: each listed partner's decision, and (in a draft, for
    people who edit it) the form that lists another partner."""
    can_list = version.is_editable and membership_allows(request.membership, Action.EDIT_TRIAGE)
    form = SignatoryForm(workgroup=request.workgroup, version=version) if can_list else None
    return {"signoff": selectors.signoff_status(version=version), "signatory_form": form}


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
                f"Version {version.number} is in review. Record each listed partner's decision as it comes in.")


@workgroup_view(Action.APPROVE_TRIAGE)
@require_POST
def return_to_draft(request: HttpRequest, protocol_version_id: int) -> HttpResponse:
    version = get_version(request, protocol_version_id, Action.APPROVE_TRIAGE)
    return _run(request, version, services.version_return_to_draft,
                f"Version {version.number} is a draft again; the partners' decisions given so far were withdrawn "
                "(the audit trail keeps them) and the listed partners decide on the revised version afresh.")


def _approval_recorded(approval: Approval) -> str:
    decided_on = dateformat.format(approval.approved_on, "M j, Y")
    if approval.decision == Decision.DECLINED:
        return (f"{approval.organization_name} declined on {decided_on}; the version cannot be approved until it "
                "is returned to draft and revised.")
    return f"{approval.organization_name}'s approval of {decided_on} is recorded."


@workgroup_view(Action.EDIT_TRIAGE)
@require_POST
def signatory_add(request: HttpRequest, protocol_version_id: int) -> HttpResponse:
    """The version page's sign-off section posts here; a refusal shows this form again with the choice (400)."""
    version = get_version(request, protocol_version_id, Action.EDIT_TRIAGE)
    form = SignatoryForm(request.POST, workgroup=request.workgroup, version=version)
    return form_response(
        request, form, save=partial(services.signatory_add, actor=request.user, version=version),
        success_message=lambda signatory: f"{signatory.organization_name} is listed to sign version "
                                          f"{version.number}.",
        redirect_to=version.get_absolute_url() + "#signoff", template="triage/signatory_form.html",
        context={"version": version},
    )


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def signatory_remove(request: HttpRequest, protocol_version_id: int, signatory_id: int) -> HttpResponse:
    version = get_version(request, protocol_version_id, Action.EDIT_TRIAGE)
    signatory = get_object_or_404(Signatory.objects.filter(version=version), pk=signatory_id)
    back = version.get_absolute_url() + "#signoff"
    if not version.is_editable:
        messages.error(request, services.MSG_NOT_DRAFT.format(number=version.number,
                                                              status=version.get_status_display().lower()))
        return redirect(back)
    if request.method == "POST":
        try:
            services.signatory_remove(actor=request.user, signatory=signatory)
        except ValidationError as exc:
            return refuse_with_message(request, exc, back)
        messages.success(request, f"{signatory.organization_name} no longer signs version {version.number}.")
        return redirect(back)
    return render(request, "triage/signatory_confirm_remove.html", {"version": version, "signatory": signatory})


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
        template="triage/approval_form.html", context={"version": version,
                                                       "signoff": selectors.signoff_status(version=version)},
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
