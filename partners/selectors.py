"""Reads for the partner map; other apps (agreements packets, the dashboard) use only these."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils import timezone

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
from partners.routing import overdue_count
from partners.validators import phone_display
from toolkit.dashboard import Card, Progress
from toolkit.models import Membership, Workgroup
from toolkit.permissions import Action
from toolkit.text import xml_safe

MAX_SEARCH_WORDS = 6

QUADRANT_EXPRESSION = Case(
    When(influence__gte=HIGH_SCORE, interest__gte=HIGH_SCORE, then=Value(Quadrant.MANAGE_CLOSELY)),
    When(influence__gte=HIGH_SCORE, then=Value(Quadrant.KEEP_SATISFIED)),
    When(interest__gte=HIGH_SCORE, then=Value(Quadrant.KEEP_INFORMED)),
    default=Value(Quadrant.MONITOR),
    output_field=CharField(),
)


def sector_list(*, workgroup: Workgroup) -> QuerySet[Sector]:
    return (
        Sector.objects.filter(workgroup=workgroup)
        .annotate(organization_count=Count("organizations"))
        .order_by("order", "name", "id")
    )


def organization_ids(*, workgroup: Workgroup) -> list[int]:
    """The ids of the workgroup's organizations (what another app checks a chosen organization against)."""
    return list(Organization.objects.filter(workgroup=workgroup).values_list("pk", flat=True))


def organization_search(queryset: QuerySet[Organization], q: str) -> QuerySet[Organization]:
    """Each word must match the organization (name, jurisdiction) or one of its contacts (name, e-mail, title).

    EXISTS per word, not a join per word: joins multiply rows (contacts ** words) and a long search would
    stall the database. On PostgreSQL each ``icontains`` is served by a trigram index (migration 0003).
    """
    for word in q.split()[:MAX_SEARCH_WORDS]:
        contact_matches = Contact.objects.filter(organization=OuterRef("pk")).filter(
            Q(name__icontains=word) | Q(email__icontains=word) | Q(title__icontains=word)
        )
        queryset = queryset.filter(Q(name__icontains=word) | Q(jurisdiction__icontains=word) | Exists(contact_matches))
    return queryset


def organization_list(
    *,
    workgroup: Workgroup,
    q: str = "",
    sector: Sector | None = None,
    status: str = "",
    quadrant: str = "",
) -> QuerySet[Organization]:
    """Organizations with their sector and contacts loaded: a constant number of queries however many there are.

    Other apps (agreement parties, readiness respondents) pick from it; drop the contacts with
    ``prefetch_related(None)`` where they are not shown.
    """
    queryset = (
        Organization.objects.filter(workgroup=workgroup)
        .select_related("sector")
        .prefetch_related(Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "name")))
        .annotate(quadrant_key=QUADRANT_EXPRESSION)
    )
    queryset = organization_search(queryset, q)
    if sector is not None:
        queryset = queryset.filter(sector=sector)
    if status:
        queryset = queryset.filter(engagement_status=status)
    if quadrant:
        queryset = queryset.filter(quadrant_key=quadrant)
    return queryset.order_by("name")


CONTACTS_PER_DIRECTORY_ROW = 3  # the directory names the primary contact and a couple more; the page has the rest


def directory_organizations(*, membership: Membership) -> QuerySet[Organization]:
    """The directory's rows (filter and paginate them): each with its sector, quadrant, number of contacts
    and its first few contacts, primary first. Three queries per page (count, rows, contacts)."""
    contact_count = (
        Contact.objects.filter(organization=OuterRef("pk")).order_by().values("organization")
        .annotate(n=Count("pk")).values("n")
    )
    first_contacts = Contact.objects.order_by("-is_primary", "name", "pk")[:CONTACTS_PER_DIRECTORY_ROW]
    return (
        Organization.objects.restrict(membership, Action.VIEW_WORKGROUP)
        .select_related("sector")
        .annotate(quadrant_key=QUADRANT_EXPRESSION, contact_count=Coalesce(Subquery(contact_count), 0))
        .prefetch_related(Prefetch("contacts", queryset=first_contacts, to_attr="first_contacts"))
        .order_by("name", "id")
    )


def contact_list(*, workgroup: Workgroup) -> QuerySet[Contact]:
    return Contact.objects.filter(workgroup=workgroup).select_related("organization", "organization__sector")


def organization_contacts(*, organization: Organization) -> QuerySet[Contact]:
    """An organization's contacts, primary first (paginate them: an organization can have hundreds)."""
    return Contact.objects.filter(organization=organization).order_by("-is_primary", "name", "pk")


@dataclass(frozen=True)
class MapCounts:
    organizations: int
    contacts: int


def map_counts(*, workgroup: Workgroup) -> MapCounts:
    """Two counts, each from an index; no join between organizations and contacts."""
    return MapCounts(
        organizations=Organization.objects.filter(workgroup=workgroup).count(),
        contacts=Contact.objects.filter(workgroup=workgroup).count(),
    )


# --- Coverage --------------------------------------------------------------------------


AT_THE_TABLE = (EngagementStatus.ENGAGED, EngagementStatus.CHAMPION)
APPROACHED = (EngagementStatus.IDENTIFIED, EngagementStatus.INVITED)
NAMES_PER_SECTOR = 5  # a sector row names a few organizations and counts the rest


@dataclass(frozen=True)
class SectorCoverage:
    sector: Sector
    organizations: list[str]  # engaged or champion: at the table (the first few by name)
    pending: list[str] = field(default_factory=list)  # identified or invited: not at the table yet (the first few)
    organization_count: int = -1  # how many are at the table (-1: as many as named)
    pending_count: int = -1

    def __post_init__(self) -> None:
        if self.organization_count < 0:
            object.__setattr__(self, "organization_count", len(self.organizations))
        if self.pending_count < 0:
            object.__setattr__(self, "pending_count", len(self.pending))

    @property
    def covered(self) -> bool:
        return self.organization_count > 0

    @property
    def more_organizations(self) -> int:
        return self.organization_count - len(self.organizations)

    @property
    def more_pending(self) -> int:
        return self.pending_count - len(self.pending)


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


def coverage(*, workgroup: Workgroup, names_per_sector: int = NAMES_PER_SECTOR) -> Coverage:
    """A sector is covered when an organization in it is engaged or a champion: actually at the table.

    Organizations only identified or invited are listed as pending; inactive ones do not count.
    Three queries however many organizations there are: the sectors, the counts per sector and
    status, and the first ``names_per_sector`` names of each sector's two groups.
    """
    counted = Organization.objects.filter(workgroup=workgroup, engagement_status__in=AT_THE_TABLE + APPROACHED)
    at_table: dict[int, int] = defaultdict(int)
    approached: dict[int, int] = defaultdict(int)
    for sector_id, status, count in (
        counted.order_by().values("sector_id", "engagement_status").annotate(n=Count("id"))
        .values_list("sector_id", "engagement_status", "n")
    ):
        (at_table if status in AT_THE_TABLE else approached)[sector_id] += count
    present: dict[int, list[str]] = defaultdict(list)
    pending: dict[int, list[str]] = defaultdict(list)
    if names_per_sector:
        group = Case(When(engagement_status__in=AT_THE_TABLE, then=Value(1)), default=Value(0))
        named = counted.annotate(
            rank=Window(RowNumber(), partition_by=[F("sector_id"), group], order_by=[F("name").asc(), F("id").asc()])
        ).filter(rank__lte=names_per_sector).order_by("name", "id")
        for sector_id, name, status in named.values_list("sector_id", "name", "engagement_status"):
            (present if status in AT_THE_TABLE else pending)[sector_id].append(name)
    rows: dict[str, list[SectorCoverage]] = {tier: [] for tier in SectorTier.values}
    for sector in Sector.objects.filter(workgroup=workgroup):
        rows[sector.tier].append(
            SectorCoverage(
                sector=sector,
                organizations=present.get(sector.pk, []),
                pending=pending.get(sector.pk, []),
                organization_count=at_table.get(sector.pk, 0),
                pending_count=approached.get(sector.pk, 0),
            )
        )
    return Coverage(core=rows[SectorTier.CORE], additional=rows[SectorTier.ADDITIONAL], custom=rows[SectorTier.CUSTOM])


# --- RACI ------------------------------------------------------------------------------

RACI_NAMES_PER_ROLE = 3  # each row names the first few holders of each letter and counts the rest


@dataclass
class RaciRow:
    function: InteropFunction
    cells: dict[int, str] = field(default_factory=dict)  # organization id -> R/A/C/I, for the columns asked for
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # letter -> how many organizations hold it
    holders: dict[str, list[str]] = field(default_factory=dict)  # letter -> the first few names, by name

    def more(self, letter: str) -> int:
        return self.counts.get(letter, 0) - len(self.holders.get(letter, []))


def raci_columns(*, workgroup: Workgroup, sector: Sector | None = None) -> QuerySet[Organization]:
    """The matrix's possible columns: organizations that are not inactive, by name (the page shows a slice)."""
    organizations = Organization.objects.filter(workgroup=workgroup).exclude(
        engagement_status=EngagementStatus.INACTIVE
    )
    if sector is not None:
        organizations = organizations.filter(sector=sector)
    return organizations.select_related("sector").order_by("name", "id")  # the column key names each sector


def raci_rows(
    *, workgroup: Workgroup, organization_ids: Iterable[int] = (), names_per_role: int = RACI_NAMES_PER_ROLE
) -> list[RaciRow]:
    """One row per function: its cells for ``organization_ids``, and counts, first names and problems over
    every organization that is not inactive. Four queries, however many organizations there are."""
    rows = {f.pk: RaciRow(function=f) for f in InteropFunction.objects.filter(workgroup=workgroup)}
    # Only organizations that are not inactive count: a role an inactive organization holds cannot be seen
    # as a column, so it must not hide a missing A or R either.
    assignments = RaciAssignment.objects.filter(workgroup=workgroup).exclude(
        organization__engagement_status=EngagementStatus.INACTIVE
    )
    for function_id, role, count in (
        assignments.order_by().values("function_id", "role").annotate(n=Count("id"))
        .values_list("function_id", "role", "n")
    ):
        rows[function_id].counts[role] = count
    ranked = assignments.annotate(
        rank=Window(RowNumber(), partition_by=[F("function_id"), F("role")],
                    order_by=[F("organization__name").asc(), F("organization_id").asc()])
    ).filter(rank__lte=names_per_role).order_by("organization__name", "organization_id")
    for function_id, role, name in ranked.values_list("function_id", "role", "organization__name"):
        rows[function_id].holders.setdefault(role, []).append(name)
    organization_ids = list(organization_ids)
    if organization_ids:
        for function_id, organization_id, role in assignments.filter(organization_id__in=organization_ids).values_list(
            "function_id", "organization_id", "role"
        ):
            rows[function_id].cells[organization_id] = role
    for row in rows.values():
        row.problems = _problems(row.counts.get(RaciRole.ACCOUNTABLE, 0), row.counts.get(RaciRole.RESPONSIBLE, 0))
    return list(rows.values())


@dataclass(frozen=True)
class RaciLine:
    """One RACI row as plain data, for documents (agreement packets): the function and some organizations' letters."""

    key: str
    name: str
    description: str
    letters: dict[int, str]  # organization id -> R/A/C/I, only for the organizations asked for
    problems: tuple[str, ...]  # over every organization that is not inactive, as the matrix page shows them


def raci_for_organizations(*, workgroup: Workgroup, organization_ids: Iterable[int]) -> list[RaciLine]:
    """The RACI matrix of some organizations (an agreement's parties), function by function. Four queries."""
    return [
        RaciLine(key=row.function.key, name=xml_safe(row.function.name), description=xml_safe(row.function.description),
                 letters=dict(row.cells), problems=tuple(row.problems))
        for row in raci_rows(workgroup=workgroup, organization_ids=organization_ids)
    ]


def raci_problems(roles: list[str]) -> list[str]:
    """Each function needs exactly one Accountable and at least one Responsible."""
    return _problems(roles.count(RaciRole.ACCOUNTABLE), roles.count(RaciRole.RESPONSIBLE))


def _problems(accountable: int, responsible: int) -> list[str]:
    problems = []
    if accountable == 0:
        problems.append("No one is accountable (A).")
    elif accountable > 1:
        problems.append(f"{accountable} organizations are accountable (A); there must be exactly one.")
    if not responsible:
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
    more_contacts: int = 0  # contacts of this organization left out (on its last row)
    organization_id: int | None = None


def _organizations_for_documents(
    *, workgroup: Workgroup, include_inactive: bool, contacts_per_organization: int | None,
    organization_ids: Iterable[int] | None = None,
) -> Iterable[Organization]:
    """Organizations by name, each with ``document_contacts`` (primary first; all, or the first few) and
    ``contact_count``. Three queries however many there are."""
    organizations = Organization.objects.filter(workgroup=workgroup).select_related("sector").order_by("name", "id")
    if organization_ids is not None:
        organizations = organizations.filter(pk__in=list(organization_ids))
    if not include_inactive:
        organizations = organizations.exclude(engagement_status=EngagementStatus.INACTIVE)
    contacts = Contact.objects.order_by("-is_primary", "name", "pk")
    if contacts_per_organization is not None:
        contacts = contacts[:contacts_per_organization]
    contact_count = (
        Contact.objects.filter(organization=OuterRef("pk")).order_by().values("organization")
        .annotate(n=Count("pk")).values("n")
    )
    return organizations.annotate(contact_count=Coalesce(Subquery(contact_count), 0)).prefetch_related(
        Prefetch("contacts", queryset=contacts, to_attr="document_contacts")
    )


def directory(
    *, workgroup: Workgroup, include_inactive: bool = False, contacts_per_organization: int | None = None,
    organization_ids: Iterable[int] | None = None,
) -> list[DirectoryEntry]:
    """The contact directory as plain data (agreement packets print it; they never query our tables).

    ``contacts_per_organization`` keeps a printed directory of a large map readable (the primary contact,
    say, and how many more); the CSV export has everyone. ``organization_ids`` limits it to some
    organizations (an agreement's parties). Text is passed through ``xml_safe``: documents get it, and rows
    saved before the text normaliser existed may hold characters no PDF or DOCX can.
    """
    entries = []
    for org in _organizations_for_documents(workgroup=workgroup, include_inactive=include_inactive,
                                            contacts_per_organization=contacts_per_organization,
                                            organization_ids=organization_ids):
        contacts = list(org.document_contacts) or [None]
        for index, contact in enumerate(contacts):
            last = index == len(contacts) - 1
            entries.append(
                DirectoryEntry(
                    organization=xml_safe(org.name),
                    sector=xml_safe(org.sector.name),
                    org_type=org.get_org_type_display(),
                    engagement_status=org.get_engagement_status_display(),
                    contact_name=xml_safe(contact.name) if contact else "",
                    title=xml_safe(contact.title) if contact else "",
                    email=xml_safe(contact.email) if contact else "",
                    phone=xml_safe(phone_display(contact.phone)) if contact else "",
                    is_primary=bool(contact and contact.is_primary),
                    more_contacts=org.contact_count - len(org.document_contacts) if last else 0,
                    organization_id=org.pk,
                )
            )
    return entries


# --- Dashboard ---------------------------------------------------------------------------


def dashboard_card(*, workgroup: Workgroup, membership: Membership) -> Card:
    start_url = reverse("partners:index", kwargs={"slug": workgroup.slug})
    counts = map_counts(workgroup=workgroup)
    if not counts.organizations:
        return Card(
            area="partners",
            title="Partner map",
            status="No partner organizations mapped yet.",
            progress=Progress.NOT_STARTED,
            start_url=start_url,
            start_label="Map your partners",
            guidance_slug="key-partners-and-readiness",
        )
    cover = coverage(workgroup=workgroup, names_per_sector=0)
    missing = cover.missing_core
    overdue = overdue_count(workgroup=workgroup, today=timezone.localdate())
    warnings = [f"Missing core sector: {sector.name}" for sector in missing]
    if overdue:
        warnings.append(f"{overdue} transfer line{'s are' if overdue != 1 else ' is'} overdue for a test")
    return Card(
        area="partners",
        title="Partner map",
        status=f"{counts.organizations} organizations, {counts.contacts} contacts.",
        progress=Progress.IN_PROGRESS if missing else Progress.ON_TRACK,
        start_url=start_url,
        start_label="Open the partner map",
        guidance_slug="key-partners-and-readiness",
        facts=[
            f"Core sectors covered: {cover.core_covered}/{len(cover.core)}",
            f"Additional sectors covered: {cover.additional_covered}/{len(cover.additional)}",
        ],
        warnings=warnings,
    )
