"""Editing a draft version in the browser: its summary, risk levels, questions, outcomes and answers.

Views only resolve objects through the permission layer, bind a form and call one service. The
services refuse versions that are not drafts; their message is shown (a redirect with the message
for pages, the form with the message and status 400 for posts), never a server error.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from toolkit.forms import add_service_errors as add_errors
from toolkit.permissions import Action, get_object_for_user, workgroup_view
from triage import services
from triage.forms import NodeForm, OptionForm, RiskLevelForm, VersionForm
from triage.models import Node, NodeKind, Option, ProtocolVersion, RiskLevel


def _at_node(version: ProtocolVersion, node: Node | None = None) -> HttpResponseRedirect:
    return redirect(version.get_absolute_url() + (f"#node-{node.key}" if node else ""))


def _refused(request: HttpRequest, version: ProtocolVersion) -> HttpResponseRedirect | None:
    """A page for editing a version that is no longer a draft: say why and go back to the version."""
    if request.method == "GET" and not version.is_editable:
        messages.error(request, services.MSG_NOT_DRAFT.format(number=version.number,
                                                              status=version.get_status_display().lower()))
        return _at_node(version)
    return None


def _render(request: HttpRequest, template: str, context: dict, form) -> HttpResponse:
    return render(request, template, context, status=400 if form.is_bound else 200)


def _version(request: HttpRequest, pk: int) -> ProtocolVersion:
    return get_object_for_user(request.user, request.workgroup, ProtocolVersion.objects.select_related("protocol"),
                               pk, Action.EDIT_TRIAGE)


def _node(request: HttpRequest, pk: int) -> Node:
    return get_object_for_user(request.user, request.workgroup,
                               Node.objects.select_related("version", "version__protocol"), pk, Action.EDIT_TRIAGE)


def _option(request: HttpRequest, pk: int) -> Option:
    return get_object_for_user(request.user, request.workgroup,
                               Option.objects.select_related("node", "node__version", "node__version__protocol"),
                               pk, Action.EDIT_TRIAGE)


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    if refused := _refused(request, version):
        return refused
    initial = {"change_summary": version.change_summary, "reassessment_guidance": version.reassessment_guidance}
    form = VersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.version_update(actor=request.user, version=version, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Version {version.number} saved.")
            return _at_node(version)
    return _render(request, "triage/version_form.html", {"form": form, "version": version}, form)


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def node_create(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    if refused := _refused(request, version):
        return refused
    initial = {"kind": request.GET.get("kind")} if request.GET.get("kind") in NodeKind.values else {}
    form = NodeForm(request.POST or None, initial=initial, version=version, workgroup=request.workgroup,
                    submit_label="Add step")
    if request.method == "POST" and form.is_valid():
        try:
            node = services.node_create(actor=request.user, version=version, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            hint = " Add its answers next." if node.kind == NodeKind.QUESTION else ""
            messages.success(request, f"“{node.text}” added.{hint}")
            return _at_node(version, node)
    return _render(request, "triage/node_form.html", {"form": form, "version": version, "node": None}, form)


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def node_edit(request: HttpRequest, pk: int) -> HttpResponse:
    node = _node(request, pk)
    version = node.version
    if refused := _refused(request, version):
        return refused
    initial = {"text": node.text, "guidance": node.guidance, "is_root": node.is_root,
               "risk_level": node.risk_level_id, "route": node.route, "actions": node.actions}
    form = NodeForm(request.POST or None, initial=initial, version=version, node=node, workgroup=request.workgroup)
    if request.method == "POST" and form.is_valid():
        try:
            services.node_update(actor=request.user, node=node, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"“{node.text}” saved.")
            return _at_node(version, node)
    original = Node.objects.get(pk=node.pk)  # the heading shows the saved text, not the draft
    return _render(request, "triage/node_form.html", {"form": form, "version": version, "node": original}, form)


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def node_delete(request: HttpRequest, pk: int) -> HttpResponse:
    node = _node(request, pk)
    version = node.version
    if refused := _refused(request, version):
        return refused
    if request.method == "POST":
        try:
            services.node_delete(actor=request.user, node=node)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return _at_node(version, node)
        messages.success(request, f"“{node.text}” deleted. Answers that led to it now lead nowhere: "
                                  "the problems list at the top shows them.")
        return _at_node(version)
    incoming = Option.objects.filter(next_node=node).select_related("node").order_by("node__order", "order")
    context = {"node": node, "version": version, "incoming": incoming}
    return render(request, "triage/node_confirm_delete.html", context)


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def option_create(request: HttpRequest, pk: int) -> HttpResponse:
    node = _node(request, pk)
    version = node.version
    if refused := _refused(request, version):
        return refused
    form = OptionForm(request.POST or None, node=node, workgroup=request.workgroup, submit_label="Add answer")
    if request.method == "POST" and form.is_valid():
        try:
            option = services.option_create(actor=request.user, node=node, **form.service_fields())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Answer “{option.label}” added to “{node.text}”.")
            return _at_node(version, node)
    context = {"form": form, "version": version, "node": node, "option": None}
    return _render(request, "triage/option_form.html", context, form)


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def option_edit(request: HttpRequest, pk: int) -> HttpResponse:
    option = _option(request, pk)
    node, version = option.node, option.node.version
    if refused := _refused(request, version):
        return refused
    form = OptionForm(request.POST or None, initial=OptionForm.initial_for(option), node=node,
                      workgroup=request.workgroup)
    if request.method == "POST" and form.is_valid():
        try:
            services.option_update(actor=request.user, option=option, **form.service_fields())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Answer “{option.label}” saved.")
            return _at_node(version, node)
    context = {"form": form, "version": version, "node": node, "option": Option.objects.get(pk=option.pk)}
    return _render(request, "triage/option_form.html", context, form)


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def option_delete(request: HttpRequest, pk: int) -> HttpResponse:
    option = _option(request, pk)
    node, version = option.node, option.node.version
    if refused := _refused(request, version):
        return refused
    if request.method == "POST":
        try:
            services.option_delete(actor=request.user, option=option)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Answer “{option.label}” deleted.")
        return _at_node(version, node)
    return render(request, "triage/option_confirm_delete.html", {"option": option, "node": node, "version": version})


@workgroup_view(Action.EDIT_TRIAGE)
@require_POST
def option_move(request: HttpRequest, pk: int) -> HttpResponse:
    option = _option(request, pk)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if offset is None:
        messages.error(request, "Move an answer up or down.")
    else:
        try:
            services.option_move(actor=request.user, option=option, offset=offset)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return _at_node(option.node.version, option.node)


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def risk_level_create(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    if refused := _refused(request, version):
        return refused
    form = RiskLevelForm(request.POST or None, submit_label="Add risk level")
    if request.method == "POST" and form.is_valid():
        try:
            level = services.risk_level_save(actor=request.user, version=version, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Risk level “{level.name}” added. Point an outcome at it.")
            return redirect(version.get_absolute_url() + "#risk-levels")
    return _render(request, "triage/risk_level_form.html", {"form": form, "version": version, "level": None}, form)


@workgroup_view(Action.EDIT_TRIAGE)
@require_http_methods(["GET", "POST"])
def risk_level_edit(request: HttpRequest, pk: int) -> HttpResponse:
    level = get_object_for_user(request.user, request.workgroup,
                                RiskLevel.objects.select_related("version", "version__protocol"), pk,
                                Action.EDIT_TRIAGE)
    version = level.version
    if refused := _refused(request, version):
        return refused
    initial = {name: getattr(level, name) for name in RiskLevelForm.base_fields}
    form = RiskLevelForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_level_save(actor=request.user, version=version, level=level, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Risk level “{level.name}” saved.")
            return redirect(version.get_absolute_url() + "#risk-levels")
    context = {"form": form, "version": version, "level": RiskLevel.objects.get(pk=level.pk)}
    return _render(request, "triage/risk_level_form.html", context, form)
