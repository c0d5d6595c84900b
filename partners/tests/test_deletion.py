"""Deleting works: a workgroup takes its whole partner map with it, a person's account can go, a sector in
use still cannot be deleted alone; and older workgroups got their defaults from the data migration."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import RestrictedError

from partners import defaults, services
from partners.models import Contact, InteropFunction, Organization, RaciAssignment, Sector, SectorTier
from toolkit.models import Workgroup
from toolkit.services.deletion import user_delete, workgroup_delete_permanently
from toolkit.tests.factories import UserFactory, WorkgroupFactory

PARTNER_MODELS = [Sector, Organization, Contact, InteropFunction, RaciAssignment]


@pytest.fixture
def partner_map(workgroup, coordinator):
    """A map built through the services (so with history): sectors in use, contacts, RACI roles, a custom sector."""
    custom = services.sector_create(actor=coordinator, workgroup=workgroup, name="Faith communities")
    function = InteropFunction.objects.get(workgroup=workgroup, key="receive-assess")
    for n, sector in enumerate([Sector.objects.get(workgroup=workgroup, key="988-center"), custom]):
        organization = services.organization_create(actor=coordinator, workgroup=workgroup, name=f"Partner {n}",
                                                    sector=sector, org_type="provider")
        services.contact_create(actor=coordinator, organization=organization, name=f"Person {n}", is_primary=True)
        services.raci_set(actor=coordinator, function=function, organization=organization, role="AR"[n])
    return workgroup


def test_deleting_a_workgroup_takes_its_whole_partner_map_and_its_history(partner_map, other_workgroup, outsider):
    services.organization_create(actor=outsider, workgroup=other_workgroup, name="Elsewhere Line",
                                 sector=Sector.objects.get(workgroup=other_workgroup, key="988-center"),
                                 org_type="provider")
    staff = UserFactory(is_staff=True)

    workgroup_delete_permanently(actor=staff, workgroup=partner_map)

    for model in PARTNER_MODELS:
        assert not model.objects.filter(workgroup_id=partner_map.pk).exists(), model.__name__
        assert not model.history.filter(workgroup_id=partner_map.pk).exists(), model.__name__
    assert Organization.objects.filter(workgroup=other_workgroup).count() == 1  # nobody else's


def test_a_sector_in_use_cannot_be_deleted_alone(partner_map, coordinator):
    custom = Sector.objects.get(workgroup=partner_map, name="Faith communities")

    with pytest.raises(ValidationError, match="move them to another sector"):
        services.sector_delete(actor=coordinator, sector=custom)
    with pytest.raises(RestrictedError):
        custom.delete()  # and the database rule behind it: RESTRICT, not PROTECT

    assert Sector.objects.filter(pk=custom.pk).exists()


def test_deleting_the_person_who_built_the_map_keeps_the_map(partner_map, coordinator, member):
    coordinator_id = coordinator.pk
    user_delete(actor=UserFactory(is_staff=True), user=coordinator, force=True)

    assert Organization.objects.filter(workgroup=partner_map).count() == 2
    assert Organization.history.filter(workgroup=partner_map).exists()
    assert not Organization.history.filter(history_user_id=coordinator_id).exists()


# --- Defaults for workgroups older than the setup step (migration 0004) -------------------------


def _create_missing_defaults() -> None:
    migration = importlib.import_module("partners.migrations.0004_defaults_for_existing_workgroups")
    migration.create_missing_defaults(apps, None)


def test_the_data_migration_gives_older_workgroups_their_defaults_once(db):
    bare = WorkgroupFactory(slug="older")  # made before the setup step: no sectors, no functions
    trimmed = WorkgroupFactory(slug="trimmed")
    services.partner_map_create_defaults(workgroup=trimmed)
    InteropFunction.objects.filter(workgroup=trimmed, key="cross-training").delete()  # a coordinator's choice
    Sector.objects.create(workgroup=bare, key="faith", name="Faith communities", tier=SectorTier.CUSTOM)

    _create_missing_defaults()
    _create_missing_defaults()

    assert Sector.objects.filter(workgroup=bare, tier=SectorTier.CORE).count() == 11
    assert Sector.objects.filter(workgroup=bare).count() == len(defaults.SECTORS) + 1
    assert list(InteropFunction.objects.filter(workgroup=bare).values_list("key", flat=True)) == [
        f.key for f in defaults.FUNCTIONS
    ]
    assert InteropFunction.objects.filter(workgroup=trimmed).count() == len(defaults.FUNCTIONS) - 1  # stays deleted
    assert Workgroup.objects.count() == 2
