"""Data-sharing settings and the two export levels, on hand-built incidents."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from agreements import services as agreement_services
from agreements.models import Agreement, AgreementStatus, AgreementTemplate
from incidents import exports
from incidents.exports import incident_settings_update
from incidents.models import IncidentSettings
from incidents.tests.test_trends import make_action, make_incident
from partners.tests.factories import OrganizationFactory
from toolkit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def agreement(workgroup, coordinator, *, title="Regional data use agreement", status=AgreementStatus.APPROVED,
              kind="data_sharing") -> Agreement:
    agreement_services.library_ensure_defaults(workgroup=workgroup)
    template = AgreementTemplate.objects.filter(workgroup=workgroup, kind=kind).first()
    made = agreement_services.agreement_create(
        actor=coordinator, workgroup=workgroup, template=template, title=title,
        parties=[{"organization": OrganizationFactory(workgroup=workgroup)},
                 {"organization": OrganizationFactory(workgroup=workgroup)}])
    # The review and approval flow is agreements' business (tested there); here only the outcome matters.
    Agreement.objects.filter(pk=made.pk).update(status=status)
    made.refresh_from_db()
    return made


def settings_page(workgroup) -> str:
    return reverse("incidents:data-sharing", kwargs={"slug": workgroup.slug})


def download(client, workgroup, kind):
    return client.get(reverse("incidents:export-download", kwargs={"slug": workgroup.slug, "export_kind": kind}))


def rows(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def sample(workgroup):
    """Two ordinary reports full of free text and references, and a privileged one."""
    risky = OrganizationFactory(workgroup=workgroup, name="=HYPERLINK(\"http://x.test\")")
    county = OrganizationFactory(workgroup=workgroup, name="County 911")
    first = make_incident(workgroup, occurred=date(2025, 3, 14), closed_after_days=3, organizations=[risky],
                          narrative="Caller Jane Roe at 12 Elm St was on hold.", immediate_actions="Called back Jane.",
                          findings="Jane's call queue was full.", cad_reference="CAD-778812",
                          contact_reference="988-55123", reporter_name="Sam Reporter",
                          reporter_contact="sam@example.org", agreed_harm="mild", likelihood=3, severity=4)
    make_action(first, due=date(2025, 4, 1))
    second = make_incident(workgroup, occurred=date(2025, 11, 2), category="technical", organizations=[county])
    secret = make_incident(workgroup, occurred=date(2025, 6, 1), confidentiality="privileged",
                           narrative="Privileged peer review material.")
    return first, second, secret


# --- Settings ---------------------------------------------------------------------------------


def test_a_coordinator_allows_de_identified_exports(client, workgroup, coordinator):
    client.force_login(coordinator)

    response = client.post(settings_page(workgroup), {"export_level": "deidentified",
                                                      "joint_review_fields": ["narrative", "findings"]})

    assert response.status_code == 302
    saved = IncidentSettings.objects.get(workgroup=workgroup)
    assert saved.export_level == "deidentified" and saved.joint_review_fields == ["narrative", "findings"]
    assert AuditEvent.objects.filter(workgroup=workgroup, object_type="incidents.incidentsettings").exists()


def test_a_limited_data_set_without_an_agreement_is_refused_and_nothing_saved(client, workgroup, coordinator):
    client.force_login(coordinator)

    response = client.post(settings_page(workgroup), {"export_level": "limited", "joint_review_fields": ["findings"]})

    assert response.status_code == 400
    assert exports.MSG_LIMITED_NEEDS_AGREEMENT in response.content.decode()
    assert not IncidentSettings.objects.filter(workgroup=workgroup).exists()
    form = response.context["form"]
    assert form["export_level"].value() == "limited" and form["joint_review_fields"].value() == ["findings"]


def test_a_limited_data_set_under_an_approved_agreement_is_saved(client, workgroup, coordinator):
    dua = agreement(workgroup, coordinator)
    client.force_login(coordinator)

    response = client.post(settings_page(workgroup), {"export_level": "limited", "data_use_agreement": dua.pk})

    assert response.status_code == 302
    assert IncidentSettings.objects.get(workgroup=workgroup).data_use_agreement == dua


@pytest.mark.parametrize("which", ["draft", "mou", "other workgroup"])
def test_only_this_workgroups_data_sharing_agreements_in_effect_can_be_named(
        client, workgroup, coordinator, other_workgroup, outsider, which):
    if which == "draft":
        named = agreement(workgroup, coordinator, status=AgreementStatus.DRAFT)
    elif which == "mou":
        named = agreement(workgroup, coordinator, kind="mou")
    else:
        named = agreement(other_workgroup, outsider)
    client.force_login(coordinator)

    response = client.post(settings_page(workgroup), {"export_level": "limited", "data_use_agreement": named.pk})

    assert response.status_code == 400
    assert not IncidentSettings.objects.filter(workgroup=workgroup).exists()
    with pytest.raises(ValidationError) as refused:
        incident_settings_update(actor=coordinator, workgroup=workgroup, export_level="limited",
                                 data_use_agreement=named)
    assert refused.value.message_dict["data_use_agreement"] == [exports.MSG_AGREEMENT_NOT_IN_EFFECT]


def test_only_coordinators_change_the_settings(client, workgroup, qa_reviewer, coordinator):
    client.force_login(qa_reviewer)

    assert client.get(settings_page(workgroup)).status_code == 403
    assert client.post(settings_page(workgroup), {"export_level": "deidentified"}).status_code == 403
    with pytest.raises(PermissionDenied):
        incident_settings_update(actor=qa_reviewer, workgroup=workgroup, export_level="deidentified")
    assert not IncidentSettings.objects.exists()


def test_qa_reads_the_settings_and_the_count_left_out_on_the_exports_page(client, workgroup, coordinator,
                                                                          qa_reviewer):
    sample(workgroup)
    incident_settings_update(actor=coordinator, workgroup=workgroup, export_level="deidentified")
    client.force_login(qa_reviewer)

    body = client.get(reverse("incidents:exports", kwargs={"slug": workgroup.slug})).content.decode()

    assert "De-identified only" in body and 'data-testid="edit-settings"' not in body
    assert "1 confidential or privileged incident is left out" in " ".join(body.split())
    assert body.count('data-testid="download"') == 2  # not the limited data set


# --- Exports ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["deidentified-incidents", "deidentified-summary", "limited-data-set"])
def test_with_exports_off_every_export_is_refused_pointing_to_the_settings(client, workgroup, coordinator, kind):
    sample(workgroup)
    client.force_login(coordinator)

    response = download(client, workgroup, kind)

    assert response.status_code == 403
    assert exports.MSG_EXPORTS_OFF in response.content.decode()
    assert settings_page(workgroup) in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()


def test_the_de_identified_file_has_years_and_codes_and_no_text_reporter_or_reference(client, workgroup,
                                                                                      coordinator, qa_reviewer):
    sample(workgroup)
    incident_settings_update(actor=coordinator, workgroup=workgroup, export_level="deidentified")
    client.force_login(qa_reviewer)

    response = download(client, workgroup, "deidentified-incidents")
    found = rows(response)

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{workgroup.slug}-incidents-deidentified.csv"'
    assert len(found) == 2  # the privileged one is left out
    text = str(found)
    for leaked in ("Jane", "Elm", "CAD-778812", "988-55123", "Sam Reporter", "sam@example.org", "Privileged peer",
                   "INC-", "2025-03-14", "Mar"):
        assert leaked not in text
    first = found[0]
    assert first["year"] == "2025" and first["category"] == "Delay" and first["harm (agreed)"] == "Mild harm"
    assert first["risk grade"] == "High" and first["corrective actions"] == "1"
    assert first["organizations involved"] == "'=HYPERLINK(\"http://x.test\")"  # formula neutralised
    assert found[1]["organizations involved"] == "County 911" and found[1]["sectors involved"]
    assert found[1]["harm (agreed)"] == "Not yet agreed"
    audit = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert audit.actor == qa_reviewer and audit.workgroup == workgroup
    assert audit.changes[0]["new"] == "deidentified-incidents, 2 rows"


def test_a_cell_starting_with_a_formula_character_is_neutralised(client, workgroup, coordinator):
    for name in ("+1 Dispatch", "-Crisis", "@Team", "\tTabbed"):
        make_incident(workgroup, occurred=date(2025, 1, 1),
                      organizations=[OrganizationFactory(workgroup=workgroup, name=name)])
    incident_settings_update(actor=coordinator, workgroup=workgroup, export_level="deidentified")
    client.force_login(coordinator)

    cells = [row["organizations involved"] for row in rows(download(client, workgroup, "deidentified-incidents"))]

    assert sorted(cells) == sorted(["'+1 Dispatch", "'-Crisis", "'@Team", "'\tTabbed"])


def summary(client, workgroup) -> dict[tuple[str, str, str], str]:
    return {(r["breakdown"], r["quarter"], r["group"]): r["incidents"]
            for r in rows(download(client, workgroup, "deidentified-summary"))}


def test_the_summary_counts_by_quarter_with_small_counts_suppressed(client, workgroup, coordinator):
    # 2025 Q1: 12 delays (near misses, harm not yet agreed) and 3 technical difficulties (without harm, agreed
    # none), so every table has a small count and none gives the total away; nothing in Q2; 1 delay in Q3.
    for day in range(1, 13):
        make_incident(workgroup, occurred=date(2025, 1, day))
    for day in range(1, 4):
        make_incident(workgroup, occurred=date(2025, 2, day), category="technical", incident_class="no_harm",
                      agreed_harm="none")
    make_incident(workgroup, occurred=date(2025, 8, 1))
    make_incident(workgroup, occurred=date(2025, 8, 2), confidentiality="confidential")  # left out
    incident_settings_update(actor=coordinator, workgroup=workgroup, export_level="deidentified")
    client.force_login(coordinator)

    table = summary(client, workgroup)

    assert table[("category", "2025-Q1", "Delay")] == "12"
    assert table[("category", "2025-Q1", "Technical difficulty")] == "<11"
    assert table[("category", "2025-Q1", "Sentinel event")] == "0"
    assert table[("category", "2025-Q2", "Delay")] == "0"
    assert table[("category", "2025-Q3", "Delay")] == "<11"
    assert table[("class", "2025-Q1", "Near miss")] == "12"
    assert table[("class", "2025-Q1", "Incident without harm")] == "<11"
    assert table[("agreed harm", "2025-Q1", "Not yet agreed")] == "12"
    assert table[("agreed harm", "2025-Q1", "No harm")] == "<11"
    assert ("category", "2025-Q4", "Delay") not in table
    assert "1" not in table.values() and "3" not in table.values()
    assert AuditEvent.objects.get(action=AuditAction.EXPORTED).changes[0]["new"] == (
        f"deidentified-summary, {len(table)} rows")


def test_a_count_that_would_give_a_small_one_away_is_hidden_too(client, workgroup, coordinator):
    # 2025 Q1: 15 near misses (the class table gives the total away): 12 delays and 3 technical difficulties.
    # With one small category, the next smallest (12) is hidden as well, or 15 − 12 would give the 3 away.
    for day in range(1, 13):
        make_incident(workgroup, occurred=date(2025, 1, day), category="delay")
    for day in range(1, 4):
        make_incident(workgroup, occurred=date(2025, 2, day), category="technical")
    incident_settings_update(actor=coordinator, workgroup=workgroup, export_level="deidentified")
    client.force_login(coordinator)

    table = summary(client, workgroup)

    assert table[("category", "2025-Q1", "Technical difficulty")] == "<11"
    assert table[("category", "2025-Q1", "Delay")] == exports.HIDDEN
    assert table[("class", "2025-Q1", "Near miss")] == "15"


def test_the_limited_data_set_is_refused_without_a_data_use_agreement(client, workgroup, coordinator):
    sample(workgroup)
    incident_settings_update(actor=coordinator, workgroup=workgroup, export_level="deidentified")
    client.force_login(coordinator)

    response = download(client, workgroup, "limited-data-set")

    assert response.status_code == 403 and exports.MSG_LIMITED_OFF in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()


def test_the_limited_data_set_names_its_agreement_in_every_row_and_the_file_name(client, workgroup, coordinator):
    sample(workgroup)
    dua = agreement(workgroup, coordinator, title="Regional DUA 2025")
    incident_settings_update(actor=coordinator, workgroup=workgroup, export_level="limited", data_use_agreement=dua)
    client.force_login(coordinator)

    response = download(client, workgroup, "limited-data-set")
    found = rows(response)

    assert response.status_code == 200
    assert "limited-data-set-under-regional-dua-2025.csv" in response["Content-Disposition"]
    assert len(found) == 2 and all(row["data use agreement"] == "Regional DUA 2025" for row in found)
    assert found[0]["occurred on"] == "2025-03-14" and found[0]["closed on"] == "2025-03-17"
    for leaked in ("Jane", "CAD-778812", "988-55123", "Sam Reporter", "Privileged peer", "INC-"):
        assert leaked not in str(found)
    assert AuditEvent.objects.get(action=AuditAction.EXPORTED).changes[0]["new"] == (
        "limited-data-set, 2 rows, under Regional DUA 2025")


def test_the_limited_data_set_stops_when_its_agreement_is_no_longer_in_effect(client, workgroup, coordinator):
    dua = agreement(workgroup, coordinator)
    incident_settings_update(actor=coordinator, workgroup=workgroup, export_level="limited", data_use_agreement=dua)
    Agreement.objects.filter(pk=dua.pk).update(status=AgreementStatus.IN_REVIEW)  # a new version is under review
    client.force_login(coordinator)

    response = download(client, workgroup, "limited-data-set")

    assert response.status_code == 403 and exports.MSG_AGREEMENT_LAPSED in response.content.decode()
    assert download(client, workgroup, "deidentified-summary").status_code == 200


@pytest.mark.parametrize("who, status", [("member", 403), ("viewer", 403), ("legal_reviewer", 403),
                                         ("outsider", 404)])
def test_only_qa_and_coordinators_of_the_workgroup_export(client, workgroup, coordinator, people, who, status):
    sample(workgroup)
    incident_settings_update(actor=coordinator, workgroup=workgroup, export_level="deidentified")
    client.force_login(people[who])

    assert download(client, workgroup, "deidentified-incidents").status_code == status
    assert client.get(reverse("incidents:exports", kwargs={"slug": workgroup.slug})).status_code == status
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()


def test_an_unknown_export_is_not_found(client, workgroup, coordinator):
    client.force_login(coordinator)
    assert download(client, workgroup, "everything").status_code == 404


@pytest.mark.parametrize("kind", ["deidentified-incidents", "limited-data-set"])
def test_a_row_export_costs_the_same_queries_for_3_or_30_incidents(client, workgroup, coordinator, kind,
                                                                   django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dua = agreement(workgroup, coordinator)
    incident_settings_update(actor=coordinator, workgroup=workgroup, export_level="limited", data_use_agreement=dua)
    organizations = [OrganizationFactory(workgroup=workgroup) for _ in range(6)]
    client.force_login(coordinator)

    def make(n):
        for i in range(n):
            incident = make_incident(workgroup, occurred=date(2025, 1 + i % 12, 3),
                                     organizations=organizations[i % 6:i % 6 + 2])
            make_action(incident, due=date(2025, 12, 1))

    make(3)
    with CaptureQueriesContext(connection) as few:
        assert len(rows(download(client, workgroup, kind))) == 3
    make(27)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(rows(download(client, workgroup, kind))) == 30
