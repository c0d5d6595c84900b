"""Migration 0011 brings the default templates of older workgroups up to date, and only the ones nobody changed."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from agreements import defaults, services
from agreements.models import AgreementTemplate, Clause, TemplateClause, TemplateVariable
from agreements.sanitize import clean_html
from agreements.selectors import render_version
from partners.tests.factories import OrganizationFactory
from toolkit.tests.factories import WorkgroupFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("agreements.migrations.0011_default_templates_for_existing_workgroups")
terms_migration = importlib.import_module("agreements.migrations.0009_public_sector_clauses")

TEMPLATES = {template.key: template for template in defaults.TEMPLATES}
CLAUSES = {clause.key: clause for clause in defaults.CLAUSES}
# How many variables each template had before the public-sector terms (they were the first ones of today's lists).
OLD_VARIABLE_COUNT = {"mou": 6, "moa": 7, "data-sharing": 6, "service": 9, "mutual-aid": 5}


def _older_library(workgroup) -> None:
    """A library as it stood after 0009: the new clauses are in it, the templates and two texts are as delivered."""
    services.library_ensure_defaults(workgroup=workgroup)
    Clause.objects.create(workgroup=workgroup, key="no-legal-advice", title="Not Legal Advice; Review by Counsel",
                          category="governance", body=terms_migration.FIXED_NO_LEGAL_ADVICE_BODY)
    for key, change in migration.CLAUSE_UPDATES.items():
        Clause.objects.filter(workgroup=workgroup, key=key).update(body=change["old_body"],
                                                                   guidance=change["old_guidance"])
    clauses = {clause.key: clause for clause in Clause.objects.filter(workgroup=workgroup)}
    for template in AgreementTemplate.objects.filter(workgroup=workgroup):
        template.template_clauses.all().delete()
        TemplateClause.objects.bulk_create(
            TemplateClause(template=template, clause=clauses[key], order=order)
            for order, key in enumerate(migration.OLD_TEMPLATE_CLAUSES[template.key]))
        template.variables.filter(order__gte=OLD_VARIABLE_COUNT[template.key]).delete()
        template.description = migration.OLD_DESCRIPTIONS.get(template.key, template.description)
        template.save()


def _keys(template: AgreementTemplate) -> list[str]:
    return [tc.clause.key for tc in template.template_clauses.select_related("clause")]


def _state(workgroup) -> tuple:
    templates = {t.key: (_keys(t), [(v.name, v.order, v.default) for v in t.variables.all()], t.description)
                 for t in AgreementTemplate.objects.filter(workgroup=workgroup)}
    return templates, dict(Clause.objects.filter(workgroup=workgroup).values_list("key", "body"))


def _migrate() -> None:
    migration.update_default_templates(apps, None)


def _draft(workgroup, coordinator, template_key: str):
    template = AgreementTemplate.objects.get(workgroup=workgroup, key=template_key)
    parties = [{"organization": OrganizationFactory(workgroup=workgroup, name="Riverbend Crisis Line (988)"),
                "is_substance_use_provider": True},
               {"organization": OrganizationFactory(workgroup=workgroup, name="Riverbend County 911")}]
    return services.agreement_create(actor=coordinator, workgroup=workgroup, template=template,
                                     title=f"Riverbend {template.name}", parties=parties,
                                     variables={"effective_date": "2027-05-01"})


def test_the_frozen_texts_are_what_a_new_workgroup_gets_today():
    assert {key: list(t.clauses) for key, t in TEMPLATES.items()} == migration.NEW_TEMPLATE_CLAUSES
    assert {key: [v["name"] for v in variables] for key, variables in migration.NEW_TEMPLATE_VARIABLES.items()} == {
        key: [v.name for v in t.variables] for key, t in TEMPLATES.items()}
    for key, change in migration.CLAUSE_UPDATES.items():
        assert (change["new_body"], change["new_guidance"]) == (CLAUSES[key].body, CLAUSES[key].guidance), key
        assert clean_html(change["old_body"]) == change["old_body"], key  # what a library was given, unchanged
    for key, old in migration.OLD_TEMPLATE_CLAUSES.items():  # the kept clauses stay in the same order
        kept = iter(migration.NEW_TEMPLATE_CLAUSES[key])
        assert all(k in kept for k in old if k != migration.REMOVED_CLAUSE), key


def test_an_unchanged_template_gets_the_new_clauses_in_place_with_their_variables_and_loses_the_advice_clause(
        workgroup):
    _older_library(workgroup)

    _migrate()

    for key, spec in TEMPLATES.items():
        template = AgreementTemplate.objects.get(workgroup=workgroup, key=key)
        assert _keys(template) == list(spec.clauses), key
        assert [(v.name, v.label, v.type, v.default, v.help, tuple(v.choices), v.order)
                for v in template.variables.all()] == [
            (v.name, v.label, v.type, v.default, v.help, v.choices, order) for order, v in enumerate(spec.variables)]
        assert template.description == spec.description
    mou = AgreementTemplate.objects.get(workgroup=workgroup, key="mou")
    assert [tc.order for tc in mou.template_clauses.all()] == list(range(len(TEMPLATES["mou"].clauses)))
    assert Clause.objects.filter(workgroup=workgroup, key="no-legal-advice").exists()  # still in the library


def test_unedited_liability_texts_get_the_new_wording_and_edited_ones_stay(workgroup):
    _older_library(workgroup)
    edited = WorkgroupFactory(slug="edited")
    _older_library(edited)
    Clause.objects.filter(workgroup=edited, key="indemnification").update(body="<p>Our own indemnity.</p>")

    _migrate()

    indemnity = Clause.objects.get(workgroup=workgroup, key="indemnification")
    assert (indemnity.body, indemnity.guidance) == (CLAUSES["indemnification"].body,
                                                    CLAUSES["indemnification"].guidance)
    sharing = Clause.objects.get(workgroup=workgroup, key="liability-sharing").body
    assert sharing == CLAUSES["liability-sharing"].body and "waives" not in sharing  # immunities has its own clause
    assert Clause.objects.get(workgroup=edited, key="indemnification").body == "<p>Our own indemnity.</p>"
    assert Clause.objects.get(workgroup=edited, key="liability-sharing").body == CLAUSES["liability-sharing"].body


def test_a_changed_template_is_left_alone_and_keeps_the_texts_it_can_print(workgroup):
    _older_library(workgroup)
    moa = AgreementTemplate.objects.get(workgroup=workgroup, key="moa")
    moa.template_clauses.filter(clause__key="cross-training").delete()  # a coordinator's change
    mou = AgreementTemplate.objects.get(workgroup=workgroup, key="mou")
    first, second = mou.template_clauses.all()[:2]
    first.order, second.order = second.order, first.order  # another: the same clauses in another order
    TemplateClause.objects.bulk_update([first, second], ["order"])
    before = _state(workgroup)[0]

    _migrate()

    after = _state(workgroup)[0]
    assert after["moa"] == before["moa"] and after["mou"] == before["mou"]
    assert "no-legal-advice" in after["moa"][0]
    assert after["service"][0] == list(TEMPLATES["service"].clauses)  # the unchanged ones are brought up to date
    # The changed MOA still uses them: without "Indemnity approach" the new indemnity would print empty, and
    # without the immunities clause the new liability text would lose the non-waiver sentence.
    for key, change in migration.CLAUSE_UPDATES.items():
        assert Clause.objects.get(workgroup=workgroup, key=key).body == change["old_body"], key


def test_a_new_clause_missing_from_the_library_is_left_out_and_the_rest_still_arrive(workgroup):
    _older_library(workgroup)
    Clause.objects.filter(workgroup=workgroup, key="notices").delete()

    _migrate()

    mou = AgreementTemplate.objects.get(workgroup=workgroup, key="mou")
    assert _keys(mou) == [key for key in TEMPLATES["mou"].clauses if key != "notices"]
    assert mou.description == migration.OLD_DESCRIPTIONS["mou"]  # it does not yet say all the new one says


def test_migrate_runs_it_with_the_models_as_they_were(workgroup):
    _older_library(workgroup)
    executor = MigrationExecutor(connection)
    executor.migrate([("agreements", "0010_review_history")])  # 0011 has no schema change: the rows stay
    executor.loader.build_graph()

    executor.migrate([("agreements", "0011_default_templates_for_existing_workgroups")])

    template = AgreementTemplate.objects.get(workgroup=workgroup, key="data-sharing")
    assert _keys(template) == list(TEMPLATES["data-sharing"].clauses)
    assert template.variables.count() == len(TEMPLATES["data-sharing"].variables)
    assert Clause.objects.get(workgroup=workgroup, key="indemnification").body == CLAUSES["indemnification"].body


def test_running_it_twice_changes_nothing(workgroup):
    _older_library(workgroup)
    changed = WorkgroupFactory(slug="changed")
    _older_library(changed)
    AgreementTemplate.objects.get(workgroup=changed, key="mou").template_clauses.filter(
        clause__key="signatures").delete()
    _migrate()
    once = (_state(workgroup), _state(changed), TemplateVariable.objects.count(), TemplateClause.objects.count())

    _migrate()

    assert (_state(workgroup), _state(changed), TemplateVariable.objects.count(),
            TemplateClause.objects.count()) == once


def test_a_workgroup_made_today_is_not_touched(workgroup):
    services.library_ensure_defaults(workgroup=workgroup)
    before = _state(workgroup)

    _migrate()

    assert _state(workgroup) == before


def test_an_agreement_drafted_before_keeps_its_text(workgroup, coordinator):
    _older_library(workgroup)
    agreement = _draft(workgroup, coordinator, "moa")
    snapshot = agreement.versions.get().clauses

    _migrate()

    assert agreement.versions.get().clauses == snapshot
    assert "no-legal-advice" in [clause["key"] for clause in snapshot]


@pytest.mark.parametrize("template_key", list(TEMPLATES))
def test_an_agreement_drafted_from_a_migrated_template_fills_every_value(workgroup, coordinator, template_key):
    _older_library(workgroup)
    _migrate()

    rendered = render_version(_draft(workgroup, coordinator, template_key).versions.get())

    text = " ".join(clause.html for clause in rendered.clauses)
    assert "[missing" not in text
    assert "legal advice" not in text.lower()
    assert [clause.key for clause in rendered.clauses] == list(TEMPLATES[template_key].clauses)  # a Part 2 party
    if template_key == "mou":
        assert "Except for the clauses on information sharing and confidentiality" in text
    if template_key in ("moa", "service"):
        assert "indemnify" in next(c.html for c in rendered.clauses if c.key == "indemnification")
