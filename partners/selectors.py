"""Reads for the partner map; other apps (agreements packets, the dashboard) use only these."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.urls import reverse

from partners.models import (
    HIGH_SCORE,
    Contact,
    EngagementStatus,
    InteropFunction,
    Organization,
    Quadrant,
    RaciAssignment,
    RaciRole,
    Sector,
    SectorTier,
)
from toolkit.dashboard import Card, Progress
from toolkit.models import Membership, Workgroup

MAX_SEARCH_WORDS = 6

QUADRANT_EXPRESSION = Case(
    When(influence__gte=HIGH_SCORE, interest__gte=HIGH_SCORE, then=Value(Quadrant.MANAGE_CLOSELY)),
    When(influence__gte=HIGH_SCORE, then=Value(Quadrant.KEEP_SATISFIED)),
    When(interest__gte=HIGH_SCORE, then=Value(Quadrant.KEEP_INFORMED)),
    default=Value(Quadrant.MONITOR),
    output_field=CharField(),
)


def sector_list(*, workgroup: Workgroup) -> QuerySet[Sector]:
    return Sector.objects.filter(workgroup=workgroup).annotate(organization_count=Count("organizations"))


def organization_list(
    *,
    workgroup: Workgroup,
    q: str = "",
    sector: Sector | None = None,
    status: str = "",
    quadrant: str = "",
) -> QuerySet[Organization]:
    """Organizations with their sector and contacts loaded: a constant number of queries per page."""
    queryset = (
        Organization.objects.filter(workgroup=workgroup)
        .select_related("sector")
        .prefetch_related(Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "name")))
        .annotate(quadrant_key=QUADRANT_EXPRESSION)
    )
    # Each word must match the organization or one of its contacts. EXISTS per word, not a join per
    # word: joins multiply rows (contacts ** words) and a long search would stall the database.
    for word in q.split()[:MAX_SEARCH_WORDS]:
        contact_matches = Contact.objects.filter(organization=OuterRef("pk")).filter(
            Q(name__icontains=word) | Q(email__icontains=word) | Q(title__icontains=word)
        )
        queryset = queryset.filter(Q(name__icontains=word) | Q(jurisdiction__icontains=word) | Exists(contact_matches))
    if sector is not None:
        queryset = queryset.filter(sector=sector)
    if status:
        queryset = queryset.filter(engagement_status=status)
    if quadrant:
        queryset = queryset.filter(quadrant_key=quadrant)
    return queryset.order_by("name")


def contact_list(*, workgroup: Workgroup) -> QuerySet[Contact]:
    return Contact.objects.filter(workgroup=workgroup).select_related("organization", "organization__sector")


# --- Coverage --------------------------------------------------------------------------


AT_THE_TABLE = (EngagementStatus.ENGAGED, EngagementStatus.CHAMPION)
APPROACHED = (EngagementStatus.IDENTIFIED, EngagementStatus.INVITED)


@dataclass(frozen=True)
class SectorCoverage:
    sector: Sector
    organizations: list[str]  # engaged or champion: at the table
    pending: list[str] = field(default_factory=list)  # identified or invited: not at the table yet

    @property
    def covered(self) -> bool:
        return bool(self.organizations)


@dataclass(frozen=True)
class Coverage:
    core: list[SectorCoverage]
    additional: list[SectorCoverage]
    custom: list[SectorCoverage]

    @property
    def core_covered(self) -> int:
        return sum(1 for row in self.core if row.covered)

    @property
    def additional_covered(self) -> int:
        return sum(1 for row in self.additional if row.covered)

    @property
    def missing_core(self) -> list[Sector]:
        return [row.sector for row in self.core if not row.covered]


def coverage(*, workgroup: Workgroup) -> Coverage:
    """A sector is covered when an organization in it is engaged or a champion: actually at the table.

    Organizations only identified or invited are listed as pending; inactive ones do not count.
    """
    present: dict[int, list[str]] = defaultdict(list)
    pending: dict[int, list[str]] = defaultdict(list)
    rows_in = Organization.objects.filter(workgroup=workgroup, engagement_status__in=AT_THE_TABLE + APPROACHED)
    for sector_id, name, status in rows_in.order_by("name").values_list("sector_id", "name", "engagement_status"):
        (present if status in AT_THE_TABLE else pending)[sector_id].append(name)
    rows: dict[str, list[SectorCoverage]] = {tier: [] for tier in SectorTier.values}
    for sector in Sector.objects.filter(workgroup=workgroup):
        rows[sector.tier].append(
            SectorCoverage(sector=sector, organizations=present.get(sector.pk, []), pending=pending.get(sector.pk, []))
        )
    return Coverage(core=rows[SectorTier.CORE], additional=rows[SectorTier.ADDITIONAL], custom=rows[SectorTier.CUSTOM])


# --- RACI ------------------------------------------------------------------------------


@dataclass
class RaciRow:
    function: InteropFunction
    cells: dict[int, str] = field(default_factory=dict)  # organization id -> R/A/C/I
    problems: list[str] = field(default_factory=list)


def raci_matrix(*, workgroup: Workgroup) -> tuple[list[RaciRow], list[Organization]]:
    """Rows per function with their cells and problems; columns are organizations that are not inactive."""
    organizations = list(
        Organization.objects.filter(workgroup=workgroup).exclude(engagement_status=EngagementStatus.INACTIVE)
        .order_by("name")
    )
    rows = {f.pk: RaciRow(function=f) for f in InteropFunction.objects.filter(workgroup=workgroup)}
    # Only the columns shown count: a role held by an inactive organization cannot be seen or fixed here.
    for function_id, organization_id, role in (
        RaciAssignment.objects.filter(workgroup=workgroup)
        .exclude(organization__engagement_status=EngagementStatus.INACTIVE)
        .values_list("function_id", "organization_id", "role")
    ):
        rows[function_id].cells[organization_id] = role
    for row in rows.values():
        row.problems = raci_problems(list(row.cells.values()))
    return list(rows.values()), organizations


def raci_problems(roles: list[str]) -> list[str]:
    """Each function needs exactly one Accountable and at least one Responsible."""
    problems = []
    accountable = roles.count(RaciRole.ACCOUNTABLE)
    if accountable == 0:
        problems.append("No one is accountable (A).")
    elif accountable > 1:
        problems.append(f"{accountable} organizations are accountable (A); there must be exactly one.")
    if RaciRole.RESPONSIBLE not in roles:
        problems.append("No one is responsible (R).")
    return problems


# --- Directory for other apps ----------------------------------------------------------


@dataclass(frozen=True)
class DirectoryEntry:
    organization: str
    sector: str
    org_type: str
    engagement_status: str
    contact_name: str
    title: str
    email: str
    phone: str
    is_primary: bool


def directory(*, workgroup: Workgroup, include_inactive: bool = False) -> list[DirectoryEntry]:
    """The contact directory as plain data (agreement packets print it; they never query our tables)."""
    organizations = organization_list(workgroup=workgroup)
    if not include_inactive:
        organizations = organizations.exclude(engagement_status=EngagementStatus.INACTIVE)
    entries = []
    for org in organizations:
        contacts = list(org.contacts.all()) or [None]
        for contact in contacts:
            entries.append(
                DirectoryEntry(
                    organization=org.name,
                    sector=org.sector.name,
                    org_type=org.get_org_type_display(),
                    engagement_status=org.get_engagement_status_display(),
                    contact_name=contact.name if contact else "",
                    title=contact.title if contact else "",
                    email=contact.email if contact else "",
                    phone=contact.phone if contact else "",
                    is_primary=bool(contact and contact.is_primary),
                )
            )
    return entries


# --- Dashboard ---------------------------------------------------------------------------


def dashboard_card(*, workgroup: Workgroup, membership: Membership) -> Card:
    start_url = reverse("partners:index", kwargs={"slug": workgroup.slug})
    counts = Organization.objects.filter(workgroup=workgroup).aggregate(
        organizations=Count("id", distinct=True), contacts=Count("contacts", distinct=True)
    )
    if not counts["organizations"]:
        return Card(
            area="partners",
            title="Partner map",
            status="No partner organizations mapped yet.",
            progress=Progress.NOT_STARTED,
            start_url=start_url,
            start_label="Map your partners",
            guidance_slug="key-partners-and-readiness",
        )
    cover = coverage(workgroup=workgroup)
    missing = cover.missing_core
    return Card(
        area="partners",
        title="Partner map",
        status=f"{counts['organizations']} organizations, {counts['contacts']} contacts.",
        progress=Progress.IN_PROGRESS if missing else Progress.ON_TRACK,
        start_url=start_url,
        start_label="Open the partner map",
        guidance_slug="key-partners-and-readiness",
        facts=[
            f"Core sectors covered: {cover.core_covered}/{len(cover.core)}",
            f"Additional sectors covered: {cover.additional_covered}/{len(cover.additional)}",
        ],
        warnings=[f"Missing core sector: {sector.name}" for sector in missing],
    )
