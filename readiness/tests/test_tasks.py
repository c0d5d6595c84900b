"""Reminder e-mails through a real Celery worker process on Redis and PostgreSQL.

Task results are not kept (outcomes live in the database), so each test watches the rows. The worker
runs one task at a time in queue order, so a later "sentinel" task finishing proves the earlier ones
have finished too.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from conftest import wait_for
from readiness.models import Respondent
from readiness.tasks import send_due_reminders, send_round_reminders
from readiness.tests.factories import RoundFactory, link_respondent

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _reminded(respondent: Respondent, times: int = 1):
    return lambda: Respondent.objects.get(pk=respondent.pk).reminders_sent == times


def _sentinel(workgroup) -> None:
    """Queue one more reminder and wait for it: everything queued before it has run."""
    round_ = RoundFactory(workgroup=workgroup)
    marker = link_respondent(round_, email=f"sentinel-{round_.pk}@partner.test")
    send_round_reminders.delay(round_.pk)
    wait_for(_reminded(marker))


def test_the_worker_reminds_everyone_who_has_not_submitted_once(workgroup, celery_worker):
    round_ = RoundFactory(workgroup=workgroup)
    waiting = link_respondent(round_, email="waiting@partner.test")
    done = link_respondent(round_, email="done@partner.test")
    Respondent.objects.filter(pk=done.pk).update(submitted_at=timezone.now())

    send_round_reminders.delay(round_.pk, "https://toolkit.test")
    wait_for(_reminded(waiting))
    # Delivered again (a retry, a double click): nobody gets a second e-mail the same day.
    send_round_reminders.delay(round_.pk)
    _sentinel(workgroup)

    waiting.refresh_from_db()
    done.refresh_from_db()
    assert (waiting.reminders_sent, done.reminders_sent) == (1, 0)
    assert waiting.last_reminded_at is not None


def test_the_daily_task_reminds_rounds_that_are_due_soon(workgroup, celery_worker):
    due_today = link_respondent(RoundFactory(workgroup=workgroup, due_date=timezone.localdate()))
    not_yet = link_respondent(RoundFactory(workgroup=workgroup))  # due in two weeks
    send_due_reminders.delay()
    wait_for(_reminded(due_today))
    _sentinel(workgroup)
    assert Respondent.objects.get(pk=not_yet.pk).reminders_sent == 0


def test_a_deleted_round_does_not_stop_the_worker(workgroup, celery_worker):
    send_round_reminders.delay(987654)
    _sentinel(workgroup)  # still processing tasks after it
