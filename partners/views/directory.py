"""The contact directory: a filterable list, CSV export and import with a preview, and vCards."""

from __future__ import annotations

import vobject
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from partners import directory_io
from partners.models import Contact, DirectoryImport, EngagementStatus, ImportStatus, Organization, Quadrant, Sector
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


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="Directory CSV file", widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}))


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


def _upload_page(request: HttpRequest, form: ImportUploadForm, errors=(), status: int = 200) -> HttpResponse:
    context = {"form": form, "errors": errors, "columns": directory_io.EXPORT_COLUMNS}
    return render(request, "partners/import_upload.html", context, status=status)


@workgroup_view(Action.EDIT_PARTNERS)
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _upload_page(request, ImportUploadForm())
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, form, status=400)
    upload = form.cleaned_data["file"]
    # Read one byte past the limit: enough to know a file is too big without loading all of it.
    parsed = directory_io.parse_directory_csv(
        workgroup=request.workgroup, data=upload.read(directory_io.MAX_BYTES + 1)
    )
    if parsed.file_rejected:
        return _upload_page(request, form, errors=parsed.errors, status=400)
    directory_import = directory_io.directory_import_create(
        actor=request.user, workgroup=request.workgroup, filename=upload.name, parsed=parsed
    )
    return redirect("partners:import-preview", slug=request.workgroup.slug, pk=directory_import.pk)


@workgroup_view(Action.EDIT_PARTNERS)
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    directory_import = get_object_for_user(
        request.user, request.workgroup, DirectoryImport.objects, pk, Action.EDIT_PARTNERS
    )
    action = request.POST.get("action")
    if request.method == "POST" and action in ("confirm", "discard"):
        try:
            if action == "confirm":
                orgs, contacts = directory_io.directory_import_confirm(
                    actor=request.user, directory_import=directory_import
                )
                messages.success(request, f"Imported {orgs} organization{pluralize(orgs)} and {contacts} "
                                          f"contact{pluralize(contacts)} from {directory_import.filename}.")
            else:
                directory_io.directory_import_discard(actor=request.user, directory_import=directory_import)
                messages.info(request, f"{directory_import.filename} was discarded; nothing was imported.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("partners:import-preview", slug=request.workgroup.slug, pk=directory_import.pk)
        return redirect("partners:directory", slug=request.workgroup.slug)
    pending = directory_import.status == ImportStatus.PENDING
    context = {
        "directory_import": directory_import,
        "parsed": directory_io.directory_import_parse(directory_import=directory_import) if pending else None,
    }
    return render(request, "partners/import_preview.html", context, status=400 if request.method == "POST" else 200)
