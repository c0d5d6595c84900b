"""Celery tasks for the core: they take ids, call one service, and are safe to run twice."""

from __future__ import annotations

from celery import shared_task

from toolkit import services


@shared_task(name="toolkit.run_job", acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=540)
def run_job(job_id: int) -> str | None:
    job = services.job_run(job_id=job_id)
    return job.status if job else None


@shared_task(name="toolkit.fail_stale_jobs", time_limit=60)
def fail_stale_jobs() -> int:
    return services.job_fail_stale()
