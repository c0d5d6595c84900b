"""Agreement packets: ask for one, watch it being built, download it, retry it, delete it.

Packets are for the people who export agreements (coordinators and legal reviewers); deleting one is
for coordinators. Every view resolves the agreement and the packet through the permission layer.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from agreements import packets, services
from agreements.forms import PacketForm
from agreements.models import Agreement, AgreementPacket, PacketSection
from agreements.views.drafting import agreement_for, version_for
from toolkit.forms import add_service_errors, form_data
from toolkit.pagination import paginate
from toolkit.permissions import Action, can, get_object_for_user, workgroup_view
from toolkit.views.jobs import job_file_response
from toolkit.views.shortcuts import refuse_with_message, render_form_page

PACKETS_PER_PAGE = 20


def _packet_for(request: HttpRequest, agreement: Agreement, packet_id: int, action: Action) -> AgreementPacket:
    queryset = AgreementPacket.objects.select_related("job", "version", "requested_by", "workgroup", "agreement")
    packet = get_object_for_user(request.user, request.workgroup, queryset, packet_id, action)
    if packet.agreement_id != agreement.pk:
        raise Http404("No such packet of this agreement.")
    return packet


def _section_labels(packet: AgreementPacket) -> list[str]:
    labels = dict(PacketSection.choices)
    return [labels.get(section, section) for section in packet.sections]


def _form(request: HttpRequest, agreement: Agreement, version_numbers: list[int], chosen_number: int) -> PacketForm:
    version = version_for(agreement, chosen_number)
    available = packets.available_sections(agreement, version)
    choices = [(section.value, section.label) for section in available]
    if request.method == "POST":
        return PacketForm(form_data(request), agreement=agreement, version_numbers=version_numbers,
                          section_choices=[(value, label) for value, label in PacketSection.choices])
    return PacketForm(initial={"version": chosen_number, "sections": [value for value, _ in choices]},
                      agreement=agreement, version_numbers=version_numbers, section_choices=choices)


@workgroup_view(Action.EXPORT_AGREEMENTS)
@require_http_methods(["GET", "HEAD", "POST"])
def packet_list(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """The packets of an agreement, newest first, and the form that asks for a new one."""
    agreement = agreement_for(request, agreement_id, Action.EXPORT_AGREEMENTS)
    version_numbers = list(agreement.versions.order_by("-number").values_list("number", flat=True))
    try:
        chosen = int(request.GET.get("version", agreement.current_version_number))
    except ValueError:
        chosen = agreement.current_version_number
    if chosen not in version_numbers:
        chosen = agreement.current_version_number
    form = _form(request, agreement, version_numbers, chosen)
    if request.method == "POST" and form.is_valid():
        version = version_for(agreement, form.cleaned_data["version"])
        try:
            packet, created = services.packet_request(actor=request.user, agreement=agreement, version=version,
                                                      sections=form.cleaned_data["sections"],
                                                      as_zip=form.cleaned_data["as_zip"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if created:
                messages.info(request, "You asked for the packet; its status below follows the background job.")
            else:
                messages.info(request, "The same packet was already asked for: here it is.")
            return redirect(packet)
    page = paginate(request, AgreementPacket.objects.restrict(request.membership, Action.EXPORT_AGREEMENTS)
                    .filter(agreement=agreement).select_related("job", "version", "requested_by", "workgroup")
                    .order_by("-created_at", "-id"), per_page=PACKETS_PER_PAGE)
    return render_form_page(request, "agreements/packet_list.html", {
        "agreement": agreement, "form": form, "page": page, "section_labels": dict(PacketSection.choices),
        "can_delete": can(request.user, request.workgroup, Action.EDIT_AGREEMENTS),
    }, form=form)


@workgroup_view(Action.EXPORT_AGREEMENTS)
@vary_on_headers("HX-Request")  # the same URL answers with the page or, for the poll, the status partial
@require_safe
def packet_detail(request: HttpRequest, agreement_id: int, packet_id: int) -> HttpResponse:
    agreement = agreement_for(request, agreement_id, Action.EXPORT_AGREEMENTS)
    packet = _packet_for(request, agreement, packet_id, Action.EXPORT_AGREEMENTS)
    context = {"agreement": agreement, "packet": packet, "job": packet.job, "sections": _section_labels(packet),
               "can_delete": can(request.user, request.workgroup, Action.EDIT_AGREEMENTS)}
    template = "agreements/_packet_status.html" if request.htmx else "agreements/packet_detail.html"
    return render(request, template, context)


@workgroup_view(Action.EXPORT_AGREEMENTS)
@require_safe
def packet_download(request: HttpRequest, agreement_id: int, packet_id: int) -> HttpResponse:
    agreement = agreement_for(request, agreement_id, Action.EXPORT_AGREEMENTS)
    packet = _packet_for(request, agreement, packet_id, Action.EXPORT_AGREEMENTS)
    return job_file_response(packet.job)  # the type (PDF or ZIP) follows from the file's name


@workgroup_view(Action.EXPORT_AGREEMENTS)
@require_POST
def packet_retry(request: HttpRequest, agreement_id: int, packet_id: int) -> HttpResponse:
    agreement = agreement_for(request, agreement_id, Action.EXPORT_AGREEMENTS)
    packet = _packet_for(request, agreement, packet_id, Action.EXPORT_AGREEMENTS)
    try:
        services.packet_retry(actor=request.user, packet=packet)
    except ValidationError as exc:
        return refuse_with_message(request, exc, packet)
    messages.info(request, "You asked for the packet again; its status below follows the background job.")
    return redirect(packet)


@workgroup_view(Action.EDIT_AGREEMENTS)
@require_http_methods(["GET", "HEAD", "POST"])
def packet_delete(request: HttpRequest, agreement_id: int, packet_id: int) -> HttpResponse:
    """Asks first (GET), deletes on POST: the packet, its job and its file."""
    agreement = agreement_for(request, agreement_id, Action.EDIT_AGREEMENTS)
    packet = _packet_for(request, agreement, packet_id, Action.EDIT_AGREEMENTS)
    if request.method == "POST":
        try:
            services.packet_delete(actor=request.user, packet=packet)
        except ValidationError as exc:
            return refuse_with_message(request, exc, packet)
        messages.success(request, f"The packet of version {packet.version.number} is deleted.")
        return redirect("agreements:packet-list", slug=request.workgroup.slug, agreement_id=agreement.pk)
    return render(request, "agreements/packet_confirm_delete.html",
                  {"agreement": agreement, "packet": packet, "sections": _section_labels(packet)})
