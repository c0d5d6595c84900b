"""The clause library is made with the workgroup, and by a migration for older ones; pages never make it."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements import defaults, services
from agreements.models import AgreementTemplate, Clause, TemplateClause, TemplateVariable
from toolkit.services import workgroup_create
from toolkit.tests.factories import WorkgroupFactory

pytestmark = pytest.mark.django_db

BASE = "/w/riverbend/agreements"
PAGES = ["", "new/", "library/"]
library_migration = importlib.import_module("agreements.migrations.0004_library_for_existing_workgroups")


def _library(workgroup) -> tuple[int, int, int, int]:
    return (Clause.objects.filter(workgroup=workgroup).count(),
            AgreementTemplate.objects.filter(workgroup=workgroup).count(),
            TemplateClause.objects.filter(template__workgroup=workgroup).count(),
            TemplateVariable.objects.filter(template__workgroup=workgroup).count())


def _full_library() -> tuple[int, int, int, int]:
    return (len(defaults.CLAUSES), len(defaults.TEMPLATES), sum(len(t.clauses) for t in defaults.TEMPLATES),
            sum(len(t.variables) for t in defaults.TEMPLATES))


def test_a_new_workgroup_starts_with_the_whole_library(coordinator):
    workgroup = workgroup_create(actor=coordinator, name="Lakeshore", jurisdiction_type="city",
                                 jurisdiction_name="Lakeshore", goal="interoperability")

    assert _library(workgroup) == _full_library()


@pytest.mark.parametrize("page", PAGES)
def test_the_agreement_pages_write_nothing(client, workgroup, coordinator, page):
    client.force_login(coordinator)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{BASE}/{page}")

    assert response.status_code == 200
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == [] and _library(workgroup) == (0, 0, 0, 0)


def test_a_template_the_coordinator_deleted_stays_deleted(client, workgroup, coordinator):
    services.library_ensure_defaults(workgroup=workgroup)
    for template in AgreementTemplate.objects.filter(workgroup=workgroup):
        services.template_delete(actor=coordinator, template=template)
    clauses = Clause.objects.filter(workgroup=workgroup).count()
    client.force_login(coordinator)

    for page in PAGES:
        assert client.get(f"{BASE}/{page}").status_code == 200

    assert not AgreementTemplate.objects.filter(workgroup=workgroup).exists()
    assert Clause.objects.filter(workgroup=workgroup).count() == clauses
    assert "This workgroup has no template yet." in client.get(f"{BASE}/new/").content.decode()


def test_the_migration_gives_older_workgroups_the_library_once_and_leaves_the_others_alone(coordinator):
    older = WorkgroupFactory(slug="older")
    Clause.objects.create(workgroup=older, key="purpose-scope", title="Our own purpose", category="scope",
                          body="<p>x</p>")
    current = workgroup_create(actor=coordinator, name="Current", jurisdiction_type="city",
                               jurisdiction_name="Current", goal="interoperability")
    AgreementTemplate.objects.filter(workgroup=current, kind="moa").delete()  # a coordinator's choice
    before = _library(current)

    library_migration.create_missing_library(apps, None)
    library_migration.create_missing_library(apps, None)  # running it again changes nothing

    assert _library(older) == _full_library()
    assert Clause.objects.get(workgroup=older, key="purpose-scope").title == "Our own purpose"  # kept as it was
    assert _library(current) == before
    mou = AgreementTemplate.objects.get(workgroup=older, kind="mou")
    keys = [tc.clause.key for tc in mou.template_clauses.select_related("clause")]
    assert keys == list(defaults.TEMPLATES[0].clauses)
