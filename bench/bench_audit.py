"""The audit trail at 1,000,000 rows: page times and query counts (prints figures, no pass/fail).

    DJANGO_ENV=test DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_audit.py \
        [--rows 1000000] [--iterations 20]

Fills one workgroup's audit table with ``--rows`` events spread over a year (in bulk, with SQL on
PostgreSQL), plus 50,000 in a second workgroup, then times the audit page: the newest page, a page
deep in the past (by its keyset cursor), and the page filtered by kind of record, by person and by dates.
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta

from _common import connection, measure, test_database
from django.test import Client
from django.utils import timezone


def _fill(workgroup_id: int, actor_id: int, rows: int) -> None:
    start = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO toolkit_auditevent (workgroup_id, occurred_at, actor_id, actor_name, action, object_type,
                                                object_label, object_id, object_repr, changes)
                SELECT %s, now() - (n * interval '31 seconds'),
                       CASE WHEN n %% 3 = 0 THEN %s ELSE NULL END, 'Bench person',
                       (ARRAY['created','changed','deleted'])[1 + n %% 3],
                       (ARRAY['partners.organization','partners.contact','agreements.agreement',
                              'triage.node'])[1 + n %% 4],
                       'Record', n::text, 'Record ' || n, '[{"field": "name", "old": "a", "new": "b"}]'::jsonb
                FROM generate_series(1, %s) AS n
                """,
                [workgroup_id, actor_id, rows],
            )
            cursor.execute("ANALYZE toolkit_auditevent")
    else:
        from toolkit.models import AuditEvent

        now = timezone.now()
        batch = []
        for n in range(1, rows + 1):
            batch.append(AuditEvent(
                workgroup_id=workgroup_id, occurred_at=now - timedelta(seconds=31 * n),
                actor_id=actor_id if n % 3 == 0 else None, actor_name="Bench person",
                action=("created", "changed", "deleted")[n % 3],
                object_type=("partners.organization", "partners.contact", "agreements.agreement", "triage.node")[n % 4],
                object_label="Record", object_id=str(n), object_repr=f"Record {n}",
                changes=[{"field": "name", "old": "a", "new": "b"}],
            ))
            if len(batch) == 5000:
                AuditEvent.objects.bulk_create(batch)
                batch = []
        AuditEvent.objects.bulk_create(batch)
    print(f"filled {rows:,} audit rows in {time.perf_counter() - start:.1f} s")


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


if __name__ == "__main__":
    main()
