"""An incident report started from a transfer: pre-filled from the record, linked both ways, for reporters only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, AgreementStatus, AgreementTemplate
from incidents.models import Category, Incident, TransferDirection
from partners.tests.factories import OrganizationFactory
from triage.models import Direction, NodeKind, TransferResult
from triage.tests.transfer_factories import TransferFactory, approved_version
from triage.transfers import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def dropped(workgroup, coordinator):
    """A dropped 911 → 988 transfer under the protocol in force, governed by an executed agreement."""
    version = approved_version(workgroup=workgroup, actor=coordinator)
    outcome = version.nodes.filter(kind=NodeKind.OUTCOME, route="911_to_988", risk_level__isnull=False).first()
    psap = OrganizationFactory(workgroup=workgroup, name="Riverbend PSAP")
    center = OrganizationFactory(workgroup=workgroup, name="Riverbend 988 Center")
    template = AgreementTemplate.objects.create(workgroup=workgroup, key="mou", name="MOU", kind="mou")
    agreement = Agreement.objects.create(workgroup=workgroup, title="988/911 MOU", template=template,
                                         status=AgreementStatus.EXECUTED)
    return services.transfer_create(
        actor=coordinator, workgroup=workgroup, direction=Direction.FROM_911_TO_988, sending_organization=psap,
        receiving_organization=center, initiated_at=timezone.now() - timedelta(hours=3),
        ended_at=timezone.now() - timedelta(hours=2, minutes=58), result=TransferResult.DROPPED, outcome=outcome,
        partner_call_id="CAD-26-000123", agreement=agreement)


def _url(transfer):
    return reverse("transfers:create-incident", kwargs={"slug": transfer.workgroup.slug, "transfer_id": transfer.pk})


def test_the_incident_is_prefilled_from_the_transfer_and_linked(client, member, dropped):
    client.force_login(member)
    response = client.post(_url(dropped))
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == incident.get_absolute_url()
    assert incident.category == Category.FAILED_TRANSFER
    assert incident.occurred_at == dropped.initiated_at and incident.discovered_at == dropped.ended_at
    assert set(incident.organizations.all()) == {dropped.sending_organization, dropped.receiving_organization}
    assert incident.transfer_direction == TransferDirection.FROM_911_TO_988
    assert incident.protocol_version == dropped.protocol_version is not None
    assert incident.risk_level == dropped.risk_level_name != ""
    assert incident.cad_reference == "CAD-26-000123" and incident.contact_reference == ""
    assert list(incident.agreements.all()) == [dropped.agreement]
    assert incident.reported_by == member
    assert "dropped before the receiver took it" in incident.narrative
    assert "CAD-26-000123" not in incident.narrative  # coded fields only, no identifiers
    dropped.refresh_from_db()
    assert dropped.incident == incident
    page = client.get(dropped.get_absolute_url()).content.decode()
    assert incident.reference in page and "Create an incident report" not in page
    incident_page = client.get(incident.get_absolute_url()).content.decode()
    assert f'href="{dropped.get_absolute_url()}" data-testid="incident-transfer-link"' in incident_page


def test_a_second_incident_for_the_same_transfer_is_refused(client, member, dropped):
    client.force_login(member)
    client.post(_url(dropped))
    response = client.post(_url(dropped), follow=True)
    assert Incident.objects.count() == 1
    assert "linked to an incident report already" in response.content.decode()


def test_viewers_may_not_create_the_incident(client, viewer, dropped):
    client.force_login(viewer)
    assert client.post(_url(dropped)).status_code == 403
    assert not Incident.objects.exists()


def test_another_workgroups_transfer_is_not_found(client, workgroup, other_workgroup, member):
    client.force_login(member)
    theirs = TransferFactory(workgroup=other_workgroup, result=TransferResult.DROPPED)
    url = reverse("transfers:create-incident", kwargs={"slug": workgroup.slug, "transfer_id": theirs.pk})
    assert client.post(url).status_code == 404
    assert not Incident.objects.exists()


def test_get_does_not_create_an_incident(client, member, dropped):
    client.force_login(member)
    assert client.get(_url(dropped)).status_code == 405
    assert not Incident.objects.exists()


def test_a_988_partners_call_id_becomes_the_contact_id(workgroup, coordinator):
    center, mobile = OrganizationFactory(workgroup=workgroup), OrganizationFactory(workgroup=workgroup)
    transfer = services.transfer_create(
        actor=coordinator, workgroup=workgroup, direction=Direction.FROM_988_TO_MOBILE, sending_organization=center,
        receiving_organization=mobile, initiated_at=timezone.now() - timedelta(hours=1),
        result=TransferResult.REFUSED, partner_call_id="988-C-42")
    incident = services.transfer_create_incident(actor=coordinator, transfer=transfer)
    assert incident.contact_reference == "988-C-42" and incident.cad_reference == ""
    assert incident.transfer_direction == TransferDirection.TO_MOBILE_CRISIS
