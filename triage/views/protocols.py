"""Protocols and their versions: the list, a protocol's history, and the main page of a version."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from toolkit.forms import add_service_errors
from toolkit.pagination import paginate
from toolkit.permissions import Action, membership_allows, workgroup_view
from toolkit.views.shortcuts import render_form_page
from triage import engine, selectors, services
from triage.forms import ProtocolForm
from triage.views.lookups import get_protocol, get_version
from triage.views.workflow import signoff_context

PROTOCOLS_PER_PAGE = 25
VERSIONS_PER_PAGE = 25

# Status badges: drafts blue, in review yellow, approved green, retired grey.
BADGE_CLASSES = {"draft": "text-bg-info", "in_review": "text-bg-warning", "approved": "text-bg-success",
                 "retired": "text-bg-secondary"}


def _with_badges(versions):
    for version in versions:
        version.badge_class = BADGE_CLASSES.get(version.status, "text-bg-light")
    return versions


def _index_page(request: HttpRequest, form: ProtocolForm | None) -> HttpResponse:
    page = paginate(request, selectors.protocol_summaries(membership=request.membership), per_page=PROTOCOLS_PER_PAGE)
    for protocol in page:
        _with_badges(protocol.recent_versions)
        protocol.older_versions = protocol.version_count - len(protocol.recent_versions)
    context = {
        "page_obj": page,
        "protocols": page.object_list,
        "form": form,
        "can_edit": membership_allows(request.membership, Action.EDIT_TRIAGE),
    }
    return render_form_page(request, "triage/index.html", context, form=form)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    can_edit = membership_allows(request.membership, Action.EDIT_TRIAGE)
    return _index_page(request, ProtocolForm() if can_edit else None)


@workgroup_view(Action.EDIT_TRIAGE)
@require_POST
def protocol_create(request: HttpRequest) -> HttpResponse:
    # The form sits on the list page, so an invalid one re-renders the list (400) rather than form_response's page.
    form = ProtocolForm(request.POST)
    if form.is_valid():
        try:
            protocol = services.protocol_create(actor=request.user, workgroup=request.workgroup, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{protocol.name}” created. Version 1 starts from the default tree: "
                                      "adapt it with your partners.")
            return redirect(protocol.versions.select_related("workgroup").get())
    return _index_page(request, form)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def protocol_detail(request: HttpRequest, protocol_id: int) -> HttpResponse:
    protocol = get_protocol(request, protocol_id)
    page = paginate(request, selectors.protocol_versions(protocol=protocol), per_page=VERSIONS_PER_PAGE)
    _with_badges(page.object_list)
    in_force = selectors.version_in_force(protocol=protocol)
    context = {
        "protocol": protocol,
        "page_obj": page,
        "versions": page.object_list,
        "in_force": in_force,
    }
    return render(request, "triage/protocol_detail.html", context)


@workgroup_view(Action.VIEW_WORKGROUP)
@require_GET
def version_detail(request: HttpRequest, protocol_version_id: int) -> HttpResponse:
    version = get_version(request, protocol_version_id, Action.VIEW_WORKGROUP)
    _with_badges([version])
    contents = selectors.version_contents(version)
    problems = engine.validate(contents.tree)
    found = engine.paths(contents.tree)  # once: the rules and the blockers read the same paths
    breaches = engine.breaches(contents.tree, found)
    # Drafts list why "Submit for review" is disabled; other statuses have nothing to submit.
    blockers = (selectors.submit_blockers(version=version, tree=contents.tree, found=found)
                if version.is_editable else [])
    # Steps grouped by the line whose calls reach them, each group in the tree's own order.
    reach = engine.lines_reaching(contents.tree)
    group_order = {("911",): 0, ("988",): 1, ("",): 2, ("911", "988"): 3, (): 4}
    group_names = {("911",): "Calls arriving on 911", ("988",): "Calls arriving on 988", ("",): "",
                   ("911", "988"): "Steps both lines reach", (): "Steps no first question reaches yet"}
    nodes = sorted(contents.nodes, key=lambda node: (group_order.get(reach.get(node.key, ()), 5),
                                                     not node.is_root, node.order, node.pk))
    for node in nodes:
        node.group = group_names.get(reach.get(node.key, ()), "")
    for node in contents.nodes:
        for option in node.options.all():  # "Weapon present: yes" badges
            option.criteria_badges = [(contents.criteria.get(key, key), value)
                                      for key, value in option.criteria.items()]
    context = {
        "version": version,
        "protocol": version.protocol,
        "problems": problems,
        "errors": engine.errors_of(problems),
        "blockers": blockers,
        "rule_count": len(contents.tree.rules),
        "broken_rule_count": len({breach.rule_index for breach in breaches}),
        "broken_path_count": len({id(breach.evaluation) for breach in breaches}),
        "nodes": nodes,
        "risk_levels": contents.risk_levels,
        "criteria": contents.criterion_rows,
        "in_force": selectors.version_in_force(protocol=version.protocol) == version,
        "can_edit": version.is_editable and membership_allows(request.membership, Action.EDIT_TRIAGE),
        **signoff_context(request, version),  # "signoff" and "signatory_form" (triage/_version_actions.html)
    }
    return render(request, "triage/version_detail.html", context)
