"""Reads for the incidents area; other apps and the dashboard use only these."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.urls import reverse

from incidents.models import Incident, IncidentStatus
from incidents.sharing import (  # noqa: F401  (re-exported: other modules ask the selectors)
    access_to,
    incident_settings,
    readable_incidents,
    reads_own_incidents,
    reads_some_incidents,
    sees_every_incident,
)
from toolkit.dashboard import Card, Progress
from toolkit.models import Membership, Workgroup


def incident_list(*, membership: Membership | None) -> QuerySet[Incident]:
    """The incidents this person may read, newest first (keyset-paged on the workgroup/occurred index)."""
    return readable_incidents(membership).order_by("-occurred_at", "-id")


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
