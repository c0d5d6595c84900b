"""Celery tasks for the core: they take ids, call one service, and are safe to run twice."""

from __future__ import annotations

from celery import shared_task

from toolkit import services


# Time limits come from settings.JOB_TIME_LIMIT_SECONDS (CELERY_TASK_TIME_LIMIT), the one place they are set.
@shared_task(name="toolkit.run_job", acks_late=True, reject_on_worker_lost=True)
def run_job(job_id: int) -> str | None:
    job = services.job_run(job_id=job_id, keep_lease_alive=True)
    return job.status if job else None


@shared_task(name="toolkit.fail_stale_jobs", time_limit=60)
def fail_stale_jobs() -> int:
    """The sweeper: first send what the broker could not take when it was down, then fail what nobody runs."""
    services.job_send_unsent()
    return services.job_fail_stale()
