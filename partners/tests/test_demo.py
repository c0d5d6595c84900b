"""The demo county's partner map: realistic size, spread across sectors, and safe to seed twice."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from partners.models import Contact, Organization, RaciAssignment, Sector
from partners.selectors import coverage, raci_rows
from toolkit.models import Workgroup


def _counts() -> tuple[int, int, int, int]:
    return (Organization.objects.count(), Contact.objects.count(), RaciAssignment.objects.count(),
            Organization.history.count())


def test_seed_demo_builds_a_realistic_county_partner_map_once(db):
    call_command("seed_demo", stdout=StringIO())
    first = _counts()
    call_command("seed_demo", stdout=StringIO())

    county = Workgroup.objects.get(slug="riverbend-county")
    assert _counts() == first
    assert 15 <= Organization.objects.filter(workgroup=county).count() <= 25
    assert Contact.objects.filter(workgroup=county).count() >= 15
    assert Sector.objects.filter(workgroup=county, organizations__isnull=False).distinct().count() >= 12
    cover = coverage(workgroup=county)
    assert 8 <= cover.core_covered < 11  # deliberately one gap for the demo to show
    rows = raci_rows(workgroup=county)
    assert sum(1 for row in rows if row.problems) >= 1  # and one RACI problem to fix
    assert sum(1 for row in rows if not row.problems) >= 7
