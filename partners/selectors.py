"""Reads for the partners area; other apps and the dashboard use only these."""

from __future__ import annotations

from django.urls import reverse

from toolkit.dashboard import Card, Progress
from toolkit.models import Membership, Workgroup


def dashboard_card(*, workgroup: Workgroup, membership: Membership) -> Card:
    return Card(
        area="partners",
        title="Partner map",
        status="No partner organizations mapped yet.",
        progress=Progress.NOT_STARTED,
        start_url=reverse("partners:index", kwargs={"slug": workgroup.slug}),
        start_label="Map your partners",
        guidance_slug="key-partners-and-readiness",
    )
