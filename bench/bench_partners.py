"""Measure the partner map's pages, exports and PDF at a given size; prints queries, time and HTML size per page.

    DJANGO_ENV=test .venv/bin/python bench/bench_partners.py [--organizations 200] [--contacts 600] [--iterations 10]
    DJANGO_ENV=test DATABASE_URL=postgres://… .venv/bin/python bench/bench_partners.py --organizations 2000 \
        --contacts 10000 --iterations 5 --pdf

A throw-away test database on whatever DATABASE_URL points at (SQLite by default). Rows are written in
bulk (no history), spread over sectors, statuses and quadrants; every organization holds a role in
three of the nine RACI functions, and one organization has 500 contacts (its page is measured too).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from _common import connection, test_database
from _data import populate_partners
from django.test import Client
from django.test.utils import CaptureQueriesContext


def measure(label: str, fn, iterations: int) -> None:
    """Median and p95 time, queries and response size of ``fn`` (a request), after one warm-up."""
    fn()
    times, queries, size = [], 0, 0
    for _ in range(iterations):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = fn()
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code in (200, 302), (label, response.status_code)
        queries = len(ctx.captured_queries)
        size = len(b"".join(response.streaming_content) if response.streaming else response.content)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"{label:<44} median {statistics.median(times):8.1f} ms   p95 {p95:8.1f} ms   {queries:4d} queries"
          f"   {size / 1024:8.1f} KB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--organizations", type=int, default=200)
    parser.add_argument("--contacts", type=int, default=600)
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--pdf", action="store_true", help="also build the partner map PDF once (slow at size)")
    args = parser.parse_args()

    with test_database():
        from partners import directory_io, services
        from partners.models import InteropFunction, Sector
        from partners.reports import PARTNER_MAP_PDF, run_partner_map_pdf
        from partners.selectors import dashboard_card
        from toolkit.models import Job, Membership, Role
        from toolkit.tests.factories import MembershipFactory, UserFactory, WorkgroupFactory

        workgroup = WorkgroupFactory(name="Bench County", slug="bench")
        coordinator = UserFactory(email="coord@bench.test")
        MembershipFactory(user=coordinator, workgroup=workgroup, role=Role.COORDINATOR)
        services.partner_map_create_defaults(workgroup=workgroup)
        first, biggest = populate_partners(workgroup, organizations=args.organizations, contacts=args.contacts)
        function = InteropFunction.objects.filter(workgroup=workgroup).first()
        sector = Sector.objects.filter(workgroup=workgroup, key="911-psap").first()
        client = Client()
        client.force_login(coordinator)
        base = "/w/bench/partners"
        print(f"database: {connection.vendor}; {args.organizations} organizations, {args.contacts} contacts "
              f"(one organization has {min(500, args.contacts // 2)})")
        n = args.iterations
        pages = [
            ("GET partner map (index)", ""),
            ("GET directory, page 1", "organizations/"),
            ("GET directory, page 40", "organizations/?page=40"),
            ("GET directory, 5-word search", "organizations/?q=organization+0+person+example+director"),
            ("GET directory, sector + status", f"organizations/?sector={sector.pk}&status=engaged"),
            ("GET organization (5 contacts)", f"organizations/{first}/"),
            ("GET organization (500 contacts)", f"organizations/{biggest}/"),
            ("GET edit organization", f"organizations/{first}/edit/"),
            ("GET coverage", "coverage/"),
            ("GET power-interest grid", "grid/"),
            ("GET grid, one quadrant, page 10", "grid/?quadrant=monitor&page=10"),
            ("GET grid.svg", "grid.svg"),
            ("GET RACI matrix", "raci/"),
            ("GET RACI matrix, one sector", f"raci/?sector={sector.pk}"),
            ("GET sectors", "sectors/"),
            ("GET export.csv", "export.csv"),
        ]
        for label, path in pages:
            measure(label, lambda path=path: client.get(f"{base}/{path}"), n)
        measure("POST RACI cell (htmx)", lambda: client.post(
            f"{base}/raci/cell/", {"function": function.pk, "organization": first, "role": "R"},
            HTTP_HX_REQUEST="true"), n)
        measure("GET dashboard (every app's card)", lambda: client.get("/w/bench/"), n)
        membership = Membership.objects.select_related("workgroup").get(user=coordinator, workgroup=workgroup)
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            dashboard_card(workgroup=workgroup, membership=membership)
            elapsed = (time.perf_counter() - start) * 1000
        print(f"{'partners dashboard card':<44} {elapsed:8.1f} ms   {len(ctx.captured_queries)} queries")
        start = time.perf_counter()
        exported = directory_io.export_directory_csv(workgroup=workgroup)
        print(f"{'export_directory_csv':<44} {(time.perf_counter() - start) * 1000:8.1f} ms   "
              f"{len(exported.encode()) / 1024:8.1f} KB")
        if args.pdf:
            job = Job.objects.create(workgroup=workgroup, kind=PARTNER_MAP_PDF, requested_by=coordinator)
            with tempfile.TemporaryFile() as output, CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                run_partner_map_pdf(job=job, set_progress=lambda percent: None, output=output)
                elapsed = time.perf_counter() - start
                size = output.tell()
            print(f"{'partner map PDF job':<44} {elapsed:8.1f} s    {len(ctx.captured_queries):4d} queries"
                  f"   {size / 1024:8.1f} KB")


if __name__ == "__main__":
    main()
