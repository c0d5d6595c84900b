"""Celery tasks for incidents: they call one service and are safe to run twice."""

from __future__ import annotations

from celery import shared_task

from incidents.reminders import overdue_action_reminders_send


@shared_task(name="incidents.send_overdue_action_reminders", time_limit=600, soft_time_limit=570)
def send_overdue_action_reminders() -> int:
    """Daily (Celery beat): e-mail the people whose corrective actions are past due."""
    return overdue_action_reminders_send()
