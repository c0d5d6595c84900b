"""Writes for incidents. Each service checks the permission it needs, validates, writes, and names the actor."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incidents.models import Harm, Incident, IncidentStatus, ReferenceCounter, SubmittedVia, TransferDirection
from toolkit.history import save_validated
from toolkit.permissions import Action, require

if TYPE_CHECKING:
    from partners.models import Organization
    from toolkit.models import User, Workgroup
    from triage.models import ProtocolVersion

# Clocks of the reporter's device and the server differ a little; a report "from the future" beyond this is a typo.
CLOCK_TOLERANCE = timedelta(minutes=5)


def _next_reference(workgroup: Workgroup, year: int) -> str:
    """INC-<year>-<number>, numbered from 1 each year in each workgroup; the counter row is locked meanwhile."""
    ReferenceCounter.objects.get_or_create(workgroup=workgroup, year=year)
    counter = ReferenceCounter.objects.select_for_update().get(workgroup=workgroup, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"INC-{year}-{counter.last:04d}"


def _protocol_version_at(workgroup: Workgroup, when: datetime,
                         chosen: ProtocolVersion | None) -> ProtocolVersion | None:
    """The version in force when it happened: the one chosen (it must have been in force), or the only one."""
    from triage.selectors import version_in_force_at

    in_force = version_in_force_at(workgroup=workgroup, when=when)
    if chosen is not None:
        if chosen.pk not in {version.pk for version in in_force}:
            raise ValidationError({"protocol_version": "That protocol version was not in force when it happened."})
        return chosen
    return in_force[0] if len(in_force) == 1 else None


def _check_report(*, workgroup: Workgroup, occurred_at: datetime, discovered_at: datetime,
                  organizations: list[Organization], now: datetime) -> None:
    errors: dict[str, str] = {}
    if occurred_at > now + CLOCK_TOLERANCE:
        errors["occurred_at"] = "This is in the future; give the time it happened."
    if discovered_at > now + CLOCK_TOLERANCE:
        errors["discovered_at"] = "This is in the future; give the time it was noticed."
    elif discovered_at < occurred_at:
        errors["discovered_at"] = "It cannot have been noticed before it happened."
    if any(org.workgroup_id != workgroup.pk for org in organizations):
        errors["organizations"] = "Choose organizations of this workgroup's partner map."
    if errors:
        raise ValidationError(errors)


def _record_report(
    *, workgroup: Workgroup, actor: User | None, submitted_via: str, incident_class: str, category: str,
    occurred_at: datetime, discovered_at: datetime, narrative: str, organizations: Iterable[Organization] = (),
    transfer_direction: str = TransferDirection.NONE, cad_reference: str = "", contact_reference: str = "",
    protocol_version: ProtocolVersion | None = None, risk_level: str = "", immediate_actions: str = "",
    harm_estimate: str = Harm.UNKNOWN, debrief_offered: bool = False, reporter_name: str = "",
    reporter_contact: str = "",
) -> Incident:
    """One report, however it came (a signed-in person, the intake link): checked, numbered, saved."""
    from triage.selectors import risk_level_names

    now = timezone.now()
    organizations = list(organizations)
    _check_report(workgroup=workgroup, occurred_at=occurred_at, discovered_at=discovered_at,
                  organizations=organizations, now=now)
    version = _protocol_version_at(workgroup, occurred_at, protocol_version)
    if risk_level and (version is None or risk_level not in risk_level_names(version=version)):
        raise ValidationError({"risk_level": "Choose a risk level of the protocol version in force at the time."})
    incident = Incident(
        workgroup=workgroup, reference=_next_reference(workgroup, timezone.localdate(now).year),
        incident_class=incident_class, category=category, occurred_at=occurred_at, discovered_at=discovered_at,
        transfer_direction=transfer_direction, cad_reference=cad_reference, contact_reference=contact_reference,
        protocol_version=version, risk_level=risk_level, narrative=narrative, immediate_actions=immediate_actions,
        harm_estimate=harm_estimate, debrief_offered=debrief_offered, status=IncidentStatus.SUBMITTED,
        reported_by=actor, submitted_via=submitted_via, reporter_name=reporter_name,
        reporter_contact=reporter_contact,
    )
    save_validated(incident, actor)
    incident.organizations.set(organizations)
    return incident


@transaction.atomic
def incident_report(*, actor: User, workgroup: Workgroup, **fields) -> Incident:
    """A signed-in person's report (status submitted), with the next reference of the year and the protocol
    then in force. ``fields``: those of ``_record_report`` (class, category, times, narrative…)."""
    require(actor, workgroup, Action.REPORT_INCIDENTS)
    return _record_report(workgroup=workgroup, actor=actor, submitted_via=SubmittedVia.ACCOUNT, **fields)


@transaction.atomic
def incident_report_from_intake(*, workgroup: Workgroup, reporter_name: str = "", reporter_contact: str = "",
                                **fields) -> Incident:
    """A report through the workgroup's public intake link: no account, optionally anonymous.

    The caller (the intake view) has already resolved the link to this workgroup and applied its limits.
    """
    if workgroup.is_archived:
        raise ValidationError("This workgroup is archived and takes no new reports.")
    return _record_report(workgroup=workgroup, actor=None, submitted_via=SubmittedVia.INTAKE,
                          reporter_name=reporter_name, reporter_contact=reporter_contact, **fields)


@transaction.atomic
def incident_report_from_api(*, workgroup: Workgroup, key_name: str, **fields) -> Incident:
    """A report a partner system posted with a write key of the workgroup: no account; the key, by its name,
    stands as the reporter. The API has already checked the key's workgroup and scope."""
    if workgroup.is_archived:
        raise ValidationError("This workgroup is archived and takes no new reports.")
    return _record_report(workgroup=workgroup, actor=None, submitted_via=SubmittedVia.API,
                          reporter_name=f"API key: {key_name}"[:200], **fields)
