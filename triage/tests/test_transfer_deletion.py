"""A transfer record keeps the organizations it names: removing one is refused with a clear message and
changes nothing, while deleting the whole workgroup still takes every record with it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from partners import services as partner_services
from partners.models import Organization
from partners.tests.factories import OrganizationFactory
from toolkit.services.deletion import workgroup_delete_permanently
from toolkit.tests.factories import UserFactory
from triage.models import Transfer
from triage.tests.transfer_factories import TransferFactory


@pytest.fixture
def transfer(workgroup):
    return TransferFactory(workgroup=workgroup)


def test_removing_an_organization_named_in_a_transfer_is_refused_and_changes_nothing(transfer, coordinator):
    receiver = transfer.receiving_organization

    with pytest.raises(ValidationError) as caught:
        partner_services.organization_delete(actor=coordinator, organization=receiver)

    assert "transfer records" in caught.value.messages[0]
    assert Organization.objects.filter(pk=receiver.pk).exists()
    assert Transfer.objects.filter(pk=transfer.pk).exists()


def test_the_remove_page_explains_why_and_a_post_leaves_the_organization(client, transfer, coordinator, workgroup):
    sender = transfer.sending_organization
    url = reverse("partners:organization-delete", args=[workgroup.slug, sender.pk])
    client.force_login(coordinator)

    page = client.get(url)
    assert page.status_code == 200
    assert "named in 1 transfer record" in page.text
    assert "Remove organization" not in page.text  # no button that would fail

    posted = client.post(url)
    assert posted.status_code == 200
    assert "named in 1 transfer record" in posted.text
    assert Organization.objects.filter(pk=sender.pk).exists()


def test_an_organization_without_transfers_is_still_removed(client, transfer, coordinator, workgroup):
    bystander = OrganizationFactory(workgroup=workgroup, name="Bystander")
    client.force_login(coordinator)

    response = client.post(reverse("partners:organization-delete", args=[workgroup.slug, bystander.pk]))

    assert response.status_code == 302
    assert not Organization.objects.filter(pk=bystander.pk).exists()


def test_deleting_the_workgroup_permanently_takes_its_transfer_records(transfer, workgroup):
    workgroup_delete_permanently(actor=UserFactory(is_staff=True), workgroup=workgroup)

    assert not Transfer.objects.filter(pk=transfer.pk).exists()
    assert not Organization.objects.filter(workgroup_id=workgroup.pk).exists()
