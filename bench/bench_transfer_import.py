"""Measure the transfer import on a year of a county's transfers (100,000 rows by default); prints figures.

    createdb -h 127.0.0.1 -U postgres main_timports_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/main_timports_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/main_timports_bench \
        .venv/bin/python bench/bench_transfer_import.py [--rows 100000] [--throwaway]

Runs the upload, the check job and the import job in this process (``job_run``, as a worker would, without
Celery) against the configured database: a new workgroup each run, left in place (``--throwaway`` uses a
test database dropped afterwards instead). Then imports the same file again, which must create nothing.
Queries are counted on the job's own connection (the progress relay uses its own).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import random
import tempfile
import time
from datetime import datetime, timedelta

from _common import connection, test_database
from django.conf import settings

DIRECTIONS = ("911 → 988", "988_to_911", "988 to mobile crisis", "911 to MCT", "co-response")
SPRING_FORWARD = datetime(2024, 3, 10).date()
RESULTS = ("accepted", "Completed", "refused", "dropped", "caller hung up", "returned")


def transfers_csv(rows: int, senders: list[str], receivers: list[str]) -> bytes:
    """A CAD-style export: ISO and US times mixed, codes as labels and synonyms, a third of rows with a risk."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Incident #", "Type", "From Agency", "To Agency", "Call Start", "Transfer Time", "Answered",
                     "End Time", "Warm/Cold", "Consent", "Disposition", "Risk"])
    rng = random.Random(15)  # noqa: S311 (test data, not secrets)
    start = datetime(2024, 1, 1, 0, 0)
    for n in range(rows):
        initiated = start + timedelta(minutes=5 * n + rng.randint(0, 3))
        if initiated.date() == SPRING_FORWARD and 1 <= initiated.hour <= 3:
            initiated += timedelta(hours=3)  # no local time of the row in the hour the clocks skip
        result = RESULTS[n % len(RESULTS)]
        accepted = initiated + timedelta(seconds=rng.randint(5, 240))
        us = n % 2 == 0

        def when(t: datetime, us=us) -> str:
            return t.strftime("%m/%d/%Y %I:%M %p") if us else t.strftime("%Y-%m-%d %H:%M:%S")

        writer.writerow([
            f"CAD-{2024_000000 + n}", DIRECTIONS[n % len(DIRECTIONS)], senders[n % len(senders)],
            receivers[n % len(receivers)], when(initiated - timedelta(minutes=2)), when(initiated),
            when(accepted) if result in ("accepted", "Completed", "returned") else "",
            when(initiated + timedelta(minutes=20)), "warm" if n % 3 else "blind", ("yes", "no", "")[n % 3],
            result, "",
        ])
    return out.getvalue().encode("utf-8")


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def run_job(job, label: str, rows: int) -> None:
    from toolkit.services import job_run

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        finished = job_run(job_id=job.pk, keep_lease_alive=connection.vendor != "sqlite")
        seconds = time.perf_counter() - started
    assert finished.status == "succeeded", finished.error_message
    print(f"{label:<46} {seconds:7.2f} s   {rows / seconds:9,.0f} rows/s   {counter.count:4d} queries")


def bench(rows: int) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from partners.tests.factories import OrganizationFactory
    from toolkit.models import AuditEvent, Job, Role
    from toolkit.tests.factories import MembershipFactory, UserFactory, WorkgroupFactory
    from triage.models import Transfer, TransferImport
    from triage.transfers import imports

    stamp = int(time.time())
    workgroup = WorkgroupFactory(name=f"Bench County {stamp}", slug=f"bench-{stamp}")
    member = UserFactory(email=f"member-{stamp}@bench.test")
    MembershipFactory(user=member, workgroup=workgroup, role=Role.MEMBER)
    senders = [OrganizationFactory(workgroup=workgroup, name=f"Metro 911 District {n}").name for n in range(8)]
    receivers = [OrganizationFactory(workgroup=workgroup, name=f"Harbor Crisis Line {n}").name for n in range(4)]
    export_of = OrganizationFactory(workgroup=workgroup, name="County CAD")
    data = transfers_csv(rows, senders, receivers)
    print(f"database: {connection.vendor} ({settings.DATABASES['default']['NAME']}); {rows:,} rows, "
          f"{len(data) / 1024 / 1024:.1f} MB (cap {imports.MAX_MEGABYTES} MB)")

    for attempt in ("first import", "same file again"):
        started = time.perf_counter()
        transfer_import = imports.transfer_import_upload(
            actor=member, workgroup=workgroup, organization=export_of,
            file=SimpleUploadedFile("cad-2024.csv", data, "text/csv"))
        mapping = imports.initial_mapping(transfer_import)
        imports.transfer_import_map(actor=member, transfer_import=transfer_import, mapping=mapping)
        print(f"-- {attempt}: upload + map {time.perf_counter() - started:.2f} s")
        run_job(Job.objects.filter(kind=imports.CHECK_JOB, params__transfer_import_id=transfer_import.pk).get(),
                "check job (parse, fill reasons, report)", rows)
        transfer_import.refresh_from_db()
        summary = transfer_import.summary
        assert summary["problem_count"] == 0, summary["problems"][:3]
        print(f"    new {summary['new']:,}, already recorded {summary['already_recorded']:,}, problems 0")
        job = imports.transfer_import_start(actor=member, transfer_import=transfer_import)
        run_job(job, "import job (parse again, bulk insert, audit)", rows)
        transfer_import.refresh_from_db()
        assert isinstance(transfer_import, TransferImport)
        print(f"    created {transfer_import.transfers_created:,}, already recorded "
              f"{transfer_import.transfers_already_recorded:,}")

    written = (Transfer.objects.filter(workgroup=workgroup).count(),
               AuditEvent.objects.filter(workgroup=workgroup, object_type="triage.transfer").count())
    assert written[0] == rows, written
    print("written: {:,} transfers, {:,} audit events".format(*written))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--throwaway", action="store_true", help="a test database, dropped afterwards")
    args = parser.parse_args()
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-transfer-import-")
    with test_database() if args.throwaway else contextlib.nullcontext():
        bench(args.rows)


if __name__ == "__main__":
    main()
