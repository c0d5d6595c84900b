"""Reads for the core, already scoped to a workgroup."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Count, QuerySet

from toolkit.models import Invitation, Job, Membership, Role, Workgroup

if TYPE_CHECKING:
    from toolkit.models import User


def workgroup_list_for_user(*, user: User) -> QuerySet[Workgroup]:
    return Workgroup.objects.visible_to(user).order_by("name")


def membership_list(*, workgroup: Workgroup) -> QuerySet[Membership]:
    return Membership.objects.filter(workgroup=workgroup).select_related("user").order_by("user__email")


def invitation_list_open(*, workgroup: Workgroup) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        workgroup=workgroup, accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")


def invitation_get(*, workgroup: Workgroup, pk: int) -> Invitation | None:
    return Invitation.objects.filter(workgroup=workgroup, pk=pk).first()


def job_list(*, workgroup: Workgroup) -> QuerySet[Job]:
    return Job.objects.for_workgroup(workgroup).select_related("requested_by")


def role_counts(*, workgroup: Workgroup) -> dict[str, int]:
    rows = Membership.objects.filter(workgroup=workgroup).values("role").annotate(n=Count("id"))
    counts = {role: 0 for role in Role.values}
    counts.update({row["role"]: row["n"] for row in rows})
    return counts


# --- Audit trail ------------------------------------------------------------------
#
# Each audited model keeps its own django-simple-history table. The trail merges
# them, newest first, with a cursor ("older than") rather than page numbers so that
# every page costs one bounded query per audited model.

_AUDITED: list[tuple[type[models.Model], str]] = []


def register_audited_model(model: type[models.Model], *, workgroup_field: str = "workgroup_id") -> None:
    """Feature apps call this from ready() for each model with ``history = HistoricalRecords()``."""
    if (model, workgroup_field) not in _AUDITED:
        _AUDITED.append((model, workgroup_field))


@dataclass(frozen=True)
class AuditChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class AuditEntry:
    when: datetime
    who: str
    action: str
    what: str
    object_repr: str
    changes: list[AuditChange]
    history_id: int


_ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _display(record: models.Model, field_name: str, value: object) -> str:
    try:
        field = record.instance_type._meta.get_field(field_name)
    except Exception:
        return "" if value is None else str(value)
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if value in (None, ""):
        return "—"
    return str(value)


def _object_repr(record: models.Model) -> str:
    try:
        return str(record.instance)
    except models.ObjectDoesNotExist:  # a related row it names was deleted since
        return f"{record.instance_type._meta.verbose_name} #{record.id}"


def _changes(record: models.Model) -> list[AuditChange]:
    previous = record.prev_record
    if record.history_type != "~" or previous is None:
        return []
    delta = record.diff_against(previous)
    return [
        AuditChange(
            field=str(record.instance_type._meta.get_field(change.field).verbose_name),
            old=_display(record, change.field, change.old),
            new=_display(record, change.field, change.new),
        )
        for change in delta.changes
    ]


def audit_entries(*, workgroup: Workgroup, before: datetime | None = None, limit: int = 50) -> list[AuditEntry]:
    """The newest ``limit`` changes to this workgroup's data, older than ``before`` if given."""
    streams = []
    for model, workgroup_field in _AUDITED:
        queryset = model.history.filter(**{workgroup_field: workgroup.pk}).select_related("history_user")
        if before is not None:
            queryset = queryset.filter(history_date__lt=before)
        streams.append(list(queryset.order_by("-history_date", "-history_id")[:limit]))
    merged = heapq.merge(*streams, key=lambda r: (r.history_date, r.history_id), reverse=True)
    entries = []
    for record in list(merged)[:limit]:
        entries.append(
            AuditEntry(
                when=record.history_date,
                who=str(record.history_user) if record.history_user else "System",
                action=_ACTIONS.get(record.history_type, record.history_type),
                what=str(record.instance_type._meta.verbose_name).capitalize(),
                object_repr=_object_repr(record),
                changes=_changes(record),
                history_id=record.history_id,
            )
        )
    return entries
