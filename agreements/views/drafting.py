"""Drafting screens: the list, creating from a template, the current text, editing, versions, redlines, library.

Reads never write: the clause library and templates are made with the workgroup (a setup step), so
these pages only show what is there.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from agreements import counsel, exports, selectors, services
from agreements.forms import AgreementCreateForm, AgreementEditForm, AgreementFilterForm, SignedScanForm
from agreements.models import Agreement, AgreementTemplate, AgreementVersion, Clause, TemplateClause
from toolkit.forms import INVALID_FORM_STATUS, add_service_errors
from toolkit.pagination import paginate
from toolkit.permissions import Action, can, get_object_for_user, workgroup_view
from toolkit.views.shortcuts import form_response, render_form_page

VERSIONS_PER_PAGE = 25
MSG_CHOOSE_TEMPLATE = "Choose one of this workgroup's templates first."


def _is_stale(exc: ValidationError) -> bool:
    return any(error.code == "stale" for error in getattr(exc, "error_list", [exc]))


def agreement_for(request: HttpRequest, agreement_id: int, action: Action = Action.VIEW_WORKGROUP, *,
                  parties: bool = False) -> Agreement:
    """The agreement of this workgroup, or 404. ``parties``: load them once, for pages that show a version."""
    queryset = Agreement.objects.select_related("workgroup", "template", "protocol")
    if parties:
        queryset = queryset.prefetch_related("parties")
    return get_object_for_user(request.user, request.workgroup, queryset, agreement_id, action)


def version_for(agreement: Agreement, version_number: int) -> AgreementVersion:
    version = agreement.versions.select_related("author").filter(number=version_number).first()
    if version is None:
        raise Http404("No such version.")
    return version


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
    form = AgreementFilterForm(request.GET)
    form.is_valid()  # an unknown status is dropped, the rest still filters
    criteria = {name: form.cleaned_data.get(name, "") for name in ("party", "status")}
    page = paginate(request, selectors.agreement_list(membership=request.membership, **criteria))
    context = {
        "form": form,
        "page_obj": page,
        "filtered": any(criteria.values()),
        "can_create": can(request.user, request.workgroup, Action.EDIT_AGREEMENTS),
    }
    return render(request, "agreements/index.html", context)


@workgroup_view(Action.EDIT_AGREEMENTS)
@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest) -> HttpResponse:
    templates = AgreementTemplate.objects.restrict(request.membership, Action.EDIT_AGREEMENTS)
    # The step-2 form posts back to its own URL (?template=…); the hidden, scoped field must then agree with it.
    raw_id = str(request.GET.get("template") or request.POST.get("template") or "")
    template = templates.filter(pk=raw_id).first() if raw_id.isascii() and raw_id.isdigit() else None
    if template is None:  # step 1: pick a template (the variables of the form depend on it)
        context = {"templates": templates.prefetch_related(
            "variables", Prefetch("template_clauses", queryset=TemplateClause.objects.select_related("clause")))}
        if request.method == "POST":
            context["problem"] = MSG_CHOOSE_TEMPLATE
            return render(request, "agreements/agreement_form.html", context, status=INVALID_FORM_STATUS)
        return render(request, "agreements/agreement_form.html", context)
    form = AgreementCreateForm(request.POST if request.method == "POST" else None, workgroup=request.workgroup,
                               template=template)

    def save(*, title, protocol, **_):
        return services.agreement_create(
            actor=request.user, workgroup=request.workgroup, template=template, title=title,
            parties=form.party_values(), variables=form.variable_values(), protocol=protocol,
        )

    return form_response(
        request, form, save=save, template="agreements/agreement_form.html", context={"template": template},
        success_message=lambda agreement: f"“{agreement.title}” is drafted as version 1.",
        redirect_to=lambda agreement: agreement,
    )


def detail_page(request: HttpRequest, agreement: Agreement, *, scan_form: SignedScanForm | None = None
                ) -> HttpResponse:
    """The agreement's page; also re-rendered (400) by the signed-copy upload when it is refused."""
    version = version_for(agreement, agreement.current_version_number)
    rendered = selectors.render_version(version)
    permissions = _permissions(request)
    guidance = {}
    if permissions["can_edit"]:
        guidance = dict(Clause.objects.restrict(request.membership, Action.EDIT_AGREEMENTS)
                        .filter(key__in=[c.key for c in rendered.clauses]).values_list("key", "guidance"))
    open_comments = selectors.open_comments_by_clause(version=version)
    clauses = [{"clause": c, "guidance": guidance.get(c.key, ""), "open_comments": open_comments.get(c.key, 0)}
               for c in rendered.clauses]
    context = {
        "agreement": agreement,
        "version": version,
        "rendered": rendered,
        "clauses": clauses,
        "open_comment_total": sum(open_comments.values()),
        "party_status": counsel.party_status(version=version),
        "scan_form": scan_form,
        **permissions,
    }
    return render_form_page(request, "agreements/agreement_detail.html", context, form=scan_form)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    return detail_page(request, agreement_for(request, agreement_id, parties=True))


def _edit_form(agreement: Agreement, latest: AgreementVersion, data=None) -> AgreementEditForm:
    initial = {"base_version_number": latest.number, "title": latest.title}
    return AgreementEditForm(data, initial=initial, template=agreement.template, clauses=latest.clauses,
                             stored=latest.variables)


@workgroup_view(Action.EDIT_AGREEMENTS)
@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = agreement_for(request, agreement_id, Action.EDIT_AGREEMENTS)
    if not agreement.is_editable:
        messages.error(request, services.MSG_NOT_EDITABLE.format(status=agreement.get_status_display().lower()))
        return redirect(agreement)
    latest = agreement.versions.get(number=agreement.current_version_number)
    form = _edit_form(agreement, latest, request.POST if request.method == "POST" else None)
    open_comments = selectors.open_comments(agreement=agreement)  # shown beside each clause's editor
    keys = {clause["key"] for clause in latest.clauses}
    context = {"agreement": agreement, "form": form, "latest": latest, "stale": False,
               "language": _language(agreement.template), "open_comments": open_comments,
               "open_comment_total": sum(len(group) for group in open_comments.values()),
               "comments_elsewhere": [c for key, group in open_comments.items() if key not in keys for c in group]}
    if request.method == "POST" and form.is_valid():
        try:
            version = services.agreement_save(
                actor=request.user, agreement=agreement,
                base_version_number=form.cleaned_data["base_version_number"], title=form.cleaned_data["title"],
                variables=form.variable_values(), clause_bodies=form.clause_bodies(),
                change_summary=form.cleaned_data["change_summary"],
            )
        except ValidationError as exc:
            if _is_stale(exc):
                return _stale_edit(request, agreement, latest, form, exc, context)
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved as version {version.number}.")
            return redirect(agreement)
    context["clause_rows"] = form.clause_rows(open_comments)
    return render_form_page(request, "agreements/agreement_edit.html", context, form=form)


def _stale_edit(request: HttpRequest, agreement: Agreement, latest: AgreementVersion, form: AgreementEditForm,
                exc: ValidationError, context: dict) -> HttpResponse:
    """Someone saved meanwhile (409): keep every word typed; the next save is based on the version shown."""
    data = request.POST.copy()
    data["base_version_number"] = str(latest.number)
    typed = form.clause_bodies()
    base = agreement.versions.filter(number=form.cleaned_data["base_version_number"]).first()
    base_bodies = {c["key"]: c["body"] for c in base.clauses} if base else {}
    yours = {c["key"] for c in latest.clauses if typed.get(c["key"]) != base_bodies.get(c["key"], c["body"])}
    for clause in latest.clauses:  # a clause only they changed takes their text: saving again keeps both
        if clause["key"] not in yours:
            data[AgreementEditForm.clause_field_name(clause["key"])] = typed[clause["key"]] = clause["body"]
    form = _edit_form(agreement, latest, data)
    form.is_valid()
    form.conflicts = {
        c["key"]: {"differs": typed.get(c["key"]) != c["body"],
                   "changed_since_base": base_bodies.get(c["key"]) != c["body"], "yours": c["key"] in yours}
        for c in latest.clauses
    }
    context.update(form=form, stale=True, stale_message=exc.messages[0],
                   clause_rows=form.clause_rows(context["open_comments"]))
    return render(request, "agreements/agreement_edit.html", context, status=409)


def _language(template: AgreementTemplate) -> dict:
    names, flags = services.language_for(template)
    labels = {v.name: v for v in template.variables.all()}
    return {
        "values": [{"name": n, "label": labels[n].label if n in labels else ""} for n in sorted(names)],
        "flags": [{"name": n, "choices": sorted(c) if c is not None else None} for n, c in sorted(flags.items())],
    }


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def version_list(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = agreement_for(request, agreement_id)
    # The list needs no version's text: leave the (large) snapshots in the database.
    versions = (agreement.versions.select_related("author").defer("clauses", "variables", "parties")
                .order_by("-number"))
    page = paginate(request, versions, per_page=VERSIONS_PER_PAGE)
    return render(request, "agreements/version_list.html", {"agreement": agreement, "page_obj": page})


def version_page(request: HttpRequest, agreement: Agreement, version: AgreementVersion) -> HttpResponse:
    """One version's whole text, read-only; each clause says how many comments are open on it (the review page
    holds the comments and their forms)."""
    rendered = selectors.render_version(version)
    open_counts = selectors.open_comments_by_clause(version=version)
    context = {
        "agreement": agreement,
        "version": version,
        "rendered": rendered,
        "clauses": [{"clause": c, "open": open_counts.get(c.key, 0)} for c in rendered.clauses],
        "open_total": sum(open_counts.values()),
        "is_current": version.number == agreement.current_version_number,
        **_permissions(request),
    }
    return render(request, "agreements/version_detail.html", context)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def version_detail(request: HttpRequest, agreement_id: int, version_number: int) -> HttpResponse:
    agreement = agreement_for(request, agreement_id, parties=True)
    return version_page(request, agreement, version_for(agreement, version_number))


def _number(value: str | None, default: int) -> int | None:
    if value in (None, ""):
        return default
    # isascii(): "²".isdigit() is true but int("²") fails.
    return int(value) if value.isascii() and value.isdigit() else None


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def compare(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = agreement_for(request, agreement_id, parties=True)
    current = agreement.current_version_number
    a, b = _number(request.GET.get("a"), max(current - 1, 1)), _number(request.GET.get("b"), current)
    numbers = list(range(current, 0, -1))  # versions are numbered 1…current without gaps
    context = {"agreement": agreement, "numbers": numbers, "a": a, "b": b, "changes": None}
    if current <= 1:
        context["problem"] = "This agreement has only one version so far: there is nothing to compare yet."
        return render(request, "agreements/compare.html", context)
    # Only the two versions compared are read, however long the history.
    versions = ({v.number: v for v in agreement.versions.select_related("author").filter(number__in={a, b})}
                if a and b else {})
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
    clauses = Clause.objects.restrict(request.membership, Action.VIEW_WORKGROUP).order_by("category", "title")
    templates = AgreementTemplate.objects.restrict(request.membership, Action.VIEW_WORKGROUP).prefetch_related(
        "variables", Prefetch("template_clauses", queryset=TemplateClause.objects.select_related("clause")))
    return render(request, "agreements/library.html", {"clauses": clauses, "templates": templates})
