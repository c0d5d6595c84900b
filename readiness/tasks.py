"""Celery tasks for readiness: they take ids, call one service, and are safe to run twice."""

from __future__ import annotations

from celery import shared_task

from readiness import services
from readiness.models import AssessmentRound


@shared_task(name="readiness.send_round_reminders", acks_late=True, time_limit=300, soft_time_limit=270)
def send_round_reminders(round_id: int, base_url: str | None = None) -> int:
    """Remind everyone in one round who has not submitted (a coordinator pressed the button)."""
    round_ = AssessmentRound.objects.select_related("workgroup").filter(pk=round_id).first()
    if round_ is None:
        return 0
    return services.round_send_reminders(round=round_, base_url=base_url)


@shared_task(name="readiness.send_due_reminders", time_limit=600, soft_time_limit=570)
def send_due_reminders() -> int:
    """Daily (Celery beat): remind non-respondents of open rounds due within three days."""
    return services.rounds_send_due_reminders()
