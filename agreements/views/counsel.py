"""Approval by each party's counsel: the agreement's "Counsel approvals" page, and the one-time link page.

Everyone in the workgroup sees which parties' counsel have approved the current version; coordinators and
legal reviewers record a decision counsel gave them, or send counsel a link. The link is shown once, in the
answer to the POST that made it (never in a message, a redirect or the session), and e-mailed after the commit.

The link page is public on purpose: the signed token is the credential and opens one version of one
agreement for one party. It shows the version's text read-only and the decision form, nothing else of the
workgroup. The permission layer's ``token_view`` resolves it and renders refusals (404 / 410, never cached).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agreements import counsel
from agreements.forms_counsel import CounselDecisionForm, CounselLinkForm, CounselRecordForm
from agreements.models import Agreement
from agreements.selectors import render_version
from agreements.views.drafting import agreement_for, version_for
from toolkit.forms import add_service_errors, form_data
from toolkit.permissions import Action, can, token_view, workgroup_view
from toolkit.views.shortcuts import render_form_page


def _page(request: HttpRequest, agreement: Agreement, *, record_form: CounselRecordForm | None = None,
          link_form: CounselLinkForm | None = None, sent: dict | None = None) -> HttpResponse:
    """The counsel page; re-rendered (400) with a refused form and what was typed, or (200) with a new link."""
    version = version_for(agreement, agreement.current_version_number)
    parties = agreement.parties.all()
    context = {
        "agreement": agreement,
        "version": version,
        "party_status": counsel.party_status(version=version),
        "is_open": agreement.status in counsel.OPEN_STATUSES,
        "can_record": can(request.user, request.workgroup, Action.REVIEW_AGREEMENTS),
        "record_form": record_form or CounselRecordForm(parties=parties, version_number=version.number,
                                                        prefix="record"),
        "link_form": link_form or CounselLinkForm(parties=parties, version_number=version.number, prefix="link"),
        "sent": sent,
        "link_lifetime_days": counsel.LINK_LIFETIME.days,
    }
    form = record_form if record_form is not None else link_form
    return render_form_page(request, "agreements/counsel_approvals.html", context, form=form)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def party_approvals(request: HttpRequest, agreement_id: int) -> HttpResponse:
    return _page(request, agreement_for(request, agreement_id, parties=True))


@workgroup_view(Action.REVIEW_AGREEMENTS)
@require_POST
def party_approval_record(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = agreement_for(request, agreement_id, Action.REVIEW_AGREEMENTS, parties=True)
    form = CounselRecordForm(request.POST, parties=agreement.parties.all(),
                             version_number=agreement.current_version_number, prefix="record")
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = version_for(agreement, data.pop("version_number"))
        try:
            approval = counsel.party_approval_record(actor=request.user, version=version, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Recorded: counsel for {approval.party.name} "
                                      f"{approval.get_decision_display().lower()} version {version.number}.")
            return redirect("agreements:party-approvals", slug=request.workgroup.slug, agreement_id=agreement.pk)
    return _page(request, agreement, record_form=form)


@workgroup_view(Action.REVIEW_AGREEMENTS)
@require_POST
def party_approval_link_send(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = agreement_for(request, agreement_id, Action.REVIEW_AGREEMENTS, parties=True)
    form = CounselLinkForm(request.POST, parties=agreement.parties.all(),
                           version_number=agreement.current_version_number, prefix="link")
    if form.is_valid():
        version = version_for(agreement, form.cleaned_data["version_number"])
        try:
            approval, url = counsel.party_approval_link_send(
                actor=request.user, version=version, party=form.cleaned_data["party"],
                email=form.cleaned_data["email"], base_url=request.build_absolute_uri("/"))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # Shown once, in this answer only (the page is not cached); a fresh form for the next party.
            return _page(request, agreement, sent={"approval": approval, "url": url})
    return _page(request, agreement, link_form=form)


# --- The one-time link ------------------------------------------------------------------------------


# The same answers token_view gives when it resolves the link (toolkit.permissions).
_LINK_REFUSED = {"replaced": 404, "used": 410, "superseded": 410, "closed": 410, "expired": 410}


def _link_context(approval) -> dict:
    return {"approval": approval, "agreement": approval.agreement, "version": approval.version,
            "party": approval.party, "workgroup": approval.workgroup}


@token_view(counsel.party_approval_for_token, refused_template="agreements/counsel_link_refused.html")
@require_http_methods(["GET", "POST"])
def party_approval_link(request: HttpRequest) -> HttpResponse:
    """The token has been resolved (and refusals rendered) by the permission layer; no login involved."""
    approval = request.link_subject
    form = CounselDecisionForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            approval = counsel.party_approval_by_link(approval=approval, **form.cleaned_data)
        except ValidationError as exc:
            if getattr(exc, "code", None) in _LINK_REFUSED:  # replaced or used up since the page was opened
                return render(request, "agreements/counsel_link_refused.html", {"message": " ".join(exc.messages)},
                              status=_LINK_REFUSED[exc.code])
            add_service_errors(form, exc)
        else:  # the link is used up: say thank you here, once
            return render(request, "agreements/counsel_link_thanks.html", _link_context(approval))
    context = _link_context(approval) | {"form": form, "rendered": render_version(approval.version)}
    return render_form_page(request, "agreements/counsel_link.html", context, form=form)


urlpatterns: list = [
    path("<int:agreement_id>/counsel/", party_approvals, name="party-approvals"),
    path("<int:agreement_id>/counsel/record/", party_approval_record, name="party-approval-record"),
    path("<int:agreement_id>/counsel/send-link/", party_approval_link_send, name="party-approval-link-send"),
]

# Mounted outside /w/<slug>/ (agreements/urls_public.py, like readiness's /respond/): no account involved.
public_urlpatterns: list = [
    path("<slug:slug>/<str:link_token>/", party_approval_link, name="party-approval-link"),
]
