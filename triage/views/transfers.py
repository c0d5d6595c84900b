"""Transfer records: the list, one record, recording and correcting one (filled in by issue 15's work)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from toolkit.permissions import Action, workgroup_view


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "triage/transfers/index.html", {"workgroup": request.workgroup})


urlpatterns = [
    path("", index, name="index"),
]
