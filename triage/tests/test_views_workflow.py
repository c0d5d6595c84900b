"""Workflow pages: who may submit, approve and put in force; refusals change nothing; the full happy path."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.messages import get_messages
from django.template.loader import render_to_string

from partners.tests.factories import OrganizationFactory
from toolkit.models import Membership
from triage import selectors, services
from triage.defaults import EXAMPLE_SCENARIOS
from triage.models import Approval, InForcePeriod, ProtocolVersion, VersionStatus

BASE = "/w/riverbend/triage"
EDIT_POSTS = ["submit", "new-draft", "signatories/new"]
APPROVE_POSTS = ["return", "approve", "put-in-force", "retire", "approvals/new"]


@pytest.fixture
def partner(workgroup):
    return OrganizationFactory(workgroup=workgroup, name="Riverbend 988 Center")


@pytest.fixture
def draft(workgroup, coordinator, partner) -> ProtocolVersion:
    protocol = services.protocol_create(actor=coordinator, workgroup=workgroup, name="County",
                                        scenarios=EXAMPLE_SCENARIOS)
    version = protocol.versions.get()
    services.signatory_add(actor=coordinator, version=version, organization=partner)
    return version


def _approval(organization, approved_on: date | None = None, **fields) -> dict:
    return {"organization": organization.pk, "decision": "approved", "approver_name": "Dana Ortiz",
            "approver_title": "Director", "approved_on": (approved_on or date.today()).isoformat(), "note": "",
            **fields}


@pytest.fixture
def in_review(draft, coordinator) -> ProtocolVersion:
    return services.version_submit(actor=coordinator, version=draft)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _state(version: ProtocolVersion):
    version.refresh_from_db()
    return (version.status, ProtocolVersion.objects.count(), Approval.objects.count(), InForcePeriod.objects.count())


def _post(client, version, action, data=None):
    return client.post(f"{BASE}/versions/{version.pk}/{action}/", data or {})


def test_a_member_can_submit_a_draft_for_review(client, draft, member):
    client.force_login(member)

    response = _post(client, draft, "submit")

    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.IN_REVIEW
    assert "is in review" in _messages(response)[0]


@pytest.mark.parametrize("action", APPROVE_POSTS)
def test_a_member_may_not_approve_or_put_in_force(client, in_review, member, workgroup, action):
    client.force_login(member)
    before = _state(in_review)

    response = _post(client, in_review, action, {"organization": OrganizationFactory(workgroup=workgroup).pk,
                                                 "approved_on": date.today().isoformat()})

    assert response.status_code == 403
    assert _state(in_review) == before


@pytest.mark.parametrize("action", EDIT_POSTS + APPROVE_POSTS)
def test_a_viewer_is_refused_every_workflow_post(client, in_review, viewer, action):
    client.force_login(viewer)
    before = _state(in_review)

    assert _post(client, in_review, action).status_code == 403
    assert _state(in_review) == before


@pytest.mark.parametrize("action", EDIT_POSTS + APPROVE_POSTS)
def test_an_outsider_finds_nothing(client, in_review, outsider, action):
    client.force_login(outsider)
    before = _state(in_review)

    assert _post(client, in_review, action).status_code == 404
    assert _state(in_review) == before


def test_a_refused_submit_shows_the_service_message_and_changes_nothing(client, draft, coordinator):
    scenario = draft.scenarios.get(name="911: overdose reported by a friend")
    services.scenario_save(actor=coordinator, version=draft, scenario=scenario, expected_route="referral")
    client.force_login(coordinator)

    response = _post(client, draft, "submit")

    assert response["Location"] == draft.get_absolute_url()
    assert _messages(response) == ["1 scenario test(s) fail; every scenario must pass before review."]
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_approving_before_the_listed_partner_decides_is_refused_naming_it(client, in_review, coordinator):
    client.force_login(coordinator)

    response = _post(client, in_review, "approve")

    assert _messages(response) == ["Still waiting for: Riverbend 988 Center."]
    in_review.refresh_from_db()
    assert in_review.status == VersionStatus.IN_REVIEW


def test_the_approval_form_offers_only_the_listed_partners_of_this_workgroup(client, in_review, coordinator,
                                                                             workgroup, other_workgroup, partner):
    unlisted = OrganizationFactory(workgroup=workgroup, name="Riverbend Warmline")
    theirs = OrganizationFactory(workgroup=other_workgroup, name="Elsewhere Secret Agency")
    client.force_login(coordinator)

    page = client.get(f"{BASE}/versions/{in_review.pk}/approvals/new/").content.decode()
    assert f'<option value="{partner.pk}">Riverbend 988 Center</option>' in page
    assert unlisted.name not in page and theirs.name not in page
    assert f'value="{date.today().isoformat()}"' in page and "Still waiting for: Riverbend 988 Center." in page

    response = _post(client, in_review, "approvals/new", _approval(theirs))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Approval.objects.exists()


def test_an_approval_date_in_the_future_is_refused(client, in_review, coordinator, partner):
    client.force_login(coordinator)

    response = _post(client, in_review, "approvals/new", _approval(partner, date.today() + timedelta(days=2)))

    assert response.status_code == 400  # an invalid form answers 400 everywhere, with the form and the message
    page = response.content.decode()
    assert "cannot be in the future" in page and 'value="Dana Ortiz"' in page  # what was typed stays
    assert not Approval.objects.exists()


def test_the_full_path_from_draft_to_in_force_and_a_new_draft(client, draft, coordinator, member, partner):
    client.force_login(member)
    assert _post(client, draft, "submit").status_code == 302
    client.force_login(coordinator)

    response = _post(client, draft, "approvals/new", _approval(partner, date(2025, 3, 4)))
    assert response["Location"] == draft.get_absolute_url()
    assert _messages(response) == ["Riverbend 988 Center's approval of Mar 4, 2025 is recorded."]
    assert _post(client, draft, "approve").status_code == 302
    assert _post(client, draft, "put-in-force").status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.APPROVED
    assert InForcePeriod.objects.get(ended_at__isnull=True).version == draft

    response = _post(client, draft, "new-draft", {"change_summary": "Add intoxication wording"})

    new = ProtocolVersion.objects.get(number=2)
    assert response["Location"] == new.get_absolute_url()
    assert (new.status, new.change_summary, new.based_on) == (VersionStatus.DRAFT, "Add intoxication wording", draft)
    assert new.scenarios.count() == draft.scenarios.count()
    assert list(new.signatories.values_list("organization", flat=True)) == [partner.pk]
    draft.refresh_from_db()
    assert draft.status == VersionStatus.APPROVED


def test_retiring_asks_first_then_ends_the_period_in_force(client, in_review, coordinator, partner):
    services.approval_record(actor=coordinator, version=in_review, organization=partner, approved_on=date.today(),
                             approver_name="Dana Ortiz")
    services.version_approve(actor=coordinator, version=in_review)
    services.version_put_in_force(actor=coordinator, version=in_review)
    client.force_login(coordinator)

    page = client.get(f"{BASE}/versions/{in_review.pk}/retire/").content.decode()
    assert "This version is in force now" in page
    assert in_review.status == VersionStatus.APPROVED

    _post(client, in_review, "retire")
    in_review.refresh_from_db()
    assert in_review.status == VersionStatus.RETIRED
    assert not InForcePeriod.objects.filter(ended_at__isnull=True).exists()


def _actions(version, user, workgroup, **extra) -> str:
    membership = Membership.objects.get(user=user, workgroup=workgroup)
    context = {"version": version, "current_workgroup": workgroup, "current_membership": membership,
               "signoff": selectors.signoff_status(version=version), **extra}
    return render_to_string("triage/_version_actions.html", context)


def test_the_actions_partial_offers_each_role_only_its_buttons(in_review, coordinator, member, viewer, workgroup):
    for_coordinator = _actions(in_review, coordinator, workgroup)
    assert "Record a partner's decision" in for_coordinator and "Return to draft" in for_coordinator
    assert 'aria-current="step">2 · In review' in for_coordinator
    for_member = _actions(in_review, member, workgroup)
    assert "Record a partner's decision" not in for_member and "A coordinator records" in for_member
    assert "<form" not in _actions(in_review, viewer, workgroup)


def test_the_actions_partial_shows_approvals_and_the_in_force_step(in_review, coordinator, workgroup, partner):
    services.approval_record(actor=coordinator, version=in_review, organization=partner, approved_on=date(2025, 3, 4),
                             approver_name="Dana Ortiz", approver_title="Director")
    services.version_approve(actor=coordinator, version=in_review)

    html = _actions(in_review, coordinator, workgroup, in_force=True)

    assert "<strong>Riverbend 988 Center</strong>" in html and "by Dana Ortiz, Director on Mar 4, 2025" in html
    assert 'aria-current="step">4 · In force' in html
    assert "Put in force" not in html and "Start a new draft" in html


@pytest.mark.parametrize("summary", ["bad\x00summary", "bad\x01summary", "bad\x1bsummary", "x" * 301])
def test_a_new_draft_with_an_unusable_summary_is_refused_with_the_form_not_a_500(client, workgroup, coordinator,
                                                                                  summary):
    from triage import services as triage_services

    version = triage_services.protocol_create(actor=coordinator, workgroup=workgroup, name="NUL").versions.get()
    client.force_login(coordinator)

    response = client.post(f"/w/{workgroup.slug}/triage/versions/{version.pk}/new-draft/",
                           {"change_summary": summary})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Start a new draft from version 1" in page and "invalid-feedback" in page
    assert version.protocol.versions.count() == 1


def test_a_word_line_break_in_a_new_drafts_summary_becomes_a_space(client, workgroup, coordinator):
    version = services.protocol_create(actor=coordinator, workgroup=workgroup, name="Word").versions.get()
    client.force_login(coordinator)

    response = _post(client, version, "new-draft", {"change_summary": "Youth questions\x0bagreed in March"})

    assert response.status_code == 302
    assert version.protocol.versions.get(number=2).change_summary == "Youth questions agreed in March"


WRITES = [
    ("versions/{version}/submit/", "edit"), ("versions/{version}/new-draft/", "edit"),
    ("options/{option}/move/", "edit"), ("nodes/{node}/delete/", "edit"),
    ("versions/{version}/approve/", "approve"), ("versions/{version}/put-in-force/", "approve"),
    ("versions/{version}/retire/", "approve"), ("versions/{version}/return/", "approve"),
]


@pytest.mark.parametrize(("path", "needs"), WRITES)
@pytest.mark.parametrize("role", ["member", "legal_reviewer", "qa_reviewer", "viewer"])
def test_write_endpoints_refuse_roles_without_the_right_and_change_nothing(
    client, workgroup, coordinator, request, role, path, needs
):
    from triage import services as triage_services
    from triage.models import Node, Option, ProtocolVersion

    version = triage_services.protocol_create(actor=coordinator, workgroup=workgroup, name="Guarded").versions.get()
    node = Node.objects.filter(version=version, kind="question").first()
    url = f"/w/{workgroup.slug}/triage/" + path.format(version=version.pk, node=node.pk,
                                                        option=Option.objects.filter(node=node).first().pk)
    before = (ProtocolVersion.objects.count(), Node.objects.count(), list(Option.objects.values_list("order")))
    client.force_login(request.getfixturevalue(role))

    response = client.post(url, {"direction": "down"})

    if role == "member" and needs == "edit":
        assert response.status_code == 302  # allowed (the outcome depends on the version's state)
    else:
        assert response.status_code == 403
        assert (ProtocolVersion.objects.count(), Node.objects.count(),
                list(Option.objects.values_list("order"))) == before


def test_a_new_draft_needs_no_summary_even_from_a_post_without_fields(client, workgroup, coordinator):
    version = services.protocol_create(actor=coordinator, workgroup=workgroup, name="Plain").versions.get()
    client.force_login(coordinator)

    response = _post(client, version, "new-draft")

    draft = version.protocol.versions.get(number=2)
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()
    assert draft.change_summary == "Draft based on version 1"


def test_the_new_draft_form_has_its_own_page(client, workgroup, coordinator):
    version = services.protocol_create(actor=coordinator, workgroup=workgroup, name="Plain").versions.get()
    client.force_login(coordinator)

    page = client.get(f"{BASE}/versions/{version.pk}/new-draft/").content.decode()

    assert "Start a new draft from version 1" in page and 'name="change_summary"' in page
    assert version.protocol.versions.count() == 1
