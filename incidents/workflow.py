"""The QA review of an incident, as services: submitted → triaged → under review → actions in progress → closed.

The two-stage model of incident systems (a report, then a review): triage names a reviewer and a
priority; the review records the harm two reviewers agreed (each rates on their own first), a risk
grade from likelihood × severity, contributing factors and findings, and root causes, each with at
least one corrective action. An incident closes only when no action is open and every completed
action's effect has been checked; a closed incident can be reopened, with a reason.

Every service locks the incident row, checks the permission (``require``) and the state, and raises
``ValidationError`` with one of the messages below, which tests match.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incidents.models import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    Confidentiality,
    ContributingFactor,
    CorrectiveAction,
    Effectiveness,
    Harm,
    HarmRating,
    Incident,
    IncidentComment,
    IncidentShare,
    IncidentStatus,
    RootCause,
)
from incidents.sharing import access_to, readable_incidents
from incidents.taxonomy import FACTOR_CODES
from toolkit.history import save_validated
from toolkit.models import Membership, Role
from toolkit.permissions import Action, require

if TYPE_CHECKING:
    from agreements.models import Agreement
    from partners.models import Organization
    from toolkit.models import User

MSG_WRONG_STATUS = "{reference} is {status}; {doing} is done when it is {allowed}."
MSG_NOT_A_REVIEWER = "Choose a QA reviewer or coordinator of this workgroup."
MSG_RATING_AFTER_AGREEMENT = "The harm level is agreed already; reopen the review to rate again."
MSG_AGREE_NEEDS_TWO = "Two reviewers must each rate the harm before a level is agreed ({count} so far)."
MSG_AGREE_ONLY_RATERS = "Only a reviewer who rated the harm can record the level the reviewers agreed."
MSG_AGREE_UNKNOWN = "Agree a level of harm; “unknown” is not a level reviewers can agree."
MSG_UNKNOWN_FACTOR = "Choose contributing factors from the list."
MSG_ACTION_DUE_PAST = "The due date is in the past; give a date from today on."
MSG_ACTION_OWNER = "Choose an organization of this workgroup's partner map."
MSG_ACTION_ASSIGNEE = "Choose a member of this workgroup."
MSG_EFFECT_BEFORE_DONE = "The effect of an action is checked once it is done."
MSG_ACTION_CLOSED_INCIDENT = "The incident is closed; reopen it to change its actions."
MSG_ROOT_CAUSE_OTHER_INCIDENT = "That root cause belongs to another incident."
MSG_CLOSE_OPEN_ACTIONS = "{count} corrective action{s} {are} still open; finish or cancel them before closing."
MSG_CLOSE_UNCHECKED = ("The effect of {count} completed action{s} {are} not checked yet; record whether "
                       "{they} worked before closing.")
MSG_CANCEL_NEEDS_NOTE = "Say why the action is cancelled."
MSG_REOPEN_NEEDS_REASON = "Say why the incident is reopened."
MSG_COMMENT_EMPTY = "Write a comment first."
MSG_COMMENT_NOT_ALLOWED = "Comments on this incident are not shared with you."
MSG_SHARE_NOT_MEMBER = "Choose a person of this workgroup."
MSG_SHARE_ORGANIZATION = "Choose one of the organizations involved in this incident."
MSG_SHARE_MARKED = "A confidential or privileged incident is read by QA reviewers and coordinators only."
MSG_SHARE_QA = "QA reviewers and coordinators read every incident already."
MSG_SHARE_TWICE = "This incident is shared with {person} already."



def _lock(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().select_related("workgroup").get(pk=incident.pk)


def _require_status(incident: Incident, allowed: tuple[str, ...], doing: str) -> None:
    if incident.status not in allowed:
        labels = [IncidentStatus(value).label.lower() for value in allowed]
        raise ValidationError(MSG_WRONG_STATUS.format(
            reference=incident.reference, status=incident.get_status_display().lower(), doing=doing,
            allowed=" or ".join(labels)), code="wrong_status")


def _is_reviewer(workgroup_id: int, user: User) -> bool:
    return Membership.objects.filter(workgroup_id=workgroup_id, user=user,
                                     role__in=(Role.QA_REVIEWER, Role.COORDINATOR)).exists()


def _plural(count: int) -> dict[str, str]:
    one = count == 1
    return {"count": str(count), "s": "" if one else "s", "are": "is" if one else "are",
            "they": "it" if one else "they"}


# --- Triage and review ---------------------------------------------------------------------------


@transaction.atomic
def incident_triage(*, actor: User, incident: Incident, reviewer: User, priority: str) -> Incident:
    """QA's first step: a reviewer (a QA reviewer or coordinator of the workgroup) and a priority."""
    require(actor, incident.workgroup, Action.REVIEW_INCIDENTS)
    locked = _lock(incident)
    _require_status(locked, (IncidentStatus.SUBMITTED,), "triage")
    if not _is_reviewer(locked.workgroup_id, reviewer):
        raise ValidationError({"reviewer": MSG_NOT_A_REVIEWER})
    locked.reviewer, locked.priority = reviewer, priority
    locked.status, locked.triaged_at = IncidentStatus.TRIAGED, timezone.now()
    return save_validated(locked, actor)


@transaction.atomic
def review_start(*, actor: User, incident: Incident) -> Incident:
    require(actor, incident.workgroup, Action.REVIEW_INCIDENTS)
    locked = _lock(incident)
    _require_status(locked, (IncidentStatus.TRIAGED,), "starting the review")
    locked.status, locked.review_started_at = IncidentStatus.UNDER_REVIEW, timezone.now()
    return save_validated(locked, actor)


@transaction.atomic
def harm_rate(*, actor: User, incident: Incident, harm: str, rationale: str = "") -> HarmRating:
    """One reviewer's own rating; they may change it until the reviewers agree a level."""
    require(actor, incident.workgroup, Action.REVIEW_INCIDENTS)
    locked = _lock(incident)
    _require_status(locked, (IncidentStatus.UNDER_REVIEW,), "rating the harm")
    if locked.agreed_harm:
        raise ValidationError(MSG_RATING_AFTER_AGREEMENT, code="agreed")
    rating = HarmRating.objects.filter(incident=locked, reviewer=actor).first() or HarmRating(
        incident=locked, workgroup=locked.workgroup, reviewer=actor)
    rating.harm, rating.rationale = harm, rationale
    return save_validated(rating, actor)


def _ratings(incident: Incident) -> list[HarmRating]:
    return list(HarmRating.objects.filter(incident=incident, reviewer__isnull=False))


@transaction.atomic
def harm_agree(*, actor: User, incident: Incident, harm: str) -> Incident:
    """Record the level two (or more) reviewers agreed after comparing their own ratings."""
    require(actor, incident.workgroup, Action.REVIEW_INCIDENTS)
    locked = _lock(incident)
    _require_status(locked, (IncidentStatus.UNDER_REVIEW,), "agreeing the harm")
    ratings = _ratings(locked)
    if len({rating.reviewer_id for rating in ratings}) < 2:
        raise ValidationError(MSG_AGREE_NEEDS_TWO.format(count=len(ratings)), code="needs_two")
    if actor.pk not in {rating.reviewer_id for rating in ratings}:
        raise ValidationError(MSG_AGREE_ONLY_RATERS, code="not_a_rater")
    if harm == Harm.UNKNOWN:
        raise ValidationError({"harm": MSG_AGREE_UNKNOWN})
    locked.agreed_harm, locked.harm_agreed_at = harm, timezone.now()
    return save_validated(locked, actor)


@transaction.atomic
def assessment_save(*, actor: User, incident: Incident, likelihood: int | None, severity: int | None,
                    factor_codes: list[str], findings: str) -> Incident:
    """The risk grade (likelihood × severity), the contributing factors and the findings, saved together."""
    require(actor, incident.workgroup, Action.REVIEW_INCIDENTS)
    locked = _lock(incident)
    _require_status(locked, (IncidentStatus.UNDER_REVIEW, IncidentStatus.ACTIONS_IN_PROGRESS),
                    "recording the assessment")
    codes = set(factor_codes)
    if not codes <= FACTOR_CODES:
        raise ValidationError({"factor_codes": MSG_UNKNOWN_FACTOR})
    locked.likelihood, locked.severity, locked.findings = likelihood, severity, findings
    save_validated(locked, actor)
    current = {factor.code: factor for factor in ContributingFactor.objects.filter(incident=locked)}
    for code in sorted(set(current) - codes):
        factor = current[code]
        factor._history_user = actor
        factor.delete()
    for code in sorted(codes - set(current)):
        save_validated(ContributingFactor(incident=locked, workgroup=locked.workgroup, code=code), actor)
    return locked


# --- Root causes and corrective actions ----------------------------------------------------------


@transaction.atomic
def root_cause_add(*, actor: User, incident: Incident, description: str, factor_code: str = "") -> RootCause:
    require(actor, incident.workgroup, Action.REVIEW_INCIDENTS)
    locked = _lock(incident)
    _require_status(locked, (IncidentStatus.UNDER_REVIEW, IncidentStatus.ACTIONS_IN_PROGRESS),
                    "adding a root cause")
    if factor_code and factor_code not in FACTOR_CODES:
        raise ValidationError({"factor_code": MSG_UNKNOWN_FACTOR})
    return save_validated(RootCause(incident=locked, workgroup=locked.workgroup, description=description,
                                    factor_code=factor_code), actor)


def _check_action_people(workgroup_id: int, owner_organization: Organization | None, assignee: User | None,
                         errors: dict[str, str]) -> None:
    if owner_organization is None or owner_organization.workgroup_id != workgroup_id:
        errors["owner_organization"] = MSG_ACTION_OWNER
    if assignee is not None and not Membership.objects.filter(workgroup_id=workgroup_id, user=assignee).exists():
        errors["assignee"] = MSG_ACTION_ASSIGNEE


@transaction.atomic
def action_add(*, actor: User, incident: Incident, root_cause: RootCause, description: str,
               owner_organization: Organization | None, due_date: date, assignee: User | None = None,
               effectiveness_check: str = "", today: date | None = None) -> CorrectiveAction:
    require(actor, incident.workgroup, Action.REVIEW_INCIDENTS)
    locked = _lock(incident)
    _require_status(locked, (IncidentStatus.UNDER_REVIEW, IncidentStatus.ACTIONS_IN_PROGRESS),
                    "adding a corrective action")
    if root_cause.incident_id != locked.pk:
        raise ValidationError(MSG_ROOT_CAUSE_OTHER_INCIDENT, code="other_incident")
    errors: dict[str, str] = {}
    if due_date < (today or timezone.localdate()):
        errors["due_date"] = MSG_ACTION_DUE_PAST
    _check_action_people(locked.workgroup_id, owner_organization, assignee, errors)
    if errors:
        raise ValidationError(errors)
    return save_validated(CorrectiveAction(
        incident=locked, workgroup=locked.workgroup, root_cause=root_cause, description=description,
        owner_organization=owner_organization, assignee=assignee, due_date=due_date,
        effectiveness_check=effectiveness_check), actor)


@transaction.atomic
def action_update(*, actor: User, action: CorrectiveAction, status: str, due_date: date,
                  owner_organization: Organization | None, assignee: User | None = None,
                  effectiveness: str = Effectiveness.NOT_CHECKED, effectiveness_note: str = "",
                  effectiveness_check: str = "") -> CorrectiveAction:
    """Progress on an action: its status, due date, owner, and once done, whether it worked."""
    require(actor, action.workgroup, Action.REVIEW_INCIDENTS)
    incident = _lock(action.incident)
    if incident.status == IncidentStatus.CLOSED:
        raise ValidationError(MSG_ACTION_CLOSED_INCIDENT, code="closed")
    locked = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
    errors: dict[str, str] = {}
    _check_action_people(locked.workgroup_id, owner_organization, assignee, errors)
    if effectiveness != Effectiveness.NOT_CHECKED and status != ActionStatus.DONE:
        errors["effectiveness"] = MSG_EFFECT_BEFORE_DONE
    if status == ActionStatus.CANCELLED and not effectiveness_note.strip():
        errors["effectiveness_note"] = MSG_CANCEL_NEEDS_NOTE
    if due_date != locked.due_date and due_date < timezone.localdate():
        errors["due_date"] = MSG_ACTION_DUE_PAST
    if errors:
        raise ValidationError(errors)
    if status == ActionStatus.DONE and locked.status != ActionStatus.DONE:
        locked.completed_at = timezone.now()
    elif status != ActionStatus.DONE:
        locked.completed_at = None
    locked.status, locked.due_date = status, due_date
    locked.owner_organization, locked.assignee = owner_organization, assignee
    locked.effectiveness, locked.effectiveness_note = effectiveness, effectiveness_note
    locked.effectiveness_check = effectiveness_check
    return save_validated(locked, actor)


def review_gaps(incident: Incident) -> list[str]:
    """What the review still lacks before its actions can start (empty: complete). Four queries at most."""
    gaps = []
    if not incident.agreed_harm:
        gaps.append("the harm level two reviewers agreed")
    if not incident.risk_grade:
        gaps.append("a risk grade (likelihood and severity)")
    if not ContributingFactor.objects.filter(incident=incident).exists():
        gaps.append("at least one contributing factor")
    if not incident.findings.strip():
        gaps.append("the findings")
    causes = list(RootCause.objects.filter(incident=incident).values_list("pk", flat=True))
    if not causes:
        gaps.append("at least one root cause")
    else:
        with_actions = set(CorrectiveAction.objects.filter(root_cause_id__in=causes)
                           .values_list("root_cause_id", flat=True))
        missing = len(set(causes) - with_actions)
        if missing:
            gaps.append(f"a corrective action for each root cause ({missing} without one)")
    return gaps


@transaction.atomic
def review_finish(*, actor: User, incident: Incident) -> Incident:
    """The review is complete: its corrective actions are now being carried out."""
    require(actor, incident.workgroup, Action.REVIEW_INCIDENTS)
    locked = _lock(incident)
    _require_status(locked, (IncidentStatus.UNDER_REVIEW,), "finishing the review")
    gaps = review_gaps(locked)
    if gaps:
        raise ValidationError("The review is not complete. Still needed: " + "; ".join(gaps) + ".",
                              code="incomplete")
    locked.status = IncidentStatus.ACTIONS_IN_PROGRESS
    return save_validated(locked, actor)


def closure_gaps(incident: Incident) -> list[str]:
    """Why the incident cannot close yet (empty: it can). The closure gate."""
    actions = CorrectiveAction.objects.filter(incident=incident)
    open_count = actions.filter(status__in=OPEN_ACTION_STATUSES).count()
    unchecked = actions.filter(status=ActionStatus.DONE, effectiveness=Effectiveness.NOT_CHECKED).count()
    gaps = []
    if open_count:
        gaps.append(MSG_CLOSE_OPEN_ACTIONS.format(**_plural(open_count)))
    if unchecked:
        gaps.append(MSG_CLOSE_UNCHECKED.format(**_plural(unchecked)))
    return gaps


@transaction.atomic
def incident_close(*, actor: User, incident: Incident, closure_note: str = "") -> Incident:
    require(actor, incident.workgroup, Action.REVIEW_INCIDENTS)
    locked = _lock(incident)
    _require_status(locked, (IncidentStatus.ACTIONS_IN_PROGRESS,), "closing")
    gaps = closure_gaps(locked)
    if gaps:
        raise ValidationError(" ".join(gaps), code="actions_open")
    locked.status, locked.closed_at, locked.closure_note = IncidentStatus.CLOSED, timezone.now(), closure_note
    return save_validated(locked, actor)


@transaction.atomic
def incident_reopen(*, actor: User, incident: Incident, reason: str) -> Incident:
    """Back under review (new information, an action that did not work); the reason goes on the record."""
    require(actor, incident.workgroup, Action.REVIEW_INCIDENTS)
    locked = _lock(incident)
    _require_status(locked, (IncidentStatus.CLOSED,), "reopening")
    if not reason.strip():
        raise ValidationError({"reason": MSG_REOPEN_NEEDS_REASON})
    locked.status, locked.closed_at = IncidentStatus.UNDER_REVIEW, None
    locked.reopened_count += 1
    save_validated(locked, actor)
    save_validated(IncidentComment(incident=locked, workgroup=locked.workgroup, author=actor, internal=True,
                                   body=f"Reopened: {reason}"), actor)
    return locked


# --- Comments, joint review and marking ----------------------------------------------------------


@transaction.atomic
def comment_add(*, actor: User, incident: Incident, body: str, internal: bool = False) -> IncidentComment:
    """QA reviewers choose whether a comment is internal; everyone else who may comment writes shared ones."""
    require(actor, incident.workgroup, Action.VIEW_WORKGROUP)
    membership = Membership.objects.select_related("workgroup").get(workgroup_id=incident.workgroup_id, user=actor)
    if not readable_incidents(membership).filter(pk=incident.pk).exists():
        raise ValidationError(MSG_COMMENT_NOT_ALLOWED, code="not_allowed")
    access = access_to(membership=membership, incident=incident)
    if not access.comments:
        raise ValidationError(MSG_COMMENT_NOT_ALLOWED, code="not_allowed")
    if not body.strip():
        raise ValidationError({"body": MSG_COMMENT_EMPTY})
    return save_validated(IncidentComment(incident=incident, workgroup=incident.workgroup, author=actor,
                                          body=body, internal=internal and access.full), actor)


@transaction.atomic
def share_add(*, actor: User, incident: Incident, user: User, organization: Organization) -> IncidentShare:
    """Ask a named person from an involved organization to review the incident jointly with QA."""
    require(actor, incident.workgroup, Action.REVIEW_INCIDENTS)
    locked = _lock(incident)
    if locked.confidentiality != Confidentiality.NORMAL:
        raise ValidationError(MSG_SHARE_MARKED, code="marked")
    errors: dict[str, str] = {}
    membership = Membership.objects.filter(workgroup_id=locked.workgroup_id, user=user).first()
    if membership is None:
        errors["user"] = MSG_SHARE_NOT_MEMBER
    elif membership.role in (Role.QA_REVIEWER, Role.COORDINATOR):
        errors["user"] = MSG_SHARE_QA
    elif IncidentShare.objects.filter(incident=locked, user=user).exists():
        errors["user"] = MSG_SHARE_TWICE.format(person=user.get_full_name() or user.email)
    if not locked.organizations.filter(pk=organization.pk).exists():
        errors["organization"] = MSG_SHARE_ORGANIZATION
    if errors:
        raise ValidationError(errors)
    return save_validated(IncidentShare(incident=locked, workgroup=locked.workgroup, user=user,
                                        organization=organization, shared_by=actor), actor)


@transaction.atomic
def share_remove(*, actor: User, share: IncidentShare) -> None:
    require(actor, share.workgroup, Action.REVIEW_INCIDENTS)
    share._history_user = actor
    share.delete()


@transaction.atomic
def marking_set(*, actor: User, incident: Incident, confidentiality: str,
                agreements: list[Agreement] | None = None) -> Incident:
    """Mark (or unmark) an incident confidential or privileged, and link the agreements it bears on.

    Marking withdraws every joint-review share: a marked incident is read by QA and coordinators only.
    """
    require(actor, incident.workgroup, Action.REVIEW_INCIDENTS)
    locked = _lock(incident)
    if agreements is not None and any(agreement.workgroup_id != locked.workgroup_id for agreement in agreements):
        raise ValidationError({"agreements": "Choose agreements of this workgroup."})
    if confidentiality != Confidentiality.NORMAL:
        for share in IncidentShare.objects.filter(incident=locked):
            share._history_user = actor
            share.delete()
    locked.confidentiality = confidentiality
    save_validated(locked, actor)
    if agreements is not None:
        locked.agreements.set(agreements)
    return locked
