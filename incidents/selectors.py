"""Reads for the incidents area; other apps and the dashboard use only these."""

from __future__ import annotations

from django.urls import reverse

from toolkit.dashboard import Card, Progress
from toolkit.models import Membership, Workgroup


def dashboard_card(*, workgroup: Workgroup, membership: Membership) -> Card:
    return Card(
        area="incidents",
        title="Incident review",
        status="No incident reports yet.",
        progress=Progress.NOT_STARTED,
        start_url=reverse("incidents:index", kwargs={"slug": workgroup.slug}),
        start_label="Set up incident review",
        guidance_slug="continuous-improvement-and-data-sharing",
    )
