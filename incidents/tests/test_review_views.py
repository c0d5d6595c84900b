"""The review on the incident page: each form posts, refuses with its reason kept, and shows whom it should."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import workflow
from incidents.models import IncidentSettings
from incidents.tests.test_services import report
from incidents.tests.test_workflow import complete_review, under_review
from partners.tests.factories import OrganizationFactory
from toolkit.models import AuditEvent

pytestmark = pytest.mark.django_db


def url(incident, name, **kwargs):
    return reverse(f"incidents:{name}", kwargs={"slug": incident.workgroup.slug, "incident_id": incident.pk, **kwargs})


def test_ratings_stay_hidden_until_the_reviewer_rates(client, workgroup, member, qa_reviewer, second_qa):
    incident = under_review(report(member, workgroup), qa_reviewer)
    workflow.harm_rate(actor=second_qa, incident=incident, harm="severe", rationale="Caller was without help 40 min")
    client.force_login(qa_reviewer)

    page = client.get(incident.get_absolute_url()).content.decode()
    assert 'data-testid="ratings-hidden"' in page and "Caller was without help" not in page

    response = client.post(url(incident, "harm-rate"), {"harm": "moderate", "rationale": ""})
    assert response.status_code == 302 and response["Location"].endswith("#harm")
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "Caller was without help" in page and 'data-testid="agree-form"' in page


def test_a_refused_assessment_keeps_the_findings_typed(client, workgroup, member, qa_reviewer):
    incident = under_review(report(member, workgroup), qa_reviewer)
    client.force_login(qa_reviewer)

    response = client.post(url(incident, "assessment"), {"likelihood": "3", "severity": "", "findings": "Line down",
                                                          "factor_codes": ["technology.telephony"]})

    assert response.status_code == 400
    form = response.context["assessment_form"]
    assert form["findings"].value() == "Line down" and form["factor_codes"].value() == ["technology.telephony"]
    assert "This field is required." in response.content.decode()
    incident.refresh_from_db()
    assert incident.likelihood is None and not incident.contributing_factors.exists()


def test_finishing_an_incomplete_review_shows_what_is_missing(client, workgroup, member, qa_reviewer):
    incident = under_review(report(member, workgroup), qa_reviewer)
    client.force_login(qa_reviewer)

    response = client.post(url(incident, "review-finish"))

    assert response.status_code == 400
    assert "The review is not complete. Still needed: the harm level two reviewers agreed" in response.content.decode()


def test_actions_are_updated_on_their_own_page_and_the_incident_closes(client, workgroup, member, qa_reviewer,
                                                                        second_qa):
    psap = OrganizationFactory(workgroup=workgroup, name="County 911")
    incident = under_review(report(member, workgroup, organizations=[psap]), qa_reviewer)
    _, action = complete_review(incident, qa_reviewer, second_qa, psap)
    workflow.review_finish(actor=qa_reviewer, incident=incident)
    client.force_login(qa_reviewer)
    close = url(incident, "incident-close")

    refused = client.post(close, {"closure_note": "Done"})
    assert refused.status_code == 400 and "1 corrective action is still open" in refused.content.decode()

    edit = url(incident, "action-update", corrective_action_id=action.pk)
    assert client.get(edit).status_code == 200
    data = {"status": "done", "owner_organization": psap.pk, "assignee": "", "due_date": action.due_date.isoformat(),
            "effectiveness_check": "", "effectiveness": "effective", "effectiveness_note": "Backup line tested."}
    assert client.post(edit, data).status_code == 302
    assert client.post(close, {"closure_note": "Done"}).status_code == 302
    incident.refresh_from_db()
    assert incident.status == "closed"
    assert client.post(edit, data).status_code == 400  # a closed incident's actions stay as they were


def test_a_privileged_incident_is_qa_only_and_each_view_is_audited(client, workgroup, member, qa_reviewer,
                                                                    coordinator):
    incident = report(member, workgroup)
    workflow.marking_set(actor=qa_reviewer, incident=incident, confidentiality="privileged")
    client.force_login(member)
    assert client.get(incident.get_absolute_url()).status_code == 404  # even its reporter: it is QA's now

    for person in (qa_reviewer, coordinator):
        client.force_login(person)
        page = client.get(incident.get_absolute_url())
        assert page.status_code == 200 and b'data-testid="incident-mark"' in page.content
    views = AuditEvent.objects.filter(object_type="incidents.incident", object_id=str(incident.pk), action="viewed")
    assert sorted(views.values_list("actor_id", flat=True)) == sorted([qa_reviewer.pk, coordinator.pk])


def test_joint_reviewers_see_only_the_fields_the_settings_open(client, workgroup, viewer, qa_reviewer):
    psap = OrganizationFactory(workgroup=workgroup, name="County 911")
    incident = report(qa_reviewer, workgroup, organizations=[psap], cad_reference="CAD-77",
                      narrative="The counselor could not reach the PSAP supervisor.")
    client.force_login(viewer)
    assert client.get(incident.get_absolute_url()).status_code == 403  # nothing shared with them yet

    workflow.share_add(actor=qa_reviewer, incident=incident, user=viewer, organization=psap)
    workflow.comment_add(actor=qa_reviewer, incident=incident, body="QA only: staffing was short.", internal=True)
    workflow.comment_add(actor=qa_reviewer, incident=incident, body="Please check your CAD timestamps.",
                         internal=False)
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "County 911" in page and 'data-testid="joint-review-note"' in page
    assert "could not reach the PSAP supervisor" not in page and "CAD-77" not in page  # not opened by default
    assert "Please check your CAD timestamps." in page and "staffing was short" not in page
    assert qa_reviewer.get_full_name() not in page.split('data-testid="comments"')[0]  # not who reported it

    IncidentSettings.objects.create(workgroup=workgroup, joint_review_fields=["narrative", "comments"])
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "could not reach the PSAP supervisor" in page and "CAD-77" not in page

    response = client.post(url(incident, "comment-add"), {"body": "Our timestamps show 14:02.", "internal": "on"})
    assert response.status_code == 302
    assert incident.comments.get(body="Our timestamps show 14:02.").internal is False  # partners cannot hide it


def test_the_reporter_comments_but_never_sees_internal_notes(client, workgroup, member, qa_reviewer):
    incident = report(member, workgroup)
    workflow.comment_add(actor=qa_reviewer, incident=incident, body="Internal: check the recording.", internal=True)
    client.force_login(member)
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "check the recording" not in page and 'data-testid="timeline"' not in page
    assert client.post(url(incident, "comment-add"), {"body": ""}).status_code == 400


def test_someone_elses_incident_cannot_be_commented_on(client, workgroup, member, legal_reviewer, qa_reviewer):
    incident = report(qa_reviewer, workgroup)
    client.force_login(member)
    assert client.post(url(incident, "comment-add"), {"body": "Hello"}).status_code == 404
    assert not incident.comments.exists()


def test_legal_reviewers_read_incidents_linked_to_an_agreement(client, workgroup, legal_reviewer, qa_reviewer,
                                                              coordinator):
    from agreements.tests.test_services import mou

    agreement = mou.__wrapped__(workgroup, coordinator)
    incident = report(qa_reviewer, workgroup)
    client.force_login(legal_reviewer)
    assert client.get(incident.get_absolute_url()).status_code == 404
    workflow.marking_set(actor=qa_reviewer, incident=incident, confidentiality="normal",
                         agreements=[agreement])
    assert client.get(incident.get_absolute_url()).status_code == 200
    workflow.marking_set(actor=qa_reviewer, incident=incident, confidentiality="confidential")
    assert client.get(incident.get_absolute_url()).status_code == 404


def test_the_review_of_another_workgroup_is_not_found(client, workgroup, member, qa_reviewer, outsider):
    incident = report(member, workgroup)
    client.force_login(outsider)
    for name in ("incident-triage", "review-start", "harm-rate", "assessment", "incident-close"):
        assert client.post(url(incident, name), {}).status_code == 404
    incident.refresh_from_db()
    assert incident.status == "submitted"


def test_the_page_costs_the_same_queries_with_a_long_review(client, workgroup, member, qa_reviewer, second_qa,
                                                            django_assert_max_num_queries):
    psap = OrganizationFactory(workgroup=workgroup)
    incident = under_review(report(member, workgroup, organizations=[psap]), qa_reviewer)
    complete_review(incident, qa_reviewer, second_qa, psap)
    client.force_login(qa_reviewer)
    client.get(incident.get_absolute_url())  # warm up
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(incident.get_absolute_url())
    for n in range(8):
        cause = workflow.root_cause_add(actor=qa_reviewer, incident=incident, description=f"Cause {n}")
        for _ in range(3):
            workflow.action_add(actor=qa_reviewer, incident=incident, root_cause=cause, description="Act",
                                owner_organization=psap, due_date=timezone.localdate() + timedelta(days=9))
        workflow.comment_add(actor=qa_reviewer, incident=incident, body=f"Note {n}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(incident.get_absolute_url())


def test_joint_reviewers_read_the_reporters_comment_without_their_name(client, workgroup, member, viewer,
                                                                       qa_reviewer):
    psap = OrganizationFactory(workgroup=workgroup, name="County 911")
    incident = report(member, workgroup, organizations=[psap])
    workflow.share_add(actor=qa_reviewer, incident=incident, user=viewer, organization=psap)
    workflow.comment_add(actor=member, incident=incident, body="I can add the CAD timestamps.")
    client.force_login(viewer)
    comments = client.get(incident.get_absolute_url()).content.decode().split('data-testid="comments"')[1]
    assert "I can add the CAD timestamps." in comments and "The reporter" in comments
    assert member.get_full_name() not in comments
    client.force_login(qa_reviewer)
    assert member.get_full_name() in client.get(incident.get_absolute_url()).content.decode()
