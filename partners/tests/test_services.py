"""Partner map services: what they write, what they refuse, and that history names the actor."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from partners import defaults, services
from partners.models import (
    Contact,
    InteropFunction,
    Organization,
    OrganizationType,
    Quadrant,
    RaciAssignment,
    Sector,
    SectorTier,
)
from partners.tests.factories import ContactFactory, OrganizationFactory, sector


def _create(actor, workgroup, **extra):
    fields = {"name": "Riverbend Crisis Line", "sector": sector(workgroup), "org_type": OrganizationType.PROVIDER}
    return services.organization_create(actor=actor, workgroup=workgroup, **{**fields, **extra})


def test_defaults_give_each_workgroup_its_own_sectors_and_functions_once(workgroup, other_workgroup):
    services.partner_map_create_defaults(workgroup=workgroup)
    services.partner_map_create_defaults(workgroup=workgroup)
    services.partner_map_create_defaults(workgroup=other_workgroup)

    assert Sector.objects.filter(workgroup=workgroup).count() == len(defaults.SECTORS)
    assert Sector.objects.filter(workgroup=workgroup, tier=SectorTier.CORE).count() == 11
    assert InteropFunction.objects.filter(workgroup=workgroup).count() == len(defaults.FUNCTIONS) == 9
    assert Sector.objects.filter(workgroup=other_workgroup).count() == len(defaults.SECTORS)


def test_a_new_workgroup_starts_with_the_recommended_sectors(coordinator):
    from toolkit.services import workgroup_create

    workgroup = workgroup_create(actor=coordinator, name="Lakeshore City", jurisdiction_type="city",
                                 jurisdiction_name="Lakeshore", goal="interoperability")

    assert Sector.objects.filter(workgroup=workgroup, tier=SectorTier.CORE).count() == 11


def test_creating_an_organization_records_who_did_it(workgroup, member):
    organization = _create(member, workgroup, influence=5, interest=2)

    assert organization.quadrant == Quadrant.KEEP_SATISFIED
    assert organization.history.first().history_user == member


def test_organization_names_are_unique_in_a_workgroup_ignoring_case(workgroup, other_workgroup, member, outsider):
    _create(member, workgroup)

    with pytest.raises(ValidationError) as refused:
        _create(member, workgroup, name="  riverbend CRISIS line ")
    assert "already on the map" in str(refused.value)
    # Another workgroup may use the same name.
    _create(outsider, other_workgroup)


def test_a_sector_of_another_workgroup_is_refused(workgroup, other_workgroup, member):
    with pytest.raises(ValidationError, match="does not belong"):
        _create(member, workgroup, sector=sector(other_workgroup))
    assert not Organization.objects.exists()


def test_viewers_and_reviewers_cannot_change_the_map(workgroup, viewer, legal_reviewer, qa_reviewer):
    for person in (viewer, legal_reviewer, qa_reviewer):
        with pytest.raises(PermissionDenied):
            _create(person, workgroup)
    assert not Organization.objects.exists()


def test_ratings_history_keeps_every_change_for_comparison(workgroup, member, coordinator):
    organization = _create(member, workgroup, influence=2, interest=2)

    services.organization_update(actor=coordinator, organization=organization, influence=4)
    services.organization_update(actor=member, organization=organization, interest=5, current_engagement="supportive")

    influence_over_time = list(organization.history.order_by("history_date").values_list("influence", "interest"))
    assert influence_over_time == [(2, 2), (4, 2), (4, 5)]
    assert organization.history.first().history_user == member


def test_one_primary_contact_per_organization_the_newest_wins(workgroup, member):
    organization = OrganizationFactory(workgroup=workgroup)
    first = services.contact_create(actor=member, organization=organization, name="Ana Ruiz", is_primary=True)

    second = services.contact_create(actor=member, organization=organization, name="Ben Ode", is_primary=True)

    first.refresh_from_db()
    assert second.is_primary and not first.is_primary


def test_lived_experience_needs_consent_noted(workgroup, member):
    organization = OrganizationFactory(workgroup=workgroup)

    with pytest.raises(ValidationError) as refused:
        services.contact_create(actor=member, organization=organization, name="Peer Lead", lived_experience=True)

    assert services.MSG_CONSENT_NEEDED in refused.value.messages
    assert not Contact.objects.exists()
    contact = services.contact_create(
        actor=member, organization=organization, name="Peer Lead", lived_experience=True,
        lived_experience_consent="Agreed by e-mail on 2026-10-02",
    )
    assert contact.lived_experience


def test_clearing_lived_experience_clears_the_consent_note(workgroup, member):
    contact = ContactFactory(organization=OrganizationFactory(workgroup=workgroup), lived_experience=True,
                             lived_experience_consent="Verbal, at the March meeting")

    services.contact_update(actor=member, contact=contact, lived_experience=False)

    contact.refresh_from_db()
    assert contact.lived_experience_consent == ""


def test_an_invalid_phone_number_is_refused(workgroup, member):
    organization = OrganizationFactory(workgroup=workgroup)

    with pytest.raises(ValidationError, match="not a valid phone number"):
        services.contact_create(actor=member, organization=organization, name="X", phone="12")


def test_custom_sectors_can_be_added_and_deleted_but_recommended_ones_cannot(workgroup, member):
    custom = services.sector_create(actor=member, workgroup=workgroup, name="Faith communities")

    with pytest.raises(ValidationError, match="already a sector"):
        services.sector_create(actor=member, workgroup=workgroup, name="faith communities")
    with pytest.raises(ValidationError, match="cannot be deleted"):
        services.sector_delete(actor=member, sector=sector(workgroup))
    services.sector_delete(actor=member, sector=custom)
    assert not Sector.objects.filter(pk=custom.pk).exists()


def test_a_sector_in_use_cannot_be_deleted(workgroup, member):
    custom = services.sector_create(actor=member, workgroup=workgroup, name="Faith communities")
    OrganizationFactory(workgroup=workgroup, sector=custom)

    with pytest.raises(ValidationError, match="still use"):
        services.sector_delete(actor=member, sector=custom)


def test_raci_cells_are_set_changed_and_cleared(workgroup, member):
    services.partner_map_create_defaults(workgroup=workgroup)
    function = InteropFunction.objects.filter(workgroup=workgroup).first()
    organization = OrganizationFactory(workgroup=workgroup)

    services.raci_set(actor=member, function=function, organization=organization, role="R")
    services.raci_set(actor=member, function=function, organization=organization, role="A")
    assert RaciAssignment.objects.get().role == "A"
    services.raci_set(actor=member, function=function, organization=organization, role="")
    assert not RaciAssignment.objects.exists()


def test_raci_refuses_an_organization_of_another_workgroup(workgroup, other_workgroup, member):
    services.partner_map_create_defaults(workgroup=workgroup)
    function = InteropFunction.objects.filter(workgroup=workgroup).first()
    foreign = OrganizationFactory(workgroup=other_workgroup)

    with pytest.raises(ValidationError):
        services.raci_set(actor=member, function=function, organization=foreign, role="R")
    assert not RaciAssignment.objects.exists()
