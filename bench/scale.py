"""Build one large workgroup into a PostgreSQL database of its own, for ``pages_at_scale.py``; prints each part's time.

    .venv/bin/python bench/scale.py --size full     # into bench_scale
    .venv/bin/python bench/scale.py --size small    # into bench_scale_small
    .venv/bin/python bench/scale.py --size full --database-url postgres://postgres@127.0.0.1:5432/bench_scale_x

The database is dropped and created again each run (only names starting with ``bench``) from a migrated
template database, ``bench_scale_template`` (made on the first run and kept), then migrated. One
workgroup (slug ``scale``) gets, at ``full`` size: 2,000 organizations, 10,000 contacts, 100,000 incidents,
1,000,000 transfer records, 500 agreements with 5 versions each and 1,000,000 audit rows sealed onto the
workgroup's hash chain; at ``small`` size 1,000 rows of each list's model (200 agreements × 5 versions = 1,000
versions). Both sizes also get the same few rows the other lists show (40 members, 10 triage protocols,
3 readiness rounds, 30 jobs), and the same people: ``coord@scale.test`` (coordinator), ``qa@scale.test``,
``legal@scale.test`` and a superuser ``admin@scale.test`` with a TOTP device (for the admin). Single process:
COPY for incidents and audit rows, one INSERT … SELECT for transfers, bulk_create for the rest.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

SIZES = {
    "small": {"organizations": 1000, "contacts": 1000, "incidents": 1000, "transfers": 1000, "agreements": 200,
              "versions": 5, "audit": 1000},
    "full": {"organizations": 2000, "contacts": 10_000, "incidents": 100_000, "transfers": 1_000_000,
             "agreements": 500, "versions": 5, "audit": 1_000_000},
}
DATABASES = {"small": "bench_scale_small", "full": "bench_scale"}
SERVER = "postgres://postgres@127.0.0.1:5432"
SLUG = "scale"
TEMPLATE = "bench_scale_template"
ROOT = Path(__file__).resolve().parent.parent
MEMBERS, PROTOCOLS, ROUNDS, JOBS = 40, 10, 3, 30


def database_url(size: str) -> str:
    return f"{SERVER}/{DATABASES[size]}"


def recreate_database(url: str) -> None:
    """Drop the database and create it again from ``bench_scale_template`` (migrated once, then kept and brought
    up to date by the ``migrate`` that follows), which saves the minute a migration from nothing takes."""
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("bench"):
        raise SystemExit(f"Refusing to drop {name!r}: scale databases are named bench…")
    server = psycopg2.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
                              password=parts.password or None, dbname="postgres")
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [TEMPLATE])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{TEMPLATE}"')
            server.close()
            subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], check=True, cwd=ROOT,
                           env={**os.environ, "DJANGO_ENV": "test", "DATABASE_URL": url.replace(name, TEMPLATE)})
            return recreate_database(url)
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    server.close()


@contextmanager
def part(label: str):
    start = time.perf_counter()
    yield
    print(f"  {label:<52} {time.perf_counter() - start:8.1f} s", flush=True)


def _people():
    from django.conf import settings
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from toolkit.tests.factories import UserFactory

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as the tests do: fast
    coordinator = UserFactory(email="coord@scale.test", first_name="Casey", last_name="Coordinator")
    admin = UserFactory(email="admin@scale.test", is_staff=True, is_superuser=True)
    TOTPDevice.objects.create(user=admin, name="bench", confirmed=True)
    return coordinator


def _members(workgroup) -> None:
    from toolkit.models import Membership, Role
    from toolkit.tests.factories import UserFactory

    roles = {"qa@scale.test": Role.QA_REVIEWER, "legal@scale.test": Role.LEGAL_REVIEWER}
    roles |= {f"member{n}@scale.test": (Role.MEMBER, Role.VIEWER)[n % 2] for n in range(MEMBERS - 3)}
    Membership.objects.bulk_create(Membership(user=UserFactory(email=email), workgroup=workgroup, role=role)
                                   for email, role in roles.items())


def _incidents(workgroup, reporter_id: int, organization_ids: list[int], rows: int) -> None:
    """COPY, 10,000 a batch; one every 15 minutes back from now, statuses and classes in turn."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from incidents.models import Category, Harm, Incident, IncidentClass, IncidentStatus, ReferenceCounter
    from toolkit.bulk import copy_create, instance_maker

    new = instance_maker(Incident)
    now = timezone.now()
    classes, categories, harms = IncidentClass.values, Category.values, Harm.values
    statuses = IncidentStatus.values
    for first in range(0, rows, 10_000):
        batch = []
        for n in range(first, min(first + 10_000, rows)):
            occurred = now - timedelta(minutes=15 * n + 1)
            status = statuses[n % len(statuses)]
            batch.append(new(
                workgroup_id=workgroup.pk, reference=f"INC-{occurred.year}-{n + 1:06d}",
                incident_class=classes[n % len(classes)], category=categories[n % len(categories)],
                occurred_at=occurred, discovered_at=occurred + timedelta(minutes=5),
                narrative=f"Transfer {n} was delayed while the call taker confirmed the location.",
                harm_estimate=harms[n % len(harms)], status=status, reported_by_id=reporter_id,
                closed_at=occurred + timedelta(days=3) if status == IncidentStatus.CLOSED else None,
            ))
        with transaction.atomic():
            copy_create(batch)
    Incident.organizations.through.objects.bulk_create(
        (Incident.organizations.through(incident_id=pk, organization_id=organization_ids[i % len(organization_ids)])
         for i, pk in enumerate(Incident.objects.filter(workgroup=workgroup).values_list("pk", flat=True)[:rows])),
        batch_size=5000,
    )
    ReferenceCounter.objects.update_or_create(workgroup=workgroup, year=now.year, defaults={"last": rows})


def _agreements(workgroup, coordinator, organizations: list, count: int, versions: int) -> None:
    """One MOU made through the service (its clauses as a drafter gets them), then ``count`` − 1 more like it
    with ``versions`` versions each, in bulk; every fifth waits for legal review."""
    from agreements import services
    from agreements.models import Agreement, AgreementParty, AgreementStatus, AgreementTemplate, AgreementVersion

    template = AgreementTemplate.objects.get(workgroup=workgroup, key="mou")
    parties = [{"organization": org} for org in organizations[:3]]
    first = services.agreement_create(actor=coordinator, workgroup=workgroup, template=template,
                                      title="Scale MOU 0000", parties=parties)
    v1 = first.versions.get()
    statuses = AgreementStatus.values
    made = Agreement.objects.bulk_create(
        Agreement(workgroup=workgroup, title=f"Scale MOU {n:04d}", template=template,
                  status=AgreementStatus.IN_REVIEW if n % 5 == 0 else statuses[n % len(statuses)],
                  current_version_number=versions)
        for n in range(1, count)
    )
    AgreementVersion.objects.filter(agreement=first).delete()
    Agreement.objects.filter(pk=first.pk).update(current_version_number=versions)
    AgreementParty.objects.bulk_create(
        AgreementParty(agreement=agreement, organization=org, name=org.name, order=i)
        for agreement in made for i, org in enumerate(organizations[:3]))
    AgreementVersion.objects.bulk_create(
        (AgreementVersion(workgroup=workgroup, agreement=agreement, number=number, author=coordinator,
                          change_summary=f"Version {number}", title=agreement.title, variables=v1.variables,
                          clauses=v1.clauses, parties=v1.parties)
         for agreement in [first, *made] for number in range(1, versions + 1)),
        batch_size=500,
    )


def _extras(workgroup, coordinator) -> None:
    """What the other lists show, the same at both sizes: protocols, readiness rounds, jobs."""
    from readiness.tests.factories import RoundFactory
    from toolkit.models import Job, JobStatus
    from triage import services as triage_services

    for n in range(PROTOCOLS):
        triage_services.protocol_create(actor=coordinator, workgroup=workgroup, name=f"Protocol {n:02d}")
    for _ in range(ROUNDS):
        RoundFactory(workgroup=workgroup)
    Job.objects.bulk_create(Job(workgroup=workgroup, kind="partner_map_pdf", status=JobStatus.SUCCEEDED,
                                requested_by=coordinator, progress=100) for _ in range(JOBS))


def build(size: str) -> None:
    from _common import connection
    from _data import fill_audit, insert_transfers, populate_partners
    from django.core.management import call_command

    from partners.models import Organization
    from toolkit.models import JurisdictionType, WorkgroupGoal
    from toolkit.services.workgroups import workgroup_create

    n = SIZES[size]
    with part("migrate"):
        call_command("migrate", verbosity=0)
    with part("people, workgroup and its defaults, members"):
        coordinator = _people()
        workgroup = workgroup_create(actor=coordinator, name="Scale County", slug=SLUG, goal=WorkgroupGoal.values[0],
                                     jurisdiction_type=JurisdictionType.values[0], jurisdiction_name="Scale County")
        _members(workgroup)
    with part(f"{n['organizations']:,} organizations, {n['contacts']:,} contacts, RACI roles"):
        populate_partners(workgroup, organizations=n["organizations"], contacts=n["contacts"])
    organizations = list(Organization.objects.filter(workgroup=workgroup).order_by("pk")[:50])
    ids = [org.pk for org in organizations]
    with part(f"{n['incidents']:,} incidents (COPY)"):
        _incidents(workgroup, coordinator.pk, ids, n["incidents"])
    with part(f"{n['transfers']:,} transfers (INSERT … SELECT)"):
        insert_transfers(workgroup.pk, ids, n["transfers"])
    with part(f"{n['agreements']:,} agreements × {n['versions']} versions"):
        _agreements(workgroup, coordinator, organizations, n["agreements"], n["versions"])
    with part(f"{PROTOCOLS} protocols, {ROUNDS} readiness rounds, {JOBS} jobs"):
        _extras(workgroup, coordinator)
    with part(f"{n['audit']:,} audit rows sealed onto the chain (COPY)"):
        fill_audit(workgroup.pk, coordinator.pk, n["audit"])
    with part("VACUUM ANALYZE"), connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--database-url", help="default: the size's bench_scale… database on 127.0.0.1")
    args = parser.parse_args()
    url = args.database_url or database_url(args.size)
    started = time.perf_counter()
    print(f"scale data, {args.size}: {url}", flush=True)
    with part("drop and create the database (from the migrated template)"):
        recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_ENV", "test")
    build(args.size)
    print(f"  {'total':<52} {time.perf_counter() - started:8.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
