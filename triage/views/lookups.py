"""How every triage view finds the row its URL names (through the permission layer, in one query),
and the data its form is bound to.

Rows of another workgroup are simply not found (404). The rows come with what their pages and
``get_absolute_url`` read (the protocol, the workgroup), so showing them costs no further query.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect

from toolkit.permissions import Action, get_object_for_user
from triage import services
from triage.models import Criterion, Node, Option, Protocol, ProtocolVersion, RiskLevel, SafetyRule, Scenario

_VERSION = ("workgroup", "protocol__workgroup")


def get_protocol(request: HttpRequest, protocol_id: int, action: Action = Action.VIEW_WORKGROUP) -> Protocol:
    return get_object_for_user(request.user, request.workgroup, Protocol.objects.select_related("workgroup"),
                               protocol_id, action)


def get_version(request: HttpRequest, protocol_version_id: int, action: Action) -> ProtocolVersion:
    queryset = ProtocolVersion.objects.select_related(*_VERSION, "based_on")
    return get_object_for_user(request.user, request.workgroup, queryset, protocol_version_id, action)


def get_node(request: HttpRequest, node_id: int, action: Action = Action.EDIT_TRIAGE) -> Node:
    queryset = Node.objects.select_related("workgroup", *(f"version__{name}" for name in _VERSION))
    return get_object_for_user(request.user, request.workgroup, queryset, node_id, action)


def get_option(request: HttpRequest, option_id: int, action: Action = Action.EDIT_TRIAGE) -> Option:
    queryset = Option.objects.select_related("workgroup", "next_node", "node__workgroup",
                                            *(f"node__version__{name}" for name in _VERSION))
    return get_object_for_user(request.user, request.workgroup, queryset, option_id, action)


def get_risk_level(request: HttpRequest, risk_level_id: int, action: Action = Action.EDIT_TRIAGE) -> RiskLevel:
    queryset = RiskLevel.objects.select_related("workgroup", *(f"version__{name}" for name in _VERSION))
    return get_object_for_user(request.user, request.workgroup, queryset, risk_level_id, action)


def get_scenario(request: HttpRequest, scenario_id: int, action: Action = Action.EDIT_TRIAGE) -> Scenario:
    queryset = Scenario.objects.select_related("workgroup", *(f"version__{name}" for name in _VERSION))
    return get_object_for_user(request.user, request.workgroup, queryset, scenario_id, action)


def get_rule(request: HttpRequest, rule_id: int, action: Action = Action.EDIT_TRIAGE) -> SafetyRule:
    queryset = SafetyRule.objects.select_related("workgroup", *(f"version__{name}" for name in _VERSION))
    return get_object_for_user(request.user, request.workgroup, queryset, rule_id, action)


def get_criterion(request: HttpRequest, criterion_id: int, action: Action = Action.EDIT_TRIAGE) -> Criterion:
    queryset = Criterion.objects.select_related("workgroup", *(f"version__{name}" for name in _VERSION))
    return get_object_for_user(request.user, request.workgroup, queryset, criterion_id, action)


def draft_page_refused(request: HttpRequest, version: ProtocolVersion, back_to: str) -> HttpResponseRedirect | None:
    """A page for changing a version that is no longer a draft: say why and go back (a POST gets the service's
    refusal on its form instead)."""
    if request.method == "GET" and not version.is_editable:
        messages.error(request, services.MSG_NOT_DRAFT.format(number=version.number,
                                                              status=version.get_status_display().lower()))
        return redirect(back_to)
    return None
