"""Drafting screens: the list, creating from a template, the current text, editing, versions, redlines, library."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from agreements import exports, selectors, services
from agreements.forms import AgreementCreateForm, AgreementEditForm, AgreementFilterForm
from agreements.models import Agreement, AgreementTemplate, AgreementVersion, Clause, TemplateClause
from toolkit.forms import add_service_errors as _add_errors
from toolkit.permissions import Action, can, get_object_for_user, workgroup_view

PAGE_SIZE = 25



def _is_stale(exc: ValidationError) -> bool:
    return any(error.code == "stale" for error in getattr(exc, "error_list", [exc]))


def _agreement(request: HttpRequest, pk: int, action: Action = Action.VIEW_WORKGROUP) -> Agreement:
    queryset = Agreement.objects.select_related("template", "protocol")
    return get_object_for_user(request.user, request.workgroup, queryset, pk, action)


def _permissions(request: HttpRequest) -> dict[str, bool]:
    user, workgroup = request.user, request.workgroup
    return {
        "can_edit": can(user, workgroup, Action.EDIT_AGREEMENTS),
        "can_comment": can(user, workgroup, Action.COMMENT_AGREEMENTS),
        "can_review": can(user, workgroup, Action.REVIEW_AGREEMENTS),
        "can_export": can(user, workgroup, Action.EXPORT_AGREEMENTS),
    }


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    services.library_ensure_defaults(workgroup=request.workgroup)
    form = AgreementFilterForm(request.GET)
    form.is_valid()  # an unknown status is dropped, the rest still filters
    criteria = {name: form.cleaned_data.get(name, "") for name in ("party", "status")}
    page = Paginator(selectors.agreement_list(workgroup=request.workgroup, **criteria), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    filtered = any(criteria.values())
    context = {
        "form": form,
        "page_obj": page,
        "filtered": filtered,
        "can_create": can(request.user, request.workgroup, Action.EDIT_AGREEMENTS),
    }
    return render(request, "agreements/index.html", context)


@workgroup_view(Action.EDIT_AGREEMENTS)
@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest) -> HttpResponse:
    services.library_ensure_defaults(workgroup=request.workgroup)
    templates = AgreementTemplate.objects.filter(workgroup=request.workgroup)
    # The step-2 form posts back to its own URL (?template=…); the hidden, scoped field must then agree with it.
    template_id = request.GET.get("template") or request.POST.get("template")
    raw_id = str(template_id or "")
    template = templates.filter(pk=template_id).first() if raw_id.isascii() and raw_id.isdigit() else None
    if template is None:  # step 1: pick a template (the variables of the form depend on it)
        if request.method == "POST":
            messages.error(request, "Choose one of this workgroup's templates first.")
        return render(request, "agreements/agreement_form.html", {"templates": templates.prefetch_related(
            "variables", Prefetch("template_clauses", queryset=TemplateClause.objects.select_related("clause")))})
    form = AgreementCreateForm(request.POST or None, workgroup=request.workgroup, template=template)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                agreement = services.agreement_create(
                    actor=request.user, workgroup=request.workgroup, template=template,
                    title=form.cleaned_data["title"], parties=form.party_values(),
                    variables=form.variable_values(), protocol=form.cleaned_data["protocol"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"“{agreement.title}” is drafted as version 1.")
                return redirect("agreements:agreement-detail", slug=request.workgroup.slug, pk=agreement.pk)
        status = 400
    return render(request, "agreements/agreement_form.html", {"form": form, "template": template}, status=status)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk)
    version = agreement.versions.select_related("author").get(number=agreement.current_version_number)
    rendered = selectors.render_version(version)
    permissions = _permissions(request)
    guidance = {}
    if permissions["can_edit"]:
        guidance = dict(Clause.objects.filter(workgroup=request.workgroup, key__in=[c.key for c in rendered.clauses])
                        .values_list("key", "guidance"))
    open_comments = selectors.open_comments_by_clause(version=version)
    clauses = [{"clause": c, "guidance": guidance.get(c.key, ""), "open_comments": open_comments.get(c.key, 0)}
               for c in rendered.clauses]
    context = {
        "agreement": agreement,
        "version": version,
        "rendered": rendered,
        "clauses": clauses,
        "open_comment_total": sum(open_comments.values()),
        **permissions,
    }
    return render(request, "agreements/agreement_detail.html", context)


def _edit_form(agreement: Agreement, latest: AgreementVersion, data=None) -> AgreementEditForm:
    initial = {"base_version_number": latest.number, "title": latest.title}
    return AgreementEditForm(data, initial=initial, template=agreement.template, clauses=latest.clauses,
                             stored=latest.variables)


@workgroup_view(Action.EDIT_AGREEMENTS)
@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk, Action.EDIT_AGREEMENTS)
    if not agreement.is_editable:
        messages.error(request, services.MSG_NOT_EDITABLE.format(status=agreement.get_status_display().lower()))
        return redirect("agreements:agreement-detail", slug=request.workgroup.slug, pk=agreement.pk)
    latest = agreement.versions.get(number=agreement.current_version_number)
    form = _edit_form(agreement, latest, request.POST or None)
    context = {"agreement": agreement, "form": form, "latest": latest, "stale": False,
               "language": _language(agreement.template)}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                version = services.agreement_save(
                    actor=request.user, agreement=agreement,
                    base_version_number=form.cleaned_data["base_version_number"], title=form.cleaned_data["title"],
                    variables=form.variable_values(), clause_bodies=form.clause_bodies(),
                    change_summary=form.cleaned_data["change_summary"],
                )
            except ValidationError as exc:
                if _is_stale(exc):
                    # Keep every word typed; the next save is based on the version now shown for comparison.
                    data = request.POST.copy()
                    data["base_version_number"] = str(latest.number)
                    typed = form.clause_bodies()
                    base = agreement.versions.filter(number=form.cleaned_data["base_version_number"]).first()
                    base_bodies = {c["key"]: c["body"] for c in base.clauses} if base else {}
                    form = _edit_form(agreement, latest, data)
                    form.is_valid()
                    form.conflicts = {
                        c["key"]: {"differs": typed.get(c["key"]) != c["body"],
                                   "changed_since_base": base_bodies.get(c["key"]) != c["body"]}
                        for c in latest.clauses
                    }
                    context.update(form=form, stale=True, stale_message=exc.messages[0])
                    return render(request, "agreements/agreement_edit.html", context, status=409)
                _add_errors(form, exc)
            else:
                messages.success(request, f"Saved as version {version.number}.")
                return redirect("agreements:agreement-detail", slug=request.workgroup.slug, pk=agreement.pk)
        status = 400
    return render(request, "agreements/agreement_edit.html", context, status=status)


def _language(template: AgreementTemplate) -> dict:
    names, flags = services.language_for(template)
    labels = {v.name: v for v in template.variables.all()}
    return {
        "values": [{"name": n, "label": labels[n].label if n in labels else ""} for n in sorted(names)],
        "flags": [{"name": n, "choices": sorted(c) if c is not None else None} for n, c in sorted(flags.items())],
    }


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def version_list(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk)
    versions = agreement.versions.select_related("author").order_by("-number")
    return render(request, "agreements/version_list.html", {"agreement": agreement, "versions": versions})


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    agreement = _agreement(request, pk)
    version = get_object_or_404(agreement.versions.select_related("author"), number=number)
    rendered = selectors.render_version(version)
    comments: dict[str, list] = {}
    for comment in version.comments.select_related("author", "resolved_by"):
        comments.setdefault(comment.clause_key, []).append(comment)
    clauses = [{"clause": c, "comments": comments.pop(c.key, [])} for c in rendered.clauses]
    context = {
        "agreement": agreement,
        "version": version,
        "rendered": rendered,
        "clauses": clauses,
        "orphan_comments": [c for group in comments.values() for c in group],  # on clauses left out by a condition
        "is_current": version.number == agreement.current_version_number,
        **_permissions(request),
    }
    return render(request, "agreements/version_detail.html", context)


def _number(value: str | None, default: int) -> int | None:
    if value in (None, ""):
        return default
    # isascii(): "²".isdigit() is true but int("²") fails.
    return int(value) if value.isascii() and value.isdigit() else None


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk)
    current = agreement.current_version_number
    a, b = _number(request.GET.get("a"), max(current - 1, 1)), _number(request.GET.get("b"), current)
    versions = {v.number: v for v in agreement.versions.select_related("author")}
    context = {"agreement": agreement, "numbers": sorted(versions, reverse=True), "a": a, "b": b, "changes": None}
    if current <= 1:
        context["problem"] = "This agreement has only one version so far: there is nothing to compare yet."
        return render(request, "agreements/compare.html", context)
    if a not in versions or b not in versions:
        context["problem"] = f"This agreement has versions 1 to {current}: choose two of them below."
        return render(request, "agreements/compare.html", context, status=400)
    old, new = selectors.render_version(versions[a]), selectors.render_version(versions[b])
    changes = exports.redline_clauses(old.clauses, new.clauses)
    context.update(version_a=versions[a], version_b=versions[b], changes=changes,
                   changed_count=sum(1 for c in changes if c.status != "unchanged"))
    return render(request, "agreements/compare.html", context)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    services.library_ensure_defaults(workgroup=request.workgroup)
    clauses = Clause.objects.filter(workgroup=request.workgroup).order_by("category", "title")
    templates = AgreementTemplate.objects.filter(workgroup=request.workgroup).prefetch_related(
        "variables", Prefetch("template_clauses", queryset=TemplateClause.objects.select_related("clause")))
    return render(request, "agreements/library.html", {"clauses": clauses, "templates": templates})
