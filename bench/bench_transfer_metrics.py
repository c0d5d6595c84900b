"""Transfer metrics and the transfer list over 1,000,000 transfers in PostgreSQL.

Run against a migrated PostgreSQL database (it writes into it; not a test database, so the rows stay for reruns):

    createdb -h 127.0.0.1 -U postgres main_tmetrics_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/main_tmetrics_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/main_tmetrics_bench .venv/bin/python bench/bench_transfer_metrics.py

Rows go in with one INSERT … SELECT over generate_series (two years of transfers, one every 63 seconds). It times
``metric_summary`` over 12 months and over one month, the page's breakdowns, and the list's first and a deep keyset
page, and prints the plans' index use (EXPLAIN).
"""

from __future__ import annotations

import argparse
import sys
import time

from _common import connection, measure
from _data import insert_transfers
from django.test.utils import CaptureQueriesContext

ROWS = 1_000_000
SLUG = "bench-transfers"


def _setup(rows: int):
    from partners.tests.factories import OrganizationFactory
    from toolkit.models import Workgroup
    from toolkit.tests.factories import WorkgroupFactory
    from triage.models import Transfer

    workgroup = Workgroup.objects.filter(slug=SLUG).first() or WorkgroupFactory(slug=SLUG, name="Bench transfers")
    have = Transfer.objects.filter(workgroup=workgroup).count()
    if have >= rows:
        print(f"{have:,} transfers already in {SLUG}")
        return workgroup
    organizations = [OrganizationFactory(workgroup=workgroup).pk for _ in range(10)]
    started = time.perf_counter()
    insert_transfers(workgroup.pk, organizations, rows - have)
    print(f"inserted {rows - have:,} transfers in {time.perf_counter() - started:.1f} s")
    return workgroup


def _explain(label: str, fn) -> None:
    """The plan of each query ``fn`` runs, reduced to the scans it uses."""
    with CaptureQueriesContext(connection) as ctx:
        fn()
    for query in ctx.captured_queries:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + query["sql"])
            plan = [row[0] for row in cursor.fetchall()]
        scans = sorted({line.strip().split(" on ")[0].lstrip("-> ").strip() + " on " +
                        line.split(" on ")[1].split()[0] for line in plan if " on " in line and "Scan" in line})
        uses_index = any("Index" in s for s in scans)
        print(f"  EXPLAIN {label:<30} {'index' if uses_index else 'NO INDEX':<8} {'; '.join(scans)}")
        if not uses_index:
            # Expected when the period holds a large share of the table (12 of these 24 months: ~47%): reading it
            # all in order is then cheaper than the index, and PostgreSQL's planner says so.
            print("    (a large share of the rows: a sequential scan is the planner's cheaper choice here)")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--iterations", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("Set DATABASE_URL to a migrated PostgreSQL database.")
        return 2

    from django.utils import timezone

    from toolkit.pagination import _encode, keyset_page
    from triage.models import Transfer
    from triage.transfers import metrics

    workgroup = _setup(args.rows)
    this_month = timezone.localdate().replace(day=1)
    start12, end = metrics.day_start(metrics.add_months(this_month, -11)), metrics.month_bounds(this_month)[1]
    start1 = metrics.month_bounds(metrics.add_months(this_month, -1))[0]
    end1 = metrics.month_bounds(metrics.add_months(this_month, -1))[1]
    transfers = Transfer.objects.filter(workgroup=workgroup)
    deep = transfers.order_by("-initiated_at", "-id").values_list("initiated_at", "id")[args.rows * 9 // 10]
    cursor = _encode(list(deep))

    def summary12():
        return metrics.metric_summary(workgroup=workgroup, start=start12, end=end)

    def summary1():
        return metrics.metric_summary(workgroup=workgroup, start=start1, end=end1)

    def breakdowns12():
        population = metrics.transfers_in(workgroup=workgroup, start=start12, end=end)
        metrics.volume_by_month(population, months=metrics.months_between(start12, end))
        metrics.risk_level_shares(population)
        metrics.protocol_version_counts(population)

    def first_page():
        return keyset_page(transfers, keys=("-initiated_at", "-id"))

    def deep_page():
        return keyset_page(transfers, keys=("-initiated_at", "-id"), after=cursor)

    print(f"12 months: {metrics.transfers_in(workgroup=workgroup, start=start12, end=end).count():,} transfers")
    measure("metric_summary, 12 months", summary12, args.iterations)
    measure("metric_summary, 1 month", summary1, args.iterations)
    measure("breakdowns (month×direction, risk, version), 12 m", breakdowns12, args.iterations)
    measure("list: first keyset page", first_page, args.iterations)
    measure("list: keyset page 90% deep", deep_page, args.iterations)
    _explain("metric_summary 12 months", summary12)
    _explain("metric_summary 1 month", summary1)
    _explain("list first page", first_page)
    _explain("list deep page", deep_page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
