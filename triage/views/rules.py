"""Safety rules of a version: the list with every path that breaks each rule, and adding, changing and
deleting rules in a draft. Views resolve through the permission layer and call one service (``triage.rules``)."""

from __future__ import annotations

import copy
from dataclasses import replace
from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from toolkit.forms import form_data
from toolkit.permissions import Action, membership_allows, workgroup_view
from toolkit.views.shortcuts import form_response, refuse_with_message
from triage import engine, rules, selectors
from triage.forms import RuleForm
from triage.models import ProtocolVersion, SafetyRule
from triage.views.lookups import draft_page_refused, get_rule, get_version


def _list_url(version: ProtocolVersion) -> str:
    return reverse("triage:rule-list", kwargs={"slug": version.workgroup.slug, "protocol_version_id": version.pk})


def _refused(request: HttpRequest, version: ProtocolVersion) -> HttpResponse | None:
    return draft_page_refused(request, version, _list_url(version))


def _saved(rule: SafetyRule) -> str:
    tree = selectors.tree_for_version(rule.version)
    report = next(r for r in rules.reports(tree)[0] if r.spec.name == rule.name)
    if report.broken_count:
        return (f"Rule “{rule.name}” saved. {report.broken_count} path{'s' if report.broken_count != 1 else ''} "
                "break it: they are listed under the rule.")
    return f"Rule “{rule.name}” saved. It holds on every path of the tree."


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def rule_list(request: HttpRequest, protocol_version_id: int) -> HttpResponse:
    version = get_version(request, protocol_version_id, Action.VIEW_WORKGROUP)
    tree = selectors.tree_for_version(version)
    saved = list(version.rules.order_by("order", "pk"))
    # The tree's rules from the same rows (one read: a rule added meanwhile cannot unpair them).
    tree = replace(tree, rules=tuple(selectors.rule_spec(rule) for rule in saved))
    reports, found = rules.reports(tree)
    path_count = len(found)
    context = {
        "version": version,
        # Broken rules first (what needs fixing), then the rest in their order.
        "rows": sorted(({"report": report, "rule": rule} for report, rule in zip(reports, saved, strict=True)),
                       key=lambda row: not (row["report"].broken_count or row["report"].problems)),
        "path_count": path_count,
        "truncated": engine.paths_truncated(tree, found),
        "broken_rules": sum(1 for report in reports if report.broken_count or report.problems),
        "can_edit": version.is_editable and membership_allows(request.membership, Action.EDIT_TRIAGE),
        "simulate_url": reverse("triage:simulate", kwargs={"slug": request.workgroup.slug,
                                                          "protocol_version_id": version.pk}),
    }
    return render(request, "triage/rule_list.html", context)


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def rule_create(request: HttpRequest, protocol_version_id: int) -> HttpResponse:
    version = get_version(request, protocol_version_id, Action.EDIT_TRIAGE)
    if refused := _refused(request, version):
        return refused
    form = RuleForm(form_data(request), version=version, submit_label="Add rule")
    return form_response(
        request, form, save=partial(rules.rule_save, actor=request.user, version=version),
        success_message=_saved, redirect_to=_list_url(version),
        template="triage/rule_form.html", context={"version": version, "rule": None},
    )


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_rule(request, rule_id)
    version = rule.version
    if refused := _refused(request, version):
        return refused
    saved = copy.copy(rule)  # the heading shows the saved name
    form = RuleForm(form_data(request), initial=RuleForm.initial_for(rule), version=version)
    return form_response(
        request, form, save=partial(rules.rule_save, actor=request.user, version=version, rule=rule),
        success_message=_saved, redirect_to=_list_url(version),
        template="triage/rule_form.html", context={"version": version, "rule": saved},
    )


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_rule(request, rule_id)
    version = rule.version
    if refused := _refused(request, version):
        return refused
    if request.method == "POST":
        try:
            rules.rule_delete(actor=request.user, rule=rule)
        except ValidationError as exc:
            return refuse_with_message(request, exc, _list_url(version))
        messages.success(request, f"Rule “{rule.name}” deleted.")
        return redirect(_list_url(version))
    return render(request, "triage/rule_confirm_delete.html", {"rule": rule, "version": version})
