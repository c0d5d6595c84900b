"""Writes for transfer records, and the one place a transfer's reason is filled in.

A transfer's *reason* is not typed by anyone: the protocol version in force when it was initiated, the route
and risk level of the triage outcome that sent it, and the executed agreement between the two partners come
from the workgroup's own records (``RoutingFacts``, read once). The form, the API and the import all call
``fill_reason``, so a transfer means the same thing however it arrived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from toolkit.history import save_validated
from toolkit.permissions import Action, require
from triage.models import ProtocolVersion, Transfer, TransferSettings, TransferSource

if TYPE_CHECKING:
    from toolkit.models import User, Workgroup

MSG_NOT_OURS = "Choose one of this workgroup's organizations."
MSG_SAME_PARTNER = "A transfer goes from one partner to another: choose a different receiving organization."
MSG_LINE_NOT_RECEIVER = "That line belongs to {owner}, not to the receiving organization."
MSG_OUTCOME_NOT_IN_FORCE = ("That outcome belongs to {version}, which was not in force when the transfer was "
                            "initiated.")
MSG_RISK_NOT_IN_VERSION = "That risk level is not one of {version}'s levels."
MSG_FOLLOW_UP_OUTCOME = "Say how the follow-up went."
MSG_FOLLOW_UP_WHEN = "Say when the follow-up was done."
MSG_FOLLOW_UP_BEFORE = "The follow-up cannot be done before the transfer was initiated."


@dataclass(frozen=True)
class RoutingFacts:
    """What filling in a transfer's reason needs, read once: one form save reads it for one row, an import
    of a year of transfers for all of them."""

    workgroup_id: int
    organization_ids: frozenset[int]  # the workgroup's organizations: the only ones a transfer may name
    periods: tuple[tuple[datetime, datetime | None, ProtocolVersion], ...]
    agreements: tuple[tuple[int, frozenset[int]], ...]  # executed agreements and their parties, newest first
    follow_up: timedelta

    def versions_in_force(self, when: datetime) -> list[ProtocolVersion]:
        return [version for started, ended, version in self.periods
                if started <= when and (ended is None or ended > when)]

    def governing_agreement_id(self, *organization_ids: int) -> int | None:
        wanted = set(organization_ids)
        return next((agreement_id for agreement_id, parties in self.agreements if wanted <= parties), None)


def transfer_settings(*, workgroup: Workgroup) -> TransferSettings:
    """The workgroup's settings, or the defaults (unsaved) when it never changed them: a GET never writes."""
    return TransferSettings.objects.filter(workgroup=workgroup).first() or TransferSettings(workgroup=workgroup)


def routing_facts(*, workgroup: Workgroup) -> RoutingFacts:
    from agreements.selectors import executed_agreement_parties
    from partners.selectors import organization_ids
    from triage.selectors import in_force_periods

    return RoutingFacts(
        workgroup_id=workgroup.pk,
        organization_ids=frozenset(organization_ids(workgroup=workgroup)),
        periods=tuple(in_force_periods(workgroup=workgroup)),
        agreements=tuple(executed_agreement_parties(workgroup=workgroup)),
        follow_up=timedelta(hours=transfer_settings(workgroup=workgroup).follow_up_hours),
    )


def _check_partners(transfer: Transfer, facts: RoutingFacts) -> dict[str, str]:
    """By id: an import of 100,000 rows names its organizations by id, and loading them would cost a query each."""
    errors: dict[str, str] = {}
    for field in ("sending_organization", "receiving_organization", "source_organization"):
        organization_id = getattr(transfer, f"{field}_id")
        if organization_id is not None and organization_id not in facts.organization_ids:
            errors[field] = MSG_NOT_OURS
    if transfer.sending_organization_id and transfer.sending_organization_id == transfer.receiving_organization_id:
        errors["receiving_organization"] = MSG_SAME_PARTNER
    line = transfer.line
    if line is not None and "receiving_organization" not in errors:
        if line.workgroup_id != facts.workgroup_id:
            errors["line"] = MSG_NOT_OURS
        elif line.organization_id != transfer.receiving_organization_id:
            errors["line"] = MSG_LINE_NOT_RECEIVER.format(owner=line.organization)
    return errors


def fill_reason(transfer: Transfer, facts: RoutingFacts) -> None:
    """Fill in what the workgroup's records say about this transfer; raise ValidationError on contradictions.

    * the protocol version: the triage outcome's own version (which must have been in force when the transfer
      was initiated), or else the one version in force then (none when several protocols were and no outcome
      says which);
    * the route and, unless chosen, the risk level of that outcome; the risk level's name, kept for metrics;
    * the governing agreement: the newest executed agreement with both partners as parties, unless chosen;
    * the follow-up due time: the workgroup's window after the transfer was initiated, unless given.
    """
    errors = _check_partners(transfer, facts)
    when = transfer.initiated_at
    if when is not None:
        in_force = facts.versions_in_force(when)
        outcome = transfer.outcome
        if outcome is not None:
            if outcome.version_id not in {version.pk for version in in_force}:
                errors["outcome"] = MSG_OUTCOME_NOT_IN_FORCE.format(version=outcome.version)
            else:
                transfer.protocol_version = next(v for v in in_force if v.pk == outcome.version_id)
                transfer.route = outcome.route
                if transfer.risk_level_id is None and outcome.risk_level_id is not None:
                    transfer.risk_level = outcome.risk_level
        elif transfer.protocol_version_id is None and len(in_force) == 1:
            transfer.protocol_version = in_force[0]
        if transfer.follow_up_due_at is None:
            transfer.follow_up_due_at = when + facts.follow_up
    risk_level = transfer.risk_level
    if risk_level is not None:
        if transfer.protocol_version_id is not None and risk_level.version_id != transfer.protocol_version_id:
            errors["risk_level"] = MSG_RISK_NOT_IN_VERSION.format(version=transfer.protocol_version)
        transfer.risk_level_name = risk_level.name
    if transfer.agreement_id is None and transfer.sending_organization_id and transfer.receiving_organization_id:
        transfer.agreement_id = facts.governing_agreement_id(transfer.sending_organization_id,
                                                             transfer.receiving_organization_id)
    errors.update(_follow_up_problems(transfer))
    if errors:
        raise ValidationError(errors)


def _follow_up_problems(transfer: Transfer) -> dict[str, str]:
    if transfer.follow_up_done_at is None:
        return {"follow_up_outcome": MSG_FOLLOW_UP_WHEN} if transfer.follow_up_outcome else {}
    if not transfer.follow_up_outcome:
        return {"follow_up_outcome": MSG_FOLLOW_UP_OUTCOME}
    if transfer.initiated_at is not None and transfer.follow_up_done_at < transfer.initiated_at:
        return {"follow_up_done_at": MSG_FOLLOW_UP_BEFORE}
    return {}


def transfer_record(*, workgroup: Workgroup, actor: User | None, source: str = TransferSource.FORM,
                    facts: RoutingFacts | None = None, **fields: Any) -> Transfer:
    """Record one transfer whose sender has been checked already (the permission layer for people, the
    token's scope for the API). Validates everything the database would refuse, with messages per field."""
    transfer = Transfer(workgroup=workgroup, source=source, created_by=actor, **fields)
    if transfer.sending_organization_id and transfer.source_organization_id is None and transfer.partner_call_id:
        transfer.source_organization_id = transfer.sending_organization_id
    fill_reason(transfer, facts or routing_facts(workgroup=workgroup))
    with transaction.atomic():
        return save_validated(transfer, actor)


def transfer_create(*, actor: User, workgroup: Workgroup, **fields: Any) -> Transfer:
    require(actor, workgroup, Action.RECORD_TRANSFERS)
    return transfer_record(workgroup=workgroup, actor=actor, source=TransferSource.FORM, **fields)


def transfer_update(*, actor: User, transfer: Transfer, **fields: Any) -> Transfer:
    """Correct a record. The reason is filled in again from the (possibly changed) times and outcome."""
    require(actor, transfer.workgroup, Action.RECORD_TRANSFERS)
    with transaction.atomic():
        transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
        for name, value in fields.items():
            setattr(transfer, name, value)
        if "outcome" in fields:  # the route and risk level were the old outcome's: filled in again below
            transfer.route = ""
            if "risk_level" not in fields:
                transfer.risk_level, transfer.risk_level_name = None, ""
        if "initiated_at" in fields or "outcome" in fields:
            transfer.protocol_version = None
            if "follow_up_due_at" not in fields:
                transfer.follow_up_due_at = None
        fill_reason(transfer, routing_facts(workgroup=transfer.workgroup))
        return save_validated(transfer, actor)


def transfer_record_follow_up(*, actor: User, transfer: Transfer, done_at: datetime, outcome: str) -> Transfer:
    """Close the loop: when the person was followed up and how it went."""
    return transfer_update(actor=actor, transfer=transfer, follow_up_done_at=done_at, follow_up_outcome=outcome)


# --- Settings and the incident a transfer led to -------------------------------------------------------------

MSG_INCIDENT_LINKED = "This transfer is linked to an incident report already."

# Transfer direction -> the incident form's coarser choice (co-response goes out like a mobile team).
_INCIDENT_DIRECTION = {
    "911_to_988": "911_to_988",
    "988_to_911": "988_to_911",
    "988_to_mobile": "to_mobile_crisis",
    "911_to_mobile": "to_mobile_crisis",
    "911_to_co_response": "to_mobile_crisis",
}


def transfer_settings_update(*, actor: User, workgroup: Workgroup, follow_up_hours: int) -> TransferSettings:
    require(actor, workgroup, Action.EDIT_WORKGROUP)
    with transaction.atomic():
        current, _ = TransferSettings.objects.select_for_update().get_or_create(workgroup=workgroup)
        current.follow_up_hours = follow_up_hours
        return save_validated(current, actor)


def transfer_incident_narrative(transfer: Transfer) -> str:
    """A factual first paragraph from the coded fields only (no call id, no caller detail): the reporter
    completes it with what happened."""
    when = timezone.localtime(transfer.initiated_at)
    lines = [
        f"A {transfer.get_kind_display().split(' (')[0].lower()} {transfer.get_direction_display()} transfer from "
        f"{transfer.sending_organization} to {transfer.receiving_organization} was initiated on "
        f"{when:%B %-d, %Y at %H:%M} and recorded as: {transfer.get_result_display().lower()}."
    ]
    if transfer.outcome_id:
        lines.append(f"Triage outcome: {transfer.outcome.text}"
                     + (f" (risk level {transfer.risk_level_name})." if transfer.risk_level_name else "."))
    elif transfer.risk_level_name:
        lines.append(f"Risk level: {transfer.risk_level_name}.")
    if transfer.line_id:
        lines.append(f"Line dialled: {transfer.line.name}.")
    lines.append("To be completed by the reporter: what happened, in order, and what was done at once.")
    return "\n\n".join(lines)


def transfer_create_incident(*, actor: User, transfer: Transfer) -> Any:
    """Report the failed transfer through incidents' own service, pre-filled from the record, and link both."""
    from incidents import services as incident_services
    from incidents.models import Category, Harm, IncidentClass, TransferDirection

    workgroup = transfer.workgroup
    require(actor, workgroup, Action.REPORT_INCIDENTS)
    with transaction.atomic():
        transfer = Transfer.objects.select_for_update(of=("self",)).select_related(
            "sending_organization", "receiving_organization", "outcome", "line", "agreement", "protocol_version",
        ).get(pk=transfer.pk)
        if transfer.incident_id is not None:
            raise ValidationError(MSG_INCIDENT_LINKED)
        cad, contact = _call_references(transfer)
        version = transfer.protocol_version
        incident = incident_services.incident_report(
            actor=actor, workgroup=workgroup, incident_class=IncidentClass.NO_HARM, category=Category.FAILED_TRANSFER,
            occurred_at=transfer.initiated_at, discovered_at=max(transfer.ended_at or transfer.initiated_at,
                                                                 transfer.initiated_at),
            organizations=[transfer.sending_organization, transfer.receiving_organization],
            transfer_direction=_INCIDENT_DIRECTION.get(transfer.direction, TransferDirection.NONE),
            cad_reference=cad, contact_reference=contact, protocol_version=version,
            risk_level=transfer.risk_level_name if version is not None else "",
            narrative=transfer_incident_narrative(transfer), harm_estimate=Harm.UNKNOWN,
        )
        if transfer.agreement_id is not None:
            incident.agreements.add(transfer.agreement)
        transfer.incident = incident
        save_validated(transfer, actor)
    return incident


def _call_references(transfer: Transfer) -> tuple[str, str]:
    """(CAD incident number, 988 contact id): the partner's call id goes where its side of the call says."""
    call_id = transfer.partner_call_id
    if not call_id:
        return "", ""
    sender_side, _, receiver_side = transfer.direction.partition("_to_")
    side = receiver_side if transfer.source_organization_id == transfer.receiving_organization_id else sender_side
    if side == "911":
        return call_id, ""
    if side == "988":
        return "", call_id
    return "", ""
