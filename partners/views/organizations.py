"""The partner map's start page, organizations with their contacts, and sectors."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from partners import selectors, services
from partners.forms import ContactForm, OrganizationForm, SectorForm
from partners.models import Contact, Organization, Sector
from toolkit.forms import form_data
from toolkit.pagination import paginate
from toolkit.permissions import Action, can, get_object_for_user, workgroup_view
from toolkit.views.shortcuts import form_response, refuse_with_message
from triage.transfers import selectors as transfer_selectors

CONTACTS_PER_PAGE = 25
SECTORS_PER_PAGE = 50
HISTORY_SHOWN = 10


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    counts = selectors.map_counts(workgroup=request.workgroup)
    context = {
        "coverage": selectors.coverage(workgroup=request.workgroup, names_per_sector=0),
        "organization_count": counts.organizations,
        "contact_count": counts.contacts,
        "can_edit": can(request.user, request.workgroup, Action.EDIT_PARTNERS),
        "area": "partners",
    }
    return render(request, "partners/index.html", context)


# --- Organizations ------------------------------------------------------------------------


@workgroup_view(Action.EDIT_PARTNERS)
@require_http_methods(["GET", "POST"])
def organization_create(request: HttpRequest) -> HttpResponse:
    # Coverage links here with ?sector=<id> for a missing sector; the scoped form ignores foreign ids.
    sector_id = request.GET.get("sector", "")
    initial = {"sector": sector_id} if sector_id.isascii() and sector_id.isdigit() else {}
    form = OrganizationForm(
        form_data(request), initial=initial, workgroup=request.workgroup, submit_label="Add organization"
    )
    return form_response(
        request, form,
        save=partial(services.organization_create, actor=request.user, workgroup=request.workgroup),
        success_message=lambda organization: f"{organization.name} is on the map. Add its contacts next.",
        redirect_to=lambda organization: organization,
        template="partners/organization_form.html", context={"organization": None},
    )


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def organization_detail(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = get_object_for_user(
        request.user, request.workgroup, Organization.objects.select_related("sector"), organization_id,
        Action.VIEW_WORKGROUP,
    )
    context = {
        "organization": organization,
        # An organization can have hundreds of contacts: a page at a time, primary first.
        "page_obj": paginate(request, selectors.organization_contacts(organization=organization),
                             per_page=CONTACTS_PER_PAGE),
        "history": organization.history.select_related("history_user")[:HISTORY_SHOWN],
        "can_edit": can(request.user, request.workgroup, Action.EDIT_PARTNERS),
    }
    return render(request, "partners/organization_detail.html", context)


@workgroup_view(Action.EDIT_PARTNERS)
@require_http_methods(["GET", "POST"])
def organization_edit(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = get_object_for_user(
        request.user, request.workgroup, Organization.objects, organization_id, Action.EDIT_PARTNERS
    )
    saved_name = organization.name  # the heading shows the saved name, not the draft
    form = OrganizationForm(form_data(request), instance=organization, workgroup=request.workgroup)
    return form_response(
        request, form,
        save=partial(services.organization_update, actor=request.user, organization=organization),
        success_message=lambda saved: f"{saved.name} saved.",
        redirect_to=lambda saved: saved,
        template="partners/organization_form.html",
        context={"organization": organization, "saved_name": saved_name},
    )


@workgroup_view(Action.EDIT_PARTNERS)
@require_http_methods(["GET", "POST"])
def organization_delete(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = get_object_for_user(
        request.user, request.workgroup, Organization.objects, organization_id, Action.EDIT_PARTNERS
    )
    transfer_count = transfer_selectors.organization_transfer_count(organization=organization)
    if request.method == "POST" and not transfer_count:
        try:
            services.organization_delete(actor=request.user, organization=organization)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, f"{organization.name} was removed from the map.")
            return redirect("partners:directory", slug=request.workgroup.slug)
    context = {"organization": organization, "contact_count": organization.contacts.count(),
               "transfer_count": transfer_count}
    return render(request, "partners/organization_confirm_delete.html", context)


# --- Contacts -------------------------------------------------------------------------------


def _contact(request: HttpRequest, contact_id: int) -> Contact:
    return get_object_for_user(
        request.user, request.workgroup, Contact.objects.select_related("organization"), contact_id,
        Action.EDIT_PARTNERS,
    )


@workgroup_view(Action.EDIT_PARTNERS)
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = get_object_for_user(
        request.user, request.workgroup, Organization.objects, organization_id, Action.EDIT_PARTNERS
    )
    return form_response(
        request, ContactForm(form_data(request), submit_label="Add contact"),
        save=partial(services.contact_create, actor=request.user, organization=organization),
        success_message=lambda contact: f"{contact.name} added to {organization.name}.",
        redirect_to=organization,
        template="partners/contact_form.html", context={"organization": organization, "contact": None},
    )


@workgroup_view(Action.EDIT_PARTNERS)
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _contact(request, contact_id)
    saved_name = contact.name
    return form_response(
        request, ContactForm(form_data(request), instance=contact),
        save=partial(services.contact_update, actor=request.user, contact=contact),
        success_message=lambda saved: f"{saved.name} saved.",
        redirect_to=contact.organization,
        template="partners/contact_form.html",
        context={"organization": contact.organization, "contact": contact, "saved_name": saved_name},
    )


@workgroup_view(Action.EDIT_PARTNERS)
@require_http_methods(["GET", "POST"])
def contact_delete(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _contact(request, contact_id)
    if request.method == "POST":
        services.contact_delete(actor=request.user, contact=contact)
        messages.success(request, f"{contact.name} was removed.")
        return redirect(contact.organization)
    return render(request, "partners/contact_confirm_delete.html", {"contact": contact})


# --- Sectors --------------------------------------------------------------------------------


def _sectors_url(request: HttpRequest) -> str:
    return reverse("partners:sectors", kwargs={"slug": request.workgroup.slug})


def _sector_context(request: HttpRequest) -> dict:
    return {"page_obj": paginate(request, selectors.sector_list(workgroup=request.workgroup),
                                 per_page=SECTORS_PER_PAGE)}


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def sector_list(request: HttpRequest) -> HttpResponse:
    can_edit = can(request.user, request.workgroup, Action.EDIT_PARTNERS)
    context = {**_sector_context(request), "form": SectorForm() if can_edit else None}
    return render(request, "partners/sector_list.html", context)


@workgroup_view(Action.EDIT_PARTNERS)
@require_POST
def sector_create(request: HttpRequest) -> HttpResponse:
    return form_response(
        request, SectorForm(request.POST),
        save=partial(services.sector_create, actor=request.user, workgroup=request.workgroup),
        success_message=lambda sector: f"Sector “{sector.name}” added.",
        redirect_to=_sectors_url(request),
        template="partners/sector_list.html", context=_sector_context(request),
    )


@workgroup_view(Action.EDIT_PARTNERS)
@require_POST
def sector_delete(request: HttpRequest, sector_id: int) -> HttpResponse:
    sector = get_object_for_user(request.user, request.workgroup, Sector.objects, sector_id, Action.EDIT_PARTNERS)
    try:
        services.sector_delete(actor=request.user, sector=sector)
    except ValidationError as exc:
        return refuse_with_message(request, exc, _sectors_url(request))
    messages.success(request, f"Sector “{sector.name}” deleted.")
    return redirect(_sectors_url(request))
