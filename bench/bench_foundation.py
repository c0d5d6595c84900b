"""Measure the foundation's hot paths and print figures (no pass/fail).

    DJANGO_ENV=test .venv/bin/python bench/bench_foundation.py [--iterations 30]

Runs against a throw-away test database on whatever DATABASE_URL points at
(SQLite by default). Prints median and p95 wall time and the query count for:
the dashboard, the audit trail with 600 history rows, the members page, and
rendering the workgroup summary PDF.
"""

from __future__ import annotations

import argparse
import io

from _common import connection, measure, test_database
from django.test import Client


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=30)
    args = parser.parse_args()

    with test_database():
        from toolkit import services
        from toolkit.models import Job, Membership, Role
        from toolkit.reports import run_workgroup_summary
        from toolkit.tests.factories import MembershipFactory, UserFactory, WorkgroupFactory

        workgroup = WorkgroupFactory(name="Bench County", slug="bench")
        coordinator = UserFactory(email="coord@bench.test")
        MembershipFactory(user=coordinator, workgroup=workgroup, role=Role.COORDINATOR)
        people = [UserFactory() for _ in range(40)]
        for user in people:
            MembershipFactory(user=user, workgroup=workgroup, role=Role.MEMBER)
        # 600 audit rows: role changes back and forth.
        memberships = list(Membership.objects.filter(workgroup=workgroup, role=Role.MEMBER))
        for i in range(300):
            m = memberships[i % len(memberships)]
            services.membership_change_role(actor=coordinator, membership=m, role=Role.VIEWER)
            services.membership_change_role(actor=coordinator, membership=m, role=Role.MEMBER)

        client = Client()
        client.force_login(coordinator)
        print(f"database: {connection.vendor}, {args.iterations} iterations each")
        measure("GET dashboard", lambda: client.get("/w/bench/"), args.iterations)
        measure("GET members (41 people)", lambda: client.get("/w/bench/members/"), args.iterations)
        measure("GET audit trail (newest 50 of 640)", lambda: client.get("/w/bench/audit/"), args.iterations)
        job = Job(workgroup=workgroup, kind="workgroup_summary_pdf", requested_by=coordinator)
        measure(
            "render workgroup summary PDF",
            lambda: run_workgroup_summary(job=job, set_progress=lambda p: None, output=io.BytesIO()),
            max(3, args.iterations // 5),
        )


if __name__ == "__main__":
    main()
