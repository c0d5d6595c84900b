"""Transfer records and an approved protocol in force, for every transfer test (shared by its test files)."""

from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone

from partners.tests.factories import OrganizationFactory
from triage import services
from triage.defaults import EXAMPLE_SCENARIOS
from triage.models import Direction, InForcePeriod, ProtocolVersion, Transfer, TransferKind, TransferResult


def approved_version(*, workgroup, actor, name: str = "County crisis calls", in_force_days: int = 7) -> ProtocolVersion:
    """The default protocol, approved by one partner, in force since ``in_force_days`` ago."""
    protocol = services.protocol_create(actor=actor, workgroup=workgroup, name=name, scenarios=EXAMPLE_SCENARIOS)
    version = protocol.versions.get()
    partner = OrganizationFactory(workgroup=workgroup)
    services.signatory_add(actor=actor, version=version, organization=partner)
    services.version_submit(actor=actor, version=version)
    services.approval_record(actor=actor, version=version, organization=partner, approved_on=date.today(),
                             approver_name="Dana Ortiz", approver_title="Director")
    version = services.version_approve(actor=actor, version=version)
    services.version_put_in_force(actor=actor, version=version)
    InForcePeriod.objects.filter(version=version).update(started_at=timezone.now() - timedelta(days=in_force_days))
    return version


class TransferFactory(factory.django.DjangoModelFactory):
    """A warm 911 → 988 transfer accepted after 45 seconds (saved as is: no reason filled in)."""

    class Meta:
        model = Transfer

    sending_organization = factory.LazyAttribute(lambda t: OrganizationFactory(workgroup=t.workgroup))
    receiving_organization = factory.LazyAttribute(lambda t: OrganizationFactory(workgroup=t.workgroup))
    direction = Direction.FROM_911_TO_988
    kind = TransferKind.WARM
    result = TransferResult.ACCEPTED
    initiated_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))
    accepted_at = factory.LazyAttribute(lambda t: t.initiated_at + timedelta(seconds=45)
                                        if t.result in (TransferResult.ACCEPTED, TransferResult.RETURNED) else None)
