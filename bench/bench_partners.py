"""Measure the partner map's pages, export and import at a large county's size; prints figures.

    DJANGO_ENV=test .venv/bin/python bench/bench_partners.py [--organizations 200] [--iterations 10]

A throw-away test database on whatever DATABASE_URL points at (SQLite by default).
"""

from __future__ import annotations

import argparse

from _common import connection, measure, test_database
from django.test import Client


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--organizations", type=int, default=200)
    parser.add_argument("--iterations", type=int, default=10)
    args = parser.parse_args()

    with test_database():
        from partners import directory_io, services
        from partners.models import InteropFunction, Sector
        from partners.tests.factories import ContactFactory, OrganizationFactory
        from toolkit.models import Role
        from toolkit.tests.factories import MembershipFactory, UserFactory, WorkgroupFactory

        workgroup = WorkgroupFactory(name="Bench County", slug="bench")
        empty = WorkgroupFactory(name="Empty County", slug="empty")
        coordinator = UserFactory(email="coord@bench.test")
        for wg in (workgroup, empty):
            MembershipFactory(user=coordinator, workgroup=wg, role=Role.COORDINATOR)
            services.partner_map_create_defaults(workgroup=wg)
        sectors = list(Sector.objects.filter(workgroup=workgroup))
        functions = list(InteropFunction.objects.filter(workgroup=workgroup))
        for n in range(args.organizations):
            org = OrganizationFactory(workgroup=workgroup, name=f"Organization {n:04d}", sector=sectors[n % 22],
                                      influence=1 + n % 5, interest=1 + (n // 5) % 5)
            for _ in range(3):
                ContactFactory(organization=org)
            if n < 25:
                services.raci_set(actor=coordinator, function=functions[n % 9], organization=org, role="RACI"[n % 4])
        contacts = args.organizations * 3
        client = Client()
        client.force_login(coordinator)
        base = "/w/bench/partners"
        print(f"database: {connection.vendor}; {args.organizations} organizations, {contacts} contacts")
        n = args.iterations
        measure("GET directory, page 1", lambda: client.get(f"{base}/organizations/"), n)
        measure("GET directory, 5-word search", lambda: client.get(f"{base}/organizations/",
                                                                   {"q": "organization 0 person example test"}), n)
        measure("GET coverage", lambda: client.get(f"{base}/coverage/"), n)
        measure("GET power-interest grid (SVG inline)", lambda: client.get(f"{base}/grid/"), n)
        measure("GET RACI matrix", lambda: client.get(f"{base}/raci/"), n)
        measure("GET export.csv", lambda: client.get(f"{base}/export.csv"), n)
        exported = directory_io.export_directory_csv(workgroup=workgroup).encode()
        measure(f"parse {len(exported) // 1024} KB CSV for the preview",
                lambda: directory_io.parse_directory_csv(workgroup=empty, data=exported), n)


if __name__ == "__main__":
    main()
