"""Archiving a workgroup: read-only for everyone, out of the switcher, restorable by a coordinator."""

from __future__ import annotations

import pytest

from toolkit import services
from toolkit.models import Workgroup
from toolkit.permissions import Action, can

pytestmark = pytest.mark.django_db


def _settings(workgroup) -> dict:
    return {"name": "Changed while archived", "jurisdiction_type": workgroup.jurisdiction_type,
            "jurisdiction_name": workgroup.jurisdiction_name, "goal": workgroup.goal, "description": ""}


def test_a_coordinator_confirms_then_archives_and_the_workgroup_leaves_the_switcher(client, workgroup, coordinator):
    client.force_login(coordinator)

    confirm = client.get("/w/riverbend/archive/")
    response = client.post("/w/riverbend/archive/")

    assert confirm.status_code == 200 and "Archive the workgroup" in confirm.content.decode()
    assert response.status_code == 302 and response["Location"] == "/"
    workgroup.refresh_from_db()
    assert workgroup.archived_at is not None and workgroup.archived_by == coordinator
    home = client.get("/").content.decode()
    assert "Archived workgroups" in home
    assert workgroup not in list(client.get("/").context["my_workgroups"])


def test_an_archived_workgroup_can_be_read_but_not_changed(client, workgroup, coordinator, member):
    services.workgroup_archive(actor=coordinator, workgroup=workgroup)
    client.force_login(coordinator)

    dashboard = client.get("/w/riverbend/")
    refused = client.post("/w/riverbend/settings/", _settings(workgroup))

    assert dashboard.status_code == 200
    assert "can be read and exported but not changed" in dashboard.content.decode()
    assert refused.status_code == 403
    assert "archived" in refused.content.decode()
    workgroup.refresh_from_db()
    assert workgroup.name == "Riverbend County Workgroup"
    assert not can(member, workgroup, Action.EDIT_PARTNERS)
    assert can(member, workgroup, Action.VIEW_WORKGROUP)
    assert client.post("/w/riverbend/members/invite/", {"email": "x@y.test", "role": "member"}).status_code == 403


def test_a_coordinator_restores_it_and_it_can_be_changed_again(client, workgroup, coordinator):
    services.workgroup_archive(actor=coordinator, workgroup=workgroup)
    client.force_login(coordinator)

    response = client.post("/w/riverbend/restore/")

    assert response.status_code == 302
    workgroup.refresh_from_db()
    assert workgroup.archived_at is None
    assert client.post("/w/riverbend/settings/", _settings(workgroup)).status_code == 302
    assert Workgroup.objects.get(pk=workgroup.pk).name == "Changed while archived"


@pytest.mark.parametrize("role_fixture", ["member", "legal_reviewer", "qa_reviewer", "viewer"])
def test_only_coordinators_archive_or_restore(client, workgroup, coordinator, role_fixture, request):
    person = request.getfixturevalue(role_fixture)
    client.force_login(person)

    assert client.post("/w/riverbend/archive/").status_code == 403
    services.workgroup_archive(actor=coordinator, workgroup=workgroup)
    assert client.post("/w/riverbend/restore/").status_code == 403
    workgroup.refresh_from_db()
    assert workgroup.archived_at is not None


def test_archiving_twice_says_so_instead_of_failing(client, workgroup, coordinator):
    services.workgroup_archive(actor=coordinator, workgroup=workgroup)
    client.force_login(coordinator)

    response = client.post("/w/riverbend/archive/", follow=True)

    assert response.status_code == 200
    assert "archived already" in response.content.decode()
