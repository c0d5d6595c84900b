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
from _data import fill_audit
from django.test import Client
from django.utils import timezone


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
        fill_audit(workgroup.pk, coordinator.pk, args.rows)
        fill_audit(other.pk, coordinator.pk, 50_000)

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
