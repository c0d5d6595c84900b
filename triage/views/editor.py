"""Editing a draft version in the browser: its summary, risk levels, questions, outcomes and answers.

Views only resolve objects through the permission layer, bind a form and call one service
(``form_response``). The services refuse versions that are not drafts; their message is shown (a
redirect with the message for pages, the form with the message and status 400 for posts), never a
server error.
"""

from __future__ import annotations

import copy
from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from toolkit.forms import form_data
from toolkit.permissions import Action, workgroup_view
from toolkit.views.shortcuts import form_response, refuse_with_message
from triage import services
from triage.forms import CriterionForm, NodeForm, OptionForm, OptionMoveForm, RiskLevelForm, VersionForm
from triage.models import Node, NodeKind, Option, ProtocolVersion
from triage.views.lookups import (
    draft_page_refused,
    get_criterion,
    get_node,
    get_option,
    get_risk_level,
    get_version,
)


def _node_url(version: ProtocolVersion, node: Node | None = None) -> str:
    return version.get_absolute_url() + (f"#node-{node.key}" if node else "")


def _levels_url(version: ProtocolVersion) -> str:
    return version.get_absolute_url() + "#risk-levels"


def _refused(request: HttpRequest, version: ProtocolVersion) -> HttpResponseRedirect | None:
    return draft_page_refused(request, version, _node_url(version))


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def version_edit(request: HttpRequest, protocol_version_id: int) -> HttpResponse:
    version = get_version(request, protocol_version_id, Action.EDIT_TRIAGE)
    if refused := _refused(request, version):
        return refused
    initial = {"change_summary": version.change_summary, "reassessment_guidance": version.reassessment_guidance}
    form = VersionForm(form_data(request), initial=initial)
    return form_response(
        request, form, save=partial(services.version_update, actor=request.user, version=version),
        success_message=f"Version {version.number} saved.", redirect_to=_node_url(version),
        template="triage/version_form.html", context={"version": copy.copy(version)},
    )


def _node_added(node: Node) -> str:
    hint = " Add its answers next." if node.kind == NodeKind.QUESTION else ""
    return f"“{node.text}” added.{hint}"


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def node_create(request: HttpRequest, protocol_version_id: int) -> HttpResponse:
    version = get_version(request, protocol_version_id, Action.EDIT_TRIAGE)
    if refused := _refused(request, version):
        return refused
    initial = {"kind": request.GET.get("kind")} if request.GET.get("kind") in NodeKind.values else {}
    after = _answer_to_extend(request, version)
    form = NodeForm(form_data(request), initial=initial, version=version, workgroup=request.workgroup,
                    submit_label="Add step")
    return form_response(
        request, form, save=partial(services.node_create, actor=request.user, version=version, after_option=after),
        success_message=_node_added, redirect_to=lambda node: _node_url(version, node),
        template="triage/node_form.html", context={"version": version, "node": None, "after": after},
    )


def _answer_to_extend(request: HttpRequest, version: ProtocolVersion) -> Option | None:
    """``?after=<answer id>``: the answer the new step follows (of this draft, through the permission layer)."""
    raw = request.GET.get("after", "")
    if not (raw.isascii() and raw.isdigit()):
        return None
    option = get_option(request, int(raw))
    if option.node.version_id != version.pk:
        raise Http404("No such answer in this version.")
    return option


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def node_edit(request: HttpRequest, node_id: int) -> HttpResponse:
    node = get_node(request, node_id)
    version = node.version
    if refused := _refused(request, version):
        return refused
    saved = copy.copy(node)  # the heading shows the saved text, not the one being typed
    form = NodeForm(form_data(request), initial=NodeForm.initial_for(node), version=version, node=node,
                    workgroup=request.workgroup)
    return form_response(
        request, form, save=partial(services.node_update, actor=request.user, node=node),
        success_message=lambda node: f"“{node.text}” saved.", redirect_to=lambda node: _node_url(version, node),
        template="triage/node_form.html", context={"version": version, "node": saved},
    )


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def node_delete(request: HttpRequest, node_id: int) -> HttpResponse:
    node = get_node(request, node_id)
    version = node.version
    if refused := _refused(request, version):
        return refused
    if request.method == "POST":
        try:
            services.node_delete(actor=request.user, node=node)
        except ValidationError as exc:
            return refuse_with_message(request, exc, _node_url(version, node))
        messages.success(request, f"“{node.text}” deleted. Answers that led to it now lead nowhere: "
                                  "the problems list at the top shows them.")
        return redirect(_node_url(version))
    incoming = Option.objects.filter(next_node=node).select_related("node").order_by("node__order", "order")
    context = {"node": node, "version": version, "incoming": incoming, "answer_count": node.options.count()}
    return render(request, "triage/node_confirm_delete.html", context)


def _after_answer(version: ProtocolVersion, node: Node, option: Option, form: OptionForm) -> str:
    """Back to the question, or on to the new step's form when the answer is to lead to a step not written yet."""
    if getattr(form, "new_step", ""):
        url = reverse("triage:node-create", kwargs={"slug": version.workgroup.slug, "protocol_version_id": version.pk})
        return f"{url}?kind={form.new_step}&after={option.pk}"
    return _node_url(version, node)


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def option_create(request: HttpRequest, node_id: int) -> HttpResponse:
    node = get_node(request, node_id)
    version = node.version
    if refused := _refused(request, version):
        return refused
    form = OptionForm(form_data(request), node=node, workgroup=request.workgroup, submit_label="Add answer")
    return form_response(
        request, form, save=partial(services.option_create, actor=request.user, node=node),
        success_message=lambda option: f"Answer “{option.label}” added to “{node.text}”.",
        redirect_to=lambda option: _after_answer(version, node, option, form),
        template="triage/option_form.html", context={"version": version, "node": node, "option": None},
    )


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def option_edit(request: HttpRequest, option_id: int) -> HttpResponse:
    option = get_option(request, option_id)
    node, version = option.node, option.node.version
    if refused := _refused(request, version):
        return refused
    saved = copy.copy(option)  # the heading shows the saved label
    form = OptionForm(form_data(request), initial=OptionForm.initial_for(option), node=node,
                      workgroup=request.workgroup)
    return form_response(
        request, form, save=partial(services.option_update, actor=request.user, option=option),
        success_message=lambda option: f"Answer “{option.label}” saved.",
        redirect_to=lambda option: _after_answer(version, node, option, form),
        template="triage/option_form.html", context={"version": version, "node": node, "option": saved},
    )


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def option_delete(request: HttpRequest, option_id: int) -> HttpResponse:
    option = get_option(request, option_id)
    node, version = option.node, option.node.version
    if refused := _refused(request, version):
        return refused
    if request.method == "POST":
        try:
            services.option_delete(actor=request.user, option=option)
        except ValidationError as exc:
            return refuse_with_message(request, exc, _node_url(version, node))
        messages.success(request, f"Answer “{option.label}” deleted.")
        return redirect(_node_url(version, node))
    return render(request, "triage/option_confirm_delete.html", {"option": option, "node": node, "version": version})


@workgroup_view(Action.EDIT_TRIAGE)
@require_POST
def option_move(request: HttpRequest, option_id: int) -> HttpResponse:
    option = get_option(request, option_id)
    form = OptionMoveForm(request.POST)
    if not form.is_valid():  # only a hand-made request sends anything but the two buttons' values
        return HttpResponseBadRequest("Move an answer up or down.", content_type="text/plain; charset=utf-8")
    try:
        services.option_move(actor=request.user, option=option, offset=form.cleaned_data["offset"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_node_url(option.node.version, option.node))


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def risk_level_create(request: HttpRequest, protocol_version_id: int) -> HttpResponse:
    version = get_version(request, protocol_version_id, Action.EDIT_TRIAGE)
    if refused := _refused(request, version):
        return refused
    form = RiskLevelForm(form_data(request), submit_label="Add risk level")
    return form_response(
        request, form, save=partial(services.risk_level_save, actor=request.user, version=version),
        success_message=lambda level: f"Risk level “{level.name}” added. Point an outcome at it.",
        redirect_to=_levels_url(version),
        template="triage/risk_level_form.html", context={"version": version, "level": None},
    )


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def risk_level_edit(request: HttpRequest, risk_level_id: int) -> HttpResponse:
    level = get_risk_level(request, risk_level_id)
    version = level.version
    if refused := _refused(request, version):
        return refused
    saved = copy.copy(level)  # the heading shows the saved name
    initial = {name: getattr(level, name) for name in RiskLevelForm.base_fields}
    form = RiskLevelForm(form_data(request), initial=initial)
    return form_response(
        request, form, save=partial(services.risk_level_save, actor=request.user, version=version, level=level),
        success_message=lambda level: f"Risk level “{level.name}” saved.", redirect_to=_levels_url(version),
        template="triage/risk_level_form.html", context={"version": version, "level": saved},
    )


def _criteria_url(version: ProtocolVersion) -> str:
    return version.get_absolute_url() + "#criteria"


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def criterion_create(request: HttpRequest, protocol_version_id: int) -> HttpResponse:
    version = get_version(request, protocol_version_id, Action.EDIT_TRIAGE)
    if refused := _refused(request, version):
        return refused
    form = CriterionForm(form_data(request), submit_label="Add criterion")
    return form_response(
        request, form, save=partial(services.criterion_save, actor=request.user, version=version),
        success_message=lambda criterion: f"Criterion “{criterion.label}” added. Set it on the answers that settle "
                                          "it; safety rules can now speak of it.",
        redirect_to=_criteria_url(version),
        template="triage/criterion_form.html", context={"version": version, "criterion": None},
    )


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def criterion_edit(request: HttpRequest, criterion_id: int) -> HttpResponse:
    criterion = get_criterion(request, criterion_id)
    version = criterion.version
    if refused := _refused(request, version):
        return refused
    saved = copy.copy(criterion)  # the heading shows the saved label
    form = CriterionForm(form_data(request), initial={"label": criterion.label})
    return form_response(
        request, form,
        save=partial(services.criterion_save, actor=request.user, version=version, criterion=criterion),
        success_message=lambda criterion: f"Criterion “{criterion.label}” saved.", redirect_to=_criteria_url(version),
        template="triage/criterion_form.html", context={"version": version, "criterion": saved},
    )
