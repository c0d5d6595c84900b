from __future__ import annotations

import factory

from partners.models import Contact, EngagementStatus, Organization, OrganizationType, Sector
from partners.services import partner_map_create_defaults


def sector(workgroup, key: str = "988-center") -> Sector:
    """A default sector of this workgroup (the defaults are created on first use)."""
    partner_map_create_defaults(workgroup=workgroup)
    return Sector.objects.get(workgroup=workgroup, key=key)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    org_type = OrganizationType.PROVIDER
    engagement_status = EngagementStatus.ENGAGED
    sector = factory.LazyAttribute(lambda o: sector(o.workgroup))


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    name = factory.Faker("name")
    title = "Director"
    email = factory.Sequence(lambda n: f"contact{n}@partner.test")
    phone = "+1 202-555-0143"
    workgroup = factory.LazyAttribute(lambda c: c.organization.workgroup)
