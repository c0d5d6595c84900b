"""Instrument screens: everyone in the workgroup reads instruments; coordinators edit drafts and publish them.

Views resolve rows through the permission layer, bind a form and call one service. A published (or
retired) version is immutable: its editing pages redirect to the version with the reason, and the
services refuse any change that slips through (another tab, another coordinator) with the same message.
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from readiness import selectors, services
from readiness.forms.instruments import DimensionForm, InstrumentForm, ItemForm, VersionForm
from readiness.messages import MSG_VERSION_NOT_EDITABLE
from readiness.models import Dimension, Instrument, InstrumentStatus, InstrumentVersion, Item
from readiness.text import stored_initial
from toolkit.forms import form_data
from toolkit.pagination import paginate
from toolkit.permissions import Action, can, get_object_for_user, workgroup_view
from toolkit.views.shortcuts import form_response, refuse_with_message, render_form_page

MANAGE = Action.MANAGE_READINESS
DIRECTIONS = ("up", "down")
INSTRUMENTS_PER_PAGE = 20
VERSIONS_PER_PAGE = 25



def _get(request: HttpRequest, queryset, pk: int, action: Action = MANAGE):
    return get_object_for_user(request.user, request.workgroup, queryset, pk, action)


def _version(request: HttpRequest, instrument_version_id: int, action: Action = MANAGE) -> InstrumentVersion:
    return _get(request, InstrumentVersion.objects.select_related("instrument__workgroup", "based_on", "workgroup"),
                instrument_version_id, action)


def _dimension(request: HttpRequest, dimension_id: int) -> Dimension:
    return _get(request, Dimension.objects.select_related("version__instrument__workgroup", "version__workgroup"),
                dimension_id)


def _item(request: HttpRequest, item_id: int) -> Item:
    return _get(request, Item.objects.select_related("version__instrument__workgroup", "version__workgroup",
                                                     "dimension"), item_id)


def _url(version: InstrumentVersion, anchor: str = "") -> str:
    return version.get_absolute_url() + (f"#{anchor}" if anchor else "")


def _at(version: InstrumentVersion, anchor: str = "") -> HttpResponseRedirect:
    return redirect(_url(version, anchor))


def _refused(request: HttpRequest, version: InstrumentVersion) -> HttpResponseRedirect | None:
    """Editing pages of a version that is no longer a draft never render: say why, go back to it."""
    if version.is_editable:
        return None
    messages.error(request, MSG_VERSION_NOT_EDITABLE)
    return _at(version)


# --- Instruments --------------------------------------------------------------------------------


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def instrument_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.instrument_list(workgroup=request.workgroup), per_page=INSTRUMENTS_PER_PAGE)
    for instrument in page:  # only the published version and the open draft are prefetched
        instrument.published = next((v for v in instrument.current_versions
                                     if v.status == InstrumentStatus.PUBLISHED), None)
        instrument.draft = next((v for v in instrument.current_versions if v.status == InstrumentStatus.DRAFT), None)
    return render(request, "readiness/instruments/list.html", {"page_obj": page})


@workgroup_view(MANAGE)
@require_http_methods(["GET", "POST"])
def instrument_create(request: HttpRequest) -> HttpResponse:
    form = InstrumentForm(form_data(request), submit_label="Create instrument")
    return form_response(
        request, form,
        save=partial(services.instrument_create, actor=request.user, workgroup=request.workgroup),
        success_message=lambda instrument: f"“{instrument.name}” created. Add dimensions and statements to "
                                           "version 1, then publish it.",
        redirect_to=lambda instrument: instrument.versions.get(),
        template="readiness/instruments/instrument_form.html", context={"instrument": None},
    )


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def instrument_detail(request: HttpRequest, instrument_id: int) -> HttpResponse:
    instrument = _get(request, Instrument.objects, instrument_id, Action.VIEW_WORKGROUP)
    page = paginate(request, selectors.instrument_versions(instrument=instrument), per_page=VERSIONS_PER_PAGE)
    return render(request, "readiness/instruments/detail.html", {"instrument": instrument, "page_obj": page})


@workgroup_view(MANAGE)
@require_http_methods(["GET", "POST"])
def instrument_edit(request: HttpRequest, instrument_id: int) -> HttpResponse:
    instrument = _get(request, Instrument.objects.select_related("workgroup"), instrument_id)
    name = instrument.name  # the heading keeps the saved name while the form shows what was typed
    form = InstrumentForm(form_data(request), initial=stored_initial({"name": name,
                                                                     "description": instrument.description}))
    return form_response(
        request, form,
        save=partial(services.instrument_update, actor=request.user, instrument=instrument),
        success_message=lambda saved: f"“{saved.name}” saved.",
        redirect_to=instrument,
        template="readiness/instruments/instrument_form.html", context={"instrument": instrument, "heading": name},
    )


# --- Versions -----------------------------------------------------------------------------------


def _version_page(request: HttpRequest, version: InstrumentVersion,
                  new_draft_form: VersionForm | None = None) -> HttpResponse:
    dimensions = selectors.version_dimensions(version=version)
    items = [item for dimension in dimensions for item in dimension.items.all()]
    can_manage = can(request.user, request.workgroup, MANAGE)
    # The instrument's open draft and published version (at most one each), for the publish/new-draft panel.
    siblings = {v.status: v for v in version.instrument.versions.exclude(status=InstrumentStatus.RETIRED)
                .select_related("workgroup")}
    context = {
        "version": version,
        "instrument": version.instrument,
        "dimensions": dimensions,
        "item_count": len(items),
        "scored_count": sum(1 for item in items if item.is_scored),
        "problems": services.version_problems(version, dimensions=dimensions) if version.is_editable else [],
        "draft": siblings.get(InstrumentStatus.DRAFT),
        "published": siblings.get(InstrumentStatus.PUBLISHED),
        "can_manage": can_manage,
        "can_edit": can_manage and version.is_editable,
        "new_draft_form": new_draft_form,
    }
    return render_form_page(request, "readiness/instruments/version_detail.html", context, form=new_draft_form)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def version_detail(request: HttpRequest, instrument_version_id: int) -> HttpResponse:
    return _version_page(request, _version(request, instrument_version_id, Action.VIEW_WORKGROUP))


@workgroup_view(MANAGE)
@require_http_methods(["GET", "POST"])
def version_edit(request: HttpRequest, instrument_version_id: int) -> HttpResponse:
    version = _version(request, instrument_version_id)
    if refused := _refused(request, version):
        return refused
    form = VersionForm(form_data(request), initial=stored_initial({"change_summary": version.change_summary}))
    return form_response(
        request, form,
        save=partial(services.version_update, actor=request.user, version=version),
        success_message=f"Version {version.number} saved.",
        redirect_to=_url(version),
        template="readiness/instruments/version_form.html", context={"version": version},
    )


@workgroup_view(MANAGE)
@require_POST
def version_publish(request: HttpRequest, instrument_version_id: int) -> HttpResponse:
    version = _version(request, instrument_version_id)
    try:
        services.version_publish(actor=request.user, version=version)
    except ValidationError as exc:
        return refuse_with_message(request, exc, _url(version))
    messages.success(request, f"Version {version.number} is published: new rounds use it and it can no "
                              "longer change. Any version published before it is now retired; rounds that "
                              "used it keep citing it.")
    return _at(version)


@workgroup_view(MANAGE)
@require_http_methods(["GET", "POST"])
def version_discard(request: HttpRequest, instrument_version_id: int) -> HttpResponse:
    version = _version(request, instrument_version_id)
    if refused := _refused(request, version):
        return refused
    if request.method == "POST":
        try:
            instrument = services.version_discard_draft(actor=request.user, version=version)
        except ValidationError as exc:
            return refuse_with_message(request, exc, _url(version))
        messages.success(request, f"The draft, version {version.number}, was discarded.")
        if instrument is None:
            return redirect("readiness:instrument-list", slug=request.workgroup.slug)
        return redirect(instrument)
    only_version = not version.instrument.versions.exclude(pk=version.pk).exists()
    return render(request, "readiness/instruments/version_confirm_discard.html",
                  {"version": version, "only_version": only_version})


@workgroup_view(MANAGE)
@require_POST
def version_new_draft(request: HttpRequest, instrument_version_id: int) -> HttpResponse:
    version = _version(request, instrument_version_id)
    form = VersionForm(request.POST)
    if not form.is_valid():  # the version page again, with the form's errors (400)
        return _version_page(request, version, new_draft_form=form)
    try:
        draft = services.version_new_draft(actor=request.user, from_version=version, **form.cleaned_data)
    except ValidationError as exc:
        return refuse_with_message(request, exc, _url(version))
    messages.success(request, f"Version {draft.number} started as a draft copy of version {version.number}. "
                              "Edit it, then publish it.")
    return _at(draft)


# --- Dimensions ---------------------------------------------------------------------------------


@workgroup_view(MANAGE)
@require_http_methods(["GET", "POST"])
def dimension_create(request: HttpRequest, instrument_version_id: int) -> HttpResponse:
    version = _version(request, instrument_version_id)
    if refused := _refused(request, version):
        return refused
    form = DimensionForm(form_data(request), submit_label="Add dimension")
    return form_response(
        request, form,
        save=partial(services.dimension_save, actor=request.user, version=version),
        success_message=lambda dimension: f"Dimension “{dimension.name}” added. Add its statements next.",
        redirect_to=lambda dimension: _url(version, f"dimension-{dimension.pk}"),
        template="readiness/instruments/dimension_form.html", context={"version": version, "heading": None},
    )


@workgroup_view(MANAGE)
@require_http_methods(["GET", "POST"])
def dimension_edit(request: HttpRequest, dimension_id: int) -> HttpResponse:
    dimension = _dimension(request, dimension_id)
    version = dimension.version
    if refused := _refused(request, version):
        return refused
    heading = dimension.name
    initial = stored_initial({name: getattr(dimension, name) for name in DimensionForm.base_fields})
    form = DimensionForm(form_data(request), initial=initial)
    return form_response(
        request, form,
        save=partial(services.dimension_save, actor=request.user, version=version, dimension=dimension),
        success_message=lambda saved: f"Dimension “{saved.name}” saved.",
        redirect_to=_url(version, f"dimension-{dimension.pk}"),
        template="readiness/instruments/dimension_form.html", context={"version": version, "heading": heading},
    )


@workgroup_view(MANAGE)
@require_http_methods(["GET", "POST"])
def dimension_delete(request: HttpRequest, dimension_id: int) -> HttpResponse:
    dimension = _dimension(request, dimension_id)
    version = dimension.version
    if refused := _refused(request, version):
        return refused
    if request.method == "POST":
        try:
            services.dimension_delete(actor=request.user, dimension=dimension)
        except ValidationError as exc:
            return refuse_with_message(request, exc, _url(version, f"dimension-{dimension.pk}"))
        messages.success(request, f"Dimension “{dimension.name}” deleted.")
        return _at(version)
    context = {"dimension": dimension, "version": version, "item_count": dimension.items.count()}
    return render(request, "readiness/instruments/dimension_confirm_delete.html", context)


@workgroup_view(MANAGE)
@require_POST
def dimension_move(request: HttpRequest, dimension_id: int) -> HttpResponse:
    dimension = _dimension(request, dimension_id)
    back = _url(dimension.version, f"dimension-{dimension.pk}")
    direction = request.POST.get("direction", "")
    if direction not in DIRECTIONS:
        return refuse_with_message(request, ValidationError("Move a dimension up or down."), back)
    try:
        services.dimension_move(actor=request.user, dimension=dimension, direction=direction)
    except ValidationError as exc:
        return refuse_with_message(request, exc, back)
    return redirect(back)


# --- Statements (items) -------------------------------------------------------------------------


@workgroup_view(MANAGE)
@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest, instrument_version_id: int) -> HttpResponse:
    version = _version(request, instrument_version_id)
    if refused := _refused(request, version):
        return refused
    preselected = request.GET.get("dimension", "")
    initial = {"dimension": preselected} if preselected.isascii() and preselected.isdigit() else {}
    form = ItemForm(form_data(request), initial=initial, version=version, workgroup=request.workgroup,
                    submit_label="Add statement")
    return form_response(
        request, form,
        save=partial(services.item_save, actor=request.user, version=version),
        success_message=lambda item: f"Statement added to “{item.dimension.name}”.",
        redirect_to=lambda item: _url(version, f"item-{item.pk}"),
        template="readiness/instruments/item_form.html", context={"version": version, "heading": None},
    )


@workgroup_view(MANAGE)
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(request, item_id)
    version = item.version
    if refused := _refused(request, version):
        return refused
    heading = item.statement
    initial = stored_initial({name: getattr(item, name) for name in ItemForm.base_fields})
    form = ItemForm(form_data(request), initial=initial, version=version, workgroup=request.workgroup)
    return form_response(
        request, form,
        save=partial(services.item_save, actor=request.user, version=version, item=item),
        success_message="Statement saved.",
        redirect_to=_url(version, f"item-{item.pk}"),
        template="readiness/instruments/item_form.html", context={"version": version, "heading": heading},
    )


@workgroup_view(MANAGE)
@require_http_methods(["GET", "POST"])
def item_delete(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(request, item_id)
    version = item.version
    if refused := _refused(request, version):
        return refused
    if request.method == "POST":
        try:
            services.item_delete(actor=request.user, item=item)
        except ValidationError as exc:
            return refuse_with_message(request, exc, _url(version, f"item-{item.pk}"))
        messages.success(request, f"Statement “{item.statement}” deleted.")
        return _at(version, f"dimension-{item.dimension_id}")
    return render(request, "readiness/instruments/item_confirm_delete.html", {"item": item, "version": version})


@workgroup_view(MANAGE)
@require_POST
def item_move(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(request, item_id)
    back = _url(item.version, f"item-{item.pk}")
    direction = request.POST.get("direction", "")
    if direction not in DIRECTIONS:
        return refuse_with_message(request, ValidationError("Move a statement up or down."), back)
    try:
        services.item_move(actor=request.user, item=item, direction=direction)
    except ValidationError as exc:
        return refuse_with_message(request, exc, back)
    return redirect(back)
