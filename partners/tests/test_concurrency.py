"""Two people saving at the same moment: unique rules hold and nobody gets a server error."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from partners import services
from partners.models import Contact, Organization
from partners.tests.factories import OrganizationFactory, sector

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _at_once(*calls):
    """Run the calls in parallel threads (each with its own connection); return their exceptions."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call):
        try:
            barrier.wait()
            call()
        except BaseException as exc:  # recorded for the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors


def test_two_primary_contacts_saved_at_once_leave_exactly_one_primary(workgroup, member, coordinator):
    organization = OrganizationFactory(workgroup=workgroup)

    errors = _at_once(
        lambda: services.contact_create(actor=member, organization=organization, name="Ana", is_primary=True),
        lambda: services.contact_create(actor=coordinator, organization=organization, name="Ben", is_primary=True),
    )

    assert errors == []
    assert Contact.objects.filter(organization=organization).count() == 2
    assert Contact.objects.filter(organization=organization, is_primary=True).count() == 1


def test_the_same_organization_added_twice_at_once_is_refused_once_with_a_message(workgroup, member, coordinator):
    from django.core.exceptions import ValidationError

    def add(actor):
        return lambda: services.organization_create(
            actor=actor, workgroup=workgroup, name="County 911", sector=sector(workgroup), org_type="public_agency"
        )

    sector(workgroup)  # defaults first, outside the race
    errors = _at_once(add(member), add(coordinator))

    assert Organization.objects.filter(workgroup=workgroup).count() == 1
    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    assert "already on the map" in str(errors[0])
