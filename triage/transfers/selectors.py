"""Reads of transfer records, already scoped to what the person may see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.db.models.functions import Now

from toolkit.permissions import Action
from triage.models import NodeKind, Transfer

if TYPE_CHECKING:
    from partners.models import Organization
    from toolkit.models import Membership, Workgroup

# Follow-up states, as the list and its filter name them.
FOLLOW_UP_DONE, FOLLOW_UP_OVERDUE, FOLLOW_UP_OPEN = "done", "overdue", "open"


def follow_up_state() -> Case:
    """Done, overdue (due and not done), open (not due yet) or blank (no follow-up asked), computed in the query."""
    return Case(
        When(follow_up_done_at__isnull=False, then=Value(FOLLOW_UP_DONE)),
        When(follow_up_due_at__lt=Now(), then=Value(FOLLOW_UP_OVERDUE)),
        When(follow_up_due_at__isnull=False, then=Value(FOLLOW_UP_OPEN)),
        default=Value(""), output_field=CharField(),
    )


def follow_up_filter(state: str) -> Q:
    if state == FOLLOW_UP_DONE:
        return Q(follow_up_done_at__isnull=False)
    if state == FOLLOW_UP_OVERDUE:
        return Q(follow_up_done_at__isnull=True, follow_up_due_at__lt=Now())
    if state == FOLLOW_UP_OPEN:
        return Q(follow_up_done_at__isnull=True, follow_up_due_at__isnull=False)
    return Q()


def transfer_list(*, membership: Membership | None) -> QuerySet[Transfer]:
    """The workgroup's transfers, newest first, with what a list row shows (one query whatever the rows)."""
    return (Transfer.objects.restrict(membership, Action.VIEW_WORKGROUP)
            .select_related("sending_organization", "receiving_organization", "incident")
            .annotate(follow_up_state=follow_up_state())
            .order_by("-initiated_at", "-id"))


def organization_transfer_count(*, organization: Organization) -> int:
    """How many records name the organization as sender, receiver or the system they came from."""
    return Transfer.objects.filter(
        Q(sending_organization=organization) | Q(receiving_organization=organization)
        | Q(source_organization=organization), workgroup_id=organization.workgroup_id).count()


def transfers_for_incident(*, membership: Membership | None, incident_id: int, limit: int = 5) -> list[Transfer]:
    """The transfer records an incident was reported from (usually one), for a link back from its page."""
    return list(Transfer.objects.restrict(membership, Action.VIEW_WORKGROUP)
                .filter(incident_id=incident_id).select_related("sending_organization", "receiving_organization")
                .order_by("-initiated_at", "-id")[:limit])


def transfer_detail(*, membership: Membership | None) -> QuerySet[Transfer]:
    """For one record's page: everything it names, in one query."""
    return (Transfer.objects.restrict(membership, Action.VIEW_WORKGROUP)
            .select_related("workgroup", "sending_organization", "receiving_organization", "source_organization",
                            "line", "outcome", "risk_level", "protocol_version__protocol", "agreement", "incident",
                            "created_by", "transfer_import")
            .annotate(follow_up_state=follow_up_state()))


def outcome_choices(*, workgroup: Workgroup) -> list[tuple[str, list[tuple[int, str]]]]:
    """Outcomes of every version that has been in force, grouped by version (newest first): a form's select."""
    from triage.models import Node

    nodes = (Node.objects.filter(workgroup=workgroup, kind=NodeKind.OUTCOME,
                                 version__in_force_periods__isnull=False)
             .select_related("version__protocol").distinct().order_by("-version_id", "order", "id"))
    groups: dict[int, tuple[str, list[tuple[int, str]]]] = {}
    for node in nodes:
        group = groups.setdefault(node.version_id, (f"{node.version.protocol} v{node.version.number}", []))
        group[1].append((node.pk, node.text))
    return list(groups.values())
