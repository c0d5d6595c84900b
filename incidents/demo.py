"""Demo incidents for the Riverbend County workgroup: about 60 over the past year, in every state of review.

Fictional events without any caller's details. They go through the same services people use (so the
timeline and audit trail are real); then the dates are moved back to when the events would have happened,
since a service stamps "now" — demo data only.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from incidents import services, workflow
from incidents.models import (
    ActionStatus,
    AfterActionReport,
    Category,
    CorrectiveAction,
    Effectiveness,
    Harm,
    HarmRating,
    Incident,
    IncidentClass,
    IncidentStatus,
    TransferDirection,
)
from partners.models import Organization
from toolkit.models import Membership, Role

if TYPE_CHECKING:
    from toolkit.models import User, Workgroup

COUNT = 60

# category, class, transfer, what happened, root cause, factor, corrective action
EVENTS = [
    (Category.FAILED_TRANSFER, IncidentClass.NO_HARM, TransferDirection.FROM_911_TO_988,
     "The warm transfer from 911 dropped when the 988 counselor answered; the call-taker called the person back "
     "and completed the transfer on the second attempt.",
     "The transfer line has a single trunk with no failover.", "technology.telephony",
     "Add a second transfer trunk and test failover monthly."),
    (Category.DELAY, IncidentClass.NEAR_MISS, TransferDirection.TO_MOBILE_CRISIS,
     "Mobile crisis was requested for a person at risk at home; the team arrived 95 minutes after dispatch "
     "because the only on-call team was across the county.",
     "One mobile crisis team covers the county overnight.", "resources.mobile_crisis_unavailable",
     "Agree an overnight back-up arrangement with the neighbouring county's team."),
    (Category.INFORMATION_LOST, IncidentClass.NO_HARM, TransferDirection.FROM_988_TO_911,
     "988 transferred a call to 911 for an imminent-risk situation; the location the counselor had confirmed "
     "was not passed on and the call-taker had to ask for it again.",
     "The hand-off script does not ask for the confirmed location first.", "handoff.incomplete_handoff",
     "Revise the 988-to-911 hand-off script so the confirmed location is given first."),
    (Category.MISCOMMUNICATION, IncidentClass.NEAR_MISS, TransferDirection.FROM_911_TO_988,
     "911 and 988 staff assessed the same call at different risk levels and each expected the other to "
     "request a mobile team.",
     "The partners' risk levels are not mapped to each other in the protocol.", "protocol.risk_misjudged",
     "Add a risk-level crosswalk to the joint triage protocol and train both centers on it."),
    (Category.TECHNICAL, IncidentClass.UNSAFE_CONDITION, TransferDirection.NONE,
     "The CAD interface to the crisis line stopped sending call summaries for four hours after a software update.",
     "Updates are installed without a joint test of the interface.", "technology.interface",
     "Test the CAD–crisis line interface after every update, with both centers on the line."),
    (Category.STAFF_SAFETY, IncidentClass.HARM, TransferDirection.TO_MOBILE_CRISIS,
     "A mobile crisis clinician was threatened at a scene where a weapon had been mentioned on the call; the "
     "information had not reached the team.",
     "Scene-safety information from the call is not relayed to mobile teams.", "communication.with_responders",
     "Relay scene-safety flags to mobile teams on dispatch, and review with the team's supervisor."),
    (Category.SENTINEL_EVENT, IncidentClass.HARM, TransferDirection.FROM_988_TO_911,
     "A caller disconnected during a transfer for imminent risk; the call-back attempts failed and the welfare "
     "check was sent after a delay while the partners confirmed who would request it.",
     "No agreed owner for welfare-check requests after a dropped transfer.", "organisational.roles_unclear",
     "Name the center that requests the welfare check after a dropped transfer, in the MOU and the protocol."),
    (Category.ADVERSE_EVENT, IncidentClass.HARM, TransferDirection.FROM_911_TO_988,
     "A call was transferred to 988 although the person described a medical emergency; the counselor "
     "recognised it and transferred back, adding about ten minutes.",
     "Call-takers were not trained on the exclusion criteria for transfer.", "staffing_training.training_gap",
     "Train all call-takers on the transfer exclusion criteria and add them to the CAD prompt."),
]
FINDINGS = ("The partners agree the sequence above is accurate. The review found the cause in how the centers "
            "work together rather than in one person's decision.")
HARMS = [Harm.NONE, Harm.NONE, Harm.MILD, Harm.MILD, Harm.MODERATE, Harm.SEVERE]


def _reviewers(workgroup: Workgroup, actor: User) -> tuple[User, User]:
    qa = (Membership.objects.filter(workgroup=workgroup, role=Role.QA_REVIEWER).select_related("user")
          .order_by("pk").first())
    first = qa.user if qa else actor
    return first, actor if actor != first else first


def _state_for(index: int) -> str:
    """Oldest first: most old ones closed, the newest just in; a spread between."""
    share = index / COUNT
    if share < 0.5:
        return IncidentStatus.CLOSED
    if share < 0.67:
        return IncidentStatus.ACTIONS_IN_PROGRESS
    if share < 0.8:
        return IncidentStatus.UNDER_REVIEW
    if share < 0.88:
        return IncidentStatus.TRIAGED
    return IncidentStatus.SUBMITTED


def seed_incidents_demo(*, workgroup: Workgroup, actor: User) -> None:
    if Incident.objects.filter(workgroup=workgroup).exists():
        return  # seeded before: leave it as it is
    rng = random.Random(988)  # noqa: S311 (demo data: the same every time, not a secret)
    qa, second = _reviewers(workgroup, actor)
    reporters = [m.user for m in Membership.objects.filter(
        workgroup=workgroup, role__in=(Role.MEMBER, Role.QA_REVIEWER, Role.COORDINATOR)).select_related("user")]
    organizations = list(Organization.objects.filter(workgroup=workgroup).order_by("pk")[:8])
    now = timezone.now()
    for index in range(COUNT):
        occurred = now - timedelta(days=int(360 * (1 - index / COUNT)) + 2, hours=rng.randint(0, 20))
        event = EVENTS[rng.randrange(len(EVENTS))] if index % 9 else EVENTS[index % len(EVENTS)]
        _one(workgroup=workgroup, index=index, event=event, occurred=occurred, rng=rng, qa=qa, second=second,
             reporter=reporters[index % len(reporters)] if reporters else actor,
             organizations=rng.sample(organizations, k=min(2, len(organizations))), state=_state_for(index))


def _one(*, workgroup, index, event, occurred, rng, qa, second, reporter, organizations, state) -> None:
    category, incident_class, direction, narrative, cause_text, factor, action_text = event
    fields = dict(incident_class=incident_class, category=category, occurred_at=occurred,
                  discovered_at=occurred + timedelta(minutes=rng.randint(5, 600)), narrative=narrative,
                  organizations=organizations, transfer_direction=direction,
                  cad_reference=f"CAD-{occurred:%y}-{rng.randint(1000, 99999):05d}",
                  harm_estimate=HARMS[rng.randrange(len(HARMS))], debrief_offered=incident_class == IncidentClass.HARM,
                  immediate_actions="Supervisor informed; the partner center was called the same shift.")
    if index % 11 == 5:
        incident = services.incident_report_from_intake(workgroup=workgroup, **fields)  # anonymous, no account
    else:
        incident = services.incident_report(actor=reporter, workgroup=workgroup, **fields)
    received = fields["discovered_at"] + timedelta(hours=rng.randint(1, 30))
    moments = {"created_at": received}
    if state != IncidentStatus.SUBMITTED:
        workflow.incident_triage(actor=qa, incident=incident, reviewer=qa,
                                 priority="urgent" if incident_class == IncidentClass.HARM else "routine")
        moments["triaged_at"] = received + timedelta(days=1)
    if state not in (IncidentStatus.SUBMITTED, IncidentStatus.TRIAGED):
        _review(incident, qa=qa, second=second, rng=rng, state=state, cause_text=cause_text, factor=factor,
                action_text=action_text, owner=organizations[0] if organizations else None, received=received,
                moments=moments)
    if index == COUNT // 2:
        workflow.marking_set(actor=qa, incident=incident, confidentiality="privileged")
    Incident.objects.filter(pk=incident.pk).update(**moments)


def _review(incident, *, qa, second, rng, state, cause_text, factor, action_text, owner, received, moments):
    workflow.review_start(actor=qa, incident=incident)
    moments["review_started_at"] = received + timedelta(days=2)
    agreed = HARMS[rng.randrange(len(HARMS))]
    workflow.harm_rate(actor=qa, incident=incident, harm=agreed)
    if second == qa or state == IncidentStatus.UNDER_REVIEW and rng.random() < 0.5:
        return  # waiting for the second reviewer's rating
    workflow.harm_rate(actor=second, incident=incident, harm=agreed)
    workflow.harm_agree(actor=second, incident=incident, harm=agreed)
    workflow.assessment_save(actor=qa, incident=incident, likelihood=rng.randint(1, 5), severity=rng.randint(1, 4),
                             factor_codes=[factor], findings=FINDINGS)
    cause = workflow.root_cause_add(actor=qa, incident=incident, description=cause_text, factor_code=factor)
    if owner is None:
        return
    action = workflow.action_add(actor=qa, incident=incident, root_cause=cause, description=action_text,
                                 owner_organization=owner, due_date=timezone.localdate() + timedelta(days=30),
                                 effectiveness_check="Audit the next ten similar calls.")
    if state == IncidentStatus.UNDER_REVIEW:
        return
    workflow.review_finish(actor=qa, incident=incident)
    due = (received + timedelta(days=45)).date()
    if state == IncidentStatus.CLOSED:
        workflow.action_update(actor=qa, action=action, status=ActionStatus.DONE, due_date=action.due_date,
                               owner_organization=owner, effectiveness=Effectiveness.EFFECTIVE,
                               effectiveness_note="The audit found no repeat.",
                               effectiveness_check=action.effectiveness_check)
        workflow.incident_close(actor=qa, incident=incident, closure_note="Actions done and checked.")
        closed = received + timedelta(days=rng.randint(20, 80))
        moments["closed_at"] = closed
        CorrectiveAction.objects.filter(pk=action.pk).update(due_date=due, completed_at=closed)
        if incident.category == Category.SENTINEL_EVENT:
            AfterActionReport.objects.create(
                incident=incident, workgroup=incident.workgroup, updated_by=qa,
                summary="A joint review with both centers and the sheriff's office.",
                strengths="Call-back attempts started at once; both supervisors joined the review within a week.",
                areas_for_improvement="Who requests a welfare check after a dropped transfer was not agreed.")
    elif rng.random() < 0.5:
        # Some actions in progress are past due: they show on QA's dashboard and get reminders.
        CorrectiveAction.objects.filter(pk=action.pk).update(due_date=timezone.localdate() - timedelta(days=5),
                                                             status=ActionStatus.IN_PROGRESS)
    HarmRating.objects.filter(incident=incident).update(created_at=received + timedelta(days=3))
