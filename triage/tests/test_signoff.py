"""Sign-off by every partner: the partners a version lists, each one's decision, and approval only when all agree.

The versions here use a small tree of their own, so these tests do not depend on the default tree's content.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from partners.tests.factories import OrganizationFactory
from triage import services
from triage.engine import OUTCOME, QUESTION, NodeSpec, OptionSpec, RiskLevelSpec, Tree
from triage.forms import ApprovalForm
from triage.models import Approval, InForcePeriod, ProtocolVersion, Signatory, VersionStatus
from triage.selectors import protocol_exhibit, signoff_status

BASE = "/w/riverbend/triage"
TREE = Tree(
    nodes={
        "safe": NodeSpec(key="safe", kind=QUESTION, text="Is the caller safe right now?", root=True, options=(
            OptionSpec(label="Yes", next="remote"), OptionSpec(label="No", next="ems"))),
        "remote": NodeSpec(key="remote", kind=OUTCOME, text="988 remote support", risk_level="low",
                           route="988_remote", actions="Support by phone."),
        "ems": NodeSpec(key="ems", kind=OUTCOME, text="EMS with behavioral-health support", risk_level="higher",
                        route="ems_le_with_bh", actions="Dispatch."),
    },
    risk_levels=(RiskLevelSpec("low", "Low"), RiskLevelSpec("higher", "Higher")), criteria={},
    reassessment_guidance="Ask again whether the caller is safe.",
)
SCENARIOS = (("Safe caller", {"safe": "Yes"}, "low", "988_remote"),)
PARTNERS = ("County 988 Center", "County PSAP", "County Sheriff")


@pytest.fixture
def partners(workgroup):
    return [OrganizationFactory(workgroup=workgroup, name=name) for name in PARTNERS]


def _draft(workgroup, coordinator, organizations, name: str = "County") -> ProtocolVersion:
    protocol = services.protocol_create(actor=coordinator, workgroup=workgroup, name=name, tree=TREE,
                                        scenarios=SCENARIOS)
    version = protocol.versions.get()
    for organization in organizations:
        services.signatory_add(actor=coordinator, version=version, organization=organization)
    return version


@pytest.fixture
def draft(workgroup, coordinator, partners) -> ProtocolVersion:
    return _draft(workgroup, coordinator, partners)


@pytest.fixture
def in_review(draft, coordinator) -> ProtocolVersion:
    return services.version_submit(actor=coordinator, version=draft)


def _decide(actor, version, organization, decision: str = "approved", **fields) -> Approval:
    fields = {"approver_name": "Dana Ortiz", "approver_title": "Director", "approved_on": date(2026, 3, 4)} | fields
    return services.approval_record(actor=actor, version=version, organization=organization, decision=decision,
                                    **fields)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_approval_is_refused_while_any_partner_is_missing_and_in_force_only_after_all_approved(
    in_review, coordinator, partners
):
    _decide(coordinator, in_review, partners[0])

    with pytest.raises(ValidationError, match=r"Still waiting for: County PSAP, County Sheriff\."):
        services.version_approve(actor=coordinator, version=in_review)
    with pytest.raises(ValidationError, match=services.MSG_NOT_APPROVED):
        services.version_put_in_force(actor=coordinator, version=in_review)
    in_review.refresh_from_db()
    assert in_review.status == VersionStatus.IN_REVIEW and not InForcePeriod.objects.exists()

    for organization in partners[1:]:
        _decide(coordinator, in_review, organization)
    services.version_approve(actor=coordinator, version=in_review)
    period = services.version_put_in_force(actor=coordinator, version=in_review)

    assert in_review.status == VersionStatus.APPROVED and period.version == in_review
    assert signoff_status(version=in_review).all_approved


def test_one_partners_refusal_blocks_approval_and_the_page_shows_it(client, in_review, coordinator, partners):
    for organization in partners[:2]:
        _decide(coordinator, in_review, organization)
    _decide(coordinator, in_review, partners[2], "declined", note="Officers must not be sent to the remote outcome.")

    with pytest.raises(ValidationError) as refused:
        services.version_approve(actor=coordinator, version=in_review)
    assert refused.value.messages == [
        "County Sheriff declined: Officers must not be sent to the remote outcome. Return the version to draft "
        "to revise it."]
    client.force_login(coordinator)
    page = client.get(in_review.get_absolute_url()).content.decode()
    assert "Declined</span>" in page and "on Mar 4, 2026: Officers must not be sent to the remote outcome." in page
    assert f'disabled aria-describedby="approve-blockers-{in_review.pk}"' in page
    assert f'id="approve-blockers-{in_review.pk}"' in page


def test_the_version_page_shows_who_is_still_missing(client, in_review, coordinator, member, partners):
    _decide(coordinator, in_review, partners[1], approver_name="Marcus Bell", approver_title="PSAP Manager")
    client.force_login(member)

    page = client.get(in_review.get_absolute_url()).content.decode()

    assert "Still waiting for: County 988 Center, County Sheriff." in page
    assert "by Marcus Bell, PSAP Manager on Mar 4, 2026" in page
    assert page.count("Waiting</span>") == 2


def test_an_organization_not_listed_to_sign_cannot_record_a_decision(client, in_review, coordinator, workgroup):
    unlisted = OrganizationFactory(workgroup=workgroup, name="Riverbend Warmline")

    with pytest.raises(ValidationError, match="Riverbend Warmline is not one of the partners that sign this"):
        _decide(coordinator, in_review, unlisted)
    client.force_login(coordinator)
    response = client.post(f"{BASE}/versions/{in_review.pk}/approvals/new/", {
        "organization": unlisted.pk, "decision": "approved", "approver_name": "Pat Doe", "approved_on": "2026-03-04"})

    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert not Approval.objects.exists()


def test_an_organization_of_another_workgroup_cannot_be_listed(client, draft, coordinator, other_workgroup):
    theirs = OrganizationFactory(workgroup=other_workgroup, name="Elsewhere Secret Police")
    before = list(Signatory.objects.values_list("pk", flat=True))

    with pytest.raises(ValidationError, match=services.MSG_OTHER_WORKGROUP):
        services.signatory_add(actor=coordinator, version=draft, organization=theirs)
    client.force_login(coordinator)
    response = client.post(f"{BASE}/versions/{draft.pk}/signatories/new/", {"organization": theirs.pk})

    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert list(Signatory.objects.values_list("pk", flat=True)) == before


def test_a_partner_is_listed_once_and_in_the_order_it_was_added(draft, coordinator, partners, workgroup):
    with pytest.raises(ValidationError, match="County PSAP is already listed to sign this version."):
        services.signatory_add(actor=coordinator, version=draft, organization=partners[1])

    ems = services.signatory_add(actor=coordinator, version=draft, organization=OrganizationFactory(
        workgroup=workgroup, name="County EMS"))
    assert [row.signatory.organization_name for row in signoff_status(version=draft).rows] == [*PARTNERS,
                                                                                                "County EMS"]
    assert ems.history.get().history_user == coordinator


def test_the_version_page_lists_a_partner_and_removes_one_after_asking(client, draft, coordinator, workgroup):
    ems = OrganizationFactory(workgroup=workgroup, name="County EMS")
    client.force_login(coordinator)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert f'<option value="{ems.pk}">County EMS</option>' in page and "typically the 988 center, the PSAP" in page

    response = client.post(f"{BASE}/versions/{draft.pk}/signatories/new/", {"organization": ems.pk})
    assert response.status_code == 302 and _messages(response) == ["County EMS is listed to sign version 1."]
    signatory = draft.signatories.get(organization=ems)

    url = f"{BASE}/versions/{draft.pk}/signatories/{signatory.pk}/remove/"
    assert "Remove County EMS from the partners who sign version 1?" in client.get(url).content.decode()
    assert draft.signatories.filter(pk=signatory.pk).exists()
    assert client.post(url).status_code == 302
    assert not draft.signatories.filter(pk=signatory.pk).exists()
    assert Signatory.history.filter(id=signatory.pk, history_type="-").get().history_user == coordinator


def test_partners_cannot_be_listed_or_removed_once_the_version_is_in_review(client, in_review, coordinator,
                                                                            workgroup):
    signatory = in_review.signatories.first()
    client.force_login(coordinator)

    response = client.post(f"{BASE}/versions/{in_review.pk}/signatories/new/",
                           {"organization": OrganizationFactory(workgroup=workgroup).pk})
    assert response.status_code == 400 and "cannot be changed" in response.content.decode()
    response = client.post(f"{BASE}/versions/{in_review.pk}/signatories/{signatory.pk}/remove/")
    assert response.status_code == 302 and "cannot be changed" in _messages(response)[0]
    assert in_review.signatories.count() == len(PARTNERS)


APPROVAL_VIEWS = [("GET", "approvals/new/"), ("POST", "approvals/new/")]
SIGNATORY_VIEWS = [("POST", "signatories/new/"), ("GET", "signatories/{signatory}/remove/"),
                   ("POST", "signatories/{signatory}/remove/")]
# Recording decisions is the coordinator's (triage.approve); listing partners is part of drafting the version,
# which members do too (triage.edit, like submitting it).
REFUSALS = ([(role, *view) for role in ("member", "legal_reviewer", "qa_reviewer", "viewer", "outsider")
             for view in APPROVAL_VIEWS]
            + [(role, *view) for role in ("legal_reviewer", "qa_reviewer", "viewer", "outsider")
               for view in SIGNATORY_VIEWS])


@pytest.mark.parametrize(("role", "method", "path"), REFUSALS)
def test_people_without_the_right_are_refused_and_nothing_changes(client, request, workgroup, coordinator, partners,
                                                                   role, method, path):
    version = _draft(workgroup, coordinator, partners)
    if path.startswith("approvals"):
        services.version_submit(actor=coordinator, version=version)
    url = f"{BASE}/versions/{version.pk}/" + path.format(signatory=version.signatories.first().pk)
    extra = OrganizationFactory(workgroup=workgroup)
    before = (list(Signatory.objects.values_list("pk", flat=True)), Approval.objects.count())
    client.force_login(request.getfixturevalue(role))

    data = {"organization": (partners[0] if path.startswith("approvals") else extra).pk, "decision": "approved",
            "approver_name": "Pat Doe", "approved_on": "2026-03-04"}
    response = client.get(url) if method == "GET" else client.post(url, data)

    assert response.status_code == (404 if role == "outsider" else 403)
    assert (list(Signatory.objects.values_list("pk", flat=True)), Approval.objects.count()) == before


def test_a_member_who_drafts_the_version_may_list_and_remove_its_partners(client, draft, member, workgroup):
    ems = OrganizationFactory(workgroup=workgroup, name="County EMS")
    client.force_login(member)

    assert client.post(f"{BASE}/versions/{draft.pk}/signatories/new/", {"organization": ems.pk}).status_code == 302
    signatory = draft.signatories.get(organization=ems)
    assert client.post(f"{BASE}/versions/{draft.pk}/signatories/{signatory.pk}/remove/").status_code == 302
    assert not draft.signatories.filter(organization=ems).exists()


def test_a_new_draft_lists_the_same_partners_without_decisions_and_skips_removed_ones(in_review, coordinator,
                                                                                      partners):
    for organization in partners:
        _decide(coordinator, in_review, organization)
    services.version_approve(actor=coordinator, version=in_review)
    partners[2].delete()  # the sheriff's office left the partner map

    new = services.version_new_draft(actor=coordinator, from_version=in_review)

    assert list(new.signatories.values_list("organization", "organization_name", "order")) == [
        (partners[0].pk, "County 988 Center", 1), (partners[1].pk, "County PSAP", 2)]
    assert not new.approvals.exists()
    assert signoff_status(version=new).missing == ("County 988 Center", "County PSAP")
    # The approved version still shows who signed it, the departed partner by its kept name.
    assert [row.state for row in signoff_status(version=in_review).rows] == ["approved"] * 3


def test_returning_to_draft_withdraws_every_decision_and_keeps_the_partners(in_review, coordinator, partners):
    _decide(coordinator, in_review, partners[0])
    _decide(coordinator, in_review, partners[1], "declined", note="Add the transfer script.")

    services.version_return_to_draft(actor=coordinator, version=in_review)

    assert not Approval.objects.filter(version=in_review).exists()
    withdrawn = Approval.history.filter(history_type="-")
    assert withdrawn.count() == 2 and {h.history_user for h in withdrawn} == {coordinator}
    assert in_review.signatories.count() == len(PARTNERS)
    services.version_submit(actor=coordinator, version=in_review)
    _decide(coordinator, in_review, partners[1])  # the partner decides afresh on the revision


@pytest.mark.parametrize("name", ["", "   "])
def test_the_approver_name_is_required(client, in_review, coordinator, partners, name):
    with pytest.raises(ValidationError, match=services.MSG_APPROVER_NAME):
        _decide(coordinator, in_review, partners[0], approver_name=name)
    client.force_login(coordinator)

    response = client.post(f"{BASE}/versions/{in_review.pk}/approvals/new/", {
        "organization": partners[0].pk, "decision": "approved", "approver_name": name, "approver_title": "Director",
        "approved_on": "2026-03-04"})

    page = response.content.decode()
    assert response.status_code == 400 and escape(services.MSG_APPROVER_NAME) in page and 'value="Director"' in page
    assert not Approval.objects.exists()


def test_a_refusal_needs_its_reason_next_to_the_note(client, in_review, coordinator, partners):
    with pytest.raises(ValidationError, match="Say why the partner declined"):
        _decide(coordinator, in_review, partners[0], "declined", note=" ")
    form = ApprovalForm({"organization": partners[0].pk, "decision": "declined", "approver_name": "Dana Ortiz",
                         "approved_on": "2026-03-04"}, workgroup=in_review.workgroup, version=in_review)
    assert not form.is_valid() and form.errors["note"] == [services.MSG_DECLINE_REASON]
    client.force_login(coordinator)

    response = client.post(f"{BASE}/versions/{in_review.pk}/approvals/new/", {
        "organization": partners[0].pk, "decision": "declined", "approver_name": "Dana Ortiz",
        "approved_on": "2026-03-04", "note": ""})

    assert response.status_code == 400 and 'value="Dana Ortiz"' in response.content.decode()
    assert not Approval.objects.exists()


def test_the_approval_forms_cleaned_data_is_exactly_what_the_service_takes(in_review, coordinator, partners):
    form = ApprovalForm({"organization": partners[0].pk, "decision": "declined", "approver_name": " Dana Ortiz ",
                         "approver_title": "Director", "approved_on": "2026-03-04", "note": "Needs the 911 script."},
                        workgroup=in_review.workgroup, version=in_review)
    assert form.is_valid(), form.errors

    approval = services.approval_record(actor=coordinator, version=in_review, **form.cleaned_data)

    assert (approval.decision, approval.approver_name, approval.note) == ("declined", "Dana Ortiz",
                                                                          "Needs the 911 script.")
    assert approval.history.get().history_user == coordinator
    again = ApprovalForm(workgroup=in_review.workgroup, version=in_review)
    assert list(again.fields["organization"].queryset) == partners[1:]  # one decision per partner


def test_the_protocol_exhibit_names_only_the_partners_that_approved_and_who_approved(in_review, coordinator,
                                                                                      partners):
    _decide(coordinator, in_review, partners[0], approver_name="Dana Ortiz", approver_title="Director")
    _decide(coordinator, in_review, partners[1], "declined", note="Not yet.")

    assert protocol_exhibit(version=in_review).approvals == (
        ("County 988 Center", "2026-03-04", "Dana Ortiz", "Director"),)


def test_signoff_status_reads_two_queries_whatever_the_partners(in_review, coordinator, partners,
                                                                django_assert_num_queries):
    _decide(coordinator, in_review, partners[0])
    with django_assert_num_queries(2):
        status = signoff_status(version=in_review)
        assert [row.state for row in status.rows] == ["approved", "waiting", "waiting"]
        assert status.rows[0].decision.approver_name == "Dana Ortiz"  # loaded with the status, no further query


def _page_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("status", ["draft", "in_review"])
def test_the_version_page_costs_the_same_for_2_and_12_partners(client, workgroup, coordinator, status):
    versions = []
    for count in (2, 12):
        organizations = [OrganizationFactory(workgroup=workgroup, name=f"Partner {count}-{i}") for i in range(count)]
        version = _draft(workgroup, coordinator, organizations, name=f"Protocol {count}")
        if status == "in_review":
            services.version_submit(actor=coordinator, version=version)
            for organization in organizations[: count // 2]:
                _decide(coordinator, version, organization)
        versions.append(version)
    client.force_login(coordinator)

    pages = ["", "approvals/new/"] if status == "in_review" else [""]  # the version page, the decision form
    for page in pages:
        few, many = (_page_queries(client, version.get_absolute_url() + page) for version in versions)
        assert many == few, page


def test_a_draft_shows_submit_disabled_with_its_reasons_listed_below(client, workgroup, coordinator):
    version = _draft(workgroup, coordinator, [])
    client.force_login(coordinator)

    page = client.get(version.get_absolute_url()).content.decode()

    assert f'disabled aria-describedby="submit-blockers-{version.pk}">Submit for review</button>' in page
    assert f'<ul class="mb-0" id="submit-blockers-{version.pk}"><li>{services.MSG_NO_SIGNATORIES}</li></ul>' in page
