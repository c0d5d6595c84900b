"""The routing directory: services (writes) and selectors (reads) for routing profiles and transfer lines.

A transfer line is overdue for a test when it is in use and ``next_test_due < today``. ``next_test_due``
is (last_tested_on, or the day the line was added) + test_interval_days; only these services write it,
so the overdue rule stays one indexed comparison.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from partners.models import LinePurpose, LineTestResult, Organization, RoutingProfile, TransferLine, TransferLineTest
from partners.validators import DEFAULT_REGION, normalize_transfer_number
from toolkit.history import save_validated as _save
from toolkit.permissions import Action, require
from toolkit.text import xml_safe

if TYPE_CHECKING:
    from collections.abc import Iterable

    from toolkit.models import Membership, User, Workgroup

MSG_ZIP_INVALID = "ZIP codes are five digits each; these are not: {codes}."
MSG_NUMBER_TAKEN = "{organization} already has a line with the number {number}."
MSG_TEST_IN_FUTURE = "A test cannot be dated after today; record it once the call has been made."
MSG_UNKNOWN_RESULT = "Choose whether the test call got through or failed."

PROFILE_FIELDS = {
    "answers_24_7", "hours", "counties", "cities", "zip_codes", "tribal_lands",
    "mobile_response_urban_minutes", "mobile_response_rural_minutes", "notes",
}
LINE_FIELDS = {"name", "purpose", "number", "hours", "is_active", "test_interval_days", "notes"}
LINES_PER_ROW = 20  # the directory shows an organization's first lines and says how many more
ZIP_SPLIT = re.compile(r"[\s,;]+")
ZIP_CODE = re.compile(r"\d{5}")


def _set(obj: Any, fields: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Unknown fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(obj, name, value)


def normalize_zip_codes(value: str) -> str:
    """Five-digit ZIP codes separated by single spaces, in the order given, each once."""
    codes = [code for code in ZIP_SPLIT.split(value or "") if code]
    bad = [code for code in codes if not ZIP_CODE.fullmatch(code)]
    if bad:
        raise ValidationError({"zip_codes": MSG_ZIP_INVALID.format(codes=", ".join(bad[:10]))})
    return " ".join(dict.fromkeys(codes))


def national_format(number: str) -> str:
    """"+1 202-555-0143" as "(202) 555-0143": how call-takers in the US read and dial a number."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(number, DEFAULT_REGION),
                                          phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return number


def _added_on(line: TransferLine) -> datetime.date:
    return timezone.localdate(line.created_at) if line.created_at else timezone.localdate()


def next_test_due(line: TransferLine) -> datetime.date:
    base = line.last_tested_on or _added_on(line)
    return base + datetime.timedelta(days=line.test_interval_days)


# --- Services ---------------------------------------------------------------------------


@transaction.atomic
def routing_profile_save(*, actor: User, organization: Organization, **fields: Any) -> RoutingProfile:
    """Create or update the organization's hours and coverage (one profile per organization)."""
    require(actor, organization.workgroup, Action.EDIT_PARTNERS)
    profile = RoutingProfile.objects.select_for_update().filter(organization=organization).first()
    if profile is None:
        profile = RoutingProfile(workgroup=organization.workgroup, organization=organization)
    _set(profile, fields, PROFILE_FIELDS)
    profile.zip_codes = normalize_zip_codes(profile.zip_codes)
    if profile.answers_24_7:
        profile.hours = ""  # "24/7" says it all; stale hours would contradict it
    _save(profile, actor)
    return profile


def _check_number(line: TransferLine) -> None:
    line.number = normalize_transfer_number(line.number)
    clash = TransferLine.objects.filter(organization=line.organization, number=line.number)
    if line.pk:
        clash = clash.exclude(pk=line.pk)
    if clash.exists():
        raise ValidationError({"number": MSG_NUMBER_TAKEN.format(organization=line.organization,
                                                                 number=national_format(line.number))})


@transaction.atomic
def transfer_line_create(*, actor: User, organization: Organization, **fields: Any) -> TransferLine:
    require(actor, organization.workgroup, Action.EDIT_PARTNERS)
    Organization.objects.select_for_update().filter(pk=organization.pk).first()  # one number per organization
    line = TransferLine(workgroup=organization.workgroup, organization=organization)
    _set(line, fields, LINE_FIELDS)
    _check_number(line)
    line.next_test_due = next_test_due(line)  # never tested: counted from today, the day it is added
    _save(line, actor)
    return line


@transaction.atomic
def transfer_line_update(*, actor: User, line: TransferLine, **fields: Any) -> TransferLine:
    require(actor, line.workgroup, Action.EDIT_PARTNERS)
    Organization.objects.select_for_update().filter(pk=line.organization_id).first()
    _set(line, fields, LINE_FIELDS)
    _check_number(line)
    line.next_test_due = next_test_due(line)  # the interval may have changed
    _save(line, actor)
    return line


@transaction.atomic
def transfer_line_delete(*, actor: User, line: TransferLine) -> None:
    """Transfers recorded against the line keep their record; they just no longer name the line."""
    require(actor, line.workgroup, Action.EDIT_PARTNERS)
    line._history_user = actor
    line.delete()


@transaction.atomic
def transfer_line_record_test(
    *, actor: User, line: TransferLine, tested_on: datetime.date, result: str, note: str = "",
    today: datetime.date | None = None,
) -> TransferLineTest:
    """Log a test call, passed or failed. A failed test counts as tested (the schedule is met) but the
    line shows as failed until a later test gets through."""
    require(actor, line.workgroup, Action.EDIT_PARTNERS)
    today = today or timezone.localdate()
    if result not in LineTestResult.values:
        raise ValidationError({"result": MSG_UNKNOWN_RESULT})
    if tested_on > today:
        raise ValidationError({"tested_on": MSG_TEST_IN_FUTURE})
    line = TransferLine.objects.select_for_update().get(pk=line.pk)
    test = TransferLineTest(workgroup=line.workgroup, line=line, tested_on=tested_on, result=result,
                            note=note, recorded_by=actor)
    test.full_clean()
    test.save()
    # A test entered late (older than the last one) goes into the log without rewinding the schedule.
    if line.last_tested_on is None or tested_on >= line.last_tested_on:
        line.last_tested_on, line.last_test_result = tested_on, result
        line.next_test_due = next_test_due(line)
        _save(line, actor)
    return test


# --- Selectors ---------------------------------------------------------------------------


def lines_overdue(*, workgroup: Workgroup, today: datetime.date) -> QuerySet[TransferLine]:
    """Lines in use whose next test was due before today (the due day itself is not late yet)."""
    return TransferLine.objects.filter(workgroup=workgroup, is_active=True, next_test_due__lt=today)


def overdue_count(*, workgroup: Workgroup, today: datetime.date) -> int:
    return lines_overdue(workgroup=workgroup, today=today).count()


def _overdue_expression(today: datetime.date) -> Case:
    return Case(When(is_active=True, next_test_due__lt=today, then=Value(True)), default=Value(False),
                output_field=BooleanField())


def routing_directory(
    *, membership: Membership, today: datetime.date, purpose: str = "", overdue_only: bool = False,
) -> QuerySet[Organization]:
    """Organizations with a routing profile or a transfer line, each with its profile, line count and
    first lines (those matching the filters). Paginate it: three queries a page (count, rows, lines)."""
    lines = TransferLine.objects.filter(organization=OuterRef("pk"))
    matching = Q()
    if purpose:
        matching &= Q(purpose=purpose)
    if overdue_only:
        matching &= Q(is_active=True, next_test_due__lt=today)
    organizations = (
        Organization.objects.restrict(membership, Action.VIEW_WORKGROUP)
        .filter(Q(routing__isnull=False) | Exists(lines))
        .select_related("routing", "sector")
    )
    if purpose or overdue_only:
        organizations = organizations.filter(Exists(lines.filter(matching)))
    shown = (TransferLine.objects.filter(matching).annotate(overdue=_overdue_expression(today))
             .order_by("-overdue", "name", "pk")[:LINES_PER_ROW])
    line_count = lines.filter(matching).order_by().values("organization").annotate(n=Count("pk")).values("n")
    return (
        organizations
        .annotate(line_count=Coalesce(Subquery(line_count), 0))
        .prefetch_related(Prefetch("transfer_lines", queryset=shown, to_attr="shown_lines"))
        .order_by("name", "pk")
    )


def organization_lines(*, organization: Organization, today: datetime.date) -> QuerySet[TransferLine]:
    """One organization's lines, overdue and failed first (paginate or slice them)."""
    return (TransferLine.objects.filter(organization=organization).annotate(overdue=_overdue_expression(today))
            .order_by("-overdue", "name", "pk"))


def line_transfer_count(*, line: TransferLine) -> int:
    """How many transfer records name this line (they stay when it is deleted, without the line)."""
    return line.transfers.count()


def _has_routing(organization: Organization) -> bool:
    try:
        organization.routing  # noqa: B018  (select_related: no query)
    except RoutingProfile.DoesNotExist:
        return False
    return True


@dataclass(frozen=True)
class DocumentLine:
    organization: str
    name: str
    purpose: str
    number: str
    hours: str
    last_tested_on: datetime.date | None
    last_test_failed: bool


def lines_for_documents(*, workgroup: Workgroup, organization_ids: Iterable[int]) -> list[DocumentLine]:
    """The parties' lines in use, as plain data for agreement packets (which never query our tables)."""
    ids = list(organization_ids)
    if not ids:
        return []
    rows = (TransferLine.objects.filter(workgroup=workgroup, organization_id__in=ids, is_active=True)
            .select_related("organization", "organization__routing").order_by("organization__name", "name", "pk"))
    result = []
    for line in rows:
        routing = line.organization.routing if _has_routing(line.organization) else None
        hours = line.hours or ("24/7" if routing and routing.answers_24_7 else (routing.hours if routing else ""))
        result.append(DocumentLine(
            organization=xml_safe(line.organization.name), name=xml_safe(line.name),
            purpose=LinePurpose(line.purpose).label, number=national_format(line.number), hours=xml_safe(hours),
            last_tested_on=line.last_tested_on, last_test_failed=line.last_test_result == LineTestResult.FAILED,
        ))
    return result
