from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from toolkit.models import Invitation, JurisdictionType, Membership, Role, User, Workgroup, WorkgroupGoal

TEST_PASSWORD = "correct-horse-battery-988"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class WorkgroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workgroup
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Workgroup {n}")
    slug = factory.Sequence(lambda n: f"workgroup-{n}")
    jurisdiction_type = JurisdictionType.COUNTY
    jurisdiction_name = "Example County"
    goal = WorkgroupGoal.INTEROPERABILITY


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    workgroup = factory.SubFactory(WorkgroupFactory)
    role = Role.MEMBER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    workgroup = factory.SubFactory(WorkgroupFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.test")
    role = Role.MEMBER
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
