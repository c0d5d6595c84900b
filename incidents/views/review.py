"""The QA workflow on one incident: triage, review, harm, risk, root causes, actions, closure, sharing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from incidents import services
from incidents.forms import TriageForm
from incidents.views.incidents import _detail_page, _incident_for
from toolkit.forms import add_service_errors, form_data
from toolkit.permissions import Action, workgroup_view


@workgroup_view(Action.REVIEW_INCIDENTS)
@require_POST
def incident_triage(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = _incident_for(request, incident_id)
    form = TriageForm(form_data(request), workgroup=request.workgroup)
    if form.is_valid():
        try:
            services.incident_triage(actor=request.user, incident=incident, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{incident.reference} is triaged.")
            return redirect(incident)
    return _detail_page(request, incident, triage_form=form)



def review_start(request, *args, **kwargs):  # placeholder until built
    raise Http404("Not built yet.")


def harm_rate(request, *args, **kwargs):  # placeholder until built
    raise Http404("Not built yet.")


def harm_agree(request, *args, **kwargs):  # placeholder until built
    raise Http404("Not built yet.")


def assessment(request, *args, **kwargs):  # placeholder until built
    raise Http404("Not built yet.")


def root_cause_add(request, *args, **kwargs):  # placeholder until built
    raise Http404("Not built yet.")


def action_add(request, *args, **kwargs):  # placeholder until built
    raise Http404("Not built yet.")


def action_update(request, *args, **kwargs):  # placeholder until built
    raise Http404("Not built yet.")


def review_finish(request, *args, **kwargs):  # placeholder until built
    raise Http404("Not built yet.")


def incident_close(request, *args, **kwargs):  # placeholder until built
    raise Http404("Not built yet.")


def incident_reopen(request, *args, **kwargs):  # placeholder until built
    raise Http404("Not built yet.")


def comment_add(request, *args, **kwargs):  # placeholder until built
    raise Http404("Not built yet.")


def marking(request, *args, **kwargs):  # placeholder until built
    raise Http404("Not built yet.")


def share_add(request, *args, **kwargs):  # placeholder until built
    raise Http404("Not built yet.")


def share_remove(request, *args, **kwargs):  # placeholder until built
    raise Http404("Not built yet.")
