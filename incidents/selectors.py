"""Reads for the incidents area; other apps and the dashboard use only these."""

from __future__ import annotations

from django.db.models import CharField, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.urls import reverse

from incidents.models import (
    OPEN_ACTION_STATUSES,
    AfterActionReport,
    Attachment,
    ContributingFactor,
    CorrectiveAction,
    HarmRating,
    Incident,
    IncidentComment,
    IncidentShare,
    IncidentStatus,
    RootCause,
)
from incidents.sharing import (  # noqa: F401  (re-exported: other modules ask the selectors)
    access_to,
    incident_settings,
    readable_incidents,
    reads_own_incidents,
    reads_some_incidents,
    sees_every_incident,
)
from toolkit.dashboard import Card, Progress
from toolkit.models import AuditEvent, Membership, Workgroup


def incident_list(*, membership: Membership | None) -> QuerySet[Incident]:
    """The incidents this person may read, newest first (keyset-paged on the workgroup/occurred index)."""
    return readable_incidents(membership).order_by("-occurred_at", "-id")


COUNT_CAP = 1_000  # a status's count past this shows as "more than 1,000"


def _up_to_cap(count: int) -> str:
    return f"more than {COUNT_CAP:,}" if count > COUNT_CAP else f"{count:,}"


def dashboard_card(*, workgroup: Workgroup, membership: Membership) -> Card:
    """Six queries at most, whatever the number of reports: the count of each of the five statuses of the
    reports this person may read, each counted up to ``COUNT_CAP`` (a short range of the (workgroup, status,
    occurred_at) index; one GROUP BY over every report took 50–60 ms at 100,000), and for QA the corrective
    actions past due."""
    start_url = reverse("incidents:index", kwargs={"slug": workgroup.slug})
    trends_url = reverse("incidents:trends", kwargs={"slug": workgroup.slug})
    guidance = "continuous-improvement-and-data-sharing"
    if not reads_own_incidents(membership):
        return Card(area="incidents", title="Incident review",
                    status="Incident reports are read by the people who report them, the people they are shared "
                           "with, QA reviewers and coordinators. The trends are open to everyone.",
                    progress=Progress.NOT_STARTED, start_url=trends_url, start_label="See incident trends",
                    guidance_slug=guidance)
    readable = incident_list(membership=membership).order_by()
    counts = {status: readable.filter(status=status)[:COUNT_CAP + 1].count() for status in IncidentStatus.values}
    total = sum(min(n, COUNT_CAP) for n in counts.values())
    more = any(n > COUNT_CAP for n in counts.values())
    qa = sees_every_incident(membership)
    warnings = []
    if qa:
        overdue = overdue_actions(workgroup=workgroup).count()
        if overdue:
            warnings.append(f"{overdue:,} corrective action{'s are' if overdue != 1 else ' is'} past due.")
    if not total:
        return Card(area="incidents", title="Incident review",
                    status="No incident reports yet." + (" Set up the intake link so staff without an account can "
                                                         "report too." if qa else ""),
                    progress=Progress.NOT_STARTED,
                    start_url=reverse("incidents:intake-link", kwargs={"slug": workgroup.slug}) if qa else
                    reverse("incidents:report", kwargs={"slug": workgroup.slug}),
                    start_label="Set up the intake link" if qa else "Report an incident",
                    guidance_slug=guidance, warnings=warnings)
    facts = [f"{label}: {_up_to_cap(counts[value])}" for value, label in IncidentStatus.choices if counts[value]]
    whose = "" if qa else " you can read"
    waiting = counts.get(IncidentStatus.SUBMITTED, 0)
    if qa and waiting:
        start_url = f"{start_url}?status={IncidentStatus.SUBMITTED}"
        start_label = f"Triage {_up_to_cap(waiting)} new report{'s' if waiting != 1 else ''}"
    else:
        start_label = "Open incident reports"
    return Card(area="incidents", title="Incident review",
                status=f"{'More than ' if more else ''}{total:,} incident report{'s' if total != 1 else ''}"
                f"{whose}.", progress=Progress.IN_PROGRESS, start_url=start_url, start_label=start_label,
                guidance_slug=guidance, facts=facts, warnings=warnings)


TIMELINE_LENGTH = 50
# The rows of a review whose changes belong on the incident's timeline.
_TIMELINE_CHILDREN = (HarmRating, ContributingFactor, RootCause, CorrectiveAction, IncidentComment, IncidentShare,
                      Attachment, AfterActionReport)


def incident_timeline(*, incident: Incident, limit: int = TIMELINE_LENGTH) -> list[AuditEvent]:
    """The incident's last ``limit`` changes and those of its review's rows (also deleted ones), oldest first.

    One query: each child's ids come from its history table as a subquery, so a removed share or factor
    still shows. Internal comments are QA's; the caller shows the timeline to QA reviewers and coordinators.
    """
    rule = Q(object_type=Incident._meta.label_lower, object_id=str(incident.pk))
    for model in _TIMELINE_CHILDREN:
        ids = (model.history.filter(incident_id=incident.pk).annotate(id_text=Cast("id", CharField()))
               .values("id_text"))
        rule |= Q(object_type=model._meta.label_lower, object_id__in=Subquery(ids))
    events = (AuditEvent.objects.filter(rule, workgroup_id=incident.workgroup_id)
              .select_related("actor").order_by("-occurred_at", "-id")[:limit])
    return list(reversed(events))


def overdue_actions(*, workgroup: Workgroup, today=None) -> QuerySet[CorrectiveAction]:
    """Corrective actions still open past their due date (for QA's dashboard and the reminder task)."""
    from django.utils import timezone

    return CorrectiveAction.objects.filter(workgroup=workgroup, status__in=OPEN_ACTION_STATUSES,
                                           due_date__lt=today or timezone.localdate())
