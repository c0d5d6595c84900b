"""Fixtures of the incidents tests: a second QA reviewer (harm is rated by two)."""

from __future__ import annotations

import pytest

from toolkit.models import Membership, Role
from toolkit.tests.factories import UserFactory


@pytest.fixture
def second_qa(workgroup):
    user = UserFactory(email="qa2@example.org", first_name="Quinn", last_name="Second")
    Membership.objects.create(user=user, workgroup=workgroup, role=Role.QA_REVIEWER)
    return user
