from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from partners import selectors, services
from partners.forms import ContactForm, OrganizationForm, SectorForm
from partners.models import Contact, Organization, Sector
from toolkit.forms import add_service_errors as _add_errors
from toolkit.permissions import Action, can, get_object_for_user, workgroup_view


@workgroup_view(Action.VIEW_WORKGROUP)
def index(request: HttpRequest) -> HttpResponse:
    services.partner_map_ensure_defaults(workgroup=request.workgroup)  # created by "System"
    cover = selectors.coverage(workgroup=request.workgroup)
    context = {
        "coverage": cover,
        "organization_count": Organization.objects.for_workgroup(request.workgroup).count(),
        "contact_count": Contact.objects.for_workgroup(request.workgroup).count(),
        "can_edit": can(request.user, request.workgroup, Action.EDIT_PARTNERS),
        "area": "partners",
    }
    return render(request, "partners/index.html", context)


@workgroup_view(Action.EDIT_PARTNERS)
@require_http_methods(["GET", "POST"])
def organization_create(request: HttpRequest) -> HttpResponse:
    services.partner_map_ensure_defaults(workgroup=request.workgroup)  # created by "System"
    # Coverage links here with ?sector=<id> for a missing sector; the scoped form ignores foreign ids.
    sector_id = request.GET.get("sector", "")
    initial = {"sector": sector_id} if sector_id.isascii() and sector_id.isdigit() else {}
    form = OrganizationForm(
        request.POST or None, initial=initial, workgroup=request.workgroup, submit_label="Add organization"
    )
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.organization_create(
                actor=request.user, workgroup=request.workgroup, **form.cleaned_data
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{organization.name} is on the map. Add its contacts next.")
            return redirect(organization)
    return render(request, "partners/organization_form.html", {"form": form, "organization": None})


@workgroup_view(Action.VIEW_WORKGROUP)
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_object_for_user(
        request.user, request.workgroup, Organization.objects.select_related("sector"), pk, Action.VIEW_WORKGROUP
    )
    context = {
        "organization": organization,
        "contacts": organization.contacts.all(),
        "history": organization.history.select_related("history_user")[:10],
        "can_edit": can(request.user, request.workgroup, Action.EDIT_PARTNERS),
        "contact_form": ContactForm(submit_label="Add contact"),
    }
    return render(request, "partners/organization_detail.html", context)


@workgroup_view(Action.EDIT_PARTNERS)
@require_http_methods(["GET", "POST"])
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_object_for_user(request.user, request.workgroup, Organization.objects, pk, Action.EDIT_PARTNERS)
    form = OrganizationForm(request.POST or None, instance=organization, workgroup=request.workgroup)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(actor=request.user, organization=organization, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{organization.name} saved.")
            return redirect(organization)
    original = Organization.objects.get(pk=organization.pk)  # the heading shows the saved name, not the draft
    return render(request, "partners/organization_form.html", {"form": form, "organization": original})


@workgroup_view(Action.EDIT_PARTNERS)
@require_http_methods(["GET", "POST"])
def organization_delete(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_object_for_user(request.user, request.workgroup, Organization.objects, pk, Action.EDIT_PARTNERS)
    if request.method == "POST":
        services.organization_delete(actor=request.user, organization=organization)
        messages.success(request, f"{organization.name} was removed from the map.")
        return redirect("partners:directory", slug=request.workgroup.slug)
    return render(request, "partners/organization_confirm_delete.html", {"organization": organization})


@workgroup_view(Action.EDIT_PARTNERS)
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_object_for_user(request.user, request.workgroup, Organization.objects, pk, Action.EDIT_PARTNERS)
    form = ContactForm(request.POST or None, submit_label="Add contact")
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_create(actor=request.user, organization=organization, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{contact.name} added to {organization.name}.")
            return redirect(organization)
    return render(request, "partners/contact_form.html", {"form": form, "organization": organization, "contact": None})


@workgroup_view(Action.EDIT_PARTNERS)
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_for_user(
        request.user, request.workgroup, Contact.objects.select_related("organization"), pk, Action.EDIT_PARTNERS
    )
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(actor=request.user, contact=contact, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{contact.name} saved.")
            return redirect(contact.organization)
    context = {"form": form, "organization": contact.organization, "contact": contact}
    return render(request, "partners/contact_form.html", context)


@workgroup_view(Action.EDIT_PARTNERS)
@require_http_methods(["GET", "POST"])
def contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_for_user(
        request.user, request.workgroup, Contact.objects.select_related("organization"), pk, Action.EDIT_PARTNERS
    )
    if request.method == "POST":
        services.contact_delete(actor=request.user, contact=contact)
        messages.success(request, f"{contact.name} was removed.")
        return redirect(contact.organization)
    return render(request, "partners/contact_confirm_delete.html", {"contact": contact})


def _sector_page(request: HttpRequest, form: SectorForm | None, status: int = 200) -> HttpResponse:
    context = {"sectors": selectors.sector_list(workgroup=request.workgroup), "form": form}
    return render(request, "partners/sector_list.html", context, status=status)


@workgroup_view(Action.VIEW_WORKGROUP)
def sector_list(request: HttpRequest) -> HttpResponse:
    services.partner_map_ensure_defaults(workgroup=request.workgroup)  # created by "System"
    can_edit = can(request.user, request.workgroup, Action.EDIT_PARTNERS)
    return _sector_page(request, SectorForm() if can_edit else None)


@workgroup_view(Action.EDIT_PARTNERS)
@require_POST
def sector_create(request: HttpRequest) -> HttpResponse:
    form = SectorForm(request.POST)
    if form.is_valid():
        try:
            sector = services.sector_create(actor=request.user, workgroup=request.workgroup, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Sector “{sector.name}” added.")
            return redirect("partners:sectors", slug=request.workgroup.slug)
    return _sector_page(request, form, status=400)


@workgroup_view(Action.EDIT_PARTNERS)
@require_POST
def sector_delete(request: HttpRequest, pk: int) -> HttpResponse:
    sector = get_object_for_user(request.user, request.workgroup, Sector.objects, pk, Action.EDIT_PARTNERS)
    try:
        services.sector_delete(actor=request.user, sector=sector)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Sector “{sector.name}” deleted.")
    return redirect("partners:sectors", slug=request.workgroup.slug)
