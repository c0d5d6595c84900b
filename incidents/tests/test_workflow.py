"""The QA workflow as services: each transition allowed and refused, with the message a person reads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from incidents import workflow
from incidents.models import ActionStatus, Effectiveness, IncidentComment, IncidentShare, IncidentStatus
from incidents.tests.test_services import report
from partners.tests.factories import OrganizationFactory
from toolkit.models import AuditEvent

pytestmark = pytest.mark.django_db


def under_review(incident, qa):
    workflow.incident_triage(actor=qa, incident=incident, reviewer=qa, priority="priority")
    return workflow.review_start(actor=qa, incident=incident)


def complete_review(incident, qa, second, organization):
    workflow.harm_rate(actor=qa, incident=incident, harm="mild")
    workflow.harm_rate(actor=second, incident=incident, harm="moderate")
    workflow.harm_agree(actor=second, incident=incident, harm="moderate")
    workflow.assessment_save(actor=qa, incident=incident, likelihood=3, severity=3,
                             factor_codes=["handoff.warm_transfer_failed"], findings="The line had no backup.")
    cause = workflow.root_cause_add(actor=qa, incident=incident, description="No backup transfer line.")
    action = workflow.action_add(actor=qa, incident=incident, root_cause=cause, description="Add a backup line.",
                                 owner_organization=organization, due_date=timezone.localdate() + timedelta(days=14))
    return cause, action


def message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def test_the_review_runs_from_report_to_closure(workgroup, member, qa_reviewer, second_qa):
    psap = OrganizationFactory(workgroup=workgroup, name="County 911")
    incident = report(member, workgroup, organizations=[psap])
    incident = under_review(incident, qa_reviewer)
    assert incident.status == IncidentStatus.UNDER_REVIEW and incident.review_started_at

    _, action = complete_review(incident, qa_reviewer, second_qa, psap)
    incident = workflow.review_finish(actor=qa_reviewer, incident=incident)
    assert incident.status == IncidentStatus.ACTIONS_IN_PROGRESS
    assert (incident.agreed_harm, incident.risk_grade) == ("moderate", "high")  # 3 × 3 = 9

    workflow.action_update(actor=qa_reviewer, action=action, status=ActionStatus.DONE, due_date=action.due_date,
                           owner_organization=psap, effectiveness=Effectiveness.EFFECTIVE,
                           effectiveness_note="Ten test transfers went through the backup line.")
    incident = workflow.incident_close(actor=qa_reviewer, incident=incident, closure_note="Backup line works.")
    assert incident.status == IncidentStatus.CLOSED and incident.closed_at
    # Every change is on the timeline (the audit rows of the incident and of its review's rows).
    from incidents.selectors import incident_timeline

    labels = {event.object_label for event in incident_timeline(incident=incident)}
    assert {"Incident", "Harm rating", "Contributing factor", "Root cause", "Corrective action"} <= labels


def test_transitions_out_of_order_are_refused_with_the_status_named(workgroup, member, qa_reviewer):
    incident = report(member, workgroup)
    with pytest.raises(ValidationError) as start_first:
        workflow.review_start(actor=qa_reviewer, incident=incident)
    assert message(start_first.value) == (f"{incident.reference} is submitted; starting the review is done when it "
                                          "is triaged.")
    with pytest.raises(ValidationError) as close_first:
        workflow.incident_close(actor=qa_reviewer, incident=incident)
    assert "closing is done when it is actions in progress" in message(close_first.value)
    with pytest.raises(ValidationError):
        workflow.incident_reopen(actor=qa_reviewer, incident=incident, reason="New facts")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.SUBMITTED


def test_people_who_do_not_review_cannot_move_an_incident(workgroup, member, viewer, qa_reviewer):
    incident = report(member, workgroup)
    for person in (member, viewer):
        with pytest.raises(PermissionDenied):
            workflow.incident_triage(actor=person, incident=incident, reviewer=qa_reviewer, priority="urgent")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.SUBMITTED


def test_two_reviewers_must_rate_before_a_harm_level_is_agreed(workgroup, member, qa_reviewer, second_qa,
                                                                coordinator):
    incident = under_review(report(member, workgroup), qa_reviewer)
    workflow.harm_rate(actor=qa_reviewer, incident=incident, harm="mild")
    with pytest.raises(ValidationError) as one:
        workflow.harm_agree(actor=qa_reviewer, incident=incident, harm="mild")
    assert message(one.value) == "Two reviewers must each rate the harm before a level is agreed (1 so far)."

    workflow.harm_rate(actor=qa_reviewer, incident=incident, harm="moderate")  # changes their own rating
    workflow.harm_rate(actor=second_qa, incident=incident, harm="severe")
    assert incident.harm_ratings.count() == 2
    with pytest.raises(ValidationError) as outsider:
        workflow.harm_agree(actor=coordinator, incident=incident, harm="moderate")
    assert message(outsider.value) == workflow.MSG_AGREE_ONLY_RATERS
    with pytest.raises(ValidationError):
        workflow.harm_agree(actor=second_qa, incident=incident, harm="unknown")

    incident = workflow.harm_agree(actor=second_qa, incident=incident, harm="moderate")
    assert incident.agreed_harm == "moderate"
    with pytest.raises(ValidationError) as late:
        workflow.harm_rate(actor=coordinator, incident=incident, harm="death")
    assert message(late.value) == workflow.MSG_RATING_AFTER_AGREEMENT


def test_finishing_the_review_lists_what_is_missing(workgroup, member, qa_reviewer, second_qa):
    psap = OrganizationFactory(workgroup=workgroup)
    incident = under_review(report(member, workgroup, organizations=[psap]), qa_reviewer)
    with pytest.raises(ValidationError) as empty:
        workflow.review_finish(actor=qa_reviewer, incident=incident)
    assert message(empty.value) == (
        "The review is not complete. Still needed: the harm level two reviewers agreed; a risk grade (likelihood "
        "and severity); at least one contributing factor; the findings; at least one root cause.")

    cause, _ = complete_review(incident, qa_reviewer, second_qa, psap)
    workflow.root_cause_add(actor=qa_reviewer, incident=incident, description="Staff not trained on the backup.")
    with pytest.raises(ValidationError) as one_missing:
        workflow.review_finish(actor=qa_reviewer, incident=incident)
    assert "a corrective action for each root cause (1 without one)" in message(one_missing.value)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.UNDER_REVIEW


def test_the_closure_gate_holds_while_actions_are_open_or_unchecked(workgroup, member, qa_reviewer, second_qa):
    psap = OrganizationFactory(workgroup=workgroup)
    incident = under_review(report(member, workgroup, organizations=[psap]), qa_reviewer)
    cause, action = complete_review(incident, qa_reviewer, second_qa, psap)
    second = workflow.action_add(actor=qa_reviewer, incident=incident, root_cause=cause, description="Train staff.",
                                 owner_organization=psap, due_date=timezone.localdate() + timedelta(days=30))
    incident = workflow.review_finish(actor=qa_reviewer, incident=incident)

    with pytest.raises(ValidationError) as two_open:
        workflow.incident_close(actor=qa_reviewer, incident=incident)
    assert message(two_open.value) == "2 corrective actions are still open; finish or cancel them before closing."

    workflow.action_update(actor=qa_reviewer, action=action, status=ActionStatus.DONE, due_date=action.due_date,
                           owner_organization=psap)
    with pytest.raises(ValidationError) as cancel_without_reason:
        workflow.action_update(actor=qa_reviewer, action=second, status=ActionStatus.CANCELLED,
                               due_date=second.due_date, owner_organization=psap)
    assert message(cancel_without_reason.value) == workflow.MSG_CANCEL_NEEDS_NOTE
    workflow.action_update(actor=qa_reviewer, action=second, status=ActionStatus.CANCELLED, due_date=second.due_date,
                           owner_organization=psap, effectiveness_note="Covered by the state's new curriculum.")
    with pytest.raises(ValidationError) as unchecked:
        workflow.incident_close(actor=qa_reviewer, incident=incident)
    assert message(unchecked.value) == ("The effect of 1 completed action is not checked yet; record whether it "
                                        "worked before closing.")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ACTIONS_IN_PROGRESS


def test_the_effect_of_an_action_is_checked_only_once_it_is_done(workgroup, member, qa_reviewer, second_qa):
    psap = OrganizationFactory(workgroup=workgroup)
    incident = under_review(report(member, workgroup, organizations=[psap]), qa_reviewer)
    _, action = complete_review(incident, qa_reviewer, second_qa, psap)
    with pytest.raises(ValidationError) as early:
        workflow.action_update(actor=qa_reviewer, action=action, status=ActionStatus.IN_PROGRESS,
                               due_date=action.due_date, owner_organization=psap,
                               effectiveness=Effectiveness.EFFECTIVE)
    assert message(early.value) == workflow.MSG_EFFECT_BEFORE_DONE
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_an_action_due_in_the_past_or_owned_elsewhere_is_refused(workgroup, member, qa_reviewer, other_workgroup):
    incident = under_review(report(member, workgroup), qa_reviewer)
    cause = workflow.root_cause_add(actor=qa_reviewer, incident=incident, description="Cause")
    with pytest.raises(ValidationError) as refused:
        workflow.action_add(actor=qa_reviewer, incident=incident, root_cause=cause, description="Fix",
                            owner_organization=OrganizationFactory(workgroup=other_workgroup),
                            due_date=timezone.localdate() - timedelta(days=1))
    assert refused.value.message_dict == {"due_date": [workflow.MSG_ACTION_DUE_PAST],
                                          "owner_organization": [workflow.MSG_ACTION_OWNER]}
    assert not cause.actions.exists()


def test_a_closed_incident_reopens_with_a_reason_kept_as_an_internal_comment(workgroup, member, qa_reviewer,
                                                                              second_qa):
    psap = OrganizationFactory(workgroup=workgroup)
    incident = under_review(report(member, workgroup, organizations=[psap]), qa_reviewer)
    _, action = complete_review(incident, qa_reviewer, second_qa, psap)
    workflow.review_finish(actor=qa_reviewer, incident=incident)
    workflow.action_update(actor=qa_reviewer, action=action, status=ActionStatus.DONE, due_date=action.due_date,
                           owner_organization=psap, effectiveness=Effectiveness.NOT_EFFECTIVE)
    workflow.incident_close(actor=qa_reviewer, incident=incident)
    with pytest.raises(ValidationError):
        workflow.incident_reopen(actor=qa_reviewer, incident=incident, reason="  ")

    incident = workflow.incident_reopen(actor=qa_reviewer, incident=incident, reason="The same failure recurred.")
    assert (incident.status, incident.closed_at, incident.reopened_count) == (IncidentStatus.UNDER_REVIEW, None, 1)
    comment = IncidentComment.objects.get(incident=incident)
    assert comment.internal and comment.body == "Reopened: The same failure recurred."


def test_marking_an_incident_withdraws_its_joint_review(workgroup, member, viewer, qa_reviewer):
    psap = OrganizationFactory(workgroup=workgroup)
    incident = report(qa_reviewer, workgroup, organizations=[psap])
    workflow.share_add(actor=qa_reviewer, incident=incident, user=viewer, organization=psap)
    with pytest.raises(ValidationError) as twice:
        workflow.share_add(actor=qa_reviewer, incident=incident, user=viewer, organization=psap)
    assert "shared with" in message(twice.value)

    workflow.marking_set(actor=qa_reviewer, incident=incident, confidentiality="privileged")
    assert not IncidentShare.objects.exists()
    with pytest.raises(ValidationError) as marked:
        workflow.share_add(actor=qa_reviewer, incident=incident, user=member, organization=psap)
    assert message(marked.value) == workflow.MSG_SHARE_MARKED
    assert AuditEvent.objects.filter(object_type="incidents.incidentshare", action="deleted").count() == 1


def test_sharing_needs_a_member_and_an_organization_involved(workgroup, member, qa_reviewer, coordinator,
                                                              outsider):
    psap, other = OrganizationFactory(workgroup=workgroup), OrganizationFactory(workgroup=workgroup)
    incident = report(qa_reviewer, workgroup, organizations=[psap])
    with pytest.raises(ValidationError) as refused:
        workflow.share_add(actor=qa_reviewer, incident=incident, user=outsider, organization=other)
    assert refused.value.message_dict == {"user": [workflow.MSG_SHARE_NOT_MEMBER],
                                          "organization": [workflow.MSG_SHARE_ORGANIZATION]}
    with pytest.raises(ValidationError) as qa_already:
        workflow.share_add(actor=qa_reviewer, incident=incident, user=coordinator, organization=psap)
    assert qa_already.value.message_dict == {"user": [workflow.MSG_SHARE_QA]}
    assert not IncidentShare.objects.exists()
