"""Reads for the triage area; other apps and the dashboard use only these."""

from __future__ import annotations

from django.urls import reverse

from toolkit.dashboard import Card, Progress
from toolkit.models import Membership, Workgroup


def dashboard_card(*, workgroup: Workgroup, membership: Membership) -> Card:
    return Card(
        area="triage",
        title="Triage protocols",
        status="No triage protocol in force.",
        progress=Progress.NOT_STARTED,
        start_url=reverse("triage:index", kwargs={"slug": workgroup.slug}),
        start_label="Build a triage protocol",
        guidance_slug="policies-safety-and-triage",
    )
