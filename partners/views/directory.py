"""The contact directory: a filterable list, CSV export and vCards (the CSV import: views/imports.py)."""

from __future__ import annotations

import vobject
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from partners import directory_io
from partners.filters import DirectoryFilter
from partners.models import Contact, Organization, Quadrant
from partners.selectors import directory_organizations
from toolkit.audit import record_access
from toolkit.models import AuditAction
from toolkit.pagination import paginate
from toolkit.permissions import Action, can, get_object_for_user, workgroup_view
from toolkit.text import xml_safe

PAGE_SIZE = 25


def _attachment(content: str | bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@workgroup_view(Action.VIEW_WORKGROUP)
@vary_on_headers("HX-Request")  # the same URL answers with the page or the results partial
@require_safe
def directory(request: HttpRequest) -> HttpResponse:
    # Invalid criteria (a sector of another workgroup, a control character in the search) are ignored.
    filterset = DirectoryFilter(
        request.GET or None, queryset=directory_organizations(membership=request.membership),
        workgroup=request.workgroup,
    )
    page = paginate(request, filterset.qs, per_page=PAGE_SIZE)
    for organization in page:
        organization.quadrant_label = Quadrant(organization.quadrant_key).label
        organization.more_contacts = organization.contact_count - len(organization.first_contacts)
    filtered = filterset.is_filtered
    context = {
        "filter": filterset,
        "page_obj": page,
        "filtered": filtered,
        # Only asked when the page is empty, to tell "nothing yet" from "nothing matches".
        "directory_empty": not page.paginator.count
        and (not filtered or not Organization.objects.restrict(request.membership, Action.VIEW_WORKGROUP).exists()),
        "can_edit": can(request.user, request.workgroup, Action.EDIT_PARTNERS),
    }
    template = "partners/_directory_results.html" if request.htmx else "partners/directory.html"
    return render(request, template, context)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def export_csv(request: HttpRequest) -> HttpResponse:
    # The BOM makes Excel read the file as UTF-8 instead of the local code page.
    text = "\ufeff" + directory_io.export_directory_csv(workgroup=request.workgroup)
    record_access(actor=request.user, obj=request.workgroup, action=AuditAction.EXPORTED,
                  workgroup_id=request.workgroup.pk, detail="Partner directory (CSV, every contact)")
    return _attachment(text, "text/csv; charset=utf-8", f"{request.workgroup.slug}-partner-directory.csv")


def _one_line(value: str) -> str:
    """vCard text without what a vCard cannot hold (rows saved before the text normaliser existed)."""
    return " ".join(xml_safe(value).split())


def contact_vcard_text(contact: Contact) -> str:
    card = vobject.vCard()
    name = _one_line(contact.name) or "Contact"
    card.add("fn").value = name
    given, _, family = name.rpartition(" ") if " " in name else (name, "", "")
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    card.add("org").value = [_one_line(contact.organization.name)]
    if title := _one_line(contact.title):
        card.add("title").value = title
    if email := _one_line(contact.email):
        line = card.add("email")
        line.value, line.type_param = email, "INTERNET"
    if phone := _one_line(contact.phone):
        tel = card.add("tel")
        tel.value, tel.type_param = phone, "WORK"
    return card.serialize()


@workgroup_view(Action.VIEW_WORKGROUP)
@require_safe
def contact_vcard(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = get_object_for_user(
        request.user, request.workgroup, Contact.objects.select_related("organization"), contact_id,
        Action.VIEW_WORKGROUP,
    )
    filename = f"{slugify(_one_line(contact.name)) or 'contact'}.vcf"
    record_access(actor=request.user, obj=contact, action=AuditAction.DOWNLOADED, detail="vCard")
    return _attachment(contact_vcard_text(contact), "text/vcard; charset=utf-8", filename)
