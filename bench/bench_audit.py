"""The audit trail at 1,000,000 rows: page times and query counts (prints figures, no pass/fail).

    DJANGO_ENV=test DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_audit.py \
        [--rows 1000000] [--iterations 20]

Fills one workgroup's audit table with ``--rows`` events spread over a year (in bulk, with COPY on
PostgreSQL), plus 50,000 in a second workgroup, then times the audit page: the newest page, a page
deep in the past (by its keyset cursor), and the page filtered by kind of record, by person and by dates.
The rows are sealed onto the hash chain as imports seal them (the fill's rate is the bulk path's cost); then
it times single appends (record_access: lock, head, insert) and verify_audit_chain over the big chain.
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta

from _common import connection, measure, test_database
from django.test import Client
from django.utils import timezone


def _fill(workgroup_id: int, actor_id: int, rows: int) -> None:
    """The rows go in as imports write them: sealed onto the workgroup's hash chain, then COPY (bulk_create on
    SQLite), 5,000 a transaction."""
    from django.db import transaction

    from toolkit import audit_chain
    from toolkit.bulk import copy_create, instance_maker
    from toolkit.models import AuditEvent

    new_event = instance_maker(AuditEvent)
    now = timezone.now()
    start, sealing = time.perf_counter(), 0.0
    for first in range(1, rows + 1, 5000):
        batch = [
            new_event(
                workgroup_id=workgroup_id, occurred_at=now - timedelta(seconds=31 * n),
                actor_id=actor_id if n % 3 == 0 else None, actor_name="Bench person",
                action=("created", "changed", "deleted")[n % 3],
                object_type=("partners.organization", "partners.contact", "agreements.agreement", "triage.node")[n % 4],
                object_label="Record", object_id=str(n), object_repr=f"Record {n}",
                changes=[{"field": "name", "old": "a", "new": "b"}],
            )
            for n in range(first, min(first + 5000, rows + 1))
        ]
        with transaction.atomic():
            sealed_at = time.perf_counter()
            audit_chain.seal(batch, using="default")
            sealing += time.perf_counter() - sealed_at
            copy_create(batch)
    elapsed = time.perf_counter() - start
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE toolkit_auditevent")
    print(f"filled {rows:,} audit rows in {elapsed:.1f} s ({rows / elapsed:,.0f} rows/s), of which sealing them onto "
          f"the chain (lock, head, JSON and SHA-256 per row) {sealing:.1f} s ({sealing / rows * 1e6:.1f} µs a row)")


def _appends(workgroup, coordinator, n: int) -> None:
    """One row at a time, as a view recording an access does: the chain's lock, its head, the insert."""
    from django.db import transaction

    from toolkit.audit import record_access
    from toolkit.models import AuditAction

    def one() -> None:
        with transaction.atomic():
            record_access(actor=coordinator, obj=workgroup, action=AuditAction.VIEWED, workgroup_id=workgroup.pk)

    measure("record_access, one row in its own transaction", one, n)

    # The same insert without the chain (a dummy position and hash, in a workgroup of its own): the chain's cost.
    from itertools import count

    from django.db import models

    from toolkit.models import AuditEvent
    from toolkit.tests.factories import WorkgroupFactory

    baseline, positions = WorkgroupFactory(slug="baseline"), count(1_000_000)

    def unchained() -> None:
        with transaction.atomic():
            event = AuditEvent(workgroup=baseline, actor=coordinator, actor_name="Bench person", action="viewed",
                               object_type="toolkit.workgroup", object_label="Workgroup", object_id="1",
                               object_repr="Bench", seq=next(positions), row_hash="0" * 64)
            models.Model.save(event, force_insert=True)

    measure("the same insert without the chain", unchained, n)


def _verify(slug: str) -> None:
    import io

    from django.core.management import call_command

    start = time.perf_counter()
    out = io.StringIO()
    call_command("verify_audit_chain", "--workgroup", slug, stdout=out)
    print(f"verify_audit_chain --workgroup {slug}: {time.perf_counter() - start:.1f} s; "
          f"{out.getvalue().strip().splitlines()[-1]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--iterations", type=int, default=20)
    args = parser.parse_args()

    with test_database():
        from toolkit.models import AuditEvent, Role
        from toolkit.pagination import _encode
        from toolkit.tests.factories import MembershipFactory, UserFactory, WorkgroupFactory

        workgroup = WorkgroupFactory(name="Bench County", slug="bench")
        other = WorkgroupFactory(name="Other County", slug="other")
        coordinator = UserFactory(email="coord@bench.test")
        MembershipFactory(user=coordinator, workgroup=workgroup, role=Role.COORDINATOR)
        _fill(workgroup.pk, coordinator.pk, args.rows)
        _fill(other.pk, coordinator.pk, 50_000)

        # The cursor the "Older" link carries on a page 90 % of the way down the trail.
        ninety = AuditEvent.objects.filter(workgroup=workgroup).order_by("-occurred_at", "-id")[int(args.rows * 0.9)]
        cursor = _encode([ninety.occurred_at, ninety.pk])

        client = Client()
        client.force_login(coordinator)
        day = (timezone.localdate() - timedelta(days=100)).isoformat()
        n = args.iterations
        print(f"database: {connection.vendor}, {args.rows:,} events in the workgroup, {n} iterations each")
        measure("GET audit trail, newest page", lambda: client.get("/w/bench/audit/"), n)
        measure("GET audit trail, 90 % deep (keyset)", lambda: client.get(f"/w/bench/audit/?after={cursor}"), n)
        measure("GET audit, one kind of record",
                lambda: client.get("/w/bench/audit/?object_type=agreements.agreement"), n)
        measure("GET audit, one person", lambda: client.get(f"/w/bench/audit/?actor={coordinator.pk}"), n)
        measure("GET audit, one day 100 days ago",
                lambda: client.get(f"/w/bench/audit/?since={day}&until={day}"), n)
        _appends(workgroup, coordinator, 200)
        _verify("bench")


if __name__ == "__main__":
    main()
