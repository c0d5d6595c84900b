"""Reads for the incidents area; other apps and the dashboard use only these."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.urls import reverse

from incidents.models import Incident, IncidentStatus
from toolkit.dashboard import Card, Progress
from toolkit.models import Membership, Workgroup
from toolkit.permissions import Action, role_allows


def sees_every_incident(membership: Membership | None) -> bool:
    """QA reviewers and coordinators read every report (also once the workgroup is archived)."""
    return membership is not None and role_allows(membership.role, Action.REVIEW_INCIDENTS)


def reads_own_incidents(membership: Membership | None) -> bool:
    """Members and legal reviewers, who may report, read the reports they made; viewers read none."""
    return membership is not None and role_allows(membership.role, Action.REPORT_INCIDENTS)


def incident_list(*, membership: Membership | None) -> QuerySet[Incident]:
    """The incidents this person may read, newest first (keyset-paged on the workgroup/occurred index)."""
    incidents = Incident.objects.restrict(membership, Action.VIEW_WORKGROUP)
    if sees_every_incident(membership):
        return incidents.order_by("-occurred_at", "-id")
    if reads_own_incidents(membership):
        return incidents.filter(reported_by_id=membership.user_id).order_by("-occurred_at", "-id")
    return incidents.none()


def dashboard_card(*, workgroup: Workgroup, membership: Membership) -> Card:
    """Two queries at most: the counts per status of the reports this person may read."""
    start_url = reverse("incidents:index", kwargs={"slug": workgroup.slug})
    if not reads_own_incidents(membership):
        return Card(area="incidents", title="Incident review",
                    status="Incident reports are read by the people who report them, QA reviewers and coordinators.",
                    progress=Progress.NOT_STARTED, start_url=start_url, start_label="Open incident review",
                    guidance_slug="continuous-improvement-and-data-sharing")
    counts = dict(incident_list(membership=membership).order_by().values_list("status").annotate(n=Count("id")))
    total = sum(counts.values())
    if not total:
        return Card(area="incidents", title="Incident review", status="No incident reports yet.",
                    progress=Progress.NOT_STARTED, start_url=start_url, start_label="Report an incident",
                    guidance_slug="continuous-improvement-and-data-sharing")
    facts = [f"{label}: {counts[value]}" for value, label in IncidentStatus.choices if counts.get(value)]
    whose = "" if sees_every_incident(membership) else " you made"
    return Card(area="incidents", title="Incident review", status=f"{total} incident report{'s' if total != 1 else ''}"
                f"{whose}.", progress=Progress.IN_PROGRESS, start_url=start_url, start_label="Open incident reports",
                guidance_slug="continuous-improvement-and-data-sharing", facts=facts)
