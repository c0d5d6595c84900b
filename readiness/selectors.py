"""Reads for the readiness area; other apps and the dashboard use only these."""

from __future__ import annotations

from django.urls import reverse

from toolkit.dashboard import Card, Progress
from toolkit.models import Membership, Workgroup


def dashboard_card(*, workgroup: Workgroup, membership: Membership) -> Card:
    return Card(
        area="readiness",
        title="Readiness",
        status="No readiness round has been run.",
        progress=Progress.NOT_STARTED,
        start_url=reverse("readiness:index", kwargs={"slug": workgroup.slug}),
        start_label="Plan a readiness self-assessment",
        guidance_slug="key-partners-and-readiness",
    )
