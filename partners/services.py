"""Writes for the partner map. Each checks permission, validates, saves atomically, names the actor."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, RestrictedError

from partners import defaults
from partners.models import Contact, InteropFunction, Organization, RaciAssignment, RaciRole, Sector, SectorTier
from toolkit.concurrency import refuse_if_saved_since
from toolkit.history import save_validated as _save
from toolkit.permissions import Action, require
from toolkit.slugs import unique_slug

if TYPE_CHECKING:
    from datetime import datetime

    from toolkit.models import User, Workgroup

MSG_NAME_TAKEN = "An organization called “{name}” is already on the map."
MSG_SECTOR_NAME_TAKEN = "There is already a sector called “{name}”."
MSG_OTHER_WORKGROUP = "That choice does not belong to this workgroup."
MSG_CONSENT_NEEDED = "Note when and how the person agreed before recording lived experience."
MSG_SECTOR_IN_USE = "Organizations still use this sector; move them to another sector first."
MSG_ORGANIZATION_HAS_TRANSFERS = (
    "{name} is named in transfer records, which must keep it; set its status to Inactive instead of removing it."
)
MSG_RECOMMENDED_SECTOR = "Recommended sectors cannot be deleted; they are what coverage is measured against."

ORGANIZATION_FIELDS = {
    "name", "sector", "org_type", "jurisdiction", "website", "notes", "engagement_status", "influence",
    "impact", "interest", "current_engagement", "desired_engagement", "rating_evidence", "last_reviewed",
}
CONTACT_FIELDS = {
    "name", "title", "email", "phone", "workgroup_role", "is_primary", "turnover_risk", "lived_experience",
    "lived_experience_consent",
}


def _same_workgroup(workgroup: Workgroup, *objs: Model) -> None:
    """Defence in depth: forms already limit choices, but a service never links across workgroups."""
    for obj in objs:
        if obj.workgroup_id != workgroup.pk:
            raise ValidationError(MSG_OTHER_WORKGROUP)


def _set_fields(obj: Model, fields: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Unknown fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(obj, name, value)


# --- Defaults ------------------------------------------------------------------------


def partner_map_create_defaults(*, workgroup: Workgroup, actor: User | None = None) -> None:
    """Give a new workgroup its own copy of the recommended sectors and RACI functions.

    The workgroup setup step (``register_workgroup_setup`` in apps.py): runs once, when the workgroup
    is created; workgroups older than that got theirs from migration 0004. Pages never call it, so a
    function or sector a coordinator deletes stays deleted. Idempotent, so running it twice is harmless.
    """
    if not Sector.objects.filter(workgroup=workgroup, tier=SectorTier.CORE).exists():
        existing = set(Sector.objects.filter(workgroup=workgroup).values_list("key", flat=True))
        for order, sector in enumerate(defaults.SECTORS):
            if sector.key not in existing:
                _save(Sector(workgroup=workgroup, key=sector.key, name=sector.name, tier=sector.tier,
                             why=sector.why, order=order), actor)
    if not InteropFunction.objects.filter(workgroup=workgroup).exists():
        for order, function in enumerate(defaults.FUNCTIONS):
            _save(InteropFunction(workgroup=workgroup, key=function.key, name=function.name,
                                  description=function.description, order=order), actor)


# --- Sectors -------------------------------------------------------------------------


@transaction.atomic
def sector_create(*, actor: User, workgroup: Workgroup, name: str, why: str = "") -> Sector:
    require(actor, workgroup, Action.EDIT_PARTNERS)
    if Sector.objects.filter(workgroup=workgroup, name__iexact=name.strip()).exists():
        raise ValidationError({"name": MSG_SECTOR_NAME_TAKEN.format(name=name.strip())})
    key = unique_slug(Sector.objects.filter(workgroup=workgroup), name, field="key", fallback="sector")
    sector = Sector(workgroup=workgroup, key=key, name=name.strip(), why=why, tier=SectorTier.CUSTOM, order=500)
    _save(sector, actor)
    return sector


@transaction.atomic
def sector_delete(*, actor: User, sector: Sector) -> None:
    require(actor, sector.workgroup, Action.EDIT_PARTNERS)
    if sector.is_recommended:
        raise ValidationError(MSG_RECOMMENDED_SECTOR)
    if sector.organizations.exists():
        raise ValidationError(MSG_SECTOR_IN_USE)
    sector._history_user = actor
    sector.delete()


# --- Organizations -------------------------------------------------------------------


def _check_unique_name(organization: Organization) -> None:
    clash = Organization.objects.filter(workgroup=organization.workgroup, name__iexact=organization.name.strip())
    if organization.pk:
        clash = clash.exclude(pk=organization.pk)
    if clash.exists():
        raise ValidationError({"name": MSG_NAME_TAKEN.format(name=organization.name.strip())})


def _lock(obj: Model) -> None:
    """Serialise writes that check-then-insert under a unique rule (names, one primary contact)."""
    type(obj).objects.select_for_update().filter(pk=obj.pk).first()


@transaction.atomic
def organization_create(*, actor: User, workgroup: Workgroup, **fields: Any) -> Organization:
    require(actor, workgroup, Action.EDIT_PARTNERS)
    _lock(workgroup)
    organization = Organization(workgroup=workgroup)
    _set_fields(organization, fields, ORGANIZATION_FIELDS)
    organization.name = organization.name.strip()
    _same_workgroup(workgroup, organization.sector)
    _check_unique_name(organization)
    _save(organization, actor)
    return organization


@transaction.atomic
def organization_update(*, actor: User, organization: Organization, loaded_at: datetime | None = None,
                        **fields: Any) -> Organization:
    """``loaded_at``: when the record was last saved as the editor opened it; a later save refuses this one."""
    require(actor, organization.workgroup, Action.EDIT_PARTNERS)
    _lock(organization.workgroup)
    refuse_if_saved_since(organization, loaded_at)
    _set_fields(organization, fields, ORGANIZATION_FIELDS)
    organization.name = organization.name.strip()
    _same_workgroup(organization.workgroup, organization.sector)
    _check_unique_name(organization)
    _save(organization, actor)
    return organization


@transaction.atomic
def organization_delete(*, actor: User, organization: Organization) -> None:
    require(actor, organization.workgroup, Action.EDIT_PARTNERS)
    organization._history_user = actor
    try:
        # Transfer records hold their organizations with RESTRICT: a call record never loses who took part.
        organization.delete()
    except RestrictedError:
        raise ValidationError(MSG_ORGANIZATION_HAS_TRANSFERS.format(name=organization.name)) from None


# --- Contacts ------------------------------------------------------------------------


def _prepare_contact(contact: Contact) -> None:
    if contact.lived_experience and not contact.lived_experience_consent.strip():
        raise ValidationError({"lived_experience_consent": MSG_CONSENT_NEEDED})
    if not contact.lived_experience:
        contact.lived_experience_consent = ""
    if contact.is_primary:
        # One primary contact per organization: the newest choice wins.
        others = Contact.objects.filter(organization=contact.organization, is_primary=True)
        if contact.pk:
            others = others.exclude(pk=contact.pk)
        for other in others.select_for_update():
            other.is_primary = False
            other._history_user = contact._history_user
            other.save(update_fields=["is_primary", "updated_at"])


@transaction.atomic
def contact_create(*, actor: User, organization: Organization, **fields: Any) -> Contact:
    require(actor, organization.workgroup, Action.EDIT_PARTNERS)
    _lock(organization)
    contact = Contact(workgroup=organization.workgroup, organization=organization)
    _set_fields(contact, fields, CONTACT_FIELDS)
    contact._history_user = actor
    _prepare_contact(contact)
    _save(contact, actor)
    return contact


@transaction.atomic
def contact_update(*, actor: User, contact: Contact, loaded_at: datetime | None = None, **fields: Any) -> Contact:
    require(actor, contact.workgroup, Action.EDIT_PARTNERS)
    _lock(contact.organization)
    refuse_if_saved_since(contact, loaded_at)
    _set_fields(contact, fields, CONTACT_FIELDS)
    contact._history_user = actor
    _prepare_contact(contact)
    _save(contact, actor)
    return contact


@transaction.atomic
def contact_delete(*, actor: User, contact: Contact) -> None:
    require(actor, contact.workgroup, Action.EDIT_PARTNERS)
    contact._history_user = actor
    contact.delete()


# --- RACI ----------------------------------------------------------------------------


@transaction.atomic
def raci_set(*, actor: User, function: InteropFunction, organization: Organization, role: str) -> None:
    """Set one cell of the matrix; an empty role clears it."""
    require(actor, function.workgroup, Action.EDIT_PARTNERS)
    _same_workgroup(function.workgroup, organization)
    if role and role not in RaciRole.values:
        raise ValidationError({"role": f"“{role}” is not one of R, A, C or I."})
    cell = RaciAssignment.objects.select_for_update().filter(function=function, organization=organization).first()
    if not role:
        if cell is not None:
            cell._history_user = actor
            cell.delete()
        return
    if cell is None:
        cell = RaciAssignment(workgroup=function.workgroup, function=function, organization=organization)
    cell.role = role
    _save(cell, actor)


@transaction.atomic
def function_create(*, actor: User, workgroup: Workgroup, name: str, description: str = "") -> InteropFunction:
    """Add a row to the RACI matrix (the defaults come from the seed; workgroups add their own)."""
    require(actor, workgroup, Action.EDIT_PARTNERS)
    name = name.strip()
    if InteropFunction.objects.filter(workgroup=workgroup, name__iexact=name).exists():
        raise ValidationError({"name": f"There is already a function called “{name}”."})
    key = unique_slug(InteropFunction.objects.filter(workgroup=workgroup), name, field="key", fallback="function")
    function = InteropFunction(workgroup=workgroup, key=key, name=name, description=description, order=500)
    _save(function, actor)
    return function


@transaction.atomic
def function_update(*, actor: User, function: InteropFunction, name: str, description: str = "") -> InteropFunction:
    require(actor, function.workgroup, Action.EDIT_PARTNERS)
    name = name.strip()
    clash = InteropFunction.objects.filter(workgroup=function.workgroup, name__iexact=name).exclude(pk=function.pk)
    if clash.exists():
        raise ValidationError({"name": f"There is already a function called “{name}”."})
    function.name, function.description = name, description
    _save(function, actor)
    return function


@transaction.atomic
def function_delete(*, actor: User, function: InteropFunction) -> None:
    """Remove a function the workgroup does not need (e.g. no mobile crisis team yet), with its cells."""
    require(actor, function.workgroup, Action.EDIT_PARTNERS)
    function._history_user = actor
    function.delete()
