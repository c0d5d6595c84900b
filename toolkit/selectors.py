"""Reads for the core, already scoped to a workgroup."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import Lag

from toolkit import jobs
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


def job_list(*, workgroup: Workgroup, role: str) -> QuerySet[Job]:
    """The workgroup's jobs of the kinds this role may see."""
    return (
        Job.objects.for_workgroup(workgroup)
        .filter(kind__in=jobs.kinds_viewable_by_role(role))
        .select_related("requested_by")
    )


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
    cursor: str  # pass as ``before`` to get the entries after this one


@dataclass(frozen=True)
class AuditCursor:
    when: datetime
    model_order: int
    history_id: int

    def __str__(self) -> str:
        return f"{self.when.isoformat()}~{self.model_order}~{self.history_id}"

    @classmethod
    def parse(cls, raw: str) -> AuditCursor | None:
        """None for anything malformed: a hand-edited link shows the newest page."""
        try:
            when, order, history_id = raw.split("~")
            parsed = datetime.fromisoformat(when)
            return cls(when=parsed, model_order=int(order), history_id=int(history_id))
        except (ValueError, TypeError):
            return None


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
    instance = record.instance
    # Reuse the related rows select_related already fetched instead of a query per row.
    for field in instance._meta.concrete_fields:
        if field.many_to_one and record._meta.get_field(field.name).is_cached(record):
            field.set_cached_value(instance, getattr(record, field.name))
    try:
        return str(instance)
    except models.ObjectDoesNotExist:  # a related row it names was deleted since
        return f"{record.instance_type._meta.verbose_name} #{record.id}"


def _changes(record: models.Model) -> list[AuditChange]:
    previous = getattr(record, "previous_version", None)
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


def _history_page(
    order: int, model: type[models.Model], workgroup_field: str, workgroup: Workgroup,
    before: AuditCursor | None, limit: int,
) -> list[models.Model]:
    """One model's newest history rows, each with ``previous_version`` attached: two queries."""
    history_model = model.history.model
    relations = [f.name for f in history_model._meta.fields if f.many_to_one and f.name != "history_user"]
    queryset = (
        model.history.filter(**{workgroup_field: workgroup.pk})
        .select_related("history_user", *relations)
        .annotate(
            previous_history_id=Window(
                Lag("history_id"), partition_by=[F("id")], order_by=[F("history_date").asc(), F("history_id").asc()]
            )
        )
    )
    if before is not None:
        # Entries are ordered by (date, model order, history id), newest first; keep those after the cursor.
        if order < before.model_order:
            queryset = queryset.filter(history_date__lte=before.when)
        elif order == before.model_order:
            queryset = queryset.filter(
                Q(history_date__lt=before.when) | Q(history_date=before.when, history_id__lt=before.history_id)
            )
        else:
            queryset = queryset.filter(history_date__lt=before.when)
    records = list(queryset.order_by("-history_date", "-history_id")[:limit])
    wanted = [r.previous_history_id for r in records if r.history_type == "~" and r.previous_history_id]
    previous = history_model.objects.in_bulk(wanted) if wanted else {}
    for record in records:
        record.previous_version = previous.get(record.previous_history_id)
        record.audit_order = order
    return records


def audit_entries(*, workgroup: Workgroup, before: AuditCursor | None = None, limit: int = 50) -> list[AuditEntry]:
    """The newest ``limit`` changes to this workgroup's data, after the ``before`` cursor if given."""
    streams = [
        _history_page(order, model, field, workgroup, before, limit) for order, (model, field) in enumerate(_AUDITED)
    ]
    merged = heapq.merge(*streams, key=lambda r: (r.history_date, r.audit_order, r.history_id), reverse=True)
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
                cursor=str(AuditCursor(record.history_date, record.audit_order, record.history_id)),
            )
        )
    return entries
