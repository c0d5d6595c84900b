"""Reads for the agreements area; other apps and the dashboard use only these."""

from __future__ import annotations

from django.urls import reverse

from toolkit.dashboard import Card, Progress
from toolkit.models import Membership, Workgroup


def dashboard_card(*, workgroup: Workgroup, membership: Membership) -> Card:
    return Card(
        area="agreements",
        title="Agreements",
        status="No MOU or agreement drafted yet.",
        progress=Progress.NOT_STARTED,
        start_url=reverse("agreements:index", kwargs={"slug": workgroup.slug}),
        start_label="Start an agreement",
        guidance_slug="contractual-considerations",
    )
