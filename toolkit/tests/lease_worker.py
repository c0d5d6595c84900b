"""A Celery app for the lease tests: the project's app plus a job kind that takes its time.

Started as ``celery -A toolkit.tests.lease_worker worker -Q lease-test``; never used in production.
"""

from __future__ import annotations

import time
from pathlib import Path

import django

django.setup()

from toolkit import jobs  # noqa: E402
from toolkit.celery import app  # noqa: E402,F401  (the worker's app)
from toolkit.permissions import Action  # noqa: E402

SLOW_JOB = "test_slow_job"


def run_slow_job(*, job, set_progress, output) -> str:
    """Sleeps ``seconds``, writing one line per run into ``marker``: the test counts the runs.

    It reports no progress, so only the worker's lease keeper can keep its lease alive.
    """
    with Path(job.params["marker"]).open("a") as marker:
        marker.write(f"ran job {job.pk}\n")
    time.sleep(int(job.params.get("seconds", 6)))
    output.write(b"slow job result")
    return "slow.txt"


jobs.register(jobs.JobKind(kind=SLOW_JOB, label="Slow test job", action=Action.RUN_JOBS, run=run_slow_job))
