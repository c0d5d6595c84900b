"""The contact directory: a filterable list, CSV export and vCards (the CSV import: views/imports.py)."""

from __future__ import annotations

import vobject
from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from partners import directory_io
from partners.models import Contact, EngagementStatus, Organization, Quadrant, Sector
from partners.selectors import organization_list
from toolkit.forms import WorkgroupScopedFormMixin
from toolkit.permissions import Action, can, get_object_for_user, workgroup_view

PAGE_SIZE = 25


class DirectoryFilterForm(WorkgroupScopedFormMixin, forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    sector = forms.ModelChoiceField(queryset=Sector.objects.order_by("order", "name"), required=False,
                                    empty_label="All sectors")
    status = forms.ChoiceField(choices=[("", "All statuses"), *EngagementStatus.choices], required=False)
    quadrant = forms.ChoiceField(choices=[("", "All quadrants"), *Quadrant.choices], required=False)


def _attachment(content: str | bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@workgroup_view(Action.VIEW_WORKGROUP)
@vary_on_headers("HX-Request")  # the same URL answers with the page or the results partial
@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET, workgroup=request.workgroup)
    form.is_valid()  # keep the valid criteria; a sector of another workgroup is an invalid choice and ignored
    criteria = {name: form.cleaned_data[name] for name in form.fields if name in form.cleaned_data}
    page = Paginator(organization_list(workgroup=request.workgroup, **criteria), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    quadrant_labels = dict(Quadrant.choices)
    for org in page:
        org.quadrant_label = quadrant_labels[org.quadrant_key]
    filtered = any(criteria.values())
    context = {
        "form": form,
        "page_obj": page,
        "filtered": filtered,
        # Only asked when the page is empty, to tell "nothing yet" from "nothing matches".
        "directory_empty": not page.paginator.count
        and (not filtered or not Organization.objects.for_workgroup(request.workgroup).exists()),
        "can_edit": can(request.user, request.workgroup, Action.EDIT_PARTNERS),
    }
    template = "partners/_directory_results.html" if request.htmx else "partners/directory.html"
    return render(request, template, context)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    # The BOM makes Excel read the file as UTF-8 instead of the local code page.
    text = "\ufeff" + directory_io.export_directory_csv(workgroup=request.workgroup)
    return _attachment(text, "text/csv; charset=utf-8", f"{request.workgroup.slug}-partner-directory.csv")


def contact_vcard_text(contact: Contact) -> str:
    card = vobject.vCard()
    card.add("fn").value = contact.name
    given, _, family = contact.name.rpartition(" ") if " " in contact.name else (contact.name, "", "")
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    card.add("org").value = [contact.organization.name]
    if contact.title:
        card.add("title").value = contact.title
    if contact.email:
        email = card.add("email")
        email.value, email.type_param = contact.email, "INTERNET"
    if contact.phone:
        tel = card.add("tel")
        tel.value, tel.type_param = contact.phone, "WORK"
    return card.serialize()


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def contact_vcard(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_for_user(
        request.user, request.workgroup, Contact.objects.select_related("organization"), pk, Action.VIEW_WORKGROUP
    )
    filename = f"{slugify(contact.name) or 'contact'}.vcf"
    return _attachment(contact_vcard_text(contact), "text/vcard; charset=utf-8", filename)
