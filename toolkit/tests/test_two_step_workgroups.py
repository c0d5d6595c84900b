"""A workgroup requiring two-step sign-in of coordinators, legal and QA reviewers."""

from __future__ import annotations

import html

import pytest

from toolkit.models import AuditAction, AuditEvent
from toolkit.services import mfa
from toolkit.tests.test_two_step import VERIFY_URL, _code, _turn_on, sign_in_with_code

pytestmark = pytest.mark.django_db

SETTINGS_URL = "/w/riverbend/settings/two-step/"


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_a_coordinator_without_two_step_cannot_require_it_and_nothing_changes(client, workgroup, coordinator):
    client.force_login(coordinator)

    response = client.post(SETTINGS_URL, {"mfa_required": "on"})

    assert response.status_code == 400
    assert mfa.MSG_SET_UP_FIRST in _text(response)
    assert response.context["form"]["mfa_required"].value() is True  # what they asked for stays ticked
    workgroup.refresh_from_db()
    assert not workgroup.mfa_required


def test_a_coordinator_who_passed_two_step_requires_it_and_the_trail_says_so(client, workgroup, coordinator):
    sign_in_with_code(client, coordinator)

    response = client.post(SETTINGS_URL, {"mfa_required": "on"}, follow=True)

    assert "now required" in _text(response)
    workgroup.refresh_from_db()
    assert workgroup.mfa_required
    event = AuditEvent.objects.filter(workgroup=workgroup, action=AuditAction.CHANGED).latest("id")
    assert event.actor == coordinator
    assert event.changes == [{"field": "require two-step sign-in", "old": "False", "new": "True"}]


def test_the_settings_page_names_who_has_not_set_it_up(client, workgroup, coordinator, qa_reviewer, member):
    sign_in_with_code(client, coordinator)

    response = client.get(SETTINGS_URL)

    names = [m.user for m in response.context["without"]]
    assert names == [qa_reviewer]  # not the coordinator (on), not the member (not asked)
    assert response.context["without_count"] == 1


@pytest.fixture
def requiring(workgroup):
    workgroup.mfa_required = True
    workgroup.save()
    return workgroup


def test_a_qa_reviewer_without_two_step_is_sent_to_set_it_up(client, requiring, qa_reviewer):
    client.force_login(qa_reviewer)

    response = client.get("/w/riverbend/incidents/", follow=True)

    assert response.redirect_chain[0][0].startswith(VERIFY_URL)
    assert response.redirect_chain[-1][0].startswith("/accounts/two-step/setup/")
    assert "asks coordinators, legal reviewers and QA reviewers" in _text(response)
    assert "next=%2Fw%2Friverbend%2Fincidents%2F" in response.redirect_chain[-1][0]


def test_a_legal_reviewer_with_two_step_but_an_older_session_confirms_a_code_then_carries_on(
        client, requiring, legal_reviewer):
    device, _ = _turn_on(legal_reviewer)
    client.force_login(legal_reviewer)

    refused = client.get("/w/riverbend/agreements/")
    assert refused.status_code == 302 and refused["Location"].startswith(VERIFY_URL)

    done = client.post(refused["Location"], {"code": _code(device)})

    assert done.status_code == 302 and done["Location"] == "/w/riverbend/agreements/"
    assert client.get("/w/riverbend/agreements/").status_code == 200


def test_members_and_viewers_are_not_asked(client, requiring, member, viewer):
    for person in (member, viewer):
        client.force_login(person)
        assert client.get("/w/riverbend/").status_code == 200


def test_a_page_part_asks_the_browser_to_go_to_the_code_page(client, requiring, coordinator):
    client.force_login(coordinator)

    response = client.get("/w/riverbend/partners/", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(VERIFY_URL)


def test_the_requirement_holds_only_in_the_workgroup_that_set_it(client, requiring, other_workgroup, coordinator):
    from toolkit.models import Membership, Role

    Membership.objects.create(user=coordinator, workgroup=other_workgroup, role=Role.COORDINATOR)
    client.force_login(coordinator)

    assert client.get(f"/w/{other_workgroup.slug}/").status_code == 200
    assert client.get("/w/riverbend/").status_code == 302


def test_the_members_page_shows_who_is_not_set_up_where_it_is_required(client, requiring, coordinator, qa_reviewer):
    sign_in_with_code(client, coordinator)

    text = _text(client.get("/w/riverbend/members/"))

    assert "Not set up: required" in text
    assert text.count("Not set up: required") == 1  # the QA reviewer; the coordinator is on


def test_turning_the_requirement_off_needs_no_second_step_check(workgroup, coordinator):
    workgroup.mfa_required = True
    workgroup.save()

    mfa.workgroup_require_two_step(actor=coordinator, workgroup=workgroup, required=False, actor_verified=False)

    workgroup.refresh_from_db()
    assert not workgroup.mfa_required


def test_only_coordinators_may_change_the_requirement(workgroup, qa_reviewer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        mfa.workgroup_require_two_step(actor=qa_reviewer, workgroup=workgroup, required=True, actor_verified=True)
    workgroup.refresh_from_db()
    assert not workgroup.mfa_required
