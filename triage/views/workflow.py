"""A version's way from draft to in force: submit, approvals by partner organizations, approve, put in force, retire.

Every view resolves the version through the permission layer and calls one service; a refusal shows the
service's message on the version page and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import dateformat, timezone
from django.views.decorators.http import require_http_methods, require_POST

from partners.models import Organization
from partners.selectors import organization_list
from toolkit.forms import WorkgroupScopedFormMixin
from toolkit.permissions import Action, get_object_for_user, workgroup_view
from triage import services
from triage.models import ProtocolVersion, VersionStatus


class ApprovalForm(WorkgroupScopedFormMixin, forms.Form):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.all(), label="Partner organization",
        help_text="Organizations come from this workgroup's partner map.",
    )
    approved_on = forms.DateField(label="Approved on", widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text="The date the organization gave its approval.")

    def __init__(self, *args, version: ProtocolVersion, **kwargs):
        super().__init__(*args, **kwargs)
        already = version.approvals.filter(organization__isnull=False).values("organization")
        # The partner map's own scoped list; the mixin has already limited the field to this workgroup.
        self.fields["organization"].queryset = organization_list(workgroup=self.workgroup).exclude(pk__in=already)
        self.fields["approved_on"].initial = timezone.localdate()
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Record approval"))

    def clean_approved_on(self):
        approved_on = self.cleaned_data["approved_on"]
        if approved_on > timezone.localdate():
            raise ValidationError("The approval date cannot be in the future.")
        return approved_on


def _version(request: HttpRequest, pk: int, action: Action) -> ProtocolVersion:
    queryset = ProtocolVersion.objects.select_related("protocol", "workgroup")
    return get_object_for_user(request.user, request.workgroup, queryset, pk, action)


def _run(request: HttpRequest, version: ProtocolVersion, service: Callable, success: str) -> HttpResponse:
    try:
        service(actor=request.user, version=version)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect("triage:version-detail", slug=request.workgroup.slug, pk=version.pk)


@workgroup_view(Action.EDIT_TRIAGE)
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk, Action.EDIT_TRIAGE)
    return _run(request, version, services.version_submit,
                f"Version {version.number} is in review. Record each partner organization's approval as it comes in.")


@workgroup_view(Action.APPROVE_TRIAGE)
@require_POST
def return_to_draft(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk, Action.APPROVE_TRIAGE)
    return _run(request, version, services.version_return_to_draft,
                f"Version {version.number} is a draft again; the approvals given so far were withdrawn "
                "(the audit trail keeps them) and partners approve the revised version afresh.")


@workgroup_view(Action.APPROVE_TRIAGE)
@require_http_methods(["GET", "POST"])
def approval_create(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk, Action.APPROVE_TRIAGE)
    if version.status != VersionStatus.IN_REVIEW:
        messages.error(request, services.MSG_NOT_IN_REVIEW)
        return redirect("triage:version-detail", slug=request.workgroup.slug, pk=version.pk)
    form = ApprovalForm(request.POST or None, workgroup=request.workgroup, version=version)
    if request.method == "POST" and form.is_valid():
        try:
            approval = services.approval_record(actor=request.user, version=version, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{approval.organization_name}'s approval of "
                                      f"{dateformat.format(approval.approved_on, 'M j, Y')} is recorded.")
            return redirect("triage:version-detail", slug=request.workgroup.slug, pk=version.pk)
    context = {"form": form, "version": version, "approvals": version.approvals.all()}
    return render(request, "triage/approval_form.html", context)


@workgroup_view(Action.APPROVE_TRIAGE)
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk, Action.APPROVE_TRIAGE)
    return _run(request, version, services.version_approve,
                f"Version {version.number} is approved and can no longer change. Put it in force when partners "
                "are ready to use it.")


@workgroup_view(Action.APPROVE_TRIAGE)
@require_POST
def put_in_force(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk, Action.APPROVE_TRIAGE)
    return _run(request, version, services.version_put_in_force,
                f"Version {version.number} is now in force for {version.protocol.name}.")


@workgroup_view(Action.APPROVE_TRIAGE)
@require_http_methods(["GET", "POST"])
def retire(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk, Action.APPROVE_TRIAGE)
    if request.method == "POST":
        return _run(request, version, services.version_retire, f"Version {version.number} is retired.")
    in_force = version.in_force_periods.filter(ended_at__isnull=True).exists()
    return render(request, "triage/version_confirm_retire.html", {"version": version, "in_force": in_force})


class NewDraftForm(forms.Form):
    change_summary = forms.CharField(max_length=300, required=False)  # CharField refuses NUL characters


@workgroup_view(Action.EDIT_TRIAGE)
@require_POST
def new_draft(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk, Action.EDIT_TRIAGE)
    form = NewDraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
        return redirect("triage:version-detail", slug=request.workgroup.slug, pk=version.pk)
    summary = form.cleaned_data["change_summary"]
    try:
        draft = services.version_new_draft(actor=request.user, from_version=version, change_summary=summary)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("triage:version-detail", slug=request.workgroup.slug, pk=version.pk)
    messages.success(request, f"Version {draft.number} is a new draft copied from version {version.number}. "
                              "Edit it, check its scenarios, then submit it for review.")
    return redirect("triage:version-detail", slug=request.workgroup.slug, pk=draft.pk)
