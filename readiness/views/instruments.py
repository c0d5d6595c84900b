"""Instrument screens: everyone in the workgroup reads instruments; coordinators edit drafts and publish them.

Views resolve rows through the permission layer, bind a form and call one service. A published (or
retired) version is immutable: its editing pages redirect to the version with the reason, and the
services refuse any change that slips through (another tab, another coordinator) with the same message.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from readiness import selectors, services
from readiness.forms.instruments import DimensionForm, InstrumentForm, ItemForm, VersionForm
from readiness.messages import MSG_VERSION_NOT_EDITABLE
from readiness.models import Dimension, Instrument, InstrumentStatus, InstrumentVersion, Item
from toolkit.forms import add_service_errors
from toolkit.permissions import Action, can, get_object_for_user, workgroup_view

MANAGE = Action.MANAGE_READINESS
DIRECTIONS = ("up", "down")


def _get(request: HttpRequest, queryset, pk: int, action: Action = MANAGE):
    return get_object_for_user(request.user, request.workgroup, queryset, pk, action)


def _version(request: HttpRequest, pk: int, action: Action = MANAGE) -> InstrumentVersion:
    return _get(request, InstrumentVersion.objects.select_related("instrument", "based_on"), pk, action)


def _dimension(request: HttpRequest, pk: int) -> Dimension:
    return _get(request, Dimension.objects.select_related("version__instrument"), pk)


def _item(request: HttpRequest, pk: int) -> Item:
    return _get(request, Item.objects.select_related("version__instrument", "dimension"), pk)


def _at(version: InstrumentVersion, anchor: str = "") -> HttpResponseRedirect:
    return redirect(version.get_absolute_url() + (f"#{anchor}" if anchor else ""))


def _refused(request: HttpRequest, version: InstrumentVersion) -> HttpResponseRedirect | None:
    """Editing pages of a version that is no longer a draft never render: say why, go back to it."""
    if version.is_editable:
        return None
    messages.error(request, MSG_VERSION_NOT_EDITABLE)
    return _at(version)


def _error(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


# --- Instruments --------------------------------------------------------------------------------


@workgroup_view(Action.VIEW_WORKGROUP)
def instrument_list(request: HttpRequest) -> HttpResponse:
    instruments = list(selectors.instrument_list(workgroup=request.workgroup))
    for instrument in instruments:  # versions are prefetched, newest first
        versions = list(instrument.versions.all())
        instrument.published = next((v for v in versions if v.status == InstrumentStatus.PUBLISHED), None)
        instrument.draft = next((v for v in versions if v.status == InstrumentStatus.DRAFT), None)
    return render(request, "readiness/instruments/list.html", {"instruments": instruments})


@workgroup_view(MANAGE)
@require_http_methods(["GET", "POST"])
def instrument_create(request: HttpRequest) -> HttpResponse:
    form = InstrumentForm(request.POST or None, submit_label="Create instrument")
    if request.method == "POST" and form.is_valid():
        try:
            instrument = services.instrument_create(actor=request.user, workgroup=request.workgroup,
                                                    **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{instrument.name}” created. Add dimensions and statements to "
                                      "version 1, then publish it.")
            return redirect(instrument.versions.get())
    return render(request, "readiness/instruments/instrument_form.html", {"form": form, "instrument": None})


@workgroup_view(Action.VIEW_WORKGROUP)
def instrument_detail(request: HttpRequest, pk: int) -> HttpResponse:
    instrument = _get(request, Instrument.objects, pk, Action.VIEW_WORKGROUP)
    versions = instrument.versions.select_related("based_on", "created_by").annotate(
        item_count=Count("items", distinct=True), round_count=Count("rounds", distinct=True)
    ).order_by("-number")
    return render(request, "readiness/instruments/detail.html", {"instrument": instrument, "versions": versions})


@workgroup_view(MANAGE)
@require_http_methods(["GET", "POST"])
def instrument_edit(request: HttpRequest, pk: int) -> HttpResponse:
    instrument = _get(request, Instrument.objects, pk)
    name = instrument.name  # the heading keeps the saved name while the form shows what was typed
    form = InstrumentForm(request.POST or None, initial={"name": name, "description": instrument.description})
    if request.method == "POST" and form.is_valid():
        try:
            services.instrument_update(actor=request.user, instrument=instrument, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{instrument.name}” saved.")
            return redirect(instrument)
    context = {"form": form, "instrument": instrument, "heading": name}
    return render(request, "readiness/instruments/instrument_form.html", context)


# --- Versions -----------------------------------------------------------------------------------


@workgroup_view(Action.VIEW_WORKGROUP)
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk, Action.VIEW_WORKGROUP)
    dimensions = selectors.version_dimensions(version=version)
    items = [item for dimension in dimensions for item in dimension.items.all()]
    can_manage = can(request.user, request.workgroup, MANAGE)
    # The instrument's open draft and published version (at most one each), for the publish/new-draft panel.
    siblings = {v.status: v for v in version.instrument.versions.exclude(status=InstrumentStatus.RETIRED)}
    context = {
        "version": version,
        "instrument": version.instrument,
        "dimensions": dimensions,
        "item_count": len(items),
        "scored_count": sum(1 for item in items if item.is_scored),
        "problems": services.version_problems(version) if version.is_editable else [],
        "draft": siblings.get(InstrumentStatus.DRAFT),
        "published": siblings.get(InstrumentStatus.PUBLISHED),
        "can_manage": can_manage,
        "can_edit": can_manage and version.is_editable,
    }
    return render(request, "readiness/instruments/version_detail.html", context)


@workgroup_view(MANAGE)
@require_http_methods(["GET", "POST"])
def version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    if refused := _refused(request, version):
        return refused
    form = VersionForm(request.POST or None, initial={"change_summary": version.change_summary})
    if request.method == "POST" and form.is_valid():
        try:
            services.version_update(actor=request.user, version=version, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Version {version.number} saved.")
            return _at(version)
    return render(request, "readiness/instruments/version_form.html", {"form": form, "version": version})


@workgroup_view(MANAGE)
@require_POST
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    try:
        services.version_publish(actor=request.user, version=version)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"Version {version.number} is published: new rounds use it and it can no "
                                  "longer change. Any version published before it is now retired; rounds that "
                                  "used it keep citing it.")
    return _at(version)


@workgroup_view(MANAGE)
@require_http_methods(["GET", "POST"])
def version_discard(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    if refused := _refused(request, version):
        return refused
    if request.method == "POST":
        try:
            instrument = services.version_discard_draft(actor=request.user, version=version)
        except ValidationError as exc:
            _error(request, exc)
            return _at(version)
        messages.success(request, f"The draft, version {version.number}, was discarded.")
        if instrument is None:
            return redirect("readiness:instrument-list", slug=request.workgroup.slug)
        return redirect(instrument)
    only_version = not version.instrument.versions.exclude(pk=version.pk).exists()
    return render(request, "readiness/instruments/version_confirm_discard.html",
                  {"version": version, "only_version": only_version})


@workgroup_view(MANAGE)
@require_POST
def version_new_draft(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _at(version)
    try:
        draft = services.version_new_draft(actor=request.user, from_version=version, **form.cleaned_data)
    except ValidationError as exc:
        _error(request, exc)
        return _at(version)
    messages.success(request, f"Version {draft.number} started as a draft copy of version {version.number}. "
                              "Edit it, then publish it.")
    return _at(draft)


# --- Dimensions ---------------------------------------------------------------------------------


@workgroup_view(MANAGE)
@require_http_methods(["GET", "POST"])
def dimension_create(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    if refused := _refused(request, version):
        return refused
    form = DimensionForm(request.POST or None, submit_label="Add dimension")
    if request.method == "POST" and form.is_valid():
        try:
            dimension = services.dimension_save(actor=request.user, version=version, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Dimension “{dimension.name}” added. Add its statements next.")
            return _at(version, f"dimension-{dimension.pk}")
    context = {"form": form, "version": version, "heading": None}
    return render(request, "readiness/instruments/dimension_form.html", context)


@workgroup_view(MANAGE)
@require_http_methods(["GET", "POST"])
def dimension_edit(request: HttpRequest, pk: int) -> HttpResponse:
    dimension = _dimension(request, pk)
    version = dimension.version
    if refused := _refused(request, version):
        return refused
    heading = dimension.name
    initial = {name: getattr(dimension, name) for name in DimensionForm.base_fields}
    form = DimensionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.dimension_save(actor=request.user, version=version, dimension=dimension, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Dimension “{dimension.name}” saved.")
            return _at(version, f"dimension-{dimension.pk}")
    context = {"form": form, "version": version, "heading": heading}
    return render(request, "readiness/instruments/dimension_form.html", context)


@workgroup_view(MANAGE)
@require_http_methods(["GET", "POST"])
def dimension_delete(request: HttpRequest, pk: int) -> HttpResponse:
    dimension = _dimension(request, pk)
    version = dimension.version
    if refused := _refused(request, version):
        return refused
    if request.method == "POST":
        try:
            services.dimension_delete(actor=request.user, dimension=dimension)
        except ValidationError as exc:
            _error(request, exc)
            return _at(version, f"dimension-{dimension.pk}")
        messages.success(request, f"Dimension “{dimension.name}” deleted.")
        return _at(version)
    context = {"dimension": dimension, "version": version, "item_count": dimension.items.count()}
    return render(request, "readiness/instruments/dimension_confirm_delete.html", context)


@workgroup_view(MANAGE)
@require_POST
def dimension_move(request: HttpRequest, pk: int) -> HttpResponse:
    dimension = _dimension(request, pk)
    direction = request.POST.get("direction", "")
    if direction not in DIRECTIONS:
        messages.error(request, "Move a dimension up or down.")
    else:
        try:
            services.dimension_move(actor=request.user, dimension=dimension, direction=direction)
        except ValidationError as exc:
            _error(request, exc)
    return _at(dimension.version, f"dimension-{dimension.pk}")


# --- Statements (items) -------------------------------------------------------------------------


@workgroup_view(MANAGE)
@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    if refused := _refused(request, version):
        return refused
    preselected = request.GET.get("dimension", "")
    initial = {"dimension": preselected} if preselected.isdigit() else {}
    form = ItemForm(request.POST or None, initial=initial, version=version, workgroup=request.workgroup,
                    submit_label="Add statement")
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_save(actor=request.user, version=version, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Statement added to “{item.dimension.name}”.")
            return _at(version, f"item-{item.pk}")
    context = {"form": form, "version": version, "heading": None}
    return render(request, "readiness/instruments/item_form.html", context)


@workgroup_view(MANAGE)
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    version = item.version
    if refused := _refused(request, version):
        return refused
    heading = item.statement
    initial = {name: getattr(item, name) for name in ItemForm.base_fields}
    form = ItemForm(request.POST or None, initial=initial, version=version, workgroup=request.workgroup)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_save(actor=request.user, version=version, item=item, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Statement saved.")
            return _at(version, f"item-{item.pk}")
    context = {"form": form, "version": version, "heading": heading}
    return render(request, "readiness/instruments/item_form.html", context)


@workgroup_view(MANAGE)
@require_http_methods(["GET", "POST"])
def item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    version = item.version
    if refused := _refused(request, version):
        return refused
    if request.method == "POST":
        try:
            services.item_delete(actor=request.user, item=item)
        except ValidationError as exc:
            _error(request, exc)
            return _at(version, f"item-{item.pk}")
        messages.success(request, f"Statement “{item.statement}” deleted.")
        return _at(version, f"dimension-{item.dimension_id}")
    return render(request, "readiness/instruments/item_confirm_delete.html", {"item": item, "version": version})


@workgroup_view(MANAGE)
@require_POST
def item_move(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    direction = request.POST.get("direction", "")
    if direction not in DIRECTIONS:
        messages.error(request, "Move a statement up or down.")
    else:
        try:
            services.item_move(actor=request.user, item=item, direction=direction)
        except ValidationError as exc:
            _error(request, exc)
    return _at(item.version, f"item-{item.pk}")
