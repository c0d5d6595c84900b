"""Reads for the power–interest grid: the organizations of one workgroup as plain chart data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse

from partners.charts import GridPoint
from partners.models import EngagementStatus, Organization, Quadrant
from toolkit.models import Workgroup

QUADRANT_ORDER = {quadrant: index for index, quadrant in enumerate(Quadrant.values)}


def grid_points(
    *, workgroup: Workgroup, include_inactive: bool = False, as_of: datetime | None = None
) -> list[GridPoint]:
    """One query; sorted by quadrant (manage closely first), then name — the chart numbers them in this order.

    With ``as_of``, the organizations and ratings as they stood then (from the ratings history),
    so the map can be compared over time.
    """
    if as_of is None:
        organizations = Organization.objects.filter(workgroup=workgroup)
    else:
        organizations = Organization.history.as_of(as_of).filter(workgroup_id=workgroup.pk)
    if not include_inactive:
        organizations = organizations.exclude(engagement_status=EngagementStatus.INACTIVE)
    detail_url = _detail_url_maker(workgroup.slug)
    rows = organizations.values_list(
        "id", "name", "influence", "interest", "impact", "current_engagement", "desired_engagement"
    )
    points = [
        GridPoint(
            organization_id=pk,
            name=name,
            influence=influence,
            interest=interest,
            impact=impact,
            current_engagement=current,
            desired_engagement=desired,
            url=detail_url(pk),
        )
        for pk, name, influence, interest, impact, current, desired in rows
    ]
    return sorted(points, key=lambda p: (QUADRANT_ORDER[p.quadrant], p.name.casefold(), p.organization_id))


def _detail_url_maker(slug: str):
    """Each organization's page, from one ``reverse``: reversing per point was 60 % of the grid's time at 2,000
    organizations (40 µs each). The id is the URL's last part, so it is put where a sample id stood."""
    sample = 987654321
    head, tail = reverse("partners:organization-detail",
                         kwargs={"slug": slug, "organization_id": sample}).rsplit(str(sample), 1)
    return lambda pk: f"{head}{pk}{tail}"


def inactive_count(*, workgroup: Workgroup) -> int:
    """How many organizations the grid leaves out by default."""
    return Organization.objects.filter(workgroup=workgroup, engagement_status=EngagementStatus.INACTIVE).count()


@dataclass(frozen=True)
class QuadrantStrategy:
    quadrant: str
    label: str
    who: str
    how: str


# The seed asks for each partner's influence, impact and interest; these four strategies are the usual
# stakeholder-mapping practice for acting on those ratings, written in our own words.
STRATEGIES: dict[str, QuadrantStrategy] = {
    Quadrant.MANAGE_CLOSELY: QuadrantStrategy(
        Quadrant.MANAGE_CLOSELY,
        "Manage closely",
        "High influence, high interest: they can shape the outcome and they care about it.",
        "Involve them in decisions while they are being made, keep regular one-to-one contact through a named "
        "lead, and bring them into agreement and protocol drafts early.",
    ),
    Quadrant.KEEP_SATISFIED: QuadrantStrategy(
        Quadrant.KEEP_SATISFIED,
        "Keep satisfied",
        "High influence, lower interest: they can block or unblock the work but follow it from a distance.",
        "Brief them before decisions that touch their budget, staff or authority, ask their view on the key "
        "points, and keep what you ask of their time small.",
    ),
    Quadrant.KEEP_INFORMED: QuadrantStrategy(
        Quadrant.KEEP_INFORMED,
        "Keep informed",
        "Lower influence, high interest: they care about the outcome and often know callers and communities well.",
        "Send regular updates, invite them into working groups, testing and cross-training, and use what they "
        "know; some may grow into champions.",
    ),
    Quadrant.MONITOR: QuadrantStrategy(
        Quadrant.MONITOR,
        "Monitor",
        "Lower influence, lower interest: not central to the work today.",
        "Light-touch updates are enough for now. Re-check their ratings at each review: leadership, funding "
        "and events change both.",
    ),
}


@dataclass(frozen=True)
class NumberedPoint:
    number: int  # the label the chart draws on the point
    point: GridPoint


FIRST_TO_ENGAGE = 5  # each quadrant names the organizations furthest from the engagement it needs


@dataclass(frozen=True)
class QuadrantGroup:
    strategy: QuadrantStrategy
    entries: list[NumberedPoint]

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def to_raise(self) -> int:
        return sum(1 for entry in self.entries if entry.point.engagement_gap > 0)

    @property
    def first_to_engage(self) -> list[NumberedPoint]:
        """The few to work on first: the biggest engagement gap, then chart order."""
        return sorted(self.entries, key=lambda e: (-e.point.engagement_gap, e.number))[:FIRST_TO_ENGAGE]

    @property
    def more(self) -> int:
        return max(0, self.count - FIRST_TO_ENGAGE)


def numbered(points: list[GridPoint]) -> list[NumberedPoint]:
    """The points with the numbers the chart gives them (their position in ``points``)."""
    return [NumberedPoint(number=number, point=point) for number, point in enumerate(points, start=1)]


def grid_quadrants(points: list[GridPoint]) -> dict[str, QuadrantGroup]:
    """The numbered points per quadrant."""
    groups: dict[str, list[NumberedPoint]] = {quadrant: [] for quadrant in Quadrant.values}
    for entry in numbered(points):
        groups[entry.point.quadrant].append(entry)
    return {quadrant: QuadrantGroup(STRATEGIES[quadrant], entries) for quadrant, entries in groups.items()}
