"""Measure the partner directory import jobs on a large file; prints figures.

    DJANGO_ENV=test DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_import \
        .venv/bin/python bench/bench_partners_import.py [--rows 50000] [--contacts-per-organization 2]

Runs the two jobs the way a worker does (``job_run``): the check (parse every row, write the
problem report, keep the preview summary) and the import (parse again under the workgroup's lock,
then bulk inserts with history and audit rows, all in one transaction). A throw-away test database
on whatever DATABASE_URL points at (SQLite by default); files go to a temporary folder.
Queries are those of the job's own connection (the lease and progress threads use their own).
"""

from __future__ import annotations

import argparse
import csv
import io
import tempfile
import threading
import time

from _common import connection, test_database
from django.conf import settings
from django.test.utils import CaptureQueriesContext


def directory_csv(rows: int, per_organization: int) -> bytes:
    """A realistic export: every organization with its details, distinct people, e-mails and phone numbers."""
    from partners.directory_io import EXPORT_COLUMNS

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    types = ("provider", "public_agency", "community", "tribal_government")
    for n in range(rows):
        org, k = divmod(n, per_organization)
        writer.writerow([
            f"Partner Organization {org:06d}", "988 center leadership" if org % 3 else "911 PSAP leadership",
            types[org % 4], f"County {org % 90}", f"https://partner{org}.example.org",
            ("identified", "invited", "engaged", "champion")[org % 4], 1 + org % 5, 1 + (org // 5) % 5,
            1 + (org // 25) % 5, "neutral", "supportive", "Met twice; letter of support on file.",
            "2025-03-14", "Covers the north of the county.\nAsk for the duty supervisor.",
            f"Person {n} Lastname", "Program director", f"person{n}@partner{org}.example.org",
            f"(202) {200 + (n // 10000) % 800:03d}-{n % 10000:04d}", "voting", "yes" if k == 0 else "no", "low",
        ])
    return out.getvalue().encode("utf-8")


def _watch_progress(job_id: int, seen: list[int], stop: threading.Event) -> None:
    """What the status page would show: the job's progress as another connection reads it."""
    from django.db import connection as own_connection

    from toolkit.models import Job

    try:
        while not stop.wait(0.25):
            progress = Job.objects.filter(pk=job_id).values_list("progress", flat=True).first()
            if progress is not None and (not seen or seen[-1] != progress):
                seen.append(progress)
    finally:
        own_connection.close()


def run_job(job, label: str) -> None:
    from toolkit.services import job_run

    # SQLite's in-memory test database locks whole tables between connections: no second one there.
    concurrent = connection.vendor != "sqlite"
    seen: list[int] = []
    stop = threading.Event()
    watcher = threading.Thread(target=_watch_progress, args=(job.pk, seen, stop))
    if concurrent:
        watcher.start()
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        finished = job_run(job_id=job.pk, keep_lease_alive=concurrent)
        seconds = time.perf_counter() - start
    stop.set()
    if concurrent:
        watcher.join()
    assert finished.status == "succeeded", finished.error_message
    print(f"{label:<44} {seconds:8.2f} s   {len(captured.captured_queries):6d} queries")
    if concurrent:
        print(f"    progress seen meanwhile: {' '.join(f'{p}%' for p in seen)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--contacts-per-organization", type=int, default=2)
    args = parser.parse_args()
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-import-media-")

    with test_database():
        from django.core.files.base import ContentFile

        from partners import imports, services
        from partners.models import Contact, DirectoryImport, Organization
        from toolkit.models import AuditEvent, Job, Role
        from toolkit.tests.factories import MembershipFactory, UserFactory, WorkgroupFactory

        workgroup = WorkgroupFactory(name="Bench State", slug="bench")
        coordinator = UserFactory(email="coord@bench.test")
        MembershipFactory(user=coordinator, workgroup=workgroup, role=Role.COORDINATOR)
        services.partner_map_create_defaults(workgroup=workgroup, actor=coordinator)

        data = directory_csv(args.rows, args.contacts_per_organization)
        organizations = -(-args.rows // args.contacts_per_organization)
        print(f"database: {connection.vendor}; {args.rows} rows ({organizations} organizations, {args.rows} "
              f"contacts), {len(data) / 1024 / 1024:.1f} MB")
        upload = DirectoryImport(workgroup=workgroup, uploaded_by=coordinator, filename="bench.csv", size=len(data))
        upload.file.save("bench.csv", ContentFile(data), save=False)
        upload.save()
        params = {"directory_import_id": upload.pk}

        check = Job.objects.create(workgroup=workgroup, kind=imports.CHECK_JOB, params=params,
                                   requested_by=coordinator)
        run_job(check, "check job (parse, report, preview summary)")
        upload.refresh_from_db()
        assert upload.summary["problem_count"] == 0, upload.summary["problems"][:3]

        imported = Job.objects.create(workgroup=workgroup, kind=imports.IMPORT_JOB, params=params,
                                      requested_by=coordinator)
        run_job(imported, "import job (parse again, bulk write, audit)")

        written = (Organization.objects.count(), Contact.objects.count(), Organization.history.count(),
                   Contact.history.count(), AuditEvent.objects.filter(workgroup=workgroup).count())
        print("written: {} organizations, {} contacts, {} + {} history rows, {} audit events".format(*written))


if __name__ == "__main__":
    main()
