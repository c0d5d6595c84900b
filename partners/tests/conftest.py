"""Workgroups here start as real ones do: with the partner map's defaults, made by its setup step."""

from __future__ import annotations

import pytest

from partners.services import partner_map_create_defaults


@pytest.fixture
def workgroup(workgroup):
    partner_map_create_defaults(workgroup=workgroup)
    return workgroup


@pytest.fixture
def other_workgroup(other_workgroup):
    partner_map_create_defaults(workgroup=other_workgroup)
    return other_workgroup


@pytest.fixture
def user_with_new_workgroup(db):
    """A workgroup made the way people make one (workgroup_create runs every setup step)."""
    from toolkit.services import workgroup_create
    from toolkit.tests.factories import UserFactory

    user = UserFactory(email="founder@newcounty.test")
    workgroup = workgroup_create(actor=user, name="New County Workgroup", jurisdiction_type="county",
                                 jurisdiction_name="New County", goal="interoperability")
    return user, workgroup
