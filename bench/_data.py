"""Rows in bulk for the bench scripts: partners, transfers, audit events (shared by ``bench_partners.py``,
``bench_transfer_metrics.py``, ``bench_audit.py`` and ``scale.py``). Import after ``_common`` (Django set up)."""

from __future__ import annotations

import time
from datetime import timedelta

from _common import connection
from django.utils import timezone

STATUSES = ("engaged", "champion", "invited", "identified", "engaged", "inactive")
ENGAGEMENT = ("unaware", "resistant", "neutral", "supportive", "leading")


def populate_partners(workgroup, *, organizations: int, contacts: int) -> tuple[int, int]:
    """Bulk rows: ``organizations`` organizations, ``contacts`` contacts (500 of them on the last organization),
    each organization holding a role in three RACI functions. Returns the first and the last organization's id.
    Sectors and functions must exist (``partners.services.partner_map_create_defaults``)."""
    from partners.models import Contact, InteropFunction, Organization, RaciAssignment, Sector

    sectors = list(Sector.objects.filter(workgroup=workgroup))
    functions = list(InteropFunction.objects.filter(workgroup=workgroup))
    orgs = Organization.objects.bulk_create(
        (Organization(
            workgroup=workgroup, name=f"Organization {n:05d}", sector=sectors[n % len(sectors)], org_type="provider",
            jurisdiction=f"County {n % 40}", engagement_status=STATUSES[n % len(STATUSES)],
            influence=1 + n % 5, interest=1 + (n // 5) % 5, impact=1 + (n // 25) % 5,
            current_engagement=ENGAGEMENT[n % 5], desired_engagement=ENGAGEMENT[(n // 3) % 5],
        ) for n in range(organizations)),
        batch_size=2000,
    )
    big = min(500, contacts // 2)
    spread = contacts - big
    rows = []
    for n in range(spread):
        org = orgs[n % (len(orgs) - 1)] if len(orgs) > 1 else orgs[0]
        rows.append(Contact(workgroup=workgroup, organization=org, name=f"Person {n:05d} Example",
                            title="Director", email=f"person{n}@partner.test", is_primary=n < len(orgs) - 1))
    rows += [Contact(workgroup=workgroup, organization=orgs[-1], name=f"Staff {n:04d}", email=f"staff{n}@big.test")
             for n in range(big)]
    Contact.objects.bulk_create(rows, batch_size=2000)
    RaciAssignment.objects.bulk_create(
        (RaciAssignment(workgroup=workgroup, function=functions[(n + k) % len(functions)], organization=org,
                        role="ARCI"[(n + k) % 4])
         for n, org in enumerate(orgs) for k in range(3)),
        batch_size=2000,
    )
    return orgs[0].pk, orgs[-1].pk


TRANSFER_INSERT = """
INSERT INTO triage_transfer (created_at, updated_at, direction, partner_call_id, call_received_at, initiated_at,
    accepted_at, kind,
    consent, result, route, risk_level_name, follow_up_due_at, follow_up_done_at, follow_up_outcome, source,
    sending_organization_id, receiving_organization_id, workgroup_id)
SELECT now(), now(), (ARRAY['911_to_988','988_to_911','988_to_mobile','911_to_mobile','911_to_co_response','other'])
         [1 + g %% 6],
       '', CASE WHEN g %% 3 = 0 THEN t.at - make_interval(secs => 30 + g %% 600) END, t.at,
       CASE WHEN g %% 5 IN (0, 4) THEN t.at + make_interval(secs => 10 + g %% 120) END,
       CASE WHEN g %% 7 = 0 THEN 'cold' ELSE 'warm' END, '',
       (ARRAY['accepted','refused','dropped','caller_disconnected','returned'])[1 + g %% 5], '',
       (ARRAY['Imminent','High','Moderate','Low',''])[1 + (g / 7) %% 5],
       CASE WHEN g %% 2 = 0 THEN t.at + interval '72 hours' END,
       CASE WHEN g %% 4 = 0 THEN t.at + make_interval(hours => g %% 100) END,
       CASE WHEN g %% 4 = 0 THEN 'reached_safe' ELSE '' END, 'import',
       (%(orgs)s)[1 + g %% %(n_orgs)s], (%(orgs)s)[1 + (g + 1) %% %(n_orgs)s], %(workgroup)s
FROM generate_series(1, %(rows)s) AS g, LATERAL (SELECT now() - g * %(every)s * interval '1 second' AS at) AS t
"""


def insert_transfers(workgroup_id: int, organization_ids: list[int], rows: int, *, every_seconds: int = 63) -> None:
    """``rows`` transfers (PostgreSQL only), one every ``every_seconds`` back from now, with one INSERT … SELECT
    over generate_series, between the given organizations in turn."""
    with connection.cursor() as cursor:
        cursor.execute(TRANSFER_INSERT, {"orgs": organization_ids, "n_orgs": len(organization_ids),
                                         "workgroup": workgroup_id, "rows": rows, "every": every_seconds})
        cursor.execute("ANALYZE triage_transfer")


def fill_audit(workgroup_id: int, actor_id: int, rows: int, *, every_seconds: int = 31) -> None:
    """The rows go in as imports write them: sealed onto the workgroup's hash chain, then COPY (bulk_create on
    SQLite), 5,000 a transaction. Prints the rate and the share of it spent sealing."""
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
                workgroup_id=workgroup_id, occurred_at=now - timedelta(seconds=every_seconds * n),
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
