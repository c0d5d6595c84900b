"""Writes for assessment rounds: opening, changing, closing and reopening them, and reminders."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from readiness.messages import (
    MSG_DUE_DATE_PAST,
    MSG_DUE_DATE_TOO_FAR,
    MSG_ROUND_ALREADY_OPEN,
    MSG_VERSION_NOT_PUBLISHED,
)
from readiness.models import (
    LINK_RESPONDENT,
    AssessmentRound,
    InstrumentStatus,
    InstrumentVersion,
    Respondent,
    RoundStatus,
)
from readiness.services.links import link_expiry, questionnaire_url, send_email
from readiness.services.saving import save as _save
from toolkit.models import Membership
from toolkit.permissions import Action, require

if TYPE_CHECKING:
    from toolkit.models import User, Workgroup

logger = logging.getLogger(__name__)

REMINDER_GAP = timedelta(hours=20)  # at most one reminder a day, however often the task runs
DUE_SOON = timedelta(days=3)
# Links expire a grace period after the due date: a date near the calendar's end (9999-12-31) would
# overflow that sum, and no round runs for years anyway.
DUE_DATE_HORIZON_YEARS = 5

# --- Rounds -----------------------------------------------------------------------------------


def _years_after(day: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _check_due_date(due_date: date) -> None:
    today = timezone.localdate()
    if due_date < today:
        raise ValidationError({"due_date": MSG_DUE_DATE_PAST})
    if due_date > _years_after(today, DUE_DATE_HORIZON_YEARS):
        raise ValidationError({"due_date": MSG_DUE_DATE_TOO_FAR.format(years=DUE_DATE_HORIZON_YEARS)})


@transaction.atomic
def round_open(
    *,
    actor: User,
    workgroup: Workgroup,
    instrument_version: InstrumentVersion,
    title: str,
    scope_statement: str,
    goal: str,
    due_date: date,
    action_threshold: Decimal = Decimal("3.00"),
) -> AssessmentRound:
    require(actor, workgroup, Action.MANAGE_READINESS)
    if instrument_version.workgroup_id != workgroup.pk or instrument_version.status != InstrumentStatus.PUBLISHED:
        raise ValidationError({"instrument_version": MSG_VERSION_NOT_PUBLISHED})
    _check_due_date(due_date)
    return _save(
        AssessmentRound(workgroup=workgroup, instrument_version=instrument_version, title=title.strip(),
                        scope_statement=scope_statement, goal=goal, due_date=due_date,
                        action_threshold=action_threshold, created_by=actor),
        actor, typed=("title", "scope_statement"),
    )


def lock_round(round_: AssessmentRound) -> AssessmentRound:
    return AssessmentRound.objects.select_for_update().select_related("workgroup").get(pk=round_.pk)


@transaction.atomic
def round_update(
    *, actor: User, round: AssessmentRound, title: str, scope_statement: str, due_date: date,
    action_threshold: Decimal,
) -> AssessmentRound:
    """Change the details; a new due date moves the expiry of every unanswered link with it."""
    require(actor, round.workgroup, Action.MANAGE_READINESS)
    locked = lock_round(round)
    if due_date != locked.due_date:
        _check_due_date(due_date)
        locked.respondents.filter(LINK_RESPONDENT, submitted_at__isnull=True).update(
            link_expires_at=link_expiry(due_date)
        )
    locked.title, locked.scope_statement = title.strip(), scope_statement
    locked.due_date, locked.action_threshold = due_date, action_threshold
    return _save(locked, actor, typed=("title", "scope_statement"))


@transaction.atomic
def round_close(*, actor: User, round: AssessmentRound) -> AssessmentRound:
    """Stop taking answers; results count submitted responses only."""
    require(actor, round.workgroup, Action.MANAGE_READINESS)
    locked = lock_round(round)
    if not locked.is_open:
        return locked
    locked.status = RoundStatus.CLOSED
    locked.closed_at = timezone.now()
    return _save(locked, actor)


@transaction.atomic
def round_reopen(*, actor: User, round: AssessmentRound, due_date: date) -> AssessmentRound:
    require(actor, round.workgroup, Action.MANAGE_READINESS)
    locked = lock_round(round)
    if locked.is_open:
        raise ValidationError(MSG_ROUND_ALREADY_OPEN, code="already_open")
    _check_due_date(due_date)
    locked.status, locked.closed_at, locked.due_date = RoundStatus.OPEN, None, due_date
    locked.respondents.filter(LINK_RESPONDENT, submitted_at__isnull=True).update(
        link_expires_at=link_expiry(due_date)
    )
    return _save(locked, actor)


# --- Reminders --------------------------------------------------------------------------------


def round_send_reminders(
    *, round: AssessmentRound, base_url: str | None = None, now: datetime | None = None,
    actor: User | None = None,
) -> int:
    """E-mail everyone who has not submitted (at most once a day each). Returns how many were sent.

    Safe to run twice: a respondent reminded in the last REMINDER_GAP is skipped. Each reminder
    is its own transaction, so one refused address does not stop the others.
    """
    if actor is not None:
        require(actor, round.workgroup, Action.MANAGE_READINESS)
    now = now or timezone.now()
    base_url = base_url or settings.SITE_URL
    sent = 0
    pending = Respondent.objects.filter(round=round, submitted_at__isnull=True).values_list("pk", flat=True)
    for pk in list(pending):
        with transaction.atomic():
            respondent = (Respondent.objects.select_for_update(of=("self",))
                          .select_related("round", "workgroup", "invited_by").get(pk=pk))
            if (
                respondent.is_submitted
                or respondent.account_deleted  # nobody to remind
                or not respondent.round.is_open
                or (respondent.last_reminded_at and now - respondent.last_reminded_at < REMINDER_GAP)
                or (respondent.uses_link and respondent.link_expires_at and respondent.link_expires_at <= now)
            ):
                continue
            if respondent.user_id and not Membership.objects.filter(
                workgroup=respondent.workgroup, user_id=respondent.user_id
            ).exists():
                continue  # left the workgroup since being invited
            try:
                send_email(
                    f"Reminder: readiness self-assessment due {respondent.round.due_date:%-d %B %Y}",
                    "readiness/email/reminder.txt",
                    {"respondent": respondent, "round": respondent.round, "workgroup": respondent.workgroup,
                     "link": questionnaire_url(respondent, base_url)},
                    respondent.email, reply_to=respondent.invited_by.email if respondent.invited_by else "",
                )
            except ValidationError:
                continue
            respondent.last_reminded_at = now
            respondent.reminders_sent += 1
            respondent.save(update_fields=["last_reminded_at", "reminders_sent", "updated_at"])
            sent += 1
    return sent


def rounds_send_due_reminders(*, now: datetime | None = None) -> int:
    """For the daily beat task: remind non-respondents of open rounds due within three days."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rounds = AssessmentRound.objects.filter(status=RoundStatus.OPEN, due_date__gte=today,
                                            due_date__lte=today + DUE_SOON)
    return sum(round_send_reminders(round=r, now=now) for r in rounds)
