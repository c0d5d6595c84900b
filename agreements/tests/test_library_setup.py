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
terms_migration = importlib.import_module("agreements.migrations.0009_public_sector_clauses")


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


def test_the_0009_migration_adds_the_new_terms_to_older_libraries_without_touching_templates_or_edits(coordinator):
    current = workgroup_create(actor=coordinator, name="Current", jurisdiction_type="city",
                               jurisdiction_name="Current", goal="interoperability")
    older = WorkgroupFactory(slug="older")  # a library from before 0009, with a clause it wrote itself
    new_keys = [spec["key"] for spec in terms_migration.NEW_CLAUSES]
    mou = AgreementTemplate.objects.create(workgroup=older, key="mou", name="Our MOU", kind="mou")
    for order, (key, body) in enumerate([("purpose-scope", "<p>Purpose.</p>"), ("notices", "<p>Ours.</p>"),
                                         ("no-legal-advice", terms_migration.OLD_NO_LEGAL_ADVICE_BODY)]):
        clause = Clause.objects.create(workgroup=older, key=key, title=f"Our {key}", category="scope", body=body)
        TemplateClause.objects.create(template=mou, clause=clause, order=order)
    edited = WorkgroupFactory(slug="edited")
    Clause.objects.create(workgroup=edited, key="no-legal-advice", title="Ours", category="governance",
                          body=terms_migration.OLD_NO_LEGAL_ADVICE_BODY.replace("planning", "our planning"))
    templates_before = _library(older)[1:]
    current_before = _library(current)

    terms_migration.add_new_clauses(apps, None)
    terms_migration.add_new_clauses(apps, None)  # running it again changes nothing

    keys = set(Clause.objects.filter(workgroup=older).values_list("key", flat=True))
    assert set(new_keys) <= keys and set(new_keys) <= set(
        Clause.objects.filter(workgroup=edited).values_list("key", flat=True))
    assert Clause.objects.get(workgroup=older, key="notices").body == "<p>Ours.</p>"  # kept as it was
    assert Clause.objects.get(workgroup=older, key="immunities").guidance.startswith("County, city and state counsel")
    assert _library(older)[1:] == templates_before and _library(current) == current_before
    fixed = Clause.objects.get(workgroup=older, key="no-legal-advice").body
    assert "used by the workgroup [[workgroup.name]]." in fixed and "]] workgroup" not in fixed
    assert "our planning" in Clause.objects.get(workgroup=edited, key="no-legal-advice").body  # an edit stays


def test_the_0009_texts_are_the_default_clauses_word_for_word():
    by_key = {clause.key: clause for clause in defaults.CLAUSES}

    for spec in terms_migration.NEW_CLAUSES:
        clause = by_key[spec["key"]]
        assert spec == {"key": clause.key, "title": clause.title, "category": clause.category, "body": clause.body,
                        "guidance": clause.guidance, "condition": clause.condition}, spec["key"]
