"""Protocols and their versions: the list, a protocol's history, and the main page of a version."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from toolkit.forms import add_service_errors as add_errors
from toolkit.permissions import Action, can, get_object_for_user, workgroup_view
from triage import engine, selectors, services
from triage.forms import ProtocolForm
from triage.models import InForcePeriod, Option, Protocol, ProtocolVersion

# Status badges: drafts blue, in review yellow, approved green, retired grey.
BADGE_CLASSES = {"draft": "text-bg-info", "in_review": "text-bg-warning", "approved": "text-bg-success",
                 "retired": "text-bg-secondary"}


def _with_badges(versions):
    for version in versions:
        version.badge_class = BADGE_CLASSES.get(version.status, "text-bg-light")
    return versions


def _index_page(request: HttpRequest, form: ProtocolForm | None, status: int = 200) -> HttpResponse:
    protocols = list(selectors.protocol_list(workgroup=request.workgroup))
    for protocol in protocols:
        _with_badges(protocol.versions.all())
    context = {
        "protocols": protocols,
        "form": form,
        "can_edit": can(request.user, request.workgroup, Action.EDIT_TRIAGE),
    }
    return render(request, "triage/index.html", context, status=status)


@workgroup_view(Action.VIEW_WORKGROUP)
def index(request: HttpRequest) -> HttpResponse:
    can_edit = can(request.user, request.workgroup, Action.EDIT_TRIAGE)
    return _index_page(request, ProtocolForm() if can_edit else None)


@workgroup_view(Action.EDIT_TRIAGE)
@require_POST
def protocol_create(request: HttpRequest) -> HttpResponse:
    form = ProtocolForm(request.POST)
    if form.is_valid():
        try:
            protocol = services.protocol_create(actor=request.user, workgroup=request.workgroup, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            version = protocol.versions.get()
            messages.success(request, f"“{protocol.name}” created. Version 1 starts from the default tree: "
                                      "adapt it with your partners.")
            return redirect(version)
    return _index_page(request, form, status=400)


@workgroup_view(Action.VIEW_WORKGROUP)
def protocol_detail(request: HttpRequest, pk: int) -> HttpResponse:
    protocol = get_object_for_user(request.user, request.workgroup, Protocol.objects, pk, Action.VIEW_WORKGROUP)
    versions = _with_badges(list(protocol.versions.annotate(approval_count=Count("approvals")).order_by("-number")))
    periods = InForcePeriod.objects.filter(protocol=protocol).select_related("version", "started_by")
    context = {
        "protocol": protocol,
        "versions": versions,
        "periods": periods,
        "in_force": selectors.version_in_force(protocol=protocol),
    }
    return render(request, "triage/protocol_detail.html", context)


@workgroup_view(Action.VIEW_WORKGROUP)
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_for_user(
        request.user, request.workgroup, ProtocolVersion.objects.select_related("protocol"), pk, Action.VIEW_WORKGROUP
    )
    _with_badges([version])
    problems = engine.validate(selectors.tree_for_version(version))
    nodes = list(version.nodes.select_related("risk_level").prefetch_related(
        Prefetch("options", queryset=Option.objects.select_related("next_node").order_by("order", "pk"))
    ).order_by("-is_root", "order", "pk"))
    criteria = dict(version.criteria.values_list("key", "label"))
    for node in nodes:
        for option in node.options.all():  # "Weapon present: yes" badges
            option.criteria_badges = [(criteria.get(key, key), value) for key, value in option.criteria.items()]
    context = {
        "version": version,
        "protocol": version.protocol,
        "problems": problems,
        "errors": engine.errors_of(problems),
        "nodes": nodes,
        "risk_levels": version.risk_levels.order_by("order", "name"),
        "in_force": selectors.version_in_force(protocol=version.protocol) == version,
        "can_edit": version.is_editable and can(request.user, request.workgroup, Action.EDIT_TRIAGE),
    }
    return render(request, "triage/version_detail.html", context)
