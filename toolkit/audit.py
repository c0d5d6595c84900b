"""The audit trail: one append-only table, written in the same transaction as the change.

Models keep their django-simple-history tables where as-of questions need them (the partner map
compared over time, which protocol version was in force when). Every historical record a
registered model writes also becomes one ``AuditEvent`` row here — who, what, when, old → new —
through simple-history's ``post_create_historical_record`` signal, which fires inside the
saving transaction. The audit page then reads one table with one index, however many models
or rows there are.

Bulk writes (imports) skip per-row signals; they call ``record_created_in_bulk`` themselves.

Every row joins its workgroup's hash chain as it is inserted (``toolkit.audit_chain``): ``AuditEvent.save``
and ``bulk_create`` seal rows themselves, and ``record_created_in_bulk`` seals its rows before COPY.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import models, router, transaction
from django.utils import timezone

from toolkit import audit_chain
from toolkit.bulk import copy_create, instance_maker
from toolkit.models import AuditAction, AuditEvent

if TYPE_CHECKING:
    from toolkit.models import User

_AUDITED: dict[type[models.Model], str] = {}
_HISTORY_ACTIONS = {"+": AuditAction.CREATED, "~": AuditAction.CHANGED, "-": AuditAction.DELETED}
_suspended: contextvars.ContextVar[bool] = contextvars.ContextVar("toolkit_audit_suspended", default=False)
REPR_LIMIT = 300
VALUE_LIMIT = 500


def register_audited_model(model: type[models.Model], *, workgroup_field: str = "workgroup_id") -> None:
    """Feature apps call this from ready() for each model with ``history = HistoricalRecords()``."""
    _AUDITED[model] = workgroup_field


def audited_models() -> dict[type[models.Model], str]:
    return dict(_AUDITED)


def object_types() -> list[tuple[str, str]]:
    """(``app_label.model``, "Verbose name") for every audited model, for the audit page's filter."""
    return sorted(
        ((m._meta.label_lower, str(m._meta.verbose_name).capitalize()) for m in _AUDITED), key=lambda t: t[1]
    )


@contextmanager
def suspended() -> Iterator[None]:
    """No audit rows while a workgroup is deleted for good: its trail goes with it."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def _actor_name(actor: User | None) -> str:
    if actor is None:
        return "System"
    return (actor.get_full_name() or actor.email)[:REPR_LIMIT]


def _repr(instance: models.Model) -> str:
    try:
        text = str(instance)
    except models.ObjectDoesNotExist:  # it names a related row that is gone already
        text = f"{instance._meta.verbose_name} #{instance.pk}"
    return text[:REPR_LIMIT]


def _display(model: type[models.Model], field_name: str, value: Any) -> str:
    try:
        field = model._meta.get_field(field_name)
    except Exception:
        return "" if value is None else str(value)[:VALUE_LIMIT]
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))[:VALUE_LIMIT]
    if value in (None, ""):
        return "—"
    if getattr(field, "many_to_one", False):  # a foreign key: the row it names (a person by name), not its id
        related = field.related_model._default_manager.filter(pk=value).first()
        if related is None:
            return f"{field.related_model._meta.verbose_name} #{value}"[:VALUE_LIMIT]
        return (_actor_name(related) if isinstance(related, get_user_model()) else _repr(related))[:VALUE_LIMIT]
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)[:VALUE_LIMIT]


def _changes(model: type[models.Model], history_instance: models.Model) -> list[dict[str, str]]:
    previous = history_instance.prev_record
    if previous is None:
        return []
    delta = history_instance.diff_against(previous)
    return [
        {
            "field": str(model._meta.get_field(change.field).verbose_name),
            "old": _display(model, change.field, change.old),
            "new": _display(model, change.field, change.new),
        }
        for change in delta.changes
    ]


def record_history(sender, instance: models.Model, history_instance: models.Model, history_user=None, **kwargs):
    """simple-history's post_create_historical_record: the same change, one row in the trail."""
    model = type(instance)
    workgroup_field = _AUDITED.get(model)
    if workgroup_field is None or _suspended.get():
        return
    workgroup_id = getattr(instance, workgroup_field, None)
    if workgroup_id is None:
        return
    action = _HISTORY_ACTIONS[history_instance.history_type]
    AuditEvent.objects.create(
        workgroup_id=workgroup_id,
        occurred_at=history_instance.history_date,
        actor=history_user,
        actor_name=_actor_name(history_user),
        action=action,
        object_type=model._meta.label_lower,
        object_label=str(model._meta.verbose_name).capitalize(),
        object_id=str(instance.pk),
        object_repr=_repr(instance),
        changes=_changes(model, history_instance) if action == AuditAction.CHANGED else [],
    )


_new_event = instance_maker(AuditEvent)


def record_created_in_bulk(*, workgroup_id: int, actor: User | None, objects: Iterable[models.Model]) -> int:
    """For bulk imports, which bypass per-row signals: one "created" row each, written in one statement."""
    name = _actor_name(actor)
    rows = [
        _new_event(
            workgroup_id=workgroup_id, actor_id=actor.pk if actor else None, actor_name=name,
            action=AuditAction.CREATED,
            object_type=obj._meta.label_lower, object_label=str(obj._meta.verbose_name).capitalize(),
            object_id=str(obj.pk), object_repr=_repr(obj),
        )
        for obj in objects
    ]
    with transaction.atomic(savepoint=False):  # the chain's lock is held until the rows are in and committed
        audit_chain.seal(rows, using=router.db_for_write(AuditEvent))
        copy_create(rows)
    return len(rows)


def record_access(*, actor: User | None, obj: models.Model, action: str, detail: str = "",
                  workgroup_id: int | None = None) -> AuditEvent:
    """A read of confidential data (viewed, exported, downloaded): one row, so the trail shows who saw what.

    The one kind of write a GET may make (the URL walk allows exactly these rows): HIPAA's audit controls
    ask for a record of access to protected information, not only of changes to it.
    """
    if action not in (AuditAction.VIEWED, AuditAction.EXPORTED, AuditAction.DOWNLOADED):
        raise ValueError(f"{action!r} is not a kind of access.")
    return AuditEvent.objects.create(
        workgroup_id=workgroup_id if workgroup_id is not None else obj.workgroup_id,
        actor=actor, actor_name=_actor_name(actor), action=action,
        object_type=obj._meta.label_lower, object_label=str(obj._meta.verbose_name).capitalize(),
        object_id=str(obj.pk), object_repr=_repr(obj),
        changes=[{"field": "What", "old": "", "new": detail[:VALUE_LIMIT]}] if detail else [],
    )
