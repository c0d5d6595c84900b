"""Archiving, permanent deletion and account removal: nothing blocks it, nothing is left behind.

* A coordinator **archives** a workgroup: it becomes read-only (the permission layer refuses
  every change), leaves the switcher, and can be **restored**.
* Staff **delete a workgroup permanently**: every row it owns (through ``CASCADE`` from the
  workgroup, ``RESTRICT`` inside it), the django-simple-history copies of those rows, its audit
  trail (after the workgroup row: on PostgreSQL the audit table's trigger deletes no row whose
  workgroup still exists), and every file under its storage prefix once the deletion commits.
* Staff **delete** a user account (links to it become empty — for audit rows the one UPDATE the
  trigger allows, ``actor_id`` to NULL, which the hash chain does not cover; the trail keeps the name it
  recorded, which it does) or **anonymise** it where the record must keep showing that one person did those things:
  the account stays as "Former user #id" with no e-mail, name, password or memberships.
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from simple_history.models import registered_models as history_registry

from toolkit import audit
from toolkit.models import AuditEvent, Invitation, Membership, Role, Workgroup, workgroup_file_prefix
from toolkit.permissions import Action, forget_memberships, require
from toolkit.services.messages import (
    MSG_ALREADY_ARCHIVED,
    MSG_LAST_COORDINATOR_ELSEWHERE,
    MSG_NOT_ARCHIVED,
    MSG_STAFF_ONLY,
)

if TYPE_CHECKING:
    from django.core.files.storage import Storage

    from toolkit.models import User

logger = logging.getLogger(__name__)


# --- Archive and restore ------------------------------------------------------------


@transaction.atomic
def workgroup_archive(*, actor: User, workgroup: Workgroup) -> Workgroup:
    require(actor, workgroup, Action.ARCHIVE_WORKGROUP)
    workgroup = Workgroup.objects.select_for_update().get(pk=workgroup.pk)
    if workgroup.archived_at is not None:
        raise ValidationError(MSG_ALREADY_ARCHIVED)
    workgroup.archived_at = timezone.now()
    workgroup.archived_by = actor
    workgroup._history_user = actor
    workgroup.save(update_fields=["archived_at", "archived_by"])
    return workgroup


@transaction.atomic
def workgroup_restore(*, actor: User, workgroup: Workgroup) -> Workgroup:
    require(actor, workgroup, Action.ARCHIVE_WORKGROUP)
    workgroup = Workgroup.objects.select_for_update().get(pk=workgroup.pk)
    if workgroup.archived_at is None:
        raise ValidationError(MSG_NOT_ARCHIVED)
    workgroup.archived_at = None
    workgroup.archived_by = None
    workgroup._history_user = actor
    workgroup.save(update_fields=["archived_at", "archived_by"])
    return workgroup


# --- Permanent deletion -----------------------------------------------------------------


@dataclass
class DeletionReport:
    rows: dict[str, int] = field(default_factory=dict)
    history_rows: int = 0

    @property
    def total(self) -> int:
        return sum(self.rows.values()) + self.history_rows


def _require_staff(actor: User) -> None:
    if not (actor.is_active and actor.is_staff):
        raise PermissionDenied(MSG_STAFF_ONLY)


def _delete_history_of_workgroup(workgroup_id: int) -> int:
    """simple-history keeps a copy of every version of every row; the workgroup's copies go too."""
    deleted = 0
    for tracked in history_registry.values():
        history_model = tracked.history.model
        if tracked is Workgroup:
            deleted += history_model.objects.filter(id=workgroup_id).delete()[0]
        elif any(f.attname == "workgroup_id" for f in history_model._meta.concrete_fields):
            deleted += history_model.objects.filter(workgroup_id=workgroup_id).delete()[0]
        else:
            raise ValueError(f"{tracked.__name__} keeps history but has no workgroup column to delete it by.")
    return deleted


def delete_stored_prefix(prefix: str, storage: Storage | None = None) -> int:
    """Delete every file under ``prefix`` (and the folders, where the storage has them). Returns the count."""
    storage = storage or default_storage
    count = 0
    try:
        folders, files = storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    for name in files:
        storage.delete(f"{prefix.rstrip('/')}/{name}")
        count += 1
    for folder in folders:
        count += delete_stored_prefix(f"{prefix.rstrip('/')}/{folder}/", storage)
    _remove_empty_folder(prefix, storage)
    return count


def _remove_empty_folder(prefix: str, storage: Storage) -> None:
    """On disk, the emptied folder goes too; object stores have no folders (their ``path`` raises)."""
    try:
        folder = storage.path(prefix.rstrip("/"))
    except NotImplementedError:
        return
    with contextlib.suppress(OSError):
        os.rmdir(folder)


@transaction.atomic
def workgroup_delete_permanently(*, actor: User, workgroup: Workgroup) -> DeletionReport:
    """Staff only: the workgroup and everything it owns, rows, history, audit trail and files."""
    _require_staff(actor)
    workgroup_id = workgroup.pk
    name = workgroup.name
    report = DeletionReport()
    with audit.suspended():  # its audit trail is deleted with it; nothing new is written about it
        _total, per_model = Workgroup.objects.filter(pk=workgroup_id).delete()
        report.rows = {label: n for label, n in per_model.items() if n}
        # The trail after the workgroup row: on PostgreSQL the audit table's trigger lets a row be deleted
        # only once its workgroup is gone (migration 0010_audit_chain_guard), so the trail can never be
        # removed on its own. The foreign key, checked at commit, makes sure none is left.
        trail = AuditEvent.objects.filter(workgroup_id=workgroup_id).delete()[0]
        if trail:
            report.rows[AuditEvent._meta.label] = trail
        # simple-history wrote a "deleted" copy of each row it tracks while cascading; remove them all.
        report.history_rows = _delete_history_of_workgroup(workgroup_id)
    transaction.on_commit(lambda: delete_stored_prefix(workgroup_file_prefix(workgroup_id)))
    logger.warning("Workgroup %s (%s) deleted permanently by %s: %s rows", workgroup_id, name, actor, report.total)
    return report


# --- Accounts ---------------------------------------------------------------------------


def _check_not_last_coordinator(user: User) -> None:
    for membership in Membership.objects.filter(user=user, role=Role.COORDINATOR).select_related("workgroup"):
        others = Membership.objects.filter(workgroup=membership.workgroup, role=Role.COORDINATOR).exclude(user=user)
        if not others.exists():
            raise ValidationError(MSG_LAST_COORDINATOR_ELSEWHERE.format(workgroup=membership.workgroup.name))


@transaction.atomic
def user_delete(*, actor: User, user: User, force: bool = False) -> None:
    """Staff only. Rows that named the person keep existing with nobody named; the audit trail keeps the name.

    Refused while the person is the last coordinator of a workgroup (``force`` deletes anyway).
    """
    _require_staff(actor)
    if not force:
        _check_not_last_coordinator(user)
    Invitation.objects.filter(invited_by=user, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    user_id = user.pk
    user.delete()  # its memberships cascade, which writes their last history copies
    _forget_user_in_history(user_id)
    forget_memberships(user)


def _forget_user_in_history(user_id: int) -> None:
    """History copies hold plain user ids (no constraint): empty them as the live rows' SET_NULL does."""
    user_model = get_user_model()
    for tracked in history_registry.values():
        history_model = tracked.history.model
        for column in history_model._meta.concrete_fields:
            if column.name != "history_user" and getattr(column, "related_model", None) is user_model:
                history_model.objects.filter(**{column.attname: user_id}).update(**{column.attname: None})


def _forget_two_step(user: User) -> None:
    """The authenticator secret and recovery codes are the person's; an anonymised account keeps neither."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


@transaction.atomic
def user_anonymise(*, actor: User, user: User, force: bool = False) -> User:
    """Staff only. The account stays (so records still show one person did these things) without anything personal."""
    _require_staff(actor)
    if not force:
        _check_not_last_coordinator(user)
    for membership in Membership.objects.filter(user=user):
        membership._history_user = actor
        membership.delete()
    Invitation.objects.filter(invited_by=user, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    user.email = f"former-user-{user.pk}@anonymised.invalid"
    user.first_name = "Former user"
    user.last_name = f"#{user.pk}"
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()  # also ends every session: the session hash no longer matches
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    _forget_two_step(user)
    forget_memberships(user)
    return user
