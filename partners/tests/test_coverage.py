"""Coverage of the recommended sectors: which core and additional sectors have an active organization."""

from __future__ import annotations

import pytest

from partners import selectors, services
from partners.models import EngagementStatus, Sector


@pytest.fixture
def partner_map(workgroup):
    services.partner_map_create_defaults(workgroup=workgroup)
    return workgroup


def _organization(actor, workgroup, name: str, sector_key: str, **fields):
    return services.organization_create(
        actor=actor,
        workgroup=workgroup,
        name=name,
        sector=Sector.objects.get(workgroup=workgroup, key=sector_key),
        org_type="provider",
        **{"engagement_status": EngagementStatus.ENGAGED, **fields},  # engaged: at the table
    )


def test_a_new_partner_map_covers_nothing(partner_map):
    cover = selectors.coverage(workgroup=partner_map)

    assert (cover.core_covered, len(cover.core)) == (0, 11)
    assert (cover.additional_covered, len(cover.additional)) == (0, 11)
    assert len(cover.missing_core) == 11
    assert cover.custom == []


def test_an_organization_in_a_core_sector_covers_it(partner_map, coordinator):
    _organization(coordinator, partner_map, "Riverbend Crisis Line", "988-center")

    cover = selectors.coverage(workgroup=partner_map)

    assert cover.core_covered == 1
    assert "988-center" not in {sector.key for sector in cover.missing_core}
    assert len(cover.missing_core) == 10
    row = next(row for row in cover.core if row.sector.key == "988-center")
    assert row.covered and row.organizations == ["Riverbend Crisis Line"]
    assert cover.additional_covered == 0


def test_two_organizations_in_one_sector_count_once(partner_map, coordinator):
    _organization(coordinator, partner_map, "Riverbend Crisis Line", "988-center")
    _organization(coordinator, partner_map, "Hope Crisis Center", "988-center")

    cover = selectors.coverage(workgroup=partner_map)

    assert cover.core_covered == 1
    row = next(row for row in cover.core if row.sector.key == "988-center")
    assert row.organizations == ["Hope Crisis Center", "Riverbend Crisis Line"]


def test_additional_sectors_have_their_own_score(partner_map, coordinator):
    _organization(coordinator, partner_map, "Riverbend General Hospital", "hospitals")

    cover = selectors.coverage(workgroup=partner_map)

    assert (cover.core_covered, cover.additional_covered) == (0, 1)


def test_an_inactive_organization_does_not_count(partner_map, coordinator):
    _organization(
        coordinator, partner_map, "Old Crisis Line", "988-center", engagement_status=EngagementStatus.INACTIVE
    )

    cover = selectors.coverage(workgroup=partner_map)

    assert cover.core_covered == 0
    assert "988-center" in {sector.key for sector in cover.missing_core}


def test_an_organization_that_becomes_inactive_uncovers_its_sector(partner_map, coordinator):
    organization = _organization(coordinator, partner_map, "Riverbend Crisis Line", "988-center")
    assert selectors.coverage(workgroup=partner_map).core_covered == 1

    services.organization_update(
        actor=coordinator, organization=organization, engagement_status=EngagementStatus.INACTIVE
    )

    assert selectors.coverage(workgroup=partner_map).core_covered == 0


def test_custom_sectors_are_listed_but_not_scored(partner_map, coordinator):
    custom = services.sector_create(actor=coordinator, workgroup=partner_map, name="Faith communities")
    services.organization_create(
        actor=coordinator, workgroup=partner_map, name="Interfaith Council", sector=custom, org_type="community",
        engagement_status=EngagementStatus.ENGAGED,
    )

    cover = selectors.coverage(workgroup=partner_map)

    assert (cover.core_covered, len(cover.core)) == (0, 11)
    assert (cover.additional_covered, len(cover.additional)) == (0, 11)
    assert [(row.sector.name, row.organizations) for row in cover.custom] == [
        ("Faith communities", ["Interfaith Council"])
    ]


def test_another_workgroups_organizations_never_count(partner_map, other_workgroup, outsider):
    services.partner_map_create_defaults(workgroup=other_workgroup)
    _organization(outsider, other_workgroup, "Elsewhere Crisis Line", "988-center")
    _organization(outsider, other_workgroup, "Elsewhere Hospital", "hospitals")

    cover = selectors.coverage(workgroup=partner_map)

    assert (cover.core_covered, cover.additional_covered) == (0, 0)
    assert all(row.organizations == [] for row in [*cover.core, *cover.additional])
    assert selectors.coverage(workgroup=other_workgroup).core_covered == 1


def test_an_identified_or_invited_organization_is_approached_but_does_not_cover_its_sector(partner_map, coordinator):
    _organization(coordinator, partner_map, "State Medicaid Agency", "medicaid-authority",
                  engagement_status=EngagementStatus.INVITED)

    cover = selectors.coverage(workgroup=partner_map)

    medicaid = next(row for row in cover.core if row.sector.key == "medicaid-authority")
    assert not medicaid.covered
    assert medicaid.pending == ["State Medicaid Agency"]
    assert cover.core_covered == 0
