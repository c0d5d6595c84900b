"""Demo triage protocol for the Riverbend County workgroup: v1 signed off by its partners and in force, v2 a draft
that the same partners sign."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from partners.selectors import organization_list
from triage import services
from triage.defaults import EXAMPLE_SCENARIOS
from triage.models import InForcePeriod, Protocol, ProtocolVersion

if TYPE_CHECKING:
    from toolkit.models import User, Workgroup

NAME = "Riverbend County 988/911 call triage"
# The partners that sign the protocol, and who decided for each: the fictional contacts of the partners demo.
APPROVERS = {
    "Riverbend Crisis Line (988)": ("Maya Okonkwo", "Executive Director"),
    "Riverbend County Emergency Communications (911)": ("Dana Whitfield", "911 Director"),
    "Riverbend Mobile Crisis Team": ("Tasha Greene", "Clinical Supervisor"),
    "Riverbend County Sheriff's Office": ("Lt. Grace Park", "CIT Coordinator"),
}


# The demo tells of a protocol in force for over a year: its year of transfer records was routed by it.
IN_FORCE_DAYS = 400


def _date_back(version: ProtocolVersion) -> None:
    """The services stamp submission, approval and going into force with today; the demo's story has them
    happen before its year of transfers began."""
    since = timezone.now() - timedelta(days=IN_FORCE_DAYS)
    ProtocolVersion.objects.filter(pk=version.pk).update(submitted_at=since - timedelta(days=12),
                                                         approved_at=since - timedelta(days=2))
    InForcePeriod.objects.filter(version=version).update(started_at=since)


def seed_triage_demo(*, workgroup: Workgroup, actor: User) -> None:
    """Idempotent: does nothing when the demo protocol exists."""
    if Protocol.objects.filter(workgroup=workgroup, name=NAME).exists():
        return
    protocol = services.protocol_create(
        actor=actor, workgroup=workgroup, name=NAME, scenarios=EXAMPLE_SCENARIOS,
        description="Which crisis calls stay with 988, which get a mobile team, and which need EMS or police.",
    )
    v1 = protocol.versions.get(number=1)
    organizations = {org.name: org for org in organization_list(workgroup=workgroup).prefetch_related(None)}
    signing = [name for name in APPROVERS if name in organizations]
    for name in signing:
        services.signatory_add(actor=actor, version=v1, organization=organizations[name])
    services.version_submit(actor=actor, version=v1)
    approved_on = timezone.localdate() - timedelta(days=IN_FORCE_DAYS + 3)
    for name in signing:
        approver_name, approver_title = APPROVERS[name]
        services.approval_record(actor=actor, version=v1, organization=organizations[name], approved_on=approved_on,
                                 approver_name=approver_name, approver_title=approver_title)
    services.version_approve(actor=actor, version=v1)
    services.version_put_in_force(actor=actor, version=v1)
    _date_back(v1)
    v2 = services.version_new_draft(actor=actor, from_version=v1,
                                    change_summary="Add the youth crisis questions agreed at the March meeting")
    services.version_update(actor=actor, version=v2, change_summary=v2.change_summary)
