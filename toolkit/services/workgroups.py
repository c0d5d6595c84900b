"""Workgroups and memberships."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from toolkit.models import Invitation, Membership, Role, Workgroup
from toolkit.permissions import Action, forget_memberships, require, role_allows
from toolkit.services.messages import MSG_LAST_COORDINATOR, MSG_SLUG_TAKEN
from toolkit.slugs import unique_slug

if TYPE_CHECKING:
    from toolkit.models import User


# Feature apps register what a new workgroup needs (default sectors, functions…) from ready().
_SETUP_STEPS: list[Callable[..., None]] = []


def register_workgroup_setup(step: Callable[..., None]) -> None:
    """``step(workgroup=..., actor=...)`` runs inside workgroup_create's transaction, once per workgroup."""
    if step not in _SETUP_STEPS:
        _SETUP_STEPS.append(step)


@transaction.atomic
def workgroup_create(
    *,
    actor: User,
    name: str,
    jurisdiction_type: str,
    jurisdiction_name: str,
    goal: str,
    description: str = "",
    slug: str = "",
) -> Workgroup:
    """Create a workgroup; whoever creates it becomes its first coordinator."""
    slug = slug or unique_slug(Workgroup.objects.all(), name, fallback="workgroup")
    if Workgroup.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": MSG_SLUG_TAKEN})
    workgroup = Workgroup(
        name=name,
        slug=slug,
        jurisdiction_type=jurisdiction_type,
        jurisdiction_name=jurisdiction_name,
        goal=goal,
        description=description,
    )
    workgroup.full_clean()
    workgroup._history_user = actor
    workgroup.save()
    membership = Membership(user=actor, workgroup=workgroup, role=Role.COORDINATOR)
    membership._history_user = actor
    membership.save()
    workgroup_setup_defaults(workgroup=workgroup, actor=actor)
    return workgroup


def workgroup_setup_defaults(*, workgroup: Workgroup, actor: User | None) -> None:
    """What every workgroup starts with (sectors, functions, clause library, instrument…), made once, here.

    Pages never create these on the way: a coordinator who deletes a default keeps it deleted.
    Workgroups that existed before an app's defaults did get them from that app's data migration.
    """
    for step in _SETUP_STEPS:
        step(workgroup=workgroup, actor=actor)


@transaction.atomic
def workgroup_update(*, actor: User, workgroup: Workgroup, **fields: Any) -> Workgroup:
    require(actor, workgroup, Action.EDIT_WORKGROUP)
    allowed = {"name", "jurisdiction_type", "jurisdiction_name", "goal", "description"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Cannot update {sorted(unknown)} here.")
    for name, value in fields.items():
        setattr(workgroup, name, value)
    workgroup.full_clean()
    workgroup._history_user = actor
    workgroup.save()
    return workgroup


# --- Memberships ----------------------------------------------------------------


def _is_last_coordinator(membership: Membership) -> bool:
    return (
        membership.role == Role.COORDINATOR
        and not Membership.objects.filter(workgroup=membership.workgroup, role=Role.COORDINATOR)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    require(actor, membership.workgroup, Action.MANAGE_MEMBERS)
    if role not in Role.values:
        raise ValidationError({"role": f"“{role}” is not a role."})
    # Lock the workgroup's coordinator rows so two demotions cannot both pass the check.
    list(Membership.objects.select_for_update().filter(workgroup=membership.workgroup, role=Role.COORDINATOR))
    if role != Role.COORDINATOR and _is_last_coordinator(membership):
        raise ValidationError(MSG_LAST_COORDINATOR)
    membership.role = role
    membership._history_user = actor
    membership.save(update_fields=["role"])
    forget_memberships(actor)  # the actor may have changed their own role
    if not role_allows(role, Action.MANAGE_MEMBERS):
        _withdraw_invitations_sent_by(membership, actor=actor)
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    require(actor, membership.workgroup, Action.MANAGE_MEMBERS)
    list(Membership.objects.select_for_update().filter(workgroup=membership.workgroup, role=Role.COORDINATOR))
    if _is_last_coordinator(membership):
        raise ValidationError(MSG_LAST_COORDINATOR)
    _withdraw_invitations_sent_by(membership, actor=actor)
    membership._history_user = actor
    membership.delete()
    forget_memberships(actor)  # the actor may have removed themselves


def _withdraw_invitations_sent_by(membership: Membership, *, actor: User) -> None:
    """Someone who can no longer manage members must not get back in through their own invitations."""
    now = timezone.now()
    for invitation in Invitation.objects.filter(
        workgroup=membership.workgroup, invited_by=membership.user, accepted_at__isnull=True, revoked_at__isnull=True
    ):
        invitation.revoked_at = now
        invitation._history_user = actor
        invitation.save(update_fields=["revoked_at"])
