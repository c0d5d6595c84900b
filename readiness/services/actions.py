"""Writes for the action plan: accepting a round's gaps, adding and updating action items."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from readiness.messages import MSG_ACTION_ORG_OTHER, MSG_GAP_ACCEPTED, MSG_GAP_UNKNOWN
from readiness.models import ActionItem, ActionStatus, AssessmentRound
from readiness.services.saving import save as _save
from toolkit.permissions import Action, require

if TYPE_CHECKING:
    from partners.models import Organization
    from toolkit.models import User, Workgroup


def _check_owner(workgroup: Workgroup, organization: Organization | None) -> None:
    if organization is not None and organization.workgroup_id != workgroup.pk:
        raise ValidationError({"owner_organization": MSG_ACTION_ORG_OTHER})


TYPED = ("title", "description")  # what people write; the rest is refused or kept as stored


@transaction.atomic
def action_accept(
    *,
    actor: User,
    round: AssessmentRound,
    source_key: str,
    title: str,
    description: str = "",
    owner_organization: Organization | None = None,
    due_date: date | None = None,
) -> ActionItem:
    """Put one of the round's proposed gaps into the action plan (once)."""
    from readiness import selectors  # selectors read scores; services stay importable without them

    require(actor, round.workgroup, Action.MANAGE_READINESS)
    _check_owner(round.workgroup, owner_organization)
    proposals = {p.source_key: p for p in selectors.gap_proposals(round=round)}
    proposal = proposals.get(source_key)
    if proposal is None:
        raise ValidationError(MSG_GAP_UNKNOWN, code="unknown_gap")
    if proposal.accepted is not None:
        raise ValidationError(MSG_GAP_ACCEPTED, code="accepted")
    item = ActionItem(workgroup=round.workgroup, round=round, source_key=source_key, title=title.strip(),
                      description=description, owner_organization=owner_organization, due_date=due_date,
                      accepted_by=actor)
    try:
        with transaction.atomic():
            return _save(item, actor, typed=TYPED)
    except IntegrityError:  # accepted by someone else a moment ago
        raise ValidationError(MSG_GAP_ACCEPTED, code="accepted") from None


@transaction.atomic
def action_create(
    *,
    actor: User,
    workgroup: Workgroup,
    title: str,
    description: str = "",
    owner_organization: Organization | None = None,
    due_date: date | None = None,
) -> ActionItem:
    """An action item that did not come from a gap (a decision at a meeting, say)."""
    require(actor, workgroup, Action.MANAGE_READINESS)
    _check_owner(workgroup, owner_organization)
    return _save(
        ActionItem(workgroup=workgroup, title=title.strip(), description=description,
                   owner_organization=owner_organization, due_date=due_date, accepted_by=actor),
        actor, typed=TYPED,
    )


@transaction.atomic
def action_update(
    *,
    actor: User,
    action: ActionItem,
    title: str,
    description: str,
    owner_organization: Organization | None,
    due_date: date | None,
    status: str,
) -> ActionItem:
    """Members keep the plan current (status, dates, owners); coordinators too."""
    require(actor, action.workgroup, Action.EDIT_READINESS)
    _check_owner(action.workgroup, owner_organization)
    locked = ActionItem.objects.select_for_update().get(pk=action.pk)
    locked.title, locked.description = title.strip(), description
    locked.owner_organization, locked.due_date = owner_organization, due_date
    if status != locked.status:
        locked.completed_at = timezone.now() if status == ActionStatus.DONE else None
    locked.status = status
    return _save(locked, actor, typed=TYPED)
