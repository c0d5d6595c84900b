"""Incident trends: counts, the median time to close and the corrective-action backlog, all aggregated in the database.

Everything here is a count over the incidents it is given (the trends page passes the workgroup's incidents
narrowed by ``TrendFilter``; the quarterly report one quarter's). Marked incidents are counted too: a count
shows nothing of a report. No function returns a row of an incident.

Queries are fixed whatever the number of incidents: one aggregate with a conditional count per category,
class and agreed harm (and, on PostgreSQL, the median), two over the organizations-involved link table (the
top organizations, and the totals that make "others"), one grouped by month, one over corrective actions
(and on SQLite one more, bounded to two rows, for the median).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from incidents.models import (
    OPEN_ACTION_STATUSES,
    Category,
    CorrectiveAction,
    Harm,
    Incident,
    IncidentClass,
    IncidentStatus,
)
from partners.selectors import organization_list
from toolkit.forms import EARLIEST_DATE, LATEST_DATE, Form  # beyond them months cannot be counted
from toolkit.models import Workgroup

TOP_ORGANIZATIONS = 8  # named one by one; the rest are summed as "others"
DEFAULT_MONTHS = 12
MAX_MONTHS = 36  # a longer range is drawn as its last 36 months (the other counts still cover all of it)
NOT_YET_AGREED = "Not yet agreed"
SECONDS_PER_DAY = 86400


@dataclass(frozen=True)
class CountRow:
    key: str
    label: str
    count: int
    muted: bool = False  # a catch-all row (others, not yet agreed, none named): drawn apart, in words too


@dataclass(frozen=True)
class MonthRange:
    first: date  # the first day of the first month
    last: date  # the first day of the last month
    capped: bool = False  # the asked range was longer than MAX_MONTHS

    @property
    def starts_at(self) -> datetime:
        return _start_of(self.first)

    @property
    def ends_before(self) -> datetime:
        return _start_of(_add_months(self.last, 1))

    def months(self) -> list[date]:
        out, month = [], self.first
        while month <= self.last:
            out.append(month)
            month = _add_months(month, 1)
        return out


@dataclass(frozen=True)
class Trends:
    total: int
    by_category: list[CountRow] = field(default_factory=list)
    by_class: list[CountRow] = field(default_factory=list)
    by_harm: list[CountRow] = field(default_factory=list)
    by_organization: list[CountRow] = field(default_factory=list)
    organizations_named: int = 0  # distinct organizations named on these incidents
    by_month: list[CountRow] = field(default_factory=list)
    month_range: MonthRange | None = None
    closed: int = 0
    median_days_to_close: float | None = None
    actions_open: int = 0
    actions_overdue: int = 0

    @property
    def is_empty(self) -> bool:
        return self.total == 0


# --- Dates ------------------------------------------------------------------------------------


def _start_of(day: date) -> datetime:
    """Midnight at the start of ``day`` in the site's time zone (day and month boundaries are local)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_range(*, start: date | None = None, end: date | None = None, today: date | None = None) -> MonthRange:
    """The months the chart covers: the asked range, or the last 12 months; at most MAX_MONTHS."""
    today = today or timezone.localdate()
    last = (end or today).replace(day=1)
    first = start.replace(day=1) if start else _add_months(last, -(DEFAULT_MONTHS - 1))
    if first > last:
        first = last
    capped = (last.year - first.year) * 12 + last.month - first.month + 1 > MAX_MONTHS
    if capped:
        first = _add_months(last, -(MAX_MONTHS - 1))
    return MonthRange(first=first, last=last, capped=capped)


def quarter_bounds(year: int, quarter: int) -> tuple[datetime, datetime]:
    """[start, end) of a calendar quarter in the site's time zone."""
    first = date(year, 3 * (quarter - 1) + 1, 1)
    return _start_of(first), _start_of(_add_months(first, 3))


# --- The median -------------------------------------------------------------------------------


class _MedianSeconds(Aggregate):
    """PostgreSQL's exact median (``percentile_cont``, interpolating between the two middle values) of an interval,
    in seconds. Ordered-set aggregates are PostgreSQL's; SQLite gets ``_median_seconds_portable`` instead."""

    function = "PERCENTILE_CONT"
    name = "MedianSeconds"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM %(expressions)s))"
    output_field = FloatField()


def _time_to_close() -> ExpressionWrapper:
    return ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())


CLOSED = Q(status=IncidentStatus.CLOSED, closed_at__isnull=False)


def _median_seconds_portable(incidents: QuerySet[Incident], closed: int) -> float | None:
    """The same median on any database: order the closed incidents by time to close in the database and read only
    the middle one or two (OFFSET/LIMIT), so at most two values leave it however many incidents there are."""
    if not closed:
        return None
    middle = list(
        incidents.filter(CLOSED).order_by().annotate(took=_time_to_close()).order_by("took", "pk")
        .values_list("took", flat=True)[(closed - 1) // 2: closed // 2 + 1]
    )
    if not middle:
        return None
    return sum(value.total_seconds() for value in middle) / len(middle)


def _uses_percentile_cont() -> bool:
    return connection.vendor == "postgresql"


# --- The counts -------------------------------------------------------------------------------


def _choice_counts(prefix: str, field_name: str, values: list[str]) -> dict[str, Count]:
    return {f"{prefix}_{i}": Count("pk", filter=Q(**{field_name: value})) for i, value in enumerate(values)}


def _rows(found: dict, prefix: str, choices: list[tuple[str, str]]) -> list[CountRow]:
    return [CountRow(key=value, label=label, count=found[f"{prefix}_{i}"]) for i, (value, label) in enumerate(choices)]


HARM_CHOICES: list[tuple[str, str]] = [*Harm.choices, ("", NOT_YET_AGREED)]


def _main_counts(incidents: QuerySet[Incident]) -> dict:
    link = Incident.organizations.through.objects.filter(incident_id=OuterRef("pk"))
    aggregates = {
        "total": Count("pk"),
        "closed": Count("pk", filter=CLOSED),
        "no_organization": Count("pk", filter=~Exists(link)),
        **_choice_counts("category", "category", Category.values),
        **_choice_counts("class", "incident_class", IncidentClass.values),
        **_choice_counts("harm", "agreed_harm", [value for value, _ in HARM_CHOICES]),
    }
    if _uses_percentile_cont():
        aggregates["median_seconds"] = _MedianSeconds(_time_to_close(), filter=CLOSED)
    return incidents.order_by().aggregate(**aggregates)


def _organization_rows(incidents: QuerySet[Incident], *, no_organization: int) -> tuple[list[CountRow], int]:
    """The organizations named most often (top N by incidents), then "others" summed, then "none named"."""
    links = Incident.organizations.through.objects.filter(incident_id__in=incidents.order_by().values("pk"))
    top = list(
        links.values("organization_id", "organization__name").annotate(n=Count("incident_id"))
        .order_by("-n", "organization__name", "organization_id")[:TOP_ORGANIZATIONS]
    )
    totals = links.aggregate(links=Count("pk"), organizations=Count("organization_id", distinct=True))
    rows = [CountRow(key=str(row["organization_id"]), label=row["organization__name"], count=row["n"]) for row in top]
    others = totals["organizations"] - len(top)
    if others > 0:
        rows.append(CountRow(key="others", label=f"{others} other organization{'s' if others != 1 else ''}",
                             count=totals["links"] - sum(row.count for row in rows), muted=True))
    if no_organization:
        rows.append(CountRow(key="none", label="No organization named", count=no_organization, muted=True))
    return rows, totals["organizations"]


def _month_rows(incidents: QuerySet[Incident], months: MonthRange) -> list[CountRow]:
    found = {
        (row["month"].year, row["month"].month): row["n"]
        for row in incidents.filter(occurred_at__gte=months.starts_at, occurred_at__lt=months.ends_before)
        .order_by().annotate(month=TruncMonth("occurred_at")).values("month").annotate(n=Count("pk"))
        .order_by("month")
    }
    return [CountRow(key=f"{m:%Y-%m}", label=f"{m:%b %Y}", count=found.get((m.year, m.month), 0))
            for m in months.months()]


def median_days_to_close(*, incidents: QuerySet[Incident]) -> float | None:
    """The median days from report to close of the closed incidents among ``incidents`` (one or two queries)."""
    if _uses_percentile_cont():
        found = incidents.order_by().aggregate(median=_MedianSeconds(_time_to_close(), filter=CLOSED))
        median = found["median"]
    else:
        median = _median_seconds_portable(incidents, incidents.filter(CLOSED).order_by().count())
    return None if median is None else round(median / SECONDS_PER_DAY, 1)


def action_counts(*, workgroup: Workgroup, incidents: QuerySet[Incident] | None = None) -> dict[str, int]:
    """Open corrective actions (open or in progress) and those of them past their due date, in one query."""
    actions = CorrectiveAction.objects.filter(workgroup=workgroup)
    if incidents is not None:
        actions = actions.filter(incident_id__in=incidents.order_by().values("pk"))
    is_open = Q(status__in=OPEN_ACTION_STATUSES)
    return actions.aggregate(open=Count("pk", filter=is_open),
                             overdue=Count("pk", filter=is_open & Q(due_date__lt=timezone.localdate())))


def incident_trends(*, workgroup: Workgroup, incidents: QuerySet[Incident], months: MonthRange) -> Trends:
    """Every trend of ``incidents`` (already scoped to ``workgroup`` and filtered); a fixed number of queries."""
    found = _main_counts(incidents)
    if not found["total"]:
        return Trends(total=0, month_range=months)
    by_organization, named = _organization_rows(incidents, no_organization=found["no_organization"])
    median = (found.get("median_seconds") if _uses_percentile_cont()
              else _median_seconds_portable(incidents, found["closed"]))
    actions = action_counts(workgroup=workgroup, incidents=incidents)
    harm_rows = _rows(found, "harm", HARM_CHOICES)
    return Trends(
        total=found["total"],
        by_category=_rows(found, "category", Category.choices),
        by_class=_rows(found, "class", IncidentClass.choices),
        by_harm=[CountRow(row.key, row.label, row.count, muted=not row.key) for row in harm_rows],
        by_organization=by_organization,
        organizations_named=named,
        by_month=_month_rows(incidents, months),
        month_range=months,
        closed=found["closed"],
        median_days_to_close=None if median is None else round(median / SECONDS_PER_DAY, 1),
        actions_open=actions["open"],
        actions_overdue=actions["overdue"],
    )


def workgroup_incidents(*, workgroup: Workgroup) -> QuerySet[Incident]:
    """All of the workgroup's incidents, marked ones included (trends only count them), unordered."""
    return Incident.objects.filter(workgroup=workgroup).order_by()


# --- Filters ----------------------------------------------------------------------------------


class _FilterForm(Form):
    """The toolkit's form base (text through the normaliser), with one check across fields."""

    def clean(self):
        cleaned = super().clean()
        for name in ("occurred_from", "occurred_to"):
            value = cleaned.get(name)
            if value is not None and not (EARLIEST_DATE <= value <= LATEST_DATE):
                self.add_error(name, f"Give a date between {EARLIEST_DATE.year} and {LATEST_DATE.year}; "
                                     "it is left out.")
        start, end = cleaned.get("occurred_from"), cleaned.get("occurred_to")
        if start and end and start > end:
            self.add_error("occurred_to", "The end of the range is before its start; it is left out.")
        return cleaned


class TrendFilter(django_filters.FilterSet):
    """What the trends page narrows by, in the query string. A value that does not validate is left out (and the
    page says so) rather than failing the page."""

    occurred_from = django_filters.DateFilter(label="Happened from", method="filter_from",
                                              widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}))
    occurred_to = django_filters.DateFilter(label="to", method="filter_to",
                                            widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}))
    category = django_filters.ChoiceFilter(choices=Category.choices, empty_label="All categories",
                                           widget=forms.Select(attrs={"class": "form-select"}))
    incident_class = django_filters.ChoiceFilter(label="Class", choices=IncidentClass.choices,
                                                 empty_label="All classes",
                                                 widget=forms.Select(attrs={"class": "form-select"}))
    organization = django_filters.ModelChoiceFilter(
        label="Organization involved", queryset=None, field_name="organizations", empty_label="Any organization",
        widget=forms.Select(attrs={"class": "form-select"}))

    class Meta:
        model = Incident
        fields: list[str] = []
        form = _FilterForm

    def __init__(self, *args, workgroup: Workgroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["organization"].queryset = organization_list(workgroup=workgroup).prefetch_related(None)

    def filter_from(self, queryset, name, value):
        return queryset.filter(occurred_at__gte=_start_of(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(occurred_at__lt=_start_of(value + timedelta(days=1)))

    @property
    def is_filtered(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.filters)

    def cleaned(self, name: str):
        """A filter's value when it validated, else None (for the month range)."""
        if not self.is_bound:
            return None
        self.errors  # noqa: B018 (validates the form once; the cleaned values follow)
        return self.form.cleaned_data.get(name)
