"""The transfers card on the workgroup dashboard: this month's count, acceptance rate and overdue follow-ups.

One aggregate query, however many transfers there are. The figures follow ``metrics.DEFINITIONS``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from toolkit.dashboard import Card, Progress
from triage.models import Transfer
from triage.transfers.metrics import ACCEPTED, DECIDED, format_value, month_bounds

if TYPE_CHECKING:
    from toolkit.models import Membership, Workgroup


def dashboard_card(*, workgroup: Workgroup, membership: Membership) -> Card:
    now = timezone.now()
    start, end = month_bounds(timezone.localtime(now).date())
    this_month = Q(initiated_at__gte=start, initiated_at__lt=end)
    found = Transfer.objects.filter(workgroup=workgroup).order_by().aggregate(
        ever=Count("pk"),
        month=Count("pk", filter=this_month),
        decided=Count("pk", filter=this_month & DECIDED),
        accepted=Count("pk", filter=this_month & ACCEPTED),
        # Overdue whenever initiated: an overdue follow-up from last month still needs doing.
        overdue=Count("pk", filter=Q(follow_up_due_at__lte=now, follow_up_done_at__isnull=True)),
    )
    slug = workgroup.slug
    if not found["ever"]:
        return Card(area="transfers", title="Transfers and outcomes", status="No transfers recorded yet.",
                    progress=Progress.NOT_STARTED, start_url=reverse("transfers:index", kwargs={"slug": slug}),
                    start_label="Open transfers", guidance_slug="continuous-improvement-and-data-sharing")
    rate = found["accepted"] * 100 / found["decided"] if found["decided"] else None
    facts = [f"{found['month']} transfer{'s' if found['month'] != 1 else ''} this month",
             f"Acceptance rate this month: {format_value(rate, '%')}"
             + (f" of {found['decided']}" if found["decided"] else ""),
             f"Follow-ups overdue: {found['overdue']}"]
    warnings = [f"{found['overdue']} follow-up{'s are' if found['overdue'] != 1 else ' is'} past due."] \
        if found["overdue"] else []
    return Card(area="transfers", title="Transfers and outcomes",
                status=f"{found['ever']} transfer{'s' if found['ever'] != 1 else ''} recorded.",
                progress=Progress.IN_PROGRESS, start_url=reverse("transfers:metrics", kwargs={"slug": slug}),
                start_label="See transfer metrics", guidance_slug="continuous-improvement-and-data-sharing",
                facts=facts, warnings=warnings)
