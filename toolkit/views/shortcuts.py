"""The one shape of a form view: bind, call one service, say what happened, redirect — or show the errors.

    form = OrganizationForm(form_data(request), workgroup=request.workgroup)
    return form_response(
        request, form,
        save=partial(services.organization_create, actor=request.user, workgroup=request.workgroup),
        success_message=lambda org: f"{org.name} is on the map.",
        redirect_to=lambda org: org,
        template="partners/organization_form.html", context={"organization": None},
    )

A service's ValidationError lands next to the field it names (or at the top of the form), the
person's input stays in the form, and an invalid POST answers ``INVALID_FORM_STATUS`` (400) in
every app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_htmx.http import HttpResponseClientRefresh

from toolkit.forms import INVALID_FORM_STATUS, add_service_errors

T = TypeVar("T")


def form_response(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    save: Callable[..., T],
    template: str,
    redirect_to: Any | Callable[[T], Any],
    success_message: str | Callable[[T], str] | None = None,
    context: dict[str, Any] | None = None,
    form_name: str = "form",
) -> HttpResponse:
    """On a valid POST, ``save(**form.cleaned_data)``; then message and redirect, or re-render with errors.

    ``redirect_to`` and ``success_message`` may be callables of what ``save`` returned; ``redirect_to``
    is anything ``django.shortcuts.redirect`` takes (a model with ``get_absolute_url``, a URL, a URL name).
    """
    if request.method == "POST" and form.is_bound and form.is_valid():
        try:
            result = save(**form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if success_message:
                messages.success(request, success_message(result) if callable(success_message) else success_message)
            return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)
    return render_form_page(request, template, {form_name: form, **(context or {})}, form=form)


def render_form_page(request: HttpRequest, template: str, context: dict[str, Any], *,
                     form: forms.BaseForm | None = None) -> HttpResponse:
    """Render a page holding a form: 400 when that form was posted and has errors, 200 otherwise."""
    invalid = form is not None and form.is_bound and bool(form.errors)
    return render(request, template, context, status=INVALID_FORM_STATUS if invalid else 200)


def refuse_with_message(request: HttpRequest, exc: ValidationError, redirect_to: Any) -> HttpResponse:
    """For buttons without a form (publish, close, delete): the service's reason as a message, then back."""
    messages.error(request, " ".join(exc.messages))
    return redirect(redirect_to)


def import_job_poll(request: HttpRequest, *, state: Any, import_url: str) -> HttpResponse | None:
    """While a CSV import's check or import job runs, htmx polls the import's page: answer with the job's
    progress, or a full refresh once it is done. None for an ordinary request (render the whole page)."""
    if not request.htmx:
        return None
    if state.running_job is None:
        return HttpResponseClientRefresh()  # the job finished: the whole page, in its new state
    return render(request, "toolkit/_import_job.html", {"import_url": import_url, "state": state})
