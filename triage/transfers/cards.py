"""The transfers card on the workgroup dashboard (issue 15; being written)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from toolkit.dashboard import Card, Progress

if TYPE_CHECKING:
    from toolkit.models import Membership, Workgroup


def dashboard_card(*, workgroup: Workgroup, membership: Membership) -> Card:
    return Card(area="transfers", title="Transfers and outcomes", status="Transfer records are being set up.",
                progress=Progress.NOT_STARTED, start_url=reverse("transfers:index", kwargs={"slug": workgroup.slug}),
                start_label="Open transfers", guidance_slug="continuous-improvement-and-data-sharing")
