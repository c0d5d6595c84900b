"""Transfer metrics with exact definitions: one list of definitions, computed in the database.

``DEFINITIONS`` is the only place a metric is described: the definitions page, the metrics page, the monthly
report and the API all render it. Every metric counts transfers *initiated* in the period [start, end) (the
population), in the workgroup, optionally narrowed to one partner (as sender or receiver) and one direction.

Months are calendar months in the workgroup's time zone (``settings.TIME_ZONE``): a transfer initiated at
23:30 on 31 October local time is October's, whatever the UTC date.

Everything is counted with aggregates in the database: one query for the headline figures, one per breakdown,
however many transfers there are. The median and 90th percentile of the time to accept use PostgreSQL's
``percentile_cont`` (continuous: it interpolates between the two nearest values). SQLite, the embedded
development default, has no ordered-set aggregates, so there the same percentile is computed exactly in Python
over the accept times of the period (``_percentile``: the same linear interpolation as ``percentile_cont``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, FloatField, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from triage.models import Direction, Transfer, TransferKind, TransferResult
from triage.models.transfers import ACCEPTED_RESULTS

if TYPE_CHECKING:
    from partners.models import Organization
    from toolkit.models import Workgroup

NOT_RECORDED = "Not recorded"
NO_VERSION = "No protocol version recorded"


@dataclass(frozen=True)
class Definition:
    key: str
    name: str
    unit: str  # "transfers", "%", "seconds", "per 1,000 transfers"
    population: str  # which transfers it is about
    start: str  # the event that starts it
    stop: str  # the event that ends it
    text: str  # how it is worked out, in words


@dataclass(frozen=True)
class MetricResult:
    key: str
    name: str
    definition: str
    value: float | int | None  # None: nothing to count (shown as "—", never 0)
    unit: str
    population: int  # how many transfers the value is worked out over


_PERIOD = "Transfers initiated in the period"
DEFINITIONS: list[Definition] = [
    Definition("transfers", "Transfers", "transfers", _PERIOD, "The transfer was initiated",
               "—", "Every transfer initiated in the period, counted once, by direction and by month."),
    Definition("acceptance_rate", "Acceptance rate", "%",
               f"{_PERIOD} whose result says whether the receiver took the call (all but “caller disconnected”)",
               "The transfer was initiated", "The receiver accepted, refused, or the call dropped",
               "Transfers the receiver accepted (including those later sent back) divided by transfers accepted, "
               "sent back, refused or dropped. A caller who hung up says nothing about the receiver, so those "
               "transfers are in neither number."),
    Definition("median_seconds_to_accept", "Median time to accept", "seconds",
               "Warm transfers initiated in the period with both an initiated and an accepted time",
               "The sender initiated the transfer", "The receiver accepted it",
               "The middle value of accepted time minus initiated time (halfway between the two middle values "
               "when their number is even). Cold transfers and transfers without an accept time are left out."),
    Definition("p90_seconds_to_accept", "90th percentile of time to accept", "seconds",
               "Warm transfers initiated in the period with both an initiated and an accepted time",
               "The sender initiated the transfer", "The receiver accepted it",
               "The time within which 9 in 10 of these transfers were accepted (interpolated between the two "
               "nearest values, as PostgreSQL's percentile_cont does)."),
    Definition("median_seconds_at_911_before_transfer", "Median time at 911 before a transfer to 988", "seconds",
               "911 → 988 transfers initiated in the period with both a call-received and an initiated time",
               "The 911 center received the call", "The 911 center initiated the transfer to 988",
               "The middle value of initiated time minus call-received time: how long the call stayed with 911 "
               "before it was handed to the 988 center. Transfers without a call-received time are left out."),
    Definition("dropped_rate", "Dropped-transfer rate", "%", _PERIOD, "The transfer was initiated",
               "The call dropped before the receiver took it",
               "Transfers whose result is “dropped” divided by all transfers. A caller hanging up is not a "
               "dropped transfer: it is counted on its own, as “caller disconnected”."),
    Definition("caller_disconnected_rate", "Caller disconnected", "%", _PERIOD, "The transfer was initiated",
               "The caller hung up", "Transfers whose result is “caller disconnected” divided by all transfers."),
    Definition("follow_up_completion", "Follow-ups done within the agreed window", "%",
               f"{_PERIOD} with a follow-up due time that has passed",
               "The transfer was initiated (the due time is set from the agreed window)",
               "The follow-up was recorded as done",
               "Follow-ups done at or before their due time divided by follow-ups whose due time has passed "
               "(done or not). Follow-ups not yet due are left out."),
    Definition("follow_ups_overdue", "Follow-ups overdue", "transfers",
               f"{_PERIOD} with a follow-up due time that has passed",
               "The follow-up fell due", "—", "Follow-ups past their due time and not recorded as done."),
    Definition("risk_level_share", "Share at each risk level", "%", _PERIOD, "The transfer was initiated", "—",
               "Transfers at each risk level (by the level's name, across protocol versions) divided by all "
               f"transfers; transfers without a level are shown as “{NOT_RECORDED}”."),
    Definition("transfers_by_protocol_version", "Transfers per protocol version", "transfers", _PERIOD,
               "The transfer was initiated", "—",
               "Transfers counted by the protocol version in force when each was initiated."),
    Definition("incidents_per_1000", "Incidents per 1,000 transfers", "per 1,000 transfers", _PERIOD,
               "The transfer was initiated", "An incident report was linked to it",
               "Transfers with an incident report linked divided by all transfers, times 1,000."),
]
DEFINITIONS_BY_KEY = {d.key: d for d in DEFINITIONS}
SUMMARY_KEYS = ("transfers", "acceptance_rate", "median_seconds_to_accept", "p90_seconds_to_accept",
                "median_seconds_at_911_before_transfer", "dropped_rate", "caller_disconnected_rate",
                "follow_up_completion", "follow_ups_overdue", "incidents_per_1000")


# --- Periods ----------------------------------------------------------------------------------


def workgroup_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_start(day: date) -> datetime:
    """Local midnight at the start of ``day`` (zoneinfo handles DST: midnight exists every day)."""
    return datetime.combine(day, time.min, tzinfo=workgroup_zone())


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[start, end) of the calendar month holding ``month``, in the workgroup's time zone."""
    first = month.replace(day=1)
    return day_start(first), day_start(add_months(first, 1))


def months_between(start: datetime, end: datetime) -> list[date]:
    """First days of the local months that [start, end) touches, oldest first."""
    zone = workgroup_zone()
    first = timezone.localtime(start, zone).date().replace(day=1)
    last = timezone.localtime(end - timedelta(microseconds=1), zone).date().replace(day=1)
    out = []
    while first <= last:
        out.append(first)
        first = add_months(first, 1)
    return out


# --- The population ---------------------------------------------------------------------------


def transfers_in(*, workgroup: Workgroup, start: datetime, end: datetime, organization: Organization | None = None,
                 direction: str | None = None) -> QuerySet[Transfer]:
    """The population every metric counts (uses the ``workgroup, initiated_at`` indexes)."""
    found = Transfer.objects.filter(workgroup=workgroup, initiated_at__gte=start, initiated_at__lt=end)
    if organization is not None:
        found = found.filter(Q(sending_organization=organization) | Q(receiving_organization=organization))
    if direction:
        found = found.filter(direction=direction)
    return found.order_by()


# --- Percentiles ------------------------------------------------------------------------------


class PercentileSeconds(Aggregate):
    """PostgreSQL's ``percentile_cont`` of an interval, in seconds (an ordered-set aggregate; FILTER works)."""

    function = "PERCENTILE_CONT"
    name = "PercentileSeconds"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM %(expressions)s))"
    output_field = FloatField()

    def __init__(self, expression, *, fraction: float, **extra):
        super().__init__(expression, fraction=str(float(fraction)), **extra)


def _percentile(values: Sequence[float], fraction: float) -> float | None:
    """``percentile_cont`` in Python: linear interpolation between the two nearest ranks of the sorted values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _time_to_accept() -> ExpressionWrapper:
    return ExpressionWrapper(F("accepted_at") - F("initiated_at"), output_field=DurationField())


def _time_at_911() -> ExpressionWrapper:
    return ExpressionWrapper(F("initiated_at") - F("call_received_at"), output_field=DurationField())


TIMED = Q(kind=TransferKind.WARM, accepted_at__isnull=False)  # initiated_at is never empty
AT_911 = Q(direction=Direction.FROM_911_TO_988, call_received_at__isnull=False)
DECIDED = ~Q(result=TransferResult.CALLER_DISCONNECTED)
ACCEPTED = Q(result__in=ACCEPTED_RESULTS)


def _uses_percentile_cont() -> bool:
    return connection.vendor == "postgresql"


# --- The figures ------------------------------------------------------------------------------


def _rate(part: int, whole: int, scale: float = 100) -> float | None:
    return None if not whole else part * scale / whole


def metric_counts(transfers: QuerySet[Transfer], *, now: datetime | None = None) -> dict:
    """Every headline count in one aggregate query (plus, on SQLite only, two for the times)."""
    now = now or timezone.now()
    due = Q(follow_up_due_at__isnull=False, follow_up_due_at__lte=now)
    aggregates = {
        "total": Count("pk"),
        "decided": Count("pk", filter=DECIDED),
        "accepted": Count("pk", filter=ACCEPTED),
        "refused": Count("pk", filter=Q(result=TransferResult.REFUSED)),
        "dropped": Count("pk", filter=Q(result=TransferResult.DROPPED)),
        "disconnected": Count("pk", filter=Q(result=TransferResult.CALLER_DISCONNECTED)),
        "timed": Count("pk", filter=TIMED),
        "at_911": Count("pk", filter=AT_911),
        "due": Count("pk", filter=due),
        "done_in_window": Count("pk", filter=due & Q(follow_up_done_at__lte=F("follow_up_due_at"))),
        "overdue": Count("pk", filter=due & Q(follow_up_done_at__isnull=True)),
        "with_incident": Count("pk", filter=Q(incident__isnull=False)),
    }
    if _uses_percentile_cont():
        aggregates["median"] = PercentileSeconds(_time_to_accept(), fraction=0.5, filter=TIMED)
        aggregates["p90"] = PercentileSeconds(_time_to_accept(), fraction=0.9, filter=TIMED)
        aggregates["median_at_911"] = PercentileSeconds(_time_at_911(), fraction=0.5, filter=AT_911)
    found = transfers.aggregate(**aggregates)
    if not _uses_percentile_cont():
        seconds = [(accepted - initiated).total_seconds() for initiated, accepted in
                   transfers.filter(TIMED).values_list("initiated_at", "accepted_at")]
        found["median"], found["p90"] = _percentile(seconds, 0.5), _percentile(seconds, 0.9)
        found["median_at_911"] = _percentile([(initiated - received).total_seconds() for received, initiated in
                                              transfers.filter(AT_911).values_list("call_received_at",
                                                                                    "initiated_at")], 0.5)
    return found


def results_from_counts(found: dict) -> list[MetricResult]:
    values = {
        "transfers": (found["total"], found["total"]),
        "acceptance_rate": (_rate(found["accepted"], found["decided"]), found["decided"]),
        "median_seconds_to_accept": (found["median"], found["timed"]),
        "p90_seconds_to_accept": (found["p90"], found["timed"]),
        "median_seconds_at_911_before_transfer": (found["median_at_911"], found["at_911"]),
        "dropped_rate": (_rate(found["dropped"], found["total"]), found["total"]),
        "caller_disconnected_rate": (_rate(found["disconnected"], found["total"]), found["total"]),
        "follow_up_completion": (_rate(found["done_in_window"], found["due"]), found["due"]),
        "follow_ups_overdue": (found["overdue"], found["due"]),
        "incidents_per_1000": (_rate(found["with_incident"], found["total"], 1000), found["total"]),
    }
    out = []
    for key in SUMMARY_KEYS:
        d = DEFINITIONS_BY_KEY[key]
        value, population = values[key]
        out.append(MetricResult(key=key, name=d.name, definition=d.text, value=value, unit=d.unit,
                                population=population))
    return out


def metric_summary(*, workgroup: Workgroup, start: datetime, end: datetime, organization: Organization | None = None,
                   direction: str | None = None, now: datetime | None = None) -> list[MetricResult]:
    """The headline metrics of transfers initiated in [start, end), in ``SUMMARY_KEYS`` order (the API's shape)."""
    transfers = transfers_in(workgroup=workgroup, start=start, end=end, organization=organization, direction=direction)
    return results_from_counts(metric_counts(transfers, now=now))


# --- Breakdowns (the charts and tables) -------------------------------------------------------


@dataclass(frozen=True)
class Share:
    key: str
    label: str
    count: int
    share: float | None  # percent of the population
    muted: bool = False


@dataclass(frozen=True)
class MonthRow:
    month: date
    by_direction: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_direction.values())

    @property
    def label(self) -> str:
        return f"{self.month:%B %Y}"


def volume_by_month(transfers: QuerySet[Transfer], *, months: list[date]) -> list[MonthRow]:
    """Counts by local month and direction: one grouped query (rows bounded by months × directions)."""
    grouped = (transfers.annotate(month=TruncMonth("initiated_at", tzinfo=workgroup_zone()))
               .values("month", "direction").annotate(n=Count("pk")).order_by())
    table = {month: dict.fromkeys(Direction.values, 0) for month in months}
    for row in grouped:
        month = row["month"]
        month = (timezone.localtime(month, workgroup_zone()).date() if isinstance(month, datetime) else month)
        table.setdefault(month.replace(day=1), dict.fromkeys(Direction.values, 0))[row["direction"]] += row["n"]
    return [MonthRow(month=m, by_direction=table[m]) for m in sorted(table)]


def volume_by_direction(rows: list[MonthRow]) -> list[Share]:
    total = sum(row.total for row in rows)
    return [Share(key=value, label=label, count=(n := sum(r.by_direction[value] for r in rows)), share=_rate(n, total))
            for value, label in Direction.choices]


def risk_level_shares(transfers: QuerySet[Transfer]) -> list[Share]:
    """By the level's name as recorded; "not recorded" last. One grouped query."""
    grouped = list(transfers.values("risk_level_name").annotate(n=Count("pk")).order_by("-n", "risk_level_name"))
    total = sum(row["n"] for row in grouped)
    named = [Share(key=row["risk_level_name"], label=row["risk_level_name"], count=row["n"],
                   share=_rate(row["n"], total)) for row in grouped if row["risk_level_name"]]
    missing = sum(row["n"] for row in grouped if not row["risk_level_name"])
    return [*named, Share(key="", label=NOT_RECORDED, count=missing, share=_rate(missing, total), muted=True)]


def protocol_version_counts(transfers: QuerySet[Transfer]) -> list[Share]:
    """Transfers per protocol version in force (one grouped query joined to the version's protocol)."""
    grouped = list(transfers.values("protocol_version", "protocol_version__protocol__name",
                                    "protocol_version__number").annotate(n=Count("pk"))
                   .order_by("protocol_version__protocol__name", "protocol_version__number"))
    total = sum(row["n"] for row in grouped)
    out = [Share(key=str(row["protocol_version"]),
                 label=f'{row["protocol_version__protocol__name"]}, version {row["protocol_version__number"]}',
                 count=row["n"], share=_rate(row["n"], total)) for row in grouped if row["protocol_version"]]
    missing = sum(row["n"] for row in grouped if not row["protocol_version"])
    if missing:
        out.append(Share(key="", label=NO_VERSION, count=missing, share=_rate(missing, total), muted=True))
    return out


def format_value(value: float | int | None, unit: str) -> str:
    """How a figure reads on pages and in the report: "—" when there is nothing to count, never 0%."""
    if value is None:
        return "—"
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "seconds":
        seconds = round(value)
        return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"
    if unit == "per 1,000 transfers":
        return f"{value:.1f}"
    return f"{value:,}"
