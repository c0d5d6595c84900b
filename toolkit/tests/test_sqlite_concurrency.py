"""The embedded default (``make run``): a web process and a worker writing one SQLite file at once.

With SQLite's default deferred transactions, two transactions that read and then write can both
hold a read lock and neither can upgrade: one fails at once with "database is locked", whatever
the busy timeout. The settings use WAL and IMMEDIATE transactions so writers queue instead. This
test runs the two real processes against a fresh SQLite database and makes them collide, both
appending to one workgroup's audit hash chain, which must come out whole.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROUNDS = 150

# The "web" side: what a request does (ATOMIC_REQUESTS): read the row, then change it, in one transaction.
WEB = f"""
from django.db import transaction
from toolkit import services
from toolkit.models import Workgroup, User
actor = User.objects.get(email="coordinator@example.org")
for i in range({ROUNDS}):
    with transaction.atomic():
        workgroup = Workgroup.objects.get(slug="riverbend-county")
        services.workgroup_update(actor=actor, workgroup=workgroup, description=f"edited {{i}}")
print("web done")
"""

# The "worker" side: a job reporting progress and finishing, over and over, as the worker does.
WORKER = f"""
from django.db import transaction
from toolkit import services
from toolkit.audit import record_access
from toolkit.models import AuditAction, Job, JobStatus, Workgroup, User
actor = User.objects.get(email="member@example.org")
workgroup = Workgroup.objects.get(slug="riverbend-county")
job = Job.objects.create(workgroup=workgroup, kind="workgroup_summary_pdf", requested_by=actor)
for i in range({ROUNDS}):
    with transaction.atomic():
        current = Job.objects.get(pk=job.pk)
        services.job_set_progress(job=current, progress=i % 100)
        Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=i % 3)
        # Appends to the workgroup's audit chain while the web side does too.
        record_access(actor=actor, obj=workgroup, action=AuditAction.EXPORTED, workgroup_id=workgroup.pk)
print("worker done")
"""


def _env(var_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"TOOLKIT_VAR_DIR": str(var_dir), "DJANGO_ENV": "development", "PYTHONUNBUFFERED": "1"})
    return env


def test_a_web_process_and_a_worker_writing_at_once_never_hit_database_is_locked(tmp_path):
    env = _env(tmp_path)
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
        subprocess.run(manage + command, env=env, check=True, capture_output=True, cwd=settings.BASE_DIR)
    mode = subprocess.run(manage + ["shell", "-c", "from django.db import connection; c = connection.cursor(); "
                                     "print(c.execute('PRAGMA journal_mode').fetchone()[0])"],
                          env=env, check=True, capture_output=True, text=True, cwd=settings.BASE_DIR)
    assert mode.stdout.strip().endswith("wal")

    processes = [
        subprocess.Popen(manage + ["shell", "-c", code], env=env, cwd=settings.BASE_DIR,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for code in (WEB, WORKER)
    ]
    outputs = [process.communicate(timeout=300)[0] for process in processes]

    for process, output in zip(processes, outputs, strict=True):
        assert "database is locked" not in output
        assert process.returncode == 0, output[-3000:]
    assert "web done" in outputs[0] and "worker done" in outputs[1]
    # Both appended to one workgroup's hash chain at once: it has no fork and no gap.
    verified = subprocess.run(manage + ["verify_audit_chain", "--workgroup", "riverbend-county"], env=env,
                              capture_output=True, text=True, cwd=settings.BASE_DIR)
    assert verified.returncode == 0, verified.stderr
    assert "OK: 1 chains" in verified.stdout
