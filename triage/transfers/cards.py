"""The transfers card on the workgroup dashboard: this month's count, acceptance rate and overdue follow-ups.

Three queries, however many transfers there are, each reading a bounded number of index entries: this month's
figures (the (workgroup, initiated_at) index over one month), and the count of all transfers and of overdue
follow-ups, each counted up to a cap (``COUNT_CAP``, ``OVERDUE_CAP``) and shown as "more than …" past it. Counting
every row exactly took 190 ms at 1,000,000 transfers (``bench/pages_at_scale.py``); the card needs the size, not the
exact figure, and the metrics page has the exact ones for any period. The figures follow ``metrics.DEFINITIONS``.
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


COUNT_CAP = 10_000
OVERDUE_CAP = 1_000


def _capped(count: int, cap: int) -> str:
    return f"more than {cap:,}" if count > cap else f"{count:,}"


def dashboard_card(*, workgroup: Workgroup, membership: Membership) -> Card:
    now = timezone.now()
    start, end = month_bounds(timezone.localtime(now).date())
    this_month = Q(initiated_at__gte=start, initiated_at__lt=end)
    transfers = Transfer.objects.filter(workgroup=workgroup).order_by()
    found = transfers.filter(this_month).aggregate(
        month=Count("pk"), decided=Count("pk", filter=DECIDED), accepted=Count("pk", filter=ACCEPTED))
    found["ever"] = transfers[:COUNT_CAP + 1].count()  # COUNT(*) of a LIMITed subquery
    # Overdue whenever initiated: an overdue follow-up from last month still needs doing.
    found["overdue"] = transfers.filter(follow_up_due_at__lte=now, follow_up_done_at__isnull=True)[
        :OVERDUE_CAP + 1].count()
    slug = workgroup.slug
    if not found["ever"]:
        return Card(area="transfers", title="Transfers and outcomes", status="No transfers recorded yet.",
                    progress=Progress.NOT_STARTED, start_url=reverse("transfers:index", kwargs={"slug": slug}),
                    start_label="Open transfers", guidance_slug="continuous-improvement-and-data-sharing")
    overdue = _capped(found["overdue"], OVERDUE_CAP)
    rate = found["accepted"] * 100 / found["decided"] if found["decided"] else None
    facts = [f"{found['month']:,} transfer{'s' if found['month'] != 1 else ''} this month",
             f"Acceptance rate this month: {format_value(rate, '%')}"
             + (f" of {found['decided']:,}" if found["decided"] else ""),
             f"Follow-ups overdue: {overdue}"]
    warnings = [f"{overdue.capitalize()} follow-up{'s are' if found['overdue'] != 1 else ' is'} past due."] \
        if found["overdue"] else []
    ever = _capped(found["ever"], COUNT_CAP).capitalize()
    return Card(area="transfers", title="Transfers and outcomes",
                status=f"{ever} transfer{'s' if found['ever'] != 1 else ''} recorded.",
                progress=Progress.IN_PROGRESS, start_url=reverse("transfers:metrics", kwargs={"slug": slug}),
                start_label="See transfer metrics", guidance_slug="continuous-improvement-and-data-sharing",
                facts=facts, warnings=warnings)
