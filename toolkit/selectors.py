"""Reads for the core, already scoped to a workgroup."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from toolkit import jobs
from toolkit.audit import register_audited_model  # noqa: F401  (apps register their models from here)
from toolkit.models import AuditEvent, Invitation, Job, Membership, Role, Workgroup
from toolkit.permissions import MFA_ROLES, Action

if TYPE_CHECKING:
    from toolkit.models import User


def workgroup_list_for_user(*, user: User) -> QuerySet[Workgroup]:
    """The workgroups in the switcher: the person's, archived ones left out."""
    return Workgroup.objects.visible_to(user).active().order_by("name")


def archived_workgroup_list_for_user(*, user: User) -> QuerySet[Workgroup]:
    return Workgroup.objects.visible_to(user).archived().order_by("name")


def membership_list(*, workgroup: Workgroup) -> QuerySet[Membership]:
    """Members with ``two_step_on``: whether they sign in with an authenticator app's code too."""
    return (Membership.objects.filter(workgroup=workgroup).select_related("user")
            .annotate(two_step_on=Exists(TOTPDevice.objects.filter(user=OuterRef("user_id"), confirmed=True)))
            .order_by("user__email"))


def members_without_two_step(*, workgroup: Workgroup) -> QuerySet[Membership]:
    """People whose role must use two-step sign-in when the workgroup requires it, and who have not set it up."""
    return membership_list(workgroup=workgroup).filter(role__in=MFA_ROLES, two_step_on=False)


def invitation_list_open(*, workgroup: Workgroup) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        workgroup=workgroup, accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")


def invitation_get(*, workgroup: Workgroup, pk: int) -> Invitation | None:
    return Invitation.objects.filter(workgroup=workgroup, pk=pk).first()


def job_list(*, membership: Membership) -> QuerySet[Job]:
    """The workgroup's jobs of the kinds this member may see, newest first."""
    return (
        Job.objects.restrict(membership, Action.VIEW_WORKGROUP)
        .filter(kind__in=jobs.kinds_viewable_by_role(membership.role))
        .select_related("requested_by", "workgroup")
        .order_by("-created_at", "-id")
    )


def role_counts(*, workgroup: Workgroup) -> dict[str, int]:
    rows = Membership.objects.filter(workgroup=workgroup).values("role").annotate(n=Count("id"))
    counts = {role: 0 for role in Role.values}
    counts.update({row["role"]: row["n"] for row in rows})
    return counts


# --- Audit trail ------------------------------------------------------------------
#
# One append-only table (toolkit.audit writes it in the same transaction as each change),
# read newest first with keyset pagination: a fixed number of queries at any depth.


def audit_events(*, membership: Membership) -> QuerySet[AuditEvent]:
    """The workgroup's audit events, if the membership may see them (filters: ``toolkit.filters``)."""
    return AuditEvent.objects.restrict(membership, Action.VIEW_AUDIT)


def object_history(*, workgroup: Workgroup, obj, limit: int = 50) -> list[AuditEvent]:
    """The last ``limit`` audit events of one row, oldest first (an incident's timeline). One query.

    The caller has decided the person may read the row; its history is then theirs to read too.
    """
    label = obj._meta.label_lower
    events = (AuditEvent.objects.filter(workgroup=workgroup, object_type=label, object_id=str(obj.pk))
              .select_related("actor").order_by("-occurred_at", "-id")[:limit])
    return list(reversed(events))
